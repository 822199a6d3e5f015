//! Tests of the BIST blocks (hdl/src/bist/): each block's rust-hdl simulation against its
//! bit-exact model (cporx-model `bist`), every output every cycle, with random stimulus and
//! parameters (extremes included), resets in the middle and power-up without reset; the
//! generator against `Prbs13q`; the channel emulator's exact noise-free codes, saturation
//! and noise statistics; the checker on clean and corrupted PRBS13Q streams (also against
//! `Prbs13qChecker` where the two are comparable); the UART line decoded back to text; and
//! a Verilator `-Wall` lint of every exported block.
//!
//! The cycle convention is the project's: apply the inputs with the clock low, settle,
//! raise the clock, settle, read the outputs (as hdl/src/step.rs).

use cporx_hdl::bist::{verilog_of, ChanEmu, PrbsChk, PrbsGen, UartTx};
use cporx_link::loop_checker::Prbs13qChecker;
use cporx_model::bist::chan_emu::ChanEmuModel;
use cporx_model::bist::prbs_chk::{PrbsChkModel, PrbsChkOut};
use cporx_model::bist::prbs_gen::PrbsGenModel;
use cporx_model::bist::uart_tx::{report_line, uart_decode, UartIn, UartOut, UartTxModel};
use cporx_model::bist::{BistParams, LAT_CHAN};
use cporx_model::prbs::Prbs13q;
use cporx_spec::sext;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_hdl::prelude::*;

const MAX_ITERS: usize = 1000;

/// A block with a `clock` input.
trait Clocked: Block {
    fn set_clock(&mut self, high: bool);
}
macro_rules! clocked {
    ($($t:ty),*) => {$(
        impl Clocked for $t {
            fn set_clock(&mut self, high: bool) {
                self.clock.next = Clock { clk: high };
            }
        }
    )*};
}
clocked!(PrbsGen, ChanEmu, PrbsChk, UartTx);

/// Connect a freshly built block for simulation (power-up state: every DFF 0).
fn ready<B: Block>(mut b: B) -> B {
    b.connect_all();
    b
}

/// One cycle: clock low, apply the inputs, settle, clock high, settle.
fn cycle<B: Clocked>(b: &mut B, set: impl FnOnce(&mut B)) {
    b.set_clock(false);
    set(b);
    assert!(simulate(b, MAX_ITERS), "rust-hdl simulation did not settle");
    b.set_clock(true);
    assert!(simulate(b, MAX_ITERS), "rust-hdl simulation did not settle");
}

fn bits<const N: usize>(v: u64) -> Bits<N> {
    (v as LiteralType).into()
}

// ---------------------------------------------------------------------------------------
// PRBS13Q generator

fn gen_cycle(g: &mut PrbsGen, rst: bool, inject: bool) -> Vec<u8> {
    cycle(g, |g| {
        g.rst.next = rst;
        g.inject.next = inject;
    });
    g.symbol.iter().map(|s| s.val().index() as u8).collect()
}

#[test]
fn prbs_gen_matches_model_every_cycle() {
    let mut rng = StdRng::seed_from_u64(0xB157_0001);
    for lanes in [1, 2, 4, 8, 16] {
        let mut g = ready(PrbsGen::new(lanes).unwrap());
        let mut m = PrbsGenModel::with_lanes(lanes).unwrap();
        let mut inject = false;
        // no reset at first: power-up behaviour is part of the model
        for c in 0..3000 {
            let rst = rng.gen_bool(0.01);
            if rng.gen_bool(0.1) {
                inject = !inject;
            }
            let got = gen_cycle(&mut g, rst, inject);
            let want = m.step(rst, inject).to_vec();
            assert_eq!(got, want, "P={lanes} cycle {c}");
        }
    }
}

#[test]
fn prbs_gen_rtl_equals_prbs13q_for_10000_symbols() {
    for lanes in [1, 2, 4, 8, 16] {
        let mut g = ready(PrbsGen::new(lanes).unwrap());
        gen_cycle(&mut g, true, false);
        let mut got = vec![];
        while got.len() < 10_000 {
            got.extend(gen_cycle(&mut g, false, false));
        }
        got.truncate(10_000);
        let want: Vec<u8> = Prbs13q::new().take(10_000).collect();
        assert_eq!(got, want, "P={lanes}");
    }
}

