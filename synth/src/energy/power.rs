//! The independent power sum: the same netlist and toggles as OpenSTA's, summed in Rust
//! straight from the liberty, to check what OpenSTA reports and to say what its 2019
//! build counts differently.
//!
//! Per net `n` with `T_n` toggles per cycle and load `C_n` = the input-pin capacitances
//! on it plus its wire capacitance:
//! * **switching**: `T_n * C_n * V^2 / 2` per cycle, booked to the cell driving `n`
//!   (nets the input ports drive are booked to no cell: [`SumPower::inputs_clock`] for
//!   the clock, [`SumPower::inputs_data`] for the others);
//! * **internal, output pins**: each output transition costs the mean of the cell's
//!   `rise_power` and `fall_power` at (`C_n`, the stated slew), averaged over the arcs
//!   (`related_pin`) weighted by the related inputs' toggles (equal weights when none
//!   toggles): `T_Y * sum_a w_a (E_rise,a + E_fall,a) / 2` per cycle;
//! * **internal, input pins** (passive tables: a flop's CLK and D): `T_p * (E_rise +
//!   E_fall) / 2`; the clock pin toggles twice per cycle;
//! * **leakage**: `cell_leakage_power`.
//!
//! Every table is looked up at one stated input transition ([`SumInputs::slew_ns`]),
//! not at propagated slews: the first-order difference from OpenSTA.
//!
//! [`Convention::OpenSta2019`] counts as the Debian OpenSTA build (2019) does, found by
//! calibration on single cells (synth/tests/energy.rs): an output transition costs
//! `E_rise + E_fall`, not their mean (twice the liberty's energy per transition); passive
//! input-pin energy the same. [`Convention::Liberty`] is the liberty's definition, the
//! one cporx reports.

use super::activity::Toggles;
use super::liberty::{Direction, Liberty};
use super::netlist::{Conn, Netlist};
use super::sta::CellPower;
use crate::SynthError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Convention {
    /// energy per transition = the mean of rise and fall energy (the liberty's meaning)
    Liberty,
    /// rise + fall energy per transition, as OpenSTA 2019 counts
    OpenSta2019,
}

#[derive(Clone, Debug)]
pub struct SumInputs {
    pub clock_period_ns: f64,
    pub slew_ns: f64,
    /// wire capacitance per net, pF
    pub wire_pf: Vec<f64>,
    /// the clock net (toggles twice per cycle whatever the coverage says)
    pub clock_net: Option<usize>,
}

#[derive(Clone, Debug)]
pub struct SumPower {
    /// per cell, W
    pub cells: Vec<CellPower>,
    /// switching power of the clock net (ideal: the flops' clock-pin load), W
    pub inputs_clock: f64,
    /// switching power of the other nets the input ports drive, W
    pub inputs_data: f64,
}

impl SumPower {
    pub fn total(&self) -> CellPower {
        let mut t = CellPower::default();
        for c in &self.cells {
            t.add(c);
        }
        t.switching += self.inputs_clock + self.inputs_data;
        t
    }
}

/// The sum for `netlist` with toggles `t`.
pub fn sum_power(
    lib: &Liberty,
    netlist: &Netlist,
    t: &Toggles,
    inp: &SumInputs,
    conv: Convention,
) -> Result<SumPower, SynthError> {
    let v = lib.nom_voltage_v.unwrap_or(1.8);
    let f_hz = 1e9 / inp.clock_period_ns;
    let act = |n: usize| -> f64 {
        if Some(n) == inp.clock_net {
            2.0
        } else {
            t.activity(n)
        }
    };
    let act_of = |c: Conn| match c {
        Conn::Net(n) => act(n),
        Conn::Const(_) => 0.0,
    };
    // net loads and drivers
    let mut load = inp.wire_pf.clone();
    let mut driver: Vec<Option<usize>> = vec![None; netlist.n_nets];
    let mut cells = Vec::with_capacity(netlist.cells.len());
    for c in &netlist.cells {
        let lc = lib.cell(&c.ty).ok_or_else(|| {
            SynthError::Energy(format!(
                "cell type {} of instance {} is not in the liberty {}",
                c.ty,
                c.orig,
                lib.path.display()
            ))
        })?;
        cells.push(lc);
    }
    for (k, c) in netlist.cells.iter().enumerate() {
        for (pin, conn) in &c.pins {
            let Conn::Net(n) = conn else { continue };
            let lp = cells[k].pin(pin).ok_or_else(|| {
                SynthError::Energy(format!("cell {} has no pin {pin} in the liberty", c.ty))
            })?;
            match lp.direction {
                Direction::Input => load[*n] += lp.capacitance_pf.unwrap_or(0.0),
                _ => driver[*n] = Some(k),
            }
        }
    }
    let factor = match conv {
        Convention::Liberty => 0.5,
        Convention::OpenSta2019 => 1.0,
    };
    let pj_per_unit = lib.units.energy_pj();
    let mut out = vec![CellPower::default(); netlist.cells.len()];
    let (mut inputs_clock, mut inputs_data) = (0.0, 0.0);
    for n in 0..netlist.n_nets {
        let e = 0.5 * load[n] * 1e-12 * v * v * act(n) * f_hz;
        match driver[n] {
            Some(k) => out[k].switching += e,
            None if Some(n) == inp.clock_net => inputs_clock += e,
            None => inputs_data += e,
        }
    }
    for (k, c) in netlist.cells.iter().enumerate() {
        let lc = cells[k];
        out[k].leakage = lc.leakage_w.unwrap_or(0.0);
        let conn_of = |pin: &str| c.pins.iter().find(|(p, _)| p == pin).map(|(_, x)| *x);
        let mut e_cycle = 0.0; // pJ per cycle
        for (pin, conn) in &c.pins {
            let lp = cells[k].pin(pin).expect("checked above");
            let a = act_of(*conn);
            if a == 0.0 || lp.internal_power.is_empty() {
                continue;
            }
            let mean = |ip: &super::liberty::InternalPower, ld: f64| {
                let r = ip.rise.as_ref().map_or(0.0, |t| t.lookup(ld, inp.slew_ns));
                let f = ip.fall.as_ref().map_or(0.0, |t| t.lookup(ld, inp.slew_ns));
                (r + f) * factor * pj_per_unit
            };
            match lp.direction {
                Direction::Input => {
                    for ip in &lp.internal_power {
                        e_cycle += a * mean(ip, 0.0);
                    }
                }
                _ => {
                    let ld = match conn {
                        Conn::Net(n) => load[*n],
                        Conn::Const(_) => 0.0,
                    };
                    let arcs: Vec<_> = lp.internal_power.iter().collect();
                    let weights: Vec<f64> = arcs
                        .iter()
                        .map(|ip| {
                            ip.related_pin
                                .as_deref()
                                .and_then(conn_of)
                                .map_or(0.0, act_of)
                        })
                        .collect();
                    let wsum: f64 = weights.iter().sum();
                    let e: f64 = if wsum > 0.0 {
                        arcs.iter()
                            .zip(&weights)
                            .map(|(ip, w)| w / wsum * mean(ip, ld))
                            .sum()
                    } else {
                        arcs.iter().map(|ip| mean(ip, ld)).sum::<f64>() / arcs.len() as f64
                    };
                    e_cycle += a * e;
                }
            }
        }
        out[k].internal = e_cycle * 1e-12 * f_hz;
    }
    Ok(SumPower {
        cells: out,
        inputs_clock,
        inputs_data,
    })
}
