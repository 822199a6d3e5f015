//! proptest strategies for the equivalence suite. Extremes are drawn on purpose: the
//! most negative and most positive codes of every field, long runs of one value, and
//! alternating full-scale swings, beside uniformly random values.

use cporx_spec::*;
use proptest::prelude::*;
use rand::{Rng, SeedableRng};

/// A signed code of `bits` bits, weighted toward the extremes.
pub fn code(bits: usize) -> impl Strategy<Value = i32> {
    let (lo, hi) = signed_range(bits);
    prop_oneof![
        2 => Just(lo),
        2 => Just(hi),
        1 => Just(0),
        1 => Just(-1),
        6 => lo..=hi,
    ]
}

/// One segment of an ADC stream.
#[derive(Clone, Debug)]
pub enum Segment {
    Random(Vec<i32>),
    /// ADC samples recorded from a closed-loop run (AFE + model), replayed open loop
    Recorded(Vec<i32>),
    Run(i32, usize),
    Swing(usize),
}

pub fn segment() -> impl Strategy<Value = Segment> {
    let (lo, hi) = signed_range(ADC_BITS);
    prop_oneof![
        4 => prop::collection::vec(lo..=hi, 1..600).prop_map(Segment::Random),
        2 => (code(ADC_BITS), 1usize..400).prop_map(|(v, n)| Segment::Run(v, n)),
        1 => (1usize..200).prop_map(Segment::Swing),
        2 => (0usize..4, -1000i32..=1000, any::<u64>(), 100usize..3000)
            .prop_map(|(c, ppm, seed, n)| Segment::Recorded(recorded_adc(c, ppm as f64, seed, n))),
    ]
}

pub fn adc_stream() -> impl Strategy<Value = Vec<i32>> {
    let (lo, hi) = signed_range(ADC_BITS);
    prop::collection::vec(segment(), 1..12).prop_map(move |segs| {
        let mut v = Vec::new();
        for s in segs {
            match s {
                Segment::Random(r) | Segment::Recorded(r) => v.extend(r),
                Segment::Run(x, n) => v.extend(std::iter::repeat(x).take(n)),
                Segment::Swing(n) => v.extend((0..n).map(|k| if k % 2 == 0 { hi } else { lo })),
            }
        }
        v
    })
}

/// The ADC codes of a closed-loop run: built-in channel `channel` (index into
/// `PulseResponse::builtin_names()`), SNR 22 dB, 0.02 UI RJ, 0.2 UI SJ, `ppm` offset, the
/// model's CDR steering the sampler from a seeded initial phase. Real signal statistics
/// (ISI, noise, a rotating phase, lock acquisition) for the open-loop equivalence cases.
pub fn recorded_adc(channel: usize, ppm: f64, seed: u64, n: usize) -> Vec<i32> {
    use cporx_link::afe::{AfeConfig, PulseResponse};
    use cporx_link::closed_loop::{run_link, LinkConfig};
    let names = PulseResponse::builtin_names();
    let mut a = AfeConfig::new(PulseResponse::builtin(names[channel % names.len()]).unwrap());
    a.snr_db = Some(22.0);
    a.rj_rms_ui = 0.02;
    a.sj_amp_ui = 0.2;
    a.sj_freq_per_ui = 1e-3;
    a.ppm = ppm;
    a.seed = seed;
    let mut c = LinkConfig::new(a, 3, n as u64).unwrap();
    c.writes = vec![(CFG_PHASE, (seed % 128) as i32)];
    let mut m = cporx_model::RxTopModel::new(&c.rx).unwrap();
    let mut adc = Vec::with_capacity(n + 1);
    let mut hook = |_: u64, i: &RxIn, _: &RxOut| adc.push(i.adc[0]);
    run_link(&c, &mut m, Some(&mut hook)).unwrap();
    adc
}

/// A random legal parameter set with `lanes` lanes (used to build the pool of exported designs).
pub fn random_params(rng: &mut impl Rng, n_taps: usize, lanes: usize) -> RxParams {
    let (clo, chi) = signed_range(COEF_BITS);
    let (llo, lhi) = signed_range(LEVEL_BITS);
    let mut thr = [
        rng.gen_range(llo..=lhi),
        rng.gen_range(llo..=lhi),
        rng.gen_range(llo..=lhi),
    ];
    thr.sort();
    let p = RxParams {
        lanes,
        n_taps,
        reset_coefs: (0..n_taps).map(|_| rng.gen_range(clo..=chi)).collect(),
        thresholds: thr,
        targets: [0; 4].map(|_| rng.gen_range(llo..=lhi)),
        cdr: random_cdr(rng),
        adapt: None,
        dfe_taps: 0,
        dfe_reset: 0,
    };
    p.validate().expect("generated params are legal");
    p
}