#[test]
fn prbs_gen_inject_makes_exactly_one_symbol_error_per_rising_edge() {
    let lanes = 4;
    let mut g = ready(PrbsGen::new(lanes).unwrap());
    gen_cycle(&mut g, true, true); // inject held through reset: no edge after it
    let mut r = Prbs13q::new();
    let mut errors = vec![];
    for c in 0..200 {
        let inject = (50..60).contains(&c) || c == 100 || c == 102;
        let s = gen_cycle(&mut g, false, inject || c == 0);
        for (i, v) in s.into_iter().enumerate() {
            let want = r.next_symbol();
            if v != want {
                assert_eq!(v ^ want, 1);
                errors.push((c, i));
            }
        }
    }
    assert_eq!(errors, vec![(50, 0), (100, 0), (102, 0)]);
}

// ---------------------------------------------------------------------------------------
// channel emulator

fn chan_cycle(e: &mut ChanEmu, rst: bool, sym: &[u8]) -> Vec<i32> {
    cycle(e, |e| {
        e.rst.next = rst;
        for (i, &s) in sym.iter().enumerate() {
            e.symbol[i].next = bits::<2>(s as u64);
        }
    });
    e.adc
        .iter()
        .map(|a| sext(a.val().index() as u32, 6))
        .collect()
}

fn chan_pair(p: &BistParams) -> (ChanEmu, ChanEmuModel) {
    p.validate().unwrap();
    (
        ready(ChanEmu::new(&p.taps, p.noise_amp, &p.lane_seeds()).unwrap()),
        ChanEmuModel::new(p).unwrap(),
    )
}

/// Run random symbols (resets in the middle) through RTL and model; compare every cycle.
/// Returns the (min, max) ADC code seen.
fn chan_compare(p: &BistParams, cycles: usize, rng: &mut StdRng) -> (i32, i32) {
    let (mut e, mut m) = chan_pair(p);
    let (mut lo, mut hi) = (i32::MAX, i32::MIN);
    for c in 0..cycles {
        let rst = rng.gen_bool(0.005);
        let sym: Vec<u8> = (0..p.lanes).map(|_| rng.gen_range(0..4)).collect();
        let got = chan_cycle(&mut e, rst, &sym);
        let want = m.step(rst, &sym).to_vec();
        assert_eq!(got, want, "{p:?} cycle {c}");
        for &a in &got {
            assert!((-32..=31).contains(&a));
            lo = lo.min(a);
            hi = hi.max(a);
        }
    }
    (lo, hi)
}

#[test]
fn chan_emu_matches_model_every_cycle() {
    let mut rng = StdRng::seed_from_u64(0xB157_0002);
    for lanes in [1, 2, 4, 8, 16] {
        // the default channel
        let p = BistParams {
            lanes,
            ..Default::default()
        };
        chan_compare(&p, 1500, &mut rng);
        // extremes: full-scale taps of both signs and the largest noise saturate both ways
        for taps in [
            vec![127, 127, 127, 127],
            vec![-128, -128, -128, -128],
            vec![-128, 127, -128, 127],
        ] {
            let p = BistParams {
                lanes,
                taps,
                noise_amp: 8,
                noise_seed: rng.gen(),
                ..Default::default()
            };
            let (lo, hi) = chan_compare(&p, 600, &mut rng);
            assert_eq!((lo, hi), (-32, 31), "{p:?} must saturate both ways");
        }
        // random taps, tap counts, amplitudes and seeds
        for _ in 0..3 {
            let n = rng.gen_range(1..=4);
            let p = BistParams {
                lanes,
                taps: (0..n).map(|_| rng.gen_range(-128..=127)).collect(),
                noise_amp: rng.gen_range(0..=8),
                noise_seed: rng.gen(),
                ..Default::default()
            };
            chan_compare(&p, 500, &mut rng);
        }
    }
}

