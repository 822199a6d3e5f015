"""The receive model through the bindings: numpy blocks equal per-cycle stepping bit for bit.

* `Model.run` (numpy in, preallocated numpy out) equals `Model.step` cycle by cycle on
  random stimulus with resets and configuration writes, at 1, 4 and 16 lanes, for the
  fixed-tap top, the adaptive one and the DFE (configs/*.toml); split blocks equal one.
* `Model.run_symbols` (the block fast path) decides as `step` and leaves the same state.
* Parameters from a dict equal those from the TOML file; bad parameters and inputs raise
  ValueError with the Rust message naming the input and its legal range.
"""

import re

import numpy as np
import pytest

import cporx
from conftest import ROOT

LANE = ("y", "symbol", "gray", "err")
CLOCK = ("phase", "lock", "freq", "gain", "rd_data")


def stimulus(rng, clocks, lanes):
    adc = rng.integers(-32, 32, size=clocks * lanes).astype(np.int8)
    rst = rng.random(clocks) < 0.004
    rst[0] = True  # out of power-up
    we = rng.random(clocks) < 0.01
    addr = rng.integers(0, 64, size=clocks).astype(np.uint8)
    data = rng.integers(-128, 128, size=clocks).astype(np.int8)
    return adc, rst, we, addr, data


def stepped(model, adc, rst, we, addr, data):
    p = model.lanes
    outs = []
    for c in range(len(rst)):
        outs.append(model.step([int(v) for v in adc[c * p:(c + 1) * p]], rst=bool(rst[c]),
                               cfg_we=bool(we[c]), cfg_addr=int(addr[c]), cfg_data=int(data[c])))
    return outs


def assert_same(out, outs, lanes):
    for k in LANE:
        want = np.array([v for o in outs for v in o[k]])
        np.testing.assert_array_equal(out[k], want, err_msg=k)
    for k in CLOCK:
        np.testing.assert_array_equal(out[k], np.array([o[k] for o in outs]), err_msg=k)


PARAMS = [
    ("default P=1", None),
    ("default P=4", {**cporx.RxParams().to_dict(), "lanes": 4}),
    ("adapt_5tap", ROOT / "configs" / "adapt_5tap.toml"),
    ("dfe_p4", ROOT / "configs" / "dfe_p4.toml"),
    ("dfe_p16", ROOT / "configs" / "dfe_p16.toml"),
]


@pytest.mark.parametrize("name,params", PARAMS, ids=[p[0] for p in PARAMS])
def test_run_equals_step_with_resets_and_writes(name, params):
    rng = np.random.default_rng(17)
    a, b = cporx.Model(params), cporx.Model(params)
    clocks = 3000
    stim = stimulus(rng, clocks, a.lanes)
    out = a.run(*stim)
    outs = stepped(b, *stim)
    assert_same(out, outs, a.lanes)
    assert a.cycle == b.cycle == clocks
    assert a.outputs() == b.outputs()
    # the outputs move: the comparison compares something
    assert len(np.unique(out["symbol"])) == 4 and out["y"].any() and out["rd_data"].any()


def test_split_blocks_into_one_preallocated_dict_equal_one_block():
    rng = np.random.default_rng(3)
    a, b = cporx.Model({**cporx.RxParams().to_dict(), "lanes": 4}), cporx.Model(
        {**cporx.RxParams().to_dict(), "lanes": 4})
    adc, rst, we, addr, data = stimulus(rng, 2000, 4)
    whole = a.run(adc, rst, we, addr, data)
    buf = b.alloc(500)
    ids = {k: id(v) for k, v in buf.items()}
    for c0 in range(0, 2000, 500):
        s = slice(c0, c0 + 500)
        got = b.run(adc[c0 * 4:(c0 + 500) * 4], rst[s], we[s], addr[s], data[s], out=buf)
        assert got is buf and {k: id(v) for k, v in got.items()} == ids  # written in place
        for k in LANE:
            np.testing.assert_array_equal(got[k], whole[k][c0 * 4:(c0 + 500) * 4], err_msg=k)
        for k in CLOCK:
            np.testing.assert_array_equal(got[k], whole[k][s], err_msg=k)
    # shape (clocks, lanes) is the same stream
    c = cporx.Model({**cporx.RxParams().to_dict(), "lanes": 4})
    again = c.run(adc.reshape(2000, 4), rst, we, addr, data)
    np.testing.assert_array_equal(again["y"], whole["y"])


