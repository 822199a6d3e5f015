"""MMSE taps, their quantization, the statistical eye and the Monte-Carlo BER through the
bindings: each agrees with what it is defined by, and bad input raises ValueError with the
Rust message naming the input and its legal range.
"""

import math

import numpy as np
import pytest

import cporx


@pytest.fixture(scope="module")
def tec(thrus):
    ch = cporx.load_channel(next(p for p in thrus if p.name.startswith("TEC")))
    return ch.pulse.normalized()


def test_mmse_taps_and_their_codes(tec):
    cur = tec.cursors(0.0)
    taps = cporx.solve_mmse(cur, 3, 1, 0.01)
    assert len(taps) == 3
    # MMSE beats the unequalized channel and the zero-forcing solution at this noise
    snr = cporx.output_snr_db(cur, taps, 1, 0.01)
    assert snr > cporx.output_snr_db(cur, [0.0, 1.0, 0.0], 1, 0.01)
    assert snr >= cporx.output_snr_db(cur, cporx.solve_zf(cur, 3, 1), 1, 0.01) - 1e-9
    # the equalized main cursor is near unit gain, the pre-cursor nearly cancelled
    g = dict(cporx.equalize(cur, taps, 1))
    assert 0.8 < g[0] < 1.05 and abs(g[-1]) < 0.05
    cps = cporx.coef_scale(4.0)
    assert cps == 64.0
    codes, loss = cporx.quantize_taps(taps, cps, cur, 1, 0.01)
    assert codes == [int(math.copysign(math.floor(abs(t) * cps + 0.5), t)) for t in taps]
    back = [c / cps for c in codes]
    assert loss == pytest.approx(snr - cporx.output_snr_db(cur, back, 1, 0.01), abs=1e-12)
    dfe = cporx.solve_mmse_dfe(cur, 3, 1, 0.01)
    assert len(dfe) == 3 and dfe != taps


def test_stat_eye_on_an_ideal_channel_is_the_closed_form():
    # cursor 0 only, unit FFE (code 64 at the main tap: y = 2x), default thresholds; the
    # 6-bit ADC's rounding at full scale 4 is exact for levels +-1, +-3 (codes +-8, +-24)
    r = cporx.stat_eye([(0, 1.0)], [0, 64, 0], 1, [-32, 0, 32], 0.0, 4.0)
    assert r["ber"] == 0.0 and r["ser"] == 0.0 and r["main"] == pytest.approx(16.0)
    # with noise: more noise, more errors, and BER below SER
    lo = cporx.stat_eye([(0, 1.0)], [0, 64, 0], 1, [-32, 0, 32], 0.25, 4.0)
    hi = cporx.stat_eye([(0, 1.0)], [0, 64, 0], 1, [-32, 0, 32], 0.4, 4.0)
    assert 0 < lo["ber"] < hi["ber"] < 0.5 and lo["ber"] <= lo["ser"]
    for row in hi["transitions"]:
        assert sum(row) == pytest.approx(1.0)


def test_monte_carlo_agrees_with_the_statistical_eye(tec):
    cur = tec.cursors(0.0)
    rx = cporx.RxParams.with_taps(3, 1).to_dict()
    taps = cporx.solve_mmse(cur, 3, 1, 0.3 ** 2)
    codes, _ = cporx.quantize_taps(taps, cporx.coef_scale(4.0), cur, 1, 0.3 ** 2)
    rx["reset_coefs"] = codes
    eye = cporx.stat_eye(cur, codes, 1, rx["thresholds"], 0.3, 4.0)
    mc = cporx.monte_carlo(cur, 0.3, 4.0, params=rx, main_tap=1, symbols=1 << 20, seed=7)
    assert mc["symbols"] == 1 << 20 and mc["bit_errors"] > 100
    # the Monte-Carlo count within 5 sigma of the eye's prediction (binomial)
    n = 2 * mc["symbols"]
    sd = math.sqrt(eye["ber"] * n)
    assert abs(mc["bit_errors"] - eye["ber"] * n) < 5 * sd + 5, (mc, eye["ber"])
    # deterministic: the same seed gives the same count on any thread count
    again = cporx.monte_carlo(cur, 0.3, 4.0, params=rx, main_tap=1, symbols=1 << 20, seed=7, threads=1)
    assert again["bit_errors"] == mc["bit_errors"]


def test_awgn_closed_forms():
    assert cporx.pam4_ber_awgn(20.0) < cporx.pam4_ber_awgn(15.0) < 0.5
    assert cporx.pam4_ser_awgn(15.0) > cporx.pam4_ber_awgn(15.0)


def test_bad_link_input_raises_with_the_rust_message(tec):
    cur = tec.cursors(0.0)
    with pytest.raises(ValueError, match=r"taps: parameter `n_taps` = 17 is out of range: legal is 2 \.\.= 16"):
        cporx.solve_mmse(cur, 17, 1, 0.01)
    with pytest.raises(ValueError, match=r"taps: parameter `main_tap` = 3 is out of range: legal is 0 \.\.= 2"):
        cporx.solve_zf(cur, 3, 3)
    with pytest.raises(ValueError, match=r"taps: parameter `cursors` is empty"):
        cporx.solve_mmse([], 3, 1, 0.01)
    with pytest.raises(ValueError, match=r"taps: tap 1 = 3\.000000 gives coefficient code 192, outside the Q2\.6 range -128 \.\.= 127"):
        cporx.quantize_taps([0.0, 3.0, 0.0], 64.0, cur, 1, 0.01)
    with pytest.raises(ValueError, match=r"stat_eye: adc_bits 9 out of range 1..=6"):
        cporx.stat_eye(cur, [0, 64, 0], 1, [-32, 0, 32], 0.1, 4.0, adc_bits=9)
    with pytest.raises(ValueError, match=r"monte-carlo parameter `adc_bits` = 9 is out of range: legal is 1 \.\.= 6"):
        cporx.monte_carlo(cur, 0.1, 4.0, adc_bits=9)
    with pytest.raises(ValueError, match=r"monte-carlo parameter `noise_sigma` = -1 is out of range: legal is 0 \.\.= 100"):
        cporx.monte_carlo(cur, -1.0, 4.0)
    with pytest.raises(ValueError, match=r"`full_scale` = 0 is out of range"):
        cporx.coef_scale(0.0)
