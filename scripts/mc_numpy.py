#!/usr/bin/env python3
"""The Monte-Carlo work of `cporx mc-bench`, done with numpy, for the speed comparison.

Same work per symbol as cporx_link::montecarlo (one core): uniform random PAM-4 symbols,
symbol-spaced channel convolution, white Gaussian noise, the 6-bit ADC (round half away
from zero, saturate to -32..31), the FFE of docs/numerics.md (integer taps, Q7.1 output:
floor((acc + 16) / 32) saturated to -128..127), the slicer, and the symbol-error count.
Vectorized in blocks; numpy's own convolution and RNG (PCG64 + ziggurat normals).

Usage: mc_numpy.py SYMBOLS SIGMA COEFS THRESHOLDS CURSORS
  COEFS e.g. "-5,64,-10"; THRESHOLDS e.g. "-32,0,32"; CURSORS "h_-1,h0,h1,..." with h0
  second (one pre-cursor). Prints one line: symbols, errors, wall seconds, M symbols/s (wall),
CPU seconds (time.process_time: this process's CPU time, for a per-core figure on a loaded
machine).
"""
import sys
import time

import numpy as np


def main():
    n = int(sys.argv[1])
    sigma = float(sys.argv[2])
    coefs = np.array([int(c) for c in sys.argv[3].split(",")], dtype=np.int64)
    thr = np.array([int(t) for t in sys.argv[4].split(",")], dtype=np.int64)
    cur = np.array([float(h) for h in sys.argv[5].split(",")])
    main_tap = 1
    rng = np.random.default_rng(1)
    block = 1 << 20
    errors = 0
    counted = 0
    t0 = time.perf_counter()
    c0 = time.process_time()
    done = 0
    while done < n:
        m = min(block, n - done)
        sym = rng.integers(0, 4, size=m + len(cur) + len(coefs), dtype=np.int64)
        lvl = 2.0 * sym - 3.0
        # x[t] = sum_m h_m a[t - m], cursor index m = -1 .. len-2 (one pre-cursor)
        v = np.convolve(lvl, cur, mode="valid")  # v[i] = sum_j cur[j] lvl[i + L-1 - j]
        v = v + sigma * rng.standard_normal(v.shape[0])
        g = v * 8.0  # 32 codes per full scale of 4 level units
        x = np.clip(np.sign(g) * np.floor(np.abs(g) + 0.5), -32, 31).astype(np.int64)
        acc = np.convolve(x, coefs, mode="valid")
        y = np.clip((acc + 16) >> 5, -128, 127)
        dec = (y >= thr[0]).astype(np.int64) + (y >= thr[1]) + (y >= thr[2])
        # v[i] has main cursor symbol sym[i + L - 2]; y[k] uses x[k + T-1 - j], main tap 1
        # lines up with x[k + T - 2], whose main symbol is sym[k + T - 2 + L - 2]
        off = len(coefs) - 1 - main_tap + len(cur) - 2
        want = sym[off : off + y.shape[0]]
        errors += int(np.count_nonzero(dec != want))
        counted += y.shape[0]
        done += m
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(f"{counted} {errors} {dt:.4f} {counted / dt / 1e6:.2f} {cpu:.4f}")


if __name__ == "__main__":
    main()
