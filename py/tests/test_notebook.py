"""The notebook examples/link_study.ipynb, executed with nbclient (pinned in
scripts/setup-tools.sh, with ipykernel) in the venv's Python kernel, from the examples/
folder: every cell runs without error; its study table (the cell tagged `study-table`, a
Markdown table printed to stdout) has the README's rows (`<!-- study:begin -->` ...
`<!-- study:end -->`, written by `cporx study`) and equals the README's table cell for cell
in every column it has (each of its columns is one of the README's); the cells tagged
`plot-sdd21` and `plot-pulse` each show a PNG figure. The executed notebook is not written
back (the committed file has no outputs).
"""

import os
import pathlib

import nbclient
import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "examples" / "link_study.ipynb"


def md_table(lines):
    """Rows of a Markdown table (header first, the `|---|` line dropped) as lists of cells."""
    rows = []
    for l in lines:
        l = l.strip()
        if not l.startswith("|"):
            continue
        cells = [c.strip() for c in l.strip("|").split("|")]
        if all(set(c) <= set("-: ") for c in cells):
            continue
        rows.append(cells)
    return rows


def readme_study():
    text = (ROOT / "README.md").read_text()
    a, b = text.index("<!-- study:begin -->"), text.index("<!-- study:end -->")
    rows = md_table(text[a:b].splitlines())
    assert len(rows) >= 2, "README's study block has no table"
    return rows[0], {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}


@pytest.fixture(scope="module")
def executed(channels):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for c in nb.cells:
        assert not c.get("outputs"), "the committed notebook holds outputs: clear them"
    env_before = os.environ.get("CPORX_CHANNELS")
    os.environ["CPORX_CHANNELS"] = str(channels)
    try:
        client = nbclient.NotebookClient(
            nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
        )
        client.execute()
    finally:
        if env_before is None:
            os.environ.pop("CPORX_CHANNELS", None)
        else:
            os.environ["CPORX_CHANNELS"] = env_before
    return nb


def tagged(nb, tag):
    cells = [c for c in nb.cells if tag in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{len(cells)} cells tagged {tag}"
    return cells[0]


def test_notebook_study_table_equals_readme(executed):
    cell = tagged(executed, "study-table")
    text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    rows = md_table(text.splitlines())
    assert len(rows) >= 2, f"no table printed:\n{text}"
    header, body = rows[0], rows[1:]
    r_header, r_rows = readme_study()
    missing = [h for h in header if h not in r_header]
    assert not missing, f"columns not in the README's table: {missing}"
    assert len(header) >= 8, header
    names = [r[0] for r in body]
    assert sorted(names) == sorted(r_rows), f"rows {names}, README's {sorted(r_rows)}"
    compared = 0
    for r in body:
        for h, v in zip(header, r):
            assert v == r_rows[r[0]][h], f"{r[0]}, {h}: notebook {v!r}, README {r_rows[r[0]][h]!r}"
            compared += 1
    print(f"notebook: {len(body)} rows x {len(header)} columns = {compared} cells equal the README's")


@pytest.mark.parametrize("tag", ["plot-sdd21", "plot-pulse"])
def test_notebook_plots(executed, tag):
    cell = tagged(executed, tag)
    pngs = [o for o in cell.outputs if "image/png" in o.get("data", {})]
    assert len(pngs) == 1, f"{tag}: {len(pngs)} PNG outputs"
    assert len(pngs[0]["data"]["image/png"]) > 10000, f"{tag}: a near-empty figure"
