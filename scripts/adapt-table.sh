#!/bin/sh
# The adaptive receiver's table in the README ("A receiver that adapts itself"): every
# shipped thru, taps 2..16, DFE 0 and 1, from reset with the model in the loop
# (`cporx link --adapt`, 25 dB, seed 1, 1e6 UI), one Markdown row per run:
# AGC settle, lock, LMS convergence (UI), BER after convergence (count, interval) and the
# statistical BER of the converged point. Extra arguments go to every `cporx link` run
# (for example --rtl, --ui 2000000, --lms-mu 6).
# Usage: scripts/adapt-table.sh [CHANNELS_DIR] [-- link flags...]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${CPORX_CHANNELS:-$root/../shared/channels}
if [ $# -gt 0 ] && [ "$1" != "--" ]; then dir=$1; shift; fi
[ $# -gt 0 ] && [ "$1" = "--" ] && shift
[ -d "$dir" ] || { echo "adapt-table: channels folder $dir not found (argument 1 or CPORX_CHANNELS)" >&2; exit 1; }
cporx=${CPORX:-$root/target/release/cporx}
[ -x "$cporx" ] || (cd "$root" && cargo build --release -q) || exit 1
field() { sed -n "s/^$1 *: //p" | head -1; }
echo "| channel | taps | DFE | AGC settled (UI) | lock (UI) | LMS converged (UI) | BER after convergence | statistical BER |"
echo "|---|---|---|---|---|---|---|---|"
for ch in "$dir"/*THRU*.s4p "$dir"/*Thru*.s4p; do
  [ -f "$ch" ] || continue
  name=$(basename "$ch" .s4p)
  for taps in 2 3 4 5 6 8 12 16; do
    for dfe in 0 1; do
      out=$("$cporx" link --channel "$ch" --snr 25 --taps "$taps" --adapt --dfe "$dfe" "$@" 2>&1) || true
      agc=$(printf '%s\n' "$out" | field "AGC settled" | sed 's/ (.*//')
      lock=$(printf '%s\n' "$out" | field "lock time" | sed 's/ UI.*lost \([0-9]*\).*/ (lost \1x)/')
      lms=$(printf '%s\n' "$out" | field "LMS converged" | sed 's/ UI (.*//; s/not measured.*/not converged/')
      ber=$(printf '%s\n' "$out" | field "BER converged" | sed 's/not measured (\(.*\))/not measured/')
      stat=$(printf '%s\n' "$out" | field "statistical BER" | sed 's/ at taps.*//; s/not measured (\(.*\))/not measured (\1)/' | cut -c1-80)
      freq=$(printf '%s\n' "$out" | field "frequency" | sed 's/ tracked.*//')
      case "$stat" in *rotates*) stat="no lock: the PI rotates ($freq)";; esac
      echo "| $name | $taps | $dfe | $agc | $lock | $lms | $ber | $stat |"
    done
  done
done