@pytest.mark.parametrize("lanes", [1, 2, 16])
def test_run_symbols_fast_path_equals_step(lanes):
    rng = np.random.default_rng(lanes)
    params = {**cporx.RxParams().to_dict(), "lanes": lanes}
    a, b = cporx.Model(params), cporx.Model(params)
    a.reset()
    b.reset()
    # a PAM-4 signal the default slicer decides (levels -24, -8, 8, 24) with noise
    n = 4096 * lanes
    sym = rng.integers(0, 4, size=n)
    adc = np.clip(16 * sym - 24 + rng.integers(-6, 7, size=n), -32, 31).astype(np.int8)
    got = a.run_symbols(adc)
    assert got.dtype == np.uint8 and got.shape == (n,)
    want = b.run(adc)["symbol"]
    np.testing.assert_array_equal(got, want)
    assert a.outputs() == b.outputs() and a.cycle == b.cycle
    # the decisions are the symbols sent, on this clean signal: sample s is decided at
    # stream position s + 6P + 1 (sim/model/src/rx_top.rs, "Block fast path": the slicer
    # after edge c decides F(s - 6P), F the FIR, here the pass-through with main tap 1)
    lat = (cporx.LAT_TOP - 1) * lanes + 1
    assert np.mean(got[lat + 64:] == sym[64:n - lat]) > 0.999
    # into a preallocated array
    buf = np.zeros(n, np.uint8)
    assert a.run_symbols(adc, out=buf) is buf


def test_params_from_dict_equal_the_toml_file(tmp_path):
    for name in ("adapt_5tap", "dfe_p1", "dfe_p4", "dfe_p16"):
        f = ROOT / "configs" / f"{name}.toml"
        p = cporx.RxParams.from_toml(f)
        assert cporx.RxParams(p.to_dict()) == p
        assert cporx.RxParams.from_toml_str(p.to_toml()) == p
        assert cporx.Model(f).params == p and cporx.Model.from_toml(f).params == p
    d = {"n_taps": 5, "reset_coefs": [0, 64, 0, 0, 0], "thresholds": [-32, 0, 32],
         "targets": [-48, -16, 16, 48], "cdr": {"kp": 12}}
    p = cporx.RxParams(d)
    # numpy values are taken as the Python values they hold
    assert cporx.RxParams({**d, "reset_coefs": np.array([0, 64, 0, 0, 0]), "n_taps": np.int64(5),
                           "cdr": {"kp": np.uint8(12), "enable": np.bool_(True)}}) == p
    f = tmp_path / "p.toml"
    f.write_text("n_taps = 5\nreset_coefs = [0, 64, 0, 0, 0]\nthresholds = [-32, 0, 32]\n"
                 "targets = [-48, -16, 16, 48]\n[cdr]\nkp = 12\n")
    assert cporx.RxParams.from_toml(f) == p
    assert p.to_dict()["cdr"]["kp"] == 12 and p.to_dict()["cdr"]["ki"] == 5 and p.lanes == 1