#[test]
fn chan_emu_noise_free_main_cursor_gives_exact_codes() {
    let mut rng = StdRng::seed_from_u64(0xB157_0003);
    for (lanes, h) in [
        (1, 32),
        (4, 32),
        (16, 32),
        (2, 16),
        (8, -40),
        (4, 127),
        (4, -128),
    ] {
        let p = BistParams {
            lanes,
            taps: vec![h],
            noise_amp: 0,
            ..Default::default()
        };
        let (mut e, _) = chan_pair(&p);
        chan_cycle(&mut e, true, &vec![0; lanes]);
        let mut sent = vec![];
        let mut got = vec![];
        for _ in 0..300 {
            let sym: Vec<u8> = (0..lanes).map(|_| rng.gen_range(0..4)).collect();
            got.push(chan_cycle(&mut e, false, &sym));
            sent.push(sym);
        }
        for c in 0..sent.len() - (LAT_CHAN - 1) {
            let want: Vec<i32> = sent[c]
                .iter()
                .map(|&s| {
                    // round half up of h * A / 4, saturated (integer arithmetic)
                    let x = h * (2 * s as i32 - 3);
                    ((x + 2).div_euclid(4)).clamp(-32, 31)
                })
                .collect();
            assert_eq!(got[c + LAT_CHAN - 1], want, "h={h} P={lanes} cycle {c}");
        }
        if h == 32 {
            let levels: std::collections::BTreeSet<i32> = got.iter().flatten().copied().collect();
            assert!(levels.is_superset(&[-24, -8, 8, 24].into()));
        }
    }
}

#[test]
fn chan_emu_isi_spans_clock_boundaries() {
    // an isolated symbol 3 among 0s: its taps appear in the following samples, including
    // the ones in the next clocks (lane 0 of a clock uses the previous clock's lanes)
    for lanes in [1, 2, 4] {
        let h = [16, 8, -4, 2];
        let p = BistParams {
            lanes,
            taps: h.to_vec(),
            noise_amp: 0,
            ..Default::default()
        };
        let (mut e, _) = chan_pair(&p);
        chan_cycle(&mut e, true, &vec![0; lanes]);
        let mut stream = vec![0u8; 64];
        stream[21] = 3;
        let mut out = vec![];
        for chunk in stream.chunks(lanes) {
            out.extend(chan_cycle(&mut e, false, chunk));
        }
        for _ in 0..LAT_CHAN {
            out.extend(chan_cycle(&mut e, false, &vec![0; lanes]));
        }
        let d = (LAT_CHAN - 1) * lanes; // latency in samples
        let quiet: i32 = -3 * h.iter().sum::<i32>();
        let mut seen = vec![];
        for n in 10..40 {
            let k = n as i64 - 21;
            let extra = if (0..4).contains(&k) {
                6 * h[k as usize]
            } else {
                0
            };
            let want = (quiet + extra + 2).div_euclid(4).clamp(-32, 31);
            assert_eq!(out[n + d], want, "P={lanes} n={n}");
            seen.push(want);
        }
        // the four post-isolated-symbol samples are distinct from the quiet level
        assert_eq!(&seen[11..15], &[8, -4, -22, -13]);
        assert!(seen[..11].iter().chain(&seen[15..]).all(|&v| v == -16));
    }
}

#[test]
fn chan_emu_noise_statistics() {
    // ADC - noise-free code over many samples: mean and sigma as docs/bist.md states
    // (sigma = 36.95 * 2^(a-8) ADC codes, plus quantization)
    for (amp, sigma) in [(3u32, 1.155f64), (4, 2.31), (5, 4.62)] {
        let lanes = 4;
        let p = BistParams {
            lanes,
            taps: vec![32],
            noise_amp: amp,
            noise_seed: 7,
            ..Default::default()
        };
        let (mut e, _) = chan_pair(&p);
        chan_cycle(&mut e, true, &vec![0; lanes]);
        let mut rng = StdRng::seed_from_u64(amp as u64);
        let mut sent = vec![];
        let mut got = vec![];
        for _ in 0..2500 {
            let sym: Vec<u8> = (0..lanes).map(|_| rng.gen_range(1..3)).collect();
            got.push(chan_cycle(&mut e, false, &sym));
            sent.push(sym);
        }
        let mut d = vec![];
        for c in 10..sent.len() - LAT_CHAN {
            for i in 0..lanes {
                let clean = 8.0 * (2 * sent[c][i] as i32 - 3) as f64;
                d.push(got[c + LAT_CHAN - 1][i] as f64 - clean);
            }
        }
        let n = d.len() as f64;
        let mean = d.iter().sum::<f64>() / n;
        let sd = (d.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n).sqrt();
        let want_sd = (sigma * sigma + 1.0 / 12.0).sqrt();
        assert!(
            (sd / want_sd - 1.0).abs() < 0.08,
            "amp {amp}: sigma {sd} want {want_sd}"
        );
        assert!(mean.abs() < 0.15 + 0.1 * sigma, "amp {amp}: mean {mean}");
        // roughly Gaussian: about 95% within 2 sigma (uniform would give 100%, Irwin-Hall(4) 95.8%)
        if amp < 4 {
            continue; // too few distinct codes for a 2-sigma count to mean much
        }
        let within = d
            .iter()
            .filter(|x| (*x - mean).abs() <= 2.0 * want_sd)
            .count() as f64
            / n;
        assert!(
            (0.93..0.985).contains(&within),
            "amp {amp}: {within} within 2 sigma"
        );
    }
}

