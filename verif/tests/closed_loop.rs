//! The closed loop (AFE + receive top + checker) runs bit for bit the same with the
//! reference model, rust-hdl's simulator and Verilator in it (over pipes and in process): every output of every cycle
//! over 100,000 UI, with noise, random and sinusoidal jitter and a frequency offset, and
//! the phase code out of each implementation steering its own sampler.

use cporx_cosim::verilator::{VerilatedLib, VerilatedRx};
use cporx_link::afe::AfeConfig;
use cporx_link::closed_loop::{run_link, LinkConfig};
use cporx_link::pulse::PulseResponse;
use cporx_model::Receiver;
use cporx_model::RxTopModel;
use cporx_spec::*;
use cporx_verif::compare;

struct RustHdl(cporx_hdl::RxTopSim);
impl Receiver for RustHdl {
    fn step(&mut self, i: &RxIn) -> Result<RxOut, String> {
        self.0.step(i).map_err(|e| e.to_string())
    }
}

fn link(ui: u64, seed: u64, ppm: f64, phase0: i32) -> LinkConfig {
    let mut a = AfeConfig::new(PulseResponse::builtin("short").unwrap());
    a.snr_db = Some(24.0);
    a.rj_rms_ui = 0.01;
    a.sj_amp_ui = 0.1;
    a.sj_freq_per_ui = 1e-4;
    a.ppm = ppm;
    a.seed = seed;
    let mut c = LinkConfig::new(a, 3, ui).unwrap();
    c.writes = vec![(CFG_PHASE, phase0)];
    c
}

fn record<R: Receiver>(
    c: &LinkConfig,
    rx: &mut R,
) -> (Vec<RxOut>, cporx_link::closed_loop::LinkResult) {
    record_all(c, rx).0
}

/// Outputs and results, plus the inputs each cycle applied (the recorded ADC stream).
fn record_all<R: Receiver>(
    c: &LinkConfig,
    rx: &mut R,
) -> ((Vec<RxOut>, cporx_link::closed_loop::LinkResult), Vec<RxIn>) {
    let mut outs = Vec::with_capacity(c.ui as usize + 1);
    let mut ins = Vec::with_capacity(c.ui as usize + 1);
    let mut hook = |_n: u64, i: &RxIn, o: &RxOut| {
        outs.push(*o);
        ins.push(*i);
    };
    let r = run_link(c, rx, Some(&mut hook)).unwrap();
    ((outs, r), ins)
}

