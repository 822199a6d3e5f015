"""The channel bindings give the CLI's figures and scikit-rf's SDD21.

* `cporx.channel_summary` on the shipped thrus prints, formatted as `cporx channel` formats
  them (src/cmd/channel.rs), the same text as the CLI binary (when it was built), and the
  figures the Rust tests pin (sim/link/tests/channel_load.rs: 8.46 dB for the TEC thru).
* `cporx.sdd21` equals scikit-rf's mixed-mode SDD21 computed by scripts/skrf_sdd21.py, point
  by point (the tolerance of sim/link/tests/skrf_crosscheck.rs).
* Bad input raises ValueError (OSError for a missing file) with the Rust message.
"""

import csv
import re
import subprocess
import sys

import numpy as np
import pytest

import cporx
from conftest import FEXT_NAME, ROOT


def cli_channel(cli, path, baud):
    r = subprocess.run(
        [str(cli), "channel", str(path), "--baud-gbd", str(baud)],
        capture_output=True, text=True, check=True,
    )
    return r.stdout.splitlines()


@pytest.mark.parametrize("baud", [53.125, 26.5625])
def test_summary_matches_the_cli(thrus, cli, baud):
    if cli is None:
        pytest.skip("the cporx binary is not built (cargo build --release); pinned figures checked in test_pinned_figures")
    for path in thrus:
        s = cporx.channel_summary(path, baud_gbd=baud)
        lines = cli_channel(cli, path, baud)
        head = (f"{path.name}: {s['n_ports']}-port, {s['points']} points, "
                f"{s['f_min_ghz']:.3f} .. {s['f_max_ghz']:.3f} GHz, port map {s['port_map']}")
        assert lines[0] == head
        m = re.match(r"  at (\S+) GBd: insertion loss at Nyquist \((\S+) GHz\) (.*); pulse peak (\S+) "
                     r"\((\S+) dB\), delay (\S+) ps; causality (\S+)$", lines[1])
        assert m, lines[1]
        assert float(m.group(1)) == baud
        assert m.group(2) == f"{s['nyquist_ghz']:.4f}"
        assert m.group(3) == s["il_nyquist_text"] == f"{s['il_nyquist_db']:.2f} dB"
        assert m.group(4) == f"{s['pulse_peak']:.4f}"
        assert m.group(5) == f"{s['pulse_peak_db']:.2f}"
        assert m.group(6) == f"{s['delay_ps']:.1f}"
        assert float(m.group(7)) == pytest.approx(s["causality"], rel=0.06)
        cur = ", ".join(f"h({k}) {v:+.4f}" for k, v in s["cursors"].items())
        assert lines[2] == f"  cursors / peak: {cur}"


def test_pinned_figures(thrus):
    """The figures sim/link/tests/channel_load.rs pins, through the bindings."""
    tec = next(p for p in thrus if p.name.startswith("TEC"))
    s = cporx.channel_summary(tec)
    assert s["il_nyquist_text"] == "8.46 dB"
    assert abs(s["il_nyquist_db"] - 8.46) < 0.005
    assert not s["il_nyquist_extrapolated"] and s["warnings"] == []
    assert s["port_map"] == "1,3:2,4 (detected)"
    assert s["cursors"][0] == 1.0
    # the cursors relative to the peak are the absolute ones over the absolute peak
    absd = dict(s["cursors_abs"])
    for k, v in s["cursors"].items():
        assert v == absd[k] / s["pulse_peak"]
    # the channel object says the same as the summary
    ch = cporx.load_channel(tec)
    assert ch.il_nyquist_db == s["il_nyquist_db"] and ch.pulse.peak == s["pulse_peak"]
    assert ch.pulse.measurement["il_nyquist_db"] == s["il_nyquist_db"]
    # a forced wrong map: the figure the Rust test pins, with its warning
    f = cporx.channel_summary(tec, map="1,2:3,4", force_map=True)
    assert abs(f["il_nyquist_db"] - 20.80) < 0.01
    assert f["warnings"][0].startswith("port map 1,2:3,4 forced")