def test_bad_parameters_raise_value_error_naming_the_field_and_range(tmp_path):
    base = cporx.RxParams().to_dict()
    cases = [
        ({**base, "n_taps": 17}, r"parameter `n_taps` = 17 is out of range: legal is 2 \.\.= 16 taps"),
        ({**base, "reset_coefs": [0, 200, 0]},
         r"parameter `reset_coefs\[1\]` = 200 is out of range: legal is -128 \.\.= 127 \(Q2\.6 code\)"),
        ({**base, "lanes": 3}, r"parameter `lanes` = 3 is not legal: legal are 1, 2, 4, 8, 16"),
        ({**base, "cdr": {"kp": 16}}, r"parameter `cdr\.kp` = 16 is out of range: legal is 0 \.\.= 15"),
        ({**base, "thresholds": [10, 0, 20]}, r"must be non-decreasing"),
        ({**base, "bogus": 1}, r"parameter dict: `bogus` = 1: unknown field `bogus`"),
        ({**base, "n_taps": -1}, r"parameter dict: `n_taps` = -1: invalid value: integer `-1`, expected usize"),
        ({**base, "cdr": {"kp": 1.5}}, r"parameter dict: `cdr\.kp` = 1\.5: invalid type: floating point"),
        ({**base, "thresholds": [1, 2]}, r"parameter dict: `thresholds` = \[1, 2\]: invalid length 2, expected an array of length 3"),
        ({}, r"parameter dict: missing field `n_taps`"),
    ]
    for d, msg in cases:
        with pytest.raises(ValueError, match=msg):
            cporx.Model(d)
        with pytest.raises(ValueError, match=msg):
            cporx.RxParams(d)
    with pytest.raises(TypeError, match=r"parameter `cdr\.kp`: a object is not a parameter value"):
        cporx.RxParams({**base, "cdr": {"kp": object()}})
    f = tmp_path / "bad.toml"
    f.write_text("n_taps = 40\nreset_coefs=[0]\nthresholds=[0,0,0]\ntargets=[0,0,0,0]\n")
    with pytest.raises(ValueError, match=r"`n_taps` = 40 is out of range"):
        cporx.Model(f)
    with pytest.raises(OSError, match=re.escape(str(tmp_path / "none.toml"))):
        cporx.Model(tmp_path / "none.toml")
    # legal but questionable: a warning naming the field
    with pytest.warns(UserWarning) as rec:
        p = cporx.RxParams({**base, "targets": [48, 16, -16, -48]})
    msgs = [str(w.message) for w in rec]
    assert msgs == [f"parameter dict: {w}" for w in p.warnings()] and len(msgs) == 3
    assert msgs[0].startswith("parameter dict: targets = [48, 16, -16, -48] are not in increasing order")


def test_bad_inputs_raise_value_error_naming_the_input_and_range():
    m = cporx.Model()
    m.reset()
    with pytest.raises(ValueError, match=r"stimulus cycle 1: input `adc\[0\]` = 40 is out of range: legal is -32 \.\.= 31"):
        m.step(40)
    with pytest.raises(ValueError, match=r"input `cfg_addr` = 64 is out of range: legal is 0 \.\.= 63"):
        m.step(0, cfg_we=True, cfg_addr=64)
    with pytest.raises(ValueError, match=r"input `cfg_data` = 128 is out of range: legal is -128 \.\.= 127"):
        m.step(0, cfg_we=True, cfg_data=128)
    with pytest.raises(ValueError, match=r"`adc` has 2 codes; this model takes lanes = 1"):
        m.step([0, 0])
    adc = np.zeros(10, np.int8)
    adc[7] = -33
    with pytest.raises(ValueError, match=r"stimulus cycle 8: input `adc\[0\]` = -33 is out of range: legal is -32 \.\.= 31"):
        m.run(adc)
    with pytest.raises(ValueError, match=r"input `adc\[0\]` = -33"):
        m.run_symbols(adc)
    assert m.cycle == 1  # nothing ran
    with pytest.raises(ValueError, match=r"`rst` has 3 entries; it must have one per clock \(10"):
        m.run(np.zeros(10, np.int8), rst=np.zeros(3, bool))
    with pytest.raises(ValueError, match=r"input `cfg_addr` = 70 is out of range: legal is 0 \.\.= 63"):
        m.run(np.zeros(2, np.int8), cfg_addr=np.array([0, 70], np.uint8))
    with pytest.raises(ValueError, match=r"out\[`y`\] has 5 entries; it must have 10"):
        m.run(np.zeros(10, np.int8), out=m.alloc(5))
    m4 = cporx.Model({**cporx.RxParams().to_dict(), "lanes": 4})
    with pytest.raises(ValueError, match=r"`adc` has 6 codes: not whole clocks of lanes = 4"):
        m4.run(np.zeros(6, np.int8))
    with pytest.raises(ValueError, match=r"`addr` = 64 is out of range: legal is 0 \.\.= 63"):
        m.read_reg(64)
    # numpy's buffer is read in place: a strided view is refused, not copied
    with pytest.raises(ValueError, match=r"`adc`: .*\(pass a contiguous array\)"):
        m.run(np.zeros(20, np.int8)[::2])
    # a wrong dtype is refused, not converted (a conversion would copy)
    with pytest.raises(TypeError, match=r"`adc` must be a numpy int8 array \(np.asarray\(x, dtype=np.int8\)\), not dtype int64"):
        m.run(np.zeros(4, np.int64))
    with pytest.raises(TypeError, match=r"`rst` must be a numpy bool_ array"):
        m.run(np.zeros(4, np.int8), rst=[0, 0, 0, 0])
