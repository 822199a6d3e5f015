"""cocotb testbench of the exported receive top (`cporx export` -> top.v, `module top`),
with the bit-exact Python model (`cporx.Model`, the `cporx` package of py/) as scoreboard.

Run by verif/cocotb/test_rx_cocotb.py through cocotb's Python runner (Icarus Verilog or
Verilator); not meant to be run alone. Inputs, from the environment the runner passes:
  CPORX_TB_PARAMS    the design's parameter file (params.toml that `cporx export` wrote)
  CPORX_TB_STIMULUS  the stimulus, an .npz of per-cycle arrays: rst, cfg_we (bool),
                     cfg_addr (uint8), cfg_data (int8, the 8-bit pattern as signed), adc
                     (int8, cycles x lanes)
  CPORX_TB_REPORT    where to write the result (JSON: cycles, outputs compared, mismatches)

Cycle convention (the project's: hdl/src/step.rs, sim/cosim/src/verilator_block.rs): cycle
i applies its inputs with `clock` low at t = 10 i ns, raises `clock` at 10 i + 5, and the
outputs are read after that edge (at 10 (i + 1), before the next cycle's inputs) and
compared with `Model.step` of the same inputs: y, symbol, gray, err of every lane, and
phase, lock, freq, gain, rd_data, every cycle. The timeline is the one of the model's VCD
(sim/cosim/src/vcd_out.rs), so the simulator's VCD can be compared with it cycle by cycle.
An output that is X or Z counts as a mismatch. The first mismatches are logged; the test
fails if any.
"""

import json
import os

import cocotb
import numpy as np
from cocotb.triggers import Timer

import cporx

# output ports: (name, per lane, signed) as exported (rust-hdl's `name$j` for lane j)
LANE_OUT = (("y", True), ("symbol", False), ("gray", False), ("err", True))
SHARED_OUT = (("phase", False), ("lock", False), ("freq", True), ("gain", False), ("rd_data", False))


def _port(dut, name):
    """The top's port `name`: rust-hdl's `adc$0` as Icarus names it, or as a Verilog escaped
    identifier (`\\adc$0 `, Verilator's VPI name of a name with `$`)."""
    for n in (name, f"\\{name} "):
        try:
            return dut[n]
        except (KeyError, AttributeError):
            continue
    names = sorted(h._name for h in dut)
    raise KeyError(f"top has no port {name!r} (nor escaped); its children: {names[:60]}")


def _read(handle, signed):
    v = handle.value
    if not v.is_resolvable:
        return None
    if len(handle) == 1:
        return int(v)
    return v.to_signed() if signed else v.to_unsigned()


@cocotb.test()
async def rx_top_vs_model(dut):
    """Every output of every cycle of the RTL equals the model's."""
    model = cporx.Model(os.environ["CPORX_TB_PARAMS"])
    st = np.load(os.environ["CPORX_TB_STIMULUS"])
    rst, we, addr, data, adc = st["rst"], st["cfg_we"], st["cfg_addr"], st["cfg_data"], st["adc"]
    cycles, lanes = adc.shape
    assert lanes == model.lanes, f"stimulus has {lanes} lanes, the design {model.lanes}"
    ins = [_port(dut, f"adc${j}") for j in range(lanes)]
    lane_outs = [
        [(n, s, _port(dut, f"{n}${j}")) for (n, s) in LANE_OUT] for j in range(lanes)
    ]
    shared_outs = [(n, s, _port(dut, n)) for (n, s) in SHARED_OUT]
    compared = 0
    mismatches = []
    for i in range(cycles):
        # inputs with the clock low (8-bit cfg_data and 6-bit adc as two's-complement patterns)
        dut.clock.value = 0
        dut.rst.value = int(rst[i])
        dut.cfg_we.value = int(we[i])
        dut.cfg_addr.value = int(addr[i])
        dut.cfg_data.value = int(data[i]) & 0xFF
        for j in range(lanes):
            ins[j].value = int(adc[i, j]) & 0x3F
        await Timer(5, "ns")
        dut.clock.value = 1
        await Timer(5, "ns")
        want = model.step(
            [int(x) for x in adc[i]], bool(rst[i]), bool(we[i]), int(addr[i]), int(data[i])
        )
        got = {}
        for j in range(lanes):
            for n, s, h in lane_outs[j]:
                got[f"{n}${j}"] = (_read(h, s), want[n][j])
        for n, s, h in shared_outs:
            got[n] = (_read(h, s), int(want[n]))
        for name, (g, w) in got.items():
            compared += 1
            if g != w:
                mismatches.append((i, name, g, w))
        if (i + 1) % 500 == 0:
            dut._log.info("%d of %d cycles, %d mismatches", i + 1, cycles, len(mismatches))
    for i, name, g, w in mismatches[:20]:
        dut._log.error("cycle %d: %s: RTL %s, model %s", i, name, g, w)
    report = {
        "cycles": cycles,
        "lanes": lanes,
        "outputs_compared": compared,
        "mismatches": len(mismatches),
        "first": [list(map(str, m)) for m in mismatches[:20]],
    }
    with open(os.environ["CPORX_TB_REPORT"], "w") as f:
        json.dump(report, f)
    dut._log.info(
        "compared %d cycles x %d outputs (%d lanes): %d mismatches",
        cycles,
        compared // max(cycles, 1),
        lanes,
        len(mismatches),
    )
    assert not mismatches, f"{len(mismatches)} outputs differ from the model (first: {mismatches[0]})"
