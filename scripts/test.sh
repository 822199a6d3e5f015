#!/usr/bin/env bash
# The test command: installs the pinned tools (project-local) and the Python package while
# it builds every test binary, then runs each suite (test binary) with --nocapture, the doc
# tests and the pytest suites (py/tests, verif/cocotb), two at a time, printing each one's
# time, and a table of the suites' times at the end. Exit status: non-zero if any suite failed (all are run).
#
#   scripts/test.sh            every suite (what CI runs)
#   scripts/test.sh --full     also the #[ignore]d long runs (2-lane proofs, the ECP5
#                              netlist equivalence, the 2x5 receive top): -- --include-ignored
#   scripts/test.sh -- ARGS    ARGS passed to every test binary (a test-name filter, say)
#   CPORX_TEST_JOBS=N          suites run N at a time (default 2)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
extra=()
if [[ "${1:-}" == "--full" ]]; then
    extra+=(--include-ignored)
    shift
fi
if [[ "${1:-}" == "--" ]]; then
    shift
    extra+=("$@")
fi
t_start=$(date +%s)
logdir=$(mktemp -d "${TMPDIR:-/tmp}/cporx-test.XXXXXX")
# Build every test binary (the JSON lines name each one's executable and package folder)
# while setup-tools.sh installs the tools: the build needs none of them, and the installs
# are mostly downloads and unpacking, so the two overlap on a fresh machine (setup's
# maturin build of the Python package waits for cargo's lock on target/ and follows).
# The compiler's messages go to build.log, printed when the build ends.
t_build0=$t_start
(
    status=0
    cargo test --release --workspace --no-run --message-format=json-render-diagnostics \
        > "$logdir/build.json" 2> "$logdir/build.log" || status=$?
    echo "$status $(date +%s)" > "$logdir/build.done"
) &
build_pid=$!
setup_status=0
scripts/setup-tools.sh || setup_status=$?
t_setup=$(date +%s)
wait "$build_pid" || true
read -r build_status t_build < "$logdir/build.done"
grep -v -E '^ +(Compiling|Downloaded|Downloading) ' "$logdir/build.log" || true
if ((setup_status != 0)); then
    echo "test.sh: scripts/setup-tools.sh failed (exit $setup_status)" >&2
    exit "$setup_status"
fi
if ((build_status != 0)); then
    echo "test.sh: the test build failed (exit $build_status; $logdir/build.log)" >&2
    exit "$build_status"
fi
t_tests=$(date +%s)
python3 - "$logdir/build.json" > "$logdir/suites.txt" <<'PY'
import json, os, sys
seen = set()
rows = []
for line in open(sys.argv[1]):
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("reason") != "compiler-artifact" or not m.get("executable"):
        continue
    if not m.get("profile", {}).get("test"):
        continue
    t = m["target"]
    pkg = os.path.dirname(m["manifest_path"])
    # package ids: "path+file:///dir#name@version" (or "...#version" when the folder is
    # the name)
    pid = m["package_id"]
    tail = pid.split("#", 1)[1] if "#" in pid else pid
    name = tail.split("@")[0] if "@" in tail else pid.split("#")[0].rstrip("/").rsplit("/", 1)[-1]
    kind = t["kind"][0]
    label = f"{name}::{t['name']}" + ("" if kind == "test" else f" ({kind})")
    if m["executable"] in seen:
        continue
    seen.add(m["executable"])
    rows.append(f"{label}\t{pkg}\t{m['executable']}")