/// Random legal adaptation reset values (steps over their whole range, extremes
/// included; the main tap anywhere below `n_taps`).
pub fn random_adapt(rng: &mut impl Rng, n_taps: usize) -> AdaptParams {
    let step = |rng: &mut dyn rand::RngCore| match rng.gen_range(0..4) {
        0 => 0,
        1 => 15,
        _ => rng.gen_range(0..=15),
    };
    AdaptParams {
        lms_enable: rng.gen_bool(0.8),
        levels_enable: rng.gen_bool(0.8),
        lms_mu: step(rng),
        levels_mu: step(rng),
        main_tap: rng.gen_range(0..n_taps as u32),
        freeze_main: rng.gen_bool(0.5),
        freeze_pre: rng.gen_bool(0.5),
        freeze_post: rng.gen_bool(0.3),
        agc_enable: rng.gen_bool(0.8),
        agc_target: match rng.gen_range(0..4) {
            0 => 1,
            1 => 31,
            _ => rng.gen_range(1..=31),
        },
        // small windows, so the gain moves within a case's few hundred cycles
        agc_window: match rng.gen_range(0..4) {
            0 => 0,
            1 => AGC_WINDOW_MAX,
            _ => rng.gen_range(0..=8),
        },
        reset_gain: match rng.gen_range(0..4) {
            0 => 0,
            1 => GAIN_MAX,
            _ => rng.gen_range(0..=GAIN_MAX),
        },
        agc_tail: match rng.gen_range(0..4) {
            0 | 1 => 0,
            2 => 15,
            _ => rng.gen_range(1..=15),
        },
        dfe_enable: rng.gen_bool(0.8),
    }
}

/// Random legal CDR reset values (gains over their whole range, extremes included).
pub fn random_cdr(rng: &mut impl Rng) -> CdrParams {
    let pick = |rng: &mut dyn rand::RngCore, hi: u32| match rng.gen_range(0..4) {
        0 => 0,
        1 => hi,
        _ => rng.gen_range(0..=hi),
    };
    CdrParams {
        kp: pick(rng, (1 << KP_BITS) - 1),
        ki: pick(rng, (1 << KI_BITS) - 1),
        enable: rng.gen_bool(0.9),
        integral: rng.gen_bool(0.8),
        kick: rng.gen_bool(0.7),
        lock_thr: pick(rng, 255),
        lock_max: pick(rng, 255),
        reset_phase: pick(rng, (1 << PI_BITS) - 1),
        freq_limit: pick(rng, (1 << FREQ_LIM_BITS) - 1),
    }
}

/// The pool of parameter sets the equivalence suite exports and builds once each:
/// the default plus random legal sets over the tap range and the lane counts (fixed
/// seed, so the Verilator builds are cached between runs). The extremes of the tap range
/// (2, 16) and of the lane counts (1, 16) are always in.
pub fn param_pool() -> Vec<RxParams> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(0xC0FFEE);
    let mut pool = vec![RxParams::default()];
    for (n, lanes) in [(MIN_TAPS, 1), (4, 1), (7, 1), (MAX_TAPS, 1)] {
        pool.push(random_params(&mut rng, n, lanes));
    }
    // the CDR at its extremes: largest gains (the frequency register saturates on
    // full-scale swings) and smallest
    let mut hot = RxParams::default();
    hot.cdr.kp = (1 << KP_BITS) - 1;
    hot.cdr.ki = (1 << KI_BITS) - 1;
    hot.cdr.reset_phase = (1 << PI_BITS) - 1;
    hot.cdr.lock_thr = 255;
    pool.push(hot.clone());
    // several samples per clock: the FFE's taps cross the block boundary (taps > lanes
    // and taps < lanes), the decimated CDR sums 2 .. 16 detector outputs (one group, two,
    // four), the largest gains at 8 lanes
    for (n, lanes) in [(5, 2), (7, 4), (MAX_TAPS, 8), (3, 16)] {
        pool.push(random_params(&mut rng, n, lanes));
    }
    pool.push(hot.with_lanes(8).expect("legal"));
    // the adaptation built (LMS and levels with random reset registers): one lane, four
    // lanes, and the largest design
    for (n, lanes) in [(3, 1), (7, 4), (MAX_TAPS, 16)] {
        let mut p = random_params(&mut rng, n, lanes);
        p.adapt = Some(random_adapt(&mut rng, n));
        p.validate().expect("generated params are legal");
        pool.push(p);
    }
    // the DFE in the slicer's place (RxParams::dfe_taps = 1): one lane, four, sixteen,
    // each with the tap fixed (the bus's) and adapting; random reset taps, the extremes
    // included
    for (k, (n, lanes)) in [(3, 1), (5, 4), (3, 16)].into_iter().enumerate() {
        for adapt in [false, true] {
            let mut p = random_params(&mut rng, n, lanes);
            p.dfe_taps = 1;
            p.dfe_reset = match (2 * k + adapt as usize) % 3 {
                0 => 127,
                1 => -128,
                _ => rng.gen_range(-128..=127),
            };
            if adapt {
                p.adapt = Some(random_adapt(&mut rng, n));
            }
            p.validate().expect("generated params are legal");
            pool.push(p);
        }
    }
    pool
}