#[test]
fn model_rust_hdl_and_verilator_close_the_same_loop() {
    let base = link(100_000, 11, 250.0, 70);
    let verilog = cporx_hdl::export::rx_top_verilog(&base.rx).unwrap();
    let mut vl = VerilatedRx::build(&verilog, false).unwrap_or_else(|e| panic!("{e}"));
    let vlib = VerilatedLib::build(&verilog).unwrap_or_else(|e| panic!("{e}"));
    for (seed, ppm, phase0) in [(11, 250.0, 70), (12, -300.0, 3)] {
        let c = link(100_000, seed, ppm, phase0);
        let ((m_out, m_res), recorded) = record_all(&c, &mut RxTopModel::new(&c.rx).unwrap());
        // the loop did real work: it locked, tracked the offset and decided correctly
        assert!(m_res.lock_time.is_some_and(|t| t < 5000), "{m_res:?}");
        assert_eq!(m_res.checker.slips, 0, "{m_res:?}");
        assert!(m_res.checker.symbols_checked > 90_000, "{m_res:?}");
        // the SJ alone swings the instantaneous frequency by 2 pi 1e-4 0.1 UI = +-63 ppm
        assert!(
            (m_res.freq_ppm() - ppm).abs() < 100.0,
            "{}",
            m_res.freq_ppm()
        );
        let phases: std::collections::HashSet<u8> = m_out.iter().map(|o| o.phase).collect();
        assert_eq!(phases.len(), 128, "the PI went round every code");

        let (v_out, v_res) = record(&c, &mut vl.stepper().unwrap());
        compare(&m_out, &v_out, "verilator").unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        assert_eq!(m_res.checker, v_res.checker);
        // the same Verilog, built as a shared library and stepped in process
        let (l_out, _) = record(&c, &mut vlib.instance().unwrap());
        compare(&m_out, &l_out, "verilator lib").unwrap_or_else(|e| panic!("seed {seed}: {e}"));

        let mut rh = RustHdl(cporx_hdl::RxTopSim::new(&c.rx).unwrap());
        let (r_out, _) = record(&c, &mut rh);
        compare(&m_out, &r_out, "rust-hdl").unwrap_or_else(|e| panic!("seed {seed}: {e}"));

        // open-loop replay of the recorded ADC stream (Verilator's bulk path) gives the
        // same outputs again: the loop adds nothing the open-loop suites do not cover
        let replay = vl.run(&recorded).unwrap();
        compare(&m_out, &replay, "verilator replay").unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn a_different_receiver_gives_a_different_loop() {
    // The comparison above can fail: one gain step changes the trajectory.
    let c = link(20_000, 5, 100.0, 40);
    let (a, _) = record(&c, &mut RxTopModel::new(&c.rx).unwrap());
    let mut c2 = c.clone();
    c2.rx.cdr.kp -= 1;
    let (b, _) = record(&c2, &mut RxTopModel::new(&c2.rx).unwrap());
    assert!(compare(&a, &b, "kp-1").is_err());
}

/// The decimated loop at 8 samples per clock: the model and the Verilator library close
/// the same loop (every lane, every cycle), and it locks, tracks and decides correctly.
#[test]
fn eight_lanes_close_the_same_loop() {
    let mut c = link(200_000, 21, -250.0, 90);
    c.rx = c.rx.with_lanes(8).unwrap();
    let verilog = cporx_hdl::export::rx_top_verilog(&c.rx).unwrap();
    let vlib = VerilatedLib::build(&verilog).unwrap_or_else(|e| panic!("{e}"));
    let (m_out, m_res) = record(&c, &mut RxTopModel::new(&c.rx).unwrap());
    assert!(m_res.lock_time.is_some_and(|t| t < 10_000), "{m_res:?}");
    assert_eq!(m_res.checker.slips, 0, "{m_res:?}");
    assert_eq!(m_res.checker.symbol_errors, 0, "{m_res:?}");
    assert!(m_res.checker.symbols_checked > 180_000, "{m_res:?}");
    assert!(
        (m_res.freq_ppm() + 250.0).abs() < 100.0,
        "{}",
        m_res.freq_ppm()
    );
    let ((l_out, l_res), ins) = record_all(&c, &mut vlib.instance().unwrap());
    compare(&m_out, &l_out, "verilator lib").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m_res.checker, l_res.checker);
    // the loop's recorded inputs replayed through a fresh instance by block calls of
    // uneven sizes (the state goes on across calls) give the same outputs
    let mut inst = vlib.instance().unwrap();
    let mut blocks = Vec::new();
    let mut k = 0;
    for n in [1usize, 999, 7, 4096].into_iter().cycle() {
        if k >= ins.len() {
            break;
        }
        let e = (k + n).min(ins.len());
        inst.run_into(&ins[k..e], &mut blocks).unwrap();
        k = e;
    }
    compare(&m_out, &blocks, "verilator lib, block calls").unwrap_or_else(|e| panic!("{e}"));
    // the same loop with the model and the library in lockstep: nothing differs, and a
    // model with a changed CDR gain in place of the library differs
    let (mut m1, mut inst) = (RxTopModel::new(&c.rx).unwrap(), vlib.instance().unwrap());
    let mut both = cporx_cosim::lockstep::Lockstep::new(&mut m1, &mut inst);
    let r = run_link(&c, &mut both, None).unwrap();
    assert_eq!(r.checker, m_res.checker);
    assert_eq!(both.tally.cycles as usize, m_out.len());
    assert_eq!(both.tally.mismatches, 0, "{}", both.tally.summary());
    let mut c2 = c.clone();
    c2.rx.cdr.kp -= 1;
    let (mut m1, mut m2) = (
        RxTopModel::new(&c.rx).unwrap(),
        RxTopModel::new(&c2.rx).unwrap(),
    );
    let mut both = cporx_cosim::lockstep::Lockstep::new(&mut m1, &mut m2);
    run_link(&c, &mut both, None).unwrap();
    assert!(both.tally.mismatches > 0 && both.tally.first.is_some());
    println!(
        "8 lanes: {} cycles ({} UI) agree; {}, {:.0} ppm tracked",
        m_out.len(),
        c.ui,
        m_res.lock_text(),
        m_res.freq_ppm()
    );
}

/// The adaptive receiver in the loop (AGC, CDR, LMS and levels all adapting, from
/// pass-through taps and a gain 3 dB too high): the model and the Verilator library close
/// the same loop bit for bit over 100,000 UI at 1 and 4 lanes, and every loop did work
/// (the gain code moved, the taps left pass-through, the loop locked).
#[test]
fn the_adaptive_receiver_closes_the_same_loop() {
    for lanes in [1, 4] {
        let mut a = AfeConfig::new(PulseResponse::builtin("mr").unwrap());
        a.snr_db = Some(26.0);
        a.rj_rms_ui = 0.01;
        a.ppm = 100.0;
        a.seed = 31;
        let mut c = LinkConfig::new(a, 5, 100_000).unwrap();
        let pass = RxParams::with_taps(5, 1)
            .unwrap()
            .with_lanes(lanes)
            .unwrap();
        c.rx = RxParams {
            adapt: Some(AdaptParams {
                reset_gain: GAIN_UNITY + 6,
                ..AdaptParams::default()
            }),
            ..pass
        };
        let verilog = cporx_hdl::export::rx_top_verilog(&c.rx).unwrap();
        let vlib = VerilatedLib::build(&verilog).unwrap_or_else(|e| panic!("{e}"));
        let mut m = RxTopModel::new(&c.rx).unwrap();
        let (m_out, m_res) = record(&c, &mut m);
        let (l_out, l_res) = record(&c, &mut vlib.instance().unwrap());
        compare(&m_out, &l_out, "verilator lib").unwrap_or_else(|e| panic!("P={lanes}: {e}"));
        assert_eq!(m_res.checker, l_res.checker);
        assert!(m_res.lock_time.is_some(), "P={lanes}: {m_res:?}");
        let gains: std::collections::BTreeSet<u8> = m_out.iter().map(|o| o.gain).collect();
        assert!(gains.len() > 2, "P={lanes}: the AGC moved: {gains:?}");
        let coefs: Vec<i32> = (0..5).map(|k| m.read_reg(k) as i8 as i32).collect();
        assert_ne!(coefs, c.rx.reset_coefs, "P={lanes}: the LMS moved the taps");
        println!(
            "adaptive loop, {lanes} lane(s): {} cycles agree (model, Verilator); {}; gain codes {:?}; taps {coefs:?}",
            m_out.len(),
            m_res.lock_text(),
            gains
        );
    }
}