// ---------------------------------------------------------------------------------------
// PRBS13Q checker

fn chk_cycle(k: &mut PrbsChk, rst: bool, valid: bool, sym: &[u8]) -> PrbsChkOut {
    cycle(k, |k| {
        k.rst.next = rst;
        k.valid.next = valid;
        for (i, &s) in sym.iter().enumerate() {
            k.symbol[i].next = bits::<2>(s as u64);
        }
    });
    PrbsChkOut {
        bit_errs: k.bit_errs.val().index() as u32,
        sym_errs: k.sym_errs.val().index() as u32,
        symbols: k.symbols.val().index() as u32,
        synced: k.synced.val(),
    }
}

#[test]
fn prbs_chk_matches_model_every_cycle() {
    let mut rng = StdRng::seed_from_u64(0xB157_0004);
    for lanes in [1, 2, 4, 8, 16] {
        let mut k = ready(PrbsChk::new(lanes).unwrap());
        let mut m = PrbsChkModel::with_lanes(lanes).unwrap();
        let mut src = Prbs13q::new();
        let mut valid = true;
        let mut err_p = 0.0;
        let (mut max_n, mut max_b) = (0, 0);
        for c in 0..4000 {
            if rng.gen_bool(0.01) {
                valid = !valid;
            }
            if rng.gen_bool(0.02) {
                err_p = [0.0, 0.0, 0.001, 0.01, 0.3, 1.0][rng.gen_range(0..6)];
            }
            let rst = rng.gen_bool(0.003);
            let sym: Vec<u8> = (0..lanes)
                .map(|_| {
                    let s = src.next_symbol();
                    if rng.gen_bool(err_p) {
                        rng.gen_range(0..4)
                    } else {
                        s
                    }
                })
                .collect();
            let got = chk_cycle(&mut k, rst, valid, &sym);
            let want = m.step(rst, valid, &sym).clone();
            assert_eq!(got, want, "P={lanes} cycle {c}");
            max_n = max_n.max(got.symbols);
            max_b = max_b.max(got.bit_errs);
        }
        // the run must have counted symbols and errors
        assert!(max_n > 100 && max_b > 0, "P={lanes}: {max_n} {max_b}");
    }
}

#[test]
fn prbs_chk_clean_stream_counts_no_errors_like_prbs13q_checker() {
    for lanes in [1, 4, 16] {
        let mut k = ready(PrbsChk::new(lanes).unwrap());
        chk_cycle(&mut k, true, false, &vec![0; lanes]);
        let mut src = Prbs13q::new();
        for _ in 0..777 {
            src.next_symbol(); // any phase
        }
        let mut reference = Prbs13qChecker::new();
        let cycles = 12_000 / lanes;
        let mut last = PrbsChkOut::default();
        for c in 0..cycles + 4 {
            let sym: Vec<u8> = (0..lanes).map(|_| src.next_symbol()).collect();
            let valid = c < cycles;
            if valid {
                reference.push_slice(&sym);
            }
            last = chk_cycle(&mut k, false, valid, &sym);
            if c == 20 {
                assert!(last.synced, "P={lanes}: {last:?}");
            }
        }
        let r = reference.finish();
        assert_eq!((last.bit_errs, last.sym_errs), (0, 0), "P={lanes}");
        assert_eq!((r.bit_errors, r.symbol_errors), (0, 0));
        // ours checks all but the first 7 symbols; the reference all but its 48-symbol
        // acquisition
        assert_eq!(last.symbols as usize, cycles * lanes - 7);
        assert_eq!(r.symbols_checked as usize, cycles * lanes - 48);
        assert!(!last.synced, "valid fell: sync restarts");
    }
}

