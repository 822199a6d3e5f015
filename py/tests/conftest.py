"""Shared fixtures of the Python tests of the `cporx` package (py/tests/).

Paths, found at run time: the repository root (two folders above this file), the channel
folder ($CPORX_CHANNELS, else ../shared/channels beside the checkout, as the CLI's
`cporx_spec::paths`), the CLI binary ($CPORX_BIN, else target/release/cporx, which
`cargo test --release --workspace --no-run` in scripts/test.sh builds; test.sh names it
in $CPORX_BIN, so there a missing binary fails instead of skipping the CLI comparison).
"""

import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

# the shipped thrus (every .s4p of the folder whose name says THRU or Thru) and the
# crosstalk file; named in ../shared/channels/README.md
THRU_NAMES = ("C2M__Z100_IL14_WC_BOR_H_L_H_THRU.s4p", "TEC_SMT_IO_42GHz_Thru_B5B6_4in.s4p")
FEXT_NAME = "C2M__Z100_IL14_WC_BOR_H_L_H_FEXT1.s4p"


def channel_dir():
    env = os.environ.get("CPORX_CHANNELS")
    return pathlib.Path(env) if env else ROOT.parent / "shared" / "channels"


@pytest.fixture(scope="session")
def channels():
    d = channel_dir()
    if not d.is_dir():
        pytest.fail(f"the channel folder {d} is not a folder (set $CPORX_CHANNELS)")
    return d


@pytest.fixture(scope="session")
def thrus(channels):
    files = [channels / n for n in THRU_NAMES]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        pytest.fail(f"shipped channels missing: {missing}")
    return files


@pytest.fixture(scope="session")
def cli():
    """The cporx binary, or None when it was not built (the comparisons with the CLI's
    output are then skipped; the pinned figures are still checked)."""
    env = os.environ.get("CPORX_BIN")
    exe = pathlib.Path(env) if env else ROOT / "target" / "release" / "cporx"
    ok = exe.is_file() and os.access(exe, os.X_OK)
    if env and not ok:
        # named explicitly (scripts/test.sh does): a missing binary is a failure, not a skip
        pytest.fail(f"$CPORX_BIN = {env} is not an executable file")
    return exe if ok else None