print("\n".join(sorted(rows)))
PY
n=$(wc -l < "$logdir/suites.txt")
echo "test.sh: $n suites built in $((t_build - t_build0)) s, beside setup ($((t_setup - t_start)) s); logs in $logdir"
fails=()
: > "$logdir/times.txt"
# run_suite I LABEL PKG EXE: one suite, its output into $logdir/suite-I.log, its time and
# status into $logdir/suite-I.done (read back in the suites' order when it ends)
run_suite() {
    local i=$1 label=$2 pkg=$3 exe=$4 t0 t1 status=0
    t0=$(date +%s)
    case $exe in
    doc-tests)   # the doc tests: cargo builds and runs them
        cargo test --release --workspace --doc ;;
    pytest:*)    # a pytest suite, against the CLI binary the test build made
        read -r -a pyargs <<< "${exe#pytest:}"
        CPORX_BIN="$root/target/release/cporx" "$root/.tools/venv/bin/python" -m pytest -q \
            -p no:cacheprovider "${pyargs[@]:1}" "$root/${pyargs[0]}" ;;
    *)           # cargo runs a test binary in its package's folder: so does this
        (cd "$pkg" && "$exe" --nocapture "${extra[@]}") ;;
    esac > "$logdir/suite-$i.log" 2>&1 || status=$?
    t1=$(date +%s)
    echo "$((t1 - t0)) $status" > "$logdir/suite-$i.done"
}
# record LABEL SECS STATUS: a finished suite's line in the times table, its end line, and
# its name among the failures unless STATUS is 0
record() {
    local label=$1 secs=$2 status=$3
    printf '%6d s  %s%s\n' "$secs" "$label" "$([[ $status == 0 ]] || echo '  FAILED')" >> "$logdir/times.txt"
    echo "test.sh: suite $label: $secs s$([[ $status == 0 ]] || echo ", FAILED (exit $status)")"
    [[ $status == 0 ]] || fails+=("$label")
}
# report I LABEL: print a finished suite's output and record it
report() {
    local i=$1 label=$2 secs status
    read -r secs status < "$logdir/suite-$i.done"
    cat "$logdir/suite-$i.log"
    record "$label" "$secs" "$status"
}
# Suites run $jobs at a time (CPORX_TEST_JOBS, default 2: many suites hold one long test
# on one core); each suite's output is printed whole when it ends. Beside the test
# binaries: the doc tests and the pytest suites: the Python package's (py/tests: the
# package, installed into the venv by setup-tools.sh, and the notebook
# examples/link_study.ipynb) and the cocotb testbench of the exported top (verif/cocotb:
# Icarus Verilog and Verilator, 1 and 4 lanes, and the VCD check; -rP prints what its
# passed tests printed: the cycles and signals compared).
jobs=${CPORX_TEST_JOBS:-2}
{
    cat "$logdir/suites.txt"
    printf 'doc tests\t%s\tdoc-tests\n' "$root"
    printf 'python: pytest py/tests\t%s\tpytest:py/tests\n' "$root"
    printf 'python: pytest verif/cocotb\t%s\tpytest:verif/cocotb -rP\n' "$root"
} > "$logdir/all.txt"
# The longest first (their times on 2 cores, a clean clone with the per-user caches warm,
# and the formal proofs, which run ~6 min on an empty cache), so that the short ones fill
# the other slot around them.
slow=(cporx-verif::formal cporx-verif::equivalence "python: pytest verif/cocotb"
      cporx::energy_cli cporx-synth::equiv "cporx::honest_results" "cporx::cporx (bin)"
      cporx::study)
{
    for l in "${slow[@]}"; do grep -P "^\Q$l\E\t" "$logdir/all.txt" || true; done
    grep -v -F -f <(printf '%s\t\n' "${slow[@]}") "$logdir/all.txt" || true
} > "$logdir/order.txt"
mapfile -t suites < "$logdir/order.txt"
declare -A running=()   # index -> label
i=0
for row in "${suites[@]}"; do
    IFS=$'\t' read -r label pkg exe <<< "$row"
    while ((${#running[@]} >= jobs)); do
        wait -n || true
        for k in "${!running[@]}"; do
            if [[ -e "$logdir/suite-$k.done" ]]; then
                report "$k" "${running[$k]}"
                unset "running[$k]"
            fi
        done
    done
    run_suite "$i" "$label" "$pkg" "$exe" &
    running[$i]=$label
    i=$((i + 1))
done
wait || true
for k in "${!running[@]}"; do
    report "$k" "${running[$k]}"
done
t_end=$(date +%s)
echo
echo "test.sh: suite times (slowest first):"
sort -rn "$logdir/times.txt"
echo "test.sh: setup $((t_setup - t_start)) s beside the build $((t_build - t_build0)) s, tests $((t_end - t_tests)) s, total $((t_end - t_start)) s"
if ((${#fails[@]})); then
    echo "test.sh: FAILED suites: ${fails[*]}"
    exit 1
fi
echo "test.sh: every suite passed"