#[test]
fn prbs_gen_into_prbs_chk_counts_injected_errors() {
    // generator -> checker in RTL: each inject edge is one Gray bit error, which the
    // self-synchronizing checker counts as 5 bit errors in 4 symbols
    let lanes = 4;
    let mut g = ready(PrbsGen::new(lanes).unwrap());
    let mut k = ready(PrbsChk::new(lanes).unwrap());
    let mut reference = Prbs13qChecker::new();
    gen_cycle(&mut g, true, false);
    chk_cycle(&mut k, true, false, &vec![0; lanes]);
    let mut sym = vec![0; lanes];
    let mut out = PrbsChkOut::default();
    for c in 0..3000 {
        out = chk_cycle(&mut k, false, c > 0, &sym);
        if c > 0 {
            reference.push_slice(&sym);
        }
        sym = gen_cycle(&mut g, false, c % 500 == 250);
    }
    let r = reference.finish();
    assert_eq!(r.symbol_errors, 6);
    assert_eq!(r.bit_errors, 6);
    assert_eq!(out.bit_errs, 5 * 6, "{out:?}");
    assert_eq!(out.sym_errs, 4 * 6, "{out:?}");
    assert!(out.synced);
}

// ---------------------------------------------------------------------------------------
// UART report transmitter

fn uart_cycle(u: &mut UartTx, i: &UartIn) -> UartOut {
    cycle(u, |u| {
        u.rst.next = i.rst;
        u.send.next = i.send;
        u.bit_errs.next = bits::<32>(i.bit_errs as u64);
        u.sym_errs.next = bits::<32>(i.sym_errs as u64);
        u.symbols.next = bits::<32>(i.symbols as u64);
        u.lock.next = i.lock;
    });
    UartOut {
        tx: u.tx.val(),
        busy: u.busy.val(),
        leds: u.leds.val().index() as u8,
    }
}

fn random_count(rng: &mut StdRng) -> u32 {
    match rng.gen_range(0..4) {
        0 => 0,
        1 => u32::MAX,
        2 => 1 << rng.gen_range(0..32),
        _ => rng.gen(),
    }
}

#[test]
fn uart_tx_matches_model_every_cycle_and_lines_decode() {
    let mut rng = StdRng::seed_from_u64(0xB157_0005);
    for (div, interval) in [
        (2u32, 2u32),
        (2, 500),
        (2, 3000),
        (3, 2),
        (5, 2500),
        (4, 65_000),
    ] {
        let mut u = ready(UartTx::new(div, interval).unwrap());
        let mut m = UartTxModel::with(div, interval).unwrap();
        let mut tx = vec![];
        let mut lines = vec![];
        let mut was_busy = false;
        let mut i = UartIn::default();
        let cycles = 4 * 360 * div as usize + 3000;
        let mut rst_at = None;
        for c in 0..cycles {
            i.rst = c == 0 || (c < cycles / 2 && rng.gen_bool(0.0003));
            // sporadic requests, and stretches of `send` held high (lines back to back:
            // a new line starts the clock after the previous one ends)
            i.send = rng.gen_bool(0.002) || (c / 997) % 5 == 2;
            if rng.gen_bool(0.05) {
                i.bit_errs = random_count(&mut rng);
                i.sym_errs = random_count(&mut rng);
                i.symbols = random_count(&mut rng);
                i.lock = rng.gen();
            }
            let got = uart_cycle(&mut u, &i);
            let want = m.step(&i);
            assert_eq!(got, want, "div {div} interval {interval} cycle {c}");
            if i.rst {
                rst_at = Some(c);
            }
            // the values a line starts with (snapshotted at the starting edge)
            if got.busy && !was_busy && !i.rst {
                lines.push((c, report_line(i.bit_errs, i.sym_errs, i.symbols, i.lock)));
            }
            was_busy = got.busy;
            tx.push(got.tx);
        }
        // decode the lines that completed after the last reset (a reset cuts a line)
        let from = rst_at.unwrap_or(0);
        let want: String = lines
            .iter()
            .filter(|(c, _)| *c > from && c + 360 * (div as usize) < cycles)
            .map(|(_, l)| l.as_str())
            .collect();
        let got = String::from_utf8(uart_decode(&tx[from..], div as usize)).unwrap();
        assert!(!want.is_empty(), "div {div}: no complete line");
        assert!(
            got.starts_with(&want),
            "div {div}: decoded {got:?} want {want:?}"
        );
    }
}

