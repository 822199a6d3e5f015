#!/usr/bin/env bash
# The test command: installs the pinned tools (project-local) and runs every test,
# printing the equivalence and mutation figures.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/setup-tools.sh
cargo test --release --workspace -- --nocapture
