"""The type stubs (py/cporx.pyi) describe the module as built: every public name of the
module is in the stubs and every stubbed function, class and method exists, with the same
parameter names (from PyO3's text signatures); the installed wheel carries this stub file
and `py.typed` (so an out-of-date install fails here too).
"""

import ast
import inspect
import pathlib

import cporx
from conftest import ROOT

STUB = ROOT / "py" / "cporx.pyi"
# names the stubs define for typing only (aliases and TypedDicts of returned dicts)
TYPING_ONLY = {"PathLike", "Cursors", "CursorsIn", "ParamsLike", "StepOut", "RunOut",
               "ChannelSummary", "EyeOut", "McOut", "LossRow"}


def stub_tree():
    return ast.parse(STUB.read_text())


def params(fn):
    a = fn.args
    names = [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs]
    return [n for n in names if n not in ("self", "cls")]


def test_installed_wheel_has_these_stubs_and_py_typed():
    pkg = pathlib.Path(cporx.__file__).parent
    assert (pkg / "py.typed").is_file()
    assert (pkg / "__init__.pyi").read_text() == STUB.read_text()


def test_stubs_match_the_module():
    tree = stub_tree()
    top = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            top[node.name] = node
        elif isinstance(node, ast.AnnAssign):
            top[node.target.id] = node
        elif isinstance(node, ast.Assign):
            for t in node.targets:
                top[t.id] = node
    public = set(cporx.__all__)
    assert public - set(top) == set(), "module names missing from the stubs"
    assert set(top) - public - TYPING_ONLY == set(), "stubbed names the module lacks"
    checked = 0
    for name, node in top.items():
        if name in TYPING_ONLY:
            continue
        obj = getattr(cporx, name)
        if isinstance(node, ast.FunctionDef):
            assert list(inspect.signature(obj).parameters) == params(node), name
            checked += 1
        elif isinstance(node, ast.ClassDef):
            for m in node.body:
                if not isinstance(m, ast.FunctionDef):
                    continue
                assert hasattr(obj, m.name), f"{name}.{m.name}"
                attr = inspect.getattr_static(obj, m.name)
                if isinstance(attr, property) or type(attr).__name__ == "getset_descriptor":
                    continue
                if m.name == "__init__":
                    sig = inspect.signature(obj)
                else:
                    sig = inspect.signature(getattr(obj, m.name))
                names = [p for p in sig.parameters if p not in ("self", "cls", "$self")]
                assert names == params(m), f"{name}.{m.name}: {names} vs {params(m)}"
                checked += 1
            # and every public method of the class is stubbed
            stubbed = {m.name for m in node.body if isinstance(m, ast.FunctionDef)}
            own = {k for k in vars(obj) if not k.startswith("_")}
            assert own - stubbed == set(), f"{name}: unstubbed {own - stubbed}"
    assert checked > 40