def skrf_sdd21(path, tmp_path):
    out = tmp_path / (path.stem + ".csv")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "skrf_sdd21.py"), str(path), str(out)],
                   check=True, capture_output=True, text=True)
    with open(out) as f:
        rows = list(csv.DictReader(f))
    f_hz = np.array([float(r["f_hz"]) for r in rows])
    h = np.array([complex(float(r["re"]), float(r["im"])) for r in rows])
    return f_hz, h


def test_sdd21_equals_scikit_rf(thrus, tmp_path):
    for path in thrus:
        f_ours, h_ours = cporx.sdd21(path)
        assert h_ours.dtype == np.complex128 and len(f_ours) > 100
        f_theirs, h_theirs = skrf_sdd21(path, tmp_path)
        assert len(f_ours) == len(f_theirs)
        np.testing.assert_allclose(f_ours, f_theirs, rtol=1e-12, atol=0)
        # sim/link/tests/skrf_crosscheck.rs's bound: 1e-9 absolute + 1e-9 relative
        dev = np.abs(h_ours - h_theirs)
        assert np.all(dev <= 1e-9 + 1e-9 * np.abs(h_theirs)), f"{path.name}: max dev {dev.max():.3e}"
        # the Touchstone object gives the same, and under the map the file's layout has
        ts = cporx.read_touchstone(path)
        assert ts.n_ports == 4 and ts.detect_port_map()[0] == "1,3:2,4"
        np.testing.assert_array_equal(ts.sdd21(), h_ours)
        np.testing.assert_array_equal(ts.sdd21("1,3:2,4"), h_ours)
        # SDD21 is the mixed-mode combination of the single-ended terms (1-based)
        np.testing.assert_allclose(
            ts.sdd21(), 0.5 * (ts.s(2, 1) - ts.s(2, 3) - ts.s(4, 1) + ts.s(4, 3)), rtol=0, atol=1e-15)


def test_pulse_from_the_arrays_is_the_loaders(thrus):
    tec = next(p for p in thrus if p.name.startswith("TEC"))
    ch = cporx.load_channel(tec)
    p = cporx.pulse_response(ch.f_hz, ch.h, 53.125)
    np.testing.assert_array_equal(p.samples, ch.pulse.samples)
    assert p.cursors(0.0) == ch.pulse.cursors(0.0)
    n = p.normalized()
    assert n.peak == 1.0 and n.value(0.0) == 1.0


def test_bad_channel_input_raises_with_the_rust_message(thrus, channels, tmp_path):
    tec = thrus[0]
    with pytest.raises(ValueError, match=r"`baud_gbd` = 500 is out of range: legal is 1 \.\.= 400 GBd"):
        cporx.channel_summary(tec, baud_gbd=500)
    with pytest.raises(ValueError, match=r"map: "):
        cporx.channel_summary(tec, map="1,2")
    with pytest.raises(ValueError, match=r"pairs the wrong ports.*best pairing 1,3:2,4"):
        cporx.channel_summary(tec, map="1,2:3,4")
    with pytest.raises(ValueError, match=FEXT_NAME):
        cporx.channel_summary(channels / FEXT_NAME)
    missing = tmp_path / "nothere.s4p"
    with pytest.raises(OSError, match=re.escape(str(missing))):
        cporx.read_touchstone(missing)
    bad = tmp_path / "bad.s2p"
    bad.write_text("# GHz S MA R 50\n1 0.5 0 x 0 0 0 0.5 0\n")
    with pytest.raises(ValueError, match=r"bad.s2p:2"):
        cporx.read_touchstone(bad)
    with pytest.raises(ValueError, match=r"`ports` = 0 is out of range: legal is 1 \.\.= 1024"):
        cporx.read_touchstone(tec, ports=0)


