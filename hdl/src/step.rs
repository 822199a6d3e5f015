//! A cycle stepper for rust-hdl's own simulator: drives `RxTop` one clock cycle at a time
//! with the same `RxIn`/`RxOut` convention as the model and the Verilator harness.
//! It settles the design with `rust_hdl::core::simulate::simulate` (update until nothing
//! changes) around each clock edge, which is what rust-hdl's `Simulation` does
//! internally, without its thread-per-testbench machinery.

use crate::RxTop;
use cporx_spec::*;
use rust_hdl::prelude::*;

pub struct RxTopSim {
    top: RxTop,
}

#[derive(Debug)]
pub struct SettleError;

impl std::fmt::Display for SettleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "rust-hdl simulation did not settle (combinational loop?)"
        )
    }
}
impl std::error::Error for SettleError {}

const MAX_ITERS: usize = 1000;

/// Drive the top's input ports from one cycle's `RxIn` (two's-complement patterns).
fn apply_inputs(t: &mut RxTop, i: &RxIn) {
    t.rst.next = i.rst;
    t.cfg_we.next = i.cfg_we;
    t.cfg_addr.next = (i.cfg_addr as LiteralType).into();
    t.cfg_data.next = (to_raw(i.cfg_data, CFG_DATA_BITS) as LiteralType).into();
    for (j, a) in t.adc.iter_mut().enumerate() {
        a.next = (to_raw(i.adc[j], ADC_BITS) as LiteralType).into();
    }
}

/// Read the top's output ports into an `RxOut` (sign-extending the signed fields).
fn read_outputs(t: &RxTop) -> RxOut {
    let mut o = RxOut {
        lane: [LaneOut::default(); MAX_LANES],
        phase: t.phase.val().index() as u8,
        lock: t.lock.val(),
        freq: sext(t.freq.val().index() as u32, FREQ_BITS),
        gain: t.gain.val().index() as u8,
        rd_data: t.rd_data.val().index() as u8,
    };
    for j in 0..t.y.len() {
        o.lane[j] = LaneOut {
            y: sext(t.y[j].val().index() as u32, Y_BITS),
            symbol: t.symbol[j].val().index() as u8,
            gray: t.gray[j].val().index() as u8,
            err: sext(t.err[j].val().index() as u32, ERR_BITS),
        };
    }
    o
}

impl RxTopSim {
    pub fn new(p: &RxParams) -> Result<Self, ParamError> {
        let mut top = RxTop::new(p)?;
        top.connect_all();
        Ok(RxTopSim { top })
    }

    /// One cycle: apply `i` with the clock low, settle, raise the clock, settle, read.
    pub fn step(&mut self, i: &RxIn) -> Result<RxOut, SettleError> {
        let t = &mut self.top;
        t.clock.next = Clock { clk: false };
        apply_inputs(t, i);
        if !simulate(t, MAX_ITERS) {
            return Err(SettleError);
        }
        t.clock.next = Clock { clk: true };
        if !simulate(t, MAX_ITERS) {
            return Err(SettleError);
        }
        Ok(read_outputs(t))
    }

    pub fn run(&mut self, stim: &[RxIn]) -> Result<Vec<RxOut>, SettleError> {
        stim.iter().map(|i| self.step(i)).collect()
    }
}

/// Run `stim` through rust-hdl's own `Simulation` (clock process + testbench thread), the
/// standard rust-hdl testbench API. Slower than [`RxTopSim`] (a thread hand-off per wait),
/// kept so the equivalence suite and the benchmark cover rust-hdl's simulator as users
/// drive it.
pub fn run_with_simulation(p: &RxParams, stim: &[RxIn]) -> Result<Vec<RxOut>, String> {
    use std::sync::{Arc, Mutex};
    let mut top = RxTop::new(p).map_err(|e| e.to_string())?;
    top.connect_all();
    let out = Arc::new(Mutex::new(Vec::with_capacity(stim.len())));
    let o2 = out.clone();
    let stim = stim.to_vec();
    let n = stim.len() as u64;
    let mut sim = Simulation::new();
    sim.add_clock(5, |x: &mut Box<RxTop>| x.clock.next = !x.clock.val());
    sim.add_testbench(move |mut sim: Sim<RxTop>| {
        let mut x = sim.init()?;
        for i in &stim {
            // the clock is low here: apply this cycle's inputs
            apply_inputs(&mut x, i);
            wait_clock_true!(sim, clock, x);
            o2.lock().unwrap().push(read_outputs(&x));
            wait_clock_false!(sim, clock, x);
        }
        sim.done(x)
    });
    sim.run(Box::new(top), 10 * n + 20)
        .map_err(|e| format!("rust-hdl simulation: {e:?}"))?;
    let v = out.lock().unwrap().clone();
    Ok(v)
}
