//! Tests of the channel emulator (hdl/src/bist/chan_emu.rs): its rust-hdl simulation
//! against its bit-exact model (cporx-sim `bist::chan_emu`), every output every cycle,
//! with random symbols, taps, noise amplitudes and seeds (full-scale taps that saturate
//! both ways included) and resets in the middle, at every lane count; the exact
//! noise-free codes of a main cursor; ISI across clock boundaries; the noise statistics;
//! the block exported alone through Verilator against the model and rust-hdl; an impulse
//! that measures its latency (LAT_CHAN) on the RTL; a Verilator `-Wall` lint; and the
//! constructor's parameter errors.

mod common;

use common::*;
use cporx_hdl::bist::{verilog_of, ChanEmu};
use cporx_model::bist::chan_emu::ChanEmuModel;
use cporx_model::bist::{BistParams, LAT_CHAN};
use cporx_spec::sext;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Lane counts built with Verilator (one build each, shared by the tests; the rust-hdl
/// tests above cover all five): one lane, ISI across a 4-lane and a 16-lane block.
const VL_LANES: [usize; 3] = [1, 4, 16];

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

fn chan_ports(lanes: usize) -> (PortList, PortList) {
    let mut ins: PortList = vec![("rst".into(), 1)];
    ins.extend(lane_ports("symbol", 2, lanes));
    (ins, lane_ports("adc", 6, lanes))
}

fn chan_verilog(p: &BistParams) -> String {
    verilog_of(ChanEmu::new(&p.taps, p.noise_amp, &p.lane_seeds()).unwrap())
}

/// Full-scale taps and the largest noise: saturation both ways.
fn chan_extreme(lanes: usize) -> BistParams {
    BistParams {
        lanes,
        taps: vec![-128, 127, -128, 127],
        noise_amp: 8,
        noise_seed: 99,
        ..Default::default()
    }
}

/// Every design built with Verilator (one group build): the default channel at every
/// Verilator lane count, the extreme one at 4 lanes.
fn designs() -> Designs {
    let mut v: Vec<BistParams> = VL_LANES
        .iter()
        .map(|&lanes| BistParams {
            lanes,
            ..Default::default()
        })
        .collect();
    v.push(chan_extreme(4));
    v.iter()
        .map(|p| {
            let (i, o) = chan_ports(p.lanes);
            (chan_verilog(p), i, o)
        })
        .collect()
}

#[test]
fn chan_emu_verilator_matches_model_and_rust_hdl() {
    let mut rng = StdRng::seed_from_u64(0xB157_0102);
    for lanes in VL_LANES {
        let mut params = vec![BistParams {
            lanes,
            ..Default::default()
        }];
        if lanes == 4 {
            params.push(chan_extreme(lanes));
        }
        for p in params {
            let (ins, outs) = chan_ports(lanes);
            let mut vl = verilated(designs, chan_verilog(&p), &ins, &outs);
            let (mut e, mut m) = chan_pair(&p);
            let (mut stim, mut model, mut rh) = (vec![], vec![], vec![]);
            for _ in 0..1200 {
                let rst = rng.gen_bool(0.005);
                let sym: Vec<u8> = (0..lanes).map(|_| rng.gen_range(0..4)).collect();
                let mut s = vec![rst as u64];
                s.extend(sym.iter().map(|&x| x as u64));
                stim.push(s);
                let raw = |v: &[i32]| -> Vec<u64> { v.iter().map(|&a| (a & 63) as u64).collect() };
                model.push(raw(m.step(rst, &sym)));
                rh.push(raw(&chan_cycle(&mut e, rst, &sym)));
            }
            let what = format!("{p:?}");
            assert_same(&outs, &model, &rh, &format!("{what} rust-hdl"));
            assert_same(
                &outs,
                &model,
                &vl.run(&stim).unwrap(),
                &format!("{what} verilator"),
            );
        }
    }
}

/// One symbol changed from 0 to 3 (lane j, cycle `at`) against the same run without it
/// (the default channel: taps 32, 4, -2, the same noise in both runs, no code near
/// saturation), on Verilator: tap k moves exactly the ADC code of sample n + k, i.e. lane
/// (j + k) mod P after cycle at + floor((j + k) / P) + LAT_CHAN - 1, so the first change
/// measures LAT_CHAN.
#[test]
fn chan_emu_impulse_latency_is_lat_chan_on_the_rtl() {
    for lanes in VL_LANES {
        let p = BistParams {
            lanes,
            ..Default::default()
        };
        let taps = p.taps.clone();
        let (ins, outs) = chan_ports(lanes);
        let mut vl = verilated(designs, chan_verilog(&p), &ins, &outs);
        let mut base = vec![vec![0u64; lanes + 1]];
        base[0][0] = 1;
        base.extend(std::iter::repeat(vec![0u64; lanes + 1]).take(20));
        let quiet = vl.run(&base).unwrap();
        let at = 10;
        for j in 0..lanes {
            let mut stim = base.clone();
            stim[at][1 + j] = 3;
            let got = vl.run(&stim).unwrap();
            let mut d = vec![];
            for c in 0..got.len() {
                for l in 0..lanes {
                    if got[c][l] != quiet[c][l] {
                        d.push((c, l));
                    }
                }
            }
            let mut want: Vec<(usize, usize)> = (0..taps.len())
                .map(|k| (at + (j + k) / lanes + LAT_CHAN - 1, (j + k) % lanes))
                .collect();
            want.sort();
            assert_eq!(d, want, "P={lanes} impulse on lane {j}");
            assert_eq!(latency(at, d[0].0), LAT_CHAN, "P={lanes} lane {j}");
        }
    }
}

#[test]
fn chan_emu_lints_clean_with_verilator() {
    cporx_cosim::verilator::find_verilator()
        .expect("Verilator is required for the lint test (scripts/setup-tools.sh)");
    for lanes in [1, 2, 4, 16] {
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
}

#[test]
fn chan_emu_rejects_bad_parameters_with_their_name() {
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
}