def cli_loss_rows(cli, path):
    r = subprocess.run([str(cli), "loss", "--channel", str(path)], capture_output=True, text=True, check=True)
    rows = {}
    for line in r.stdout.splitlines():
        if line.startswith("| ") and not line.startswith("| receiver") and not line.startswith("|---"):
            # cells split at the pipes that are not escaped (`3 sum\|h\|`)
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
            rows[cells[0]] = cells
    return rows, r.stdout


def test_implementation_loss_matches_cporx_loss(thrus, cli):
    tec = next(p for p in thrus if p.name.startswith("TEC"))
    (row,) = cporx.implementation_loss(tec)
    assert row["name"] == tec.stem and row["taps"] == 3 and row["bits"] == 6
    # the loss is the fixed receiver's needed SNR less the float reference's
    ref, fixed = row["reference"], row["fixed"]
    assert fixed["loss_db"] == pytest.approx(fixed["snr_needed_db"] - ref["snr_needed_db"], abs=1e-12)
    assert 0 < fixed["loss_db"] < 3 and row["backoff"]["fixed"]["loss_db"] <= fixed["loss_db"]
    if cli is None:
        pytest.skip("the cporx binary is not built (cargo build --release)")
    rows, text = cli_loss_rows(cli, tec)
    dB = lambda v: f"{v:.2f} dB"
    for key, label in [("reference", "float reference: real MMSE taps, no ADC, ideal mid-level slicer"),
                       ("adc", "ADC alone (6 bits)"), ("tap_codes", "Q2.6 tap codes alone"),
                       ("thresholds", "slicer thresholds alone (integer, t - 1/2)"),
                       ("fixed", "**fixed-point receiver** (the study's)")]:
        cells = rows[label]
        assert cells[3] == dB(row[key]["snr_needed_db"]), (key, cells)
        assert cells[4] == dB(row[key]["loss_db"]), (key, cells)
        # Rust's `{:.2e}` writes 1.23e-5 where Python writes 1.23e-05: compare the numbers
        assert float(cells[2].split(" ")[0]) == pytest.approx(row[key]["ber"], rel=0.005), (key, cells)
    assert rows["sum of the three causes"][-1] == dB(row["sum_db"])
    b = row["backoff"]
    cells = rows["**fixed-point, optimised backoff**"]
    assert cells[1].startswith(f"gain code {b['gain_code']}:") and cells[4] == dB(b["fixed"]["loss_db"])


def test_bad_loss_input_raises_with_the_rust_message(thrus, tmp_path):
    with pytest.raises(ValueError, match=r"`taps` = 17 is out of range: legal is 2 \.\.= 16"):
        cporx.implementation_loss(thrus[0], taps=17)
    with pytest.raises(ValueError, match=r"`bits` = 11 is out of range: legal is 1 \.\.= 10 bits"):
        cporx.implementation_loss(thrus[0], bits=11)
    with pytest.raises(ValueError, match=re.escape(f"{tmp_path / 'x.s4p'}: no such file")):
        cporx.implementation_loss(tmp_path / "x.s4p")


def test_two_port_s21_in_the_touchstone_order(tmp_path):
    # a 2-port point is `f S11 S21 S12 S22` (the 1.x order), here RI at two frequencies
    f = tmp_path / "t.s2p"
    f.write_text("# GHz S RI R 50\n1 0.1 0 0.9 -0.1 0.8 0.2 0.05 0\n2 0.2 0 0.7 -0.3 0.6 0.1 0.04 0\n")
    ts = cporx.read_touchstone(f)
    assert ts.n_ports == 2 and ts.z0 == 50.0
    np.testing.assert_array_equal(ts.f_hz, [1e9, 2e9])
    np.testing.assert_array_equal(ts.s21(), [0.9 - 0.1j, 0.7 - 0.3j])
    np.testing.assert_array_equal(ts.s(1, 2), [0.8 + 0.2j, 0.6 + 0.1j])
    with pytest.raises(ValueError, match=r"SDD21 .*at least 4 ports"):
        ts.sdd21("1,3:2,4")
