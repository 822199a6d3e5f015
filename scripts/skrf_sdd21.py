#!/usr/bin/env python3
"""Differential insertion loss SDD21 of a 4-port Touchstone file, computed by scikit-rf.

Usage: skrf_sdd21.py FILE OUT.csv [--map a1,a2:b1,b2]

Writes OUT.csv with a header `f_hz,re,im` and one row per frequency point of FILE
(values printed with 17 significant digits, so they round-trip exactly).

This is the independent half of the cross-check in sim/link/tests/skrf_crosscheck.rs:
scikit-rf reads the file (its own Touchstone reader) and does the mixed-mode
conversion (Network.se2gmm); nothing here restates cporx's formula.

Port map (1-based single-ended ports, as in cporx `PortMap::parse`): a1,a2 are the
p and n legs of the input pair, b1,b2 those of the output pair; the default 1,3:2,4 is
the layout of the files in shared/channels (thru paths 1->2 and 3->4).

scikit-rf convention (checked on scikit-rf 1.3.0, see the se2gmm docstring and the
synthetic check below): with p=2 differential ports, single-ended ports 0 and 1 form
mixed-mode port d0/c0 and ports 2 and 3 form d1/c1 (the thru paths being 0==2 and 1==3),
and the result is ordered d0, d1, c0, c1. So the file is renumbered to
[a1, a2, b1, b2] and SDD21 is element [1, 0] of the mixed-mode matrix.

Needs the project venv: run scripts/setup-tools.sh, then .tools/venv/bin/python.
"""

import argparse
import sys


def parse_map(text):
    try:
        a, b = text.split(":")
        a1, a2 = (int(x) for x in a.split(","))
        b1, b2 = (int(x) for x in b.split(","))
    except ValueError:
        raise SystemExit(f"skrf_sdd21: bad --map {text!r}: expected a1,a2:b1,b2 such as 1,3:2,4")
    ports = [a1, a2, b1, b2]
    if min(ports) < 1 or len(set(ports)) != 4:
        raise SystemExit(f"skrf_sdd21: bad --map {text!r}: need four distinct ports >= 1")
    return ports


def self_check(rf, np):
    """Guard against a scikit-rf whose se2gmm port convention differs from the one assumed:
    a crossed differential thru (0->3, 1->2) must give SDD21 = -1, a straight one +1."""
    freq = rf.Frequency.from_f([1e9], unit="Hz")
    for pairs, want in (([(0, 2), (1, 3)], 1.0), ([(0, 3), (1, 2)], -1.0)):
        s = np.zeros((1, 4, 4), complex)
        for i, j in pairs:
            s[:, i, j] = s[:, j, i] = 1.0
        net = rf.Network(frequency=freq, s=s, z0=50)
        net.se2gmm(p=2)
        got = net.s[0, 1, 0]
        if abs(got - want) > 1e-12:
            raise SystemExit(f"skrf_sdd21: scikit-rf {rf.__version__} se2gmm convention changed "
                             f"(synthetic thru {pairs}: SDD21 {got}, expected {want})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("out")
    ap.add_argument("--map", default="1,3:2,4")
    args = ap.parse_args()
    ports = parse_map(args.map)
    try:
        import numpy as np
        import skrf as rf
    except ImportError as e:
        raise SystemExit(f"skrf_sdd21: {e}; run scripts/setup-tools.sh and use .tools/venv/bin/python")
    self_check(rf, np)

    net = rf.Network(args.file)
    if net.nports < max(ports):
        raise SystemExit(f"skrf_sdd21: {args.file} has {net.nports} ports; map {args.map} needs {max(ports)}")
    if net.nports != 4:
        raise SystemExit(f"skrf_sdd21: {args.file}: only 4-port files are handled here")
    # new port k = old port ports[k]-1: order a1, a2, b1, b2
    net.renumber([p - 1 for p in ports], [0, 1, 2, 3])
    net.se2gmm(p=2)
    sdd21 = net.s[:, 1, 0]
    with open(args.out, "w") as out:
        out.write("f_hz,re,im\n")
        for f, h in zip(net.f, sdd21):
            out.write(f"{f:.17g},{h.real:.17g},{h.imag:.17g}\n")
    print(f"skrf_sdd21: scikit-rf {rf.__version__}: {len(net.f)} points -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