/// One equivalence case: which pool entry, whether it starts with a reset or from
/// power-up, the run-time configuration written over the bus after that, the ADC stream,
/// and extra events (random writes, mid-stream resets).
#[derive(Clone, Debug)]
pub struct Case {
    pub pool_index: usize,
    /// start from power-up, without the leading reset: every register 0 (docs/numerics.md,
    /// "Reset and power-up"), so the configuration is all zeros unless loaded
    pub power_up: bool,
    pub coefs: Vec<i32>,
    pub thresholds: [i32; 3],
    pub targets: [i32; 4],
    /// CDR registers loaded with the run-time configuration
    pub cdr: CdrParams,
    /// load the run-time configuration (false: keep the reset values, or at power-up
    /// the zeros)
    pub load: bool,
    pub adc: Vec<i32>,
    /// (cycle fraction in 0..1000, address, data): a write during the data stream
    pub writes: Vec<(u16, u32, i32)>,
    /// cycle fractions (0..1000) where a reset is applied mid-stream
    pub resets: Vec<u16>,
    /// the addresses the data cycles read back (`cfg_addr` with `cfg_we` low), in turn
    pub reads: Vec<u32>,
}

/// A configuration address: any of the 64, weighted toward the CDR's (the frequency range
/// included), the adaptation's, the DFE tap's and the AGC's registers.
pub fn cfg_addr() -> impl Strategy<Value = u32> {
    prop_oneof![
        3 => 0u32..(1 << CFG_ADDR_BITS),
        2 => CFG_KP..=CFG_PHASE,
        1 => prop::sample::select(vec![CFG_ADAPT, CFG_ADAPT_MU, CFG_LMS_FREEZE, CFG_DFE, CFG_FREQ_LIM]),
        1 => CFG_AGC_TARGET..=CFG_GAIN,
    ]
}

pub fn case(pool_len: usize) -> impl Strategy<Value = Case> {
    (0..pool_len)
        .prop_flat_map(|pi| {
            (
                Just(pi),
                prop::collection::vec(code(COEF_BITS), MAX_TAPS),
                prop::collection::vec(code(LEVEL_BITS), 3),
                prop::collection::vec(code(LEVEL_BITS), 4),
                // (power_up, load): about 1 case in 6 starts from power-up, half of those
                // keep the all-zero configuration; the others load one over the bus
                prop_oneof![
                    17 => Just((false, true)),
                    3 => Just((false, false)),
                    2 => Just((true, true)),
                    2 => Just((true, false)),
                ],
                adc_stream(),
                prop::collection::vec((0u16..1000, cfg_addr(), code(CFG_DATA_BITS)), 0..6),
                prop::collection::vec(0u16..1000, 0..2),
                any::<u64>()
                    .prop_map(|seed| random_cdr(&mut rand::rngs::StdRng::seed_from_u64(seed))),
                prop::collection::vec(cfg_addr(), 1..12),
            )
        })
        .prop_map(
            |(pi, coefs, thr, tgt, (power_up, load), adc, writes, resets, cdr, reads)| {
                let mut t = [thr[0], thr[1], thr[2]];
                t.sort(); // legal configurations have ordered thresholds
                Case {
                    pool_index: pi,
                    power_up,
                    coefs,
                    thresholds: t,
                    targets: [tgt[0], tgt[1], tgt[2], tgt[3]],
                    cdr,
                    load,
                    adc,
                    writes,
                    resets,
                    reads,
                }
            },
        )
}

impl Case {
    /// The cycle-by-cycle stimulus: reset (none for a power-up case), configuration
    /// writes (carrying ADC samples), then the ADC stream, P = `p.lanes` samples per
    /// cycle, with the extra writes and resets placed in it. Run from power-up.
    pub fn stimulus(&self, p: &RxParams) -> Vec<RxIn> {
        let lanes = p.lanes;
        let mut s = if self.power_up {
            vec![]
        } else {
            vec![RxIn::reset()]
        };
        let mut adc = self.adc.iter().copied().cycle();
        let block = |adc: &mut dyn Iterator<Item = i32>| {
            let mut i = RxIn::default();
            for a in &mut i.adc[..lanes] {
                *a = adc.next().unwrap_or(0);
            }
            i
        };
        if self.load {
            for (a, d) in
                RxParams::cfg_writes(&self.coefs[..p.n_taps], &self.thresholds, &self.targets)
                    .into_iter()
                    .chain(self.cdr.cfg_writes())
            {
                let mut i = block(&mut adc);
                i.cfg_we = true;
                i.cfg_addr = a;
                i.cfg_data = d;
                s.push(i);
            }
        }
        let n = self.adc.len().div_ceil(lanes);
        let at = |f: u16| (f as usize * n) / 1000;
        let mut stream = self.adc.iter().copied();
        for k in 0..n {
            let mut i = block(&mut stream);
            i.cfg_addr = self
                .reads
                .get(k % self.reads.len().max(1))
                .copied()
                .unwrap_or(0);
            if let Some(&(_, a, d)) = self.writes.iter().find(|w| at(w.0) == k) {
                i.cfg_we = true;
                i.cfg_addr = a;
                i.cfg_data = d;
            }
            if self.resets.iter().any(|&r| at(r) == k) {
                i.rst = true;
            }
            s.push(i);
        }
        s
    }
}