#[test]
fn uart_tx_idle_high_from_power_up_and_periodic_reports() {
    let (div, interval) = (2u32, 1000u32);
    let mut u = ready(UartTx::new(div, interval).unwrap());
    let i = UartIn {
        bit_errs: 0x1A,
        sym_errs: 0x10,
        symbols: 0x0123_ABCD,
        lock: true,
        ..Default::default()
    };
    let mut tx = vec![];
    let mut starts = vec![];
    let mut was_busy = false;
    for c in 0..5000 {
        let o = uart_cycle(&mut u, &i);
        if c < interval as usize - 1 {
            assert!(o.tx && !o.busy, "idle high from power-up, cycle {c}");
        }
        assert_eq!(o.leds, 0b11);
        if o.busy && !was_busy {
            starts.push(c);
        }
        was_busy = o.busy;
        tx.push(o.tx);
    }
    assert_eq!(starts, vec![999, 1999, 2999, 3999, 4999]);
    let s = String::from_utf8(uart_decode(&tx, div as usize)).unwrap();
    assert!(
        s.starts_with(&"B 0000001A S 00000010 N 0123ABCD L\r\n".repeat(4)),
        "{s:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Verilator lint of the exported blocks

fn lint(name: &str, verilog: String) {
    let dir = std::env::temp_dir().join(format!("cporx-bist-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.v"));
    std::fs::write(&path, verilog).unwrap();
    if let Err(e) = cporx_cosim::verilator::lint(&path) {
        panic!("{name}: {e}");
    }
}

#[test]
fn bist_blocks_lint_clean_with_verilator() {
    cporx_cosim::verilator::find_verilator()
        .expect("Verilator is required for the lint test (scripts/setup-tools.sh)");
    for lanes in [1, 2, 4, 16] {
        lint(
            &format!("prbs_gen_p{lanes}"),
            verilog_of(PrbsGen::new(lanes).unwrap()),
        );
        lint(
            &format!("prbs_chk_p{lanes}"),
            verilog_of(PrbsChk::new(lanes).unwrap()),
        );
        let p = BistParams {
            lanes,
            ..Default::default()
        };
        lint(
            &format!("chan_emu_p{lanes}"),
            verilog_of(ChanEmu::new(&p.taps, p.noise_amp, &p.lane_seeds()).unwrap()),
        );
    }
    let p = BistParams {
        lanes: 8,
        taps: vec![-128],
        noise_amp: 0,
        ..Default::default()
    };
    lint(
        "chan_emu_p8_quiet",
        verilog_of(ChanEmu::new(&p.taps, p.noise_amp, &p.lane_seeds()).unwrap()),
    );
    let p = BistParams {
        lanes: 2,
        taps: vec![127, -128, 127, -128],
        noise_amp: 8,
        ..Default::default()
    };
    lint(
        "chan_emu_p2_max",
        verilog_of(ChanEmu::new(&p.taps, p.noise_amp, &p.lane_seeds()).unwrap()),
    );
    lint(
        "uart_tx",
        verilog_of(UartTx::new(868, 100_000_000).unwrap()),
    );
    lint("uart_tx_div2", verilog_of(UartTx::new(2, 2).unwrap()));
}

#[test]
fn constructors_reject_bad_parameters_with_their_name() {
    let e = PrbsGen::new(3).err().unwrap().to_string();
    assert!(e.contains("bist.lanes"), "{e}");
    let e = PrbsChk::new(32).err().unwrap().to_string();
    assert!(e.contains("bist.lanes"), "{e}");
    let e = ChanEmu::new(&[0, 0, 128], 0, &[1])
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("bist.taps[2]") && e.contains("-128 ..= 127"),
        "{e}"
    );
    let e = ChanEmu::new(&[1; 5], 0, &[1]).err().unwrap().to_string();
    assert!(e.contains("bist.taps"), "{e}");
    let e = ChanEmu::new(&[1], 9, &[1]).err().unwrap().to_string();
    assert!(e.contains("bist.noise_amp"), "{e}");
    let e = ChanEmu::new(&[1], 1, &[0]).err().unwrap().to_string();
    assert!(e.contains("seed"), "{e}");
    let e = ChanEmu::new(&[1], 1, &[1, 2, 3]).err().unwrap().to_string();
    assert!(e.contains("bist.lanes"), "{e}");
    let e = UartTx::new(0, 5).err().unwrap().to_string();
    assert!(e.contains("bist.uart_div"), "{e}");
    let e = UartTx::new(70_000, 5).err().unwrap().to_string();
    assert!(e.contains("bist.uart_div"), "{e}");
    let e = UartTx::new(5, 1).err().unwrap().to_string();
    assert!(e.contains("bist.report_interval"), "{e}");
}
