//! Adapt: the receive top's adaptation, present when `RxParams::adapt` is `Some`: the
//! control registers on the configuration bus, the sign-sign LMS (`lms`), the
//! slicer-level adaptation (`levels`), the gain control (`agc`), and the arbitration of their write ports.
//!
//! ```text
//! at clock edge c, with every register as it was before the edge:
//!   FFE write inputs    = the bus if cfg_we, else the LMS port (wr_we, wr_addr, wr_data)
//!   slicer write inputs = the bus if cfg_we, else the levels port
//!   LMS    <- bus, adc, err[0], enable = CTRL[0], mu = MU[3:0], freeze = freeze_mask(FREEZE)
//!   levels <- bus, symbol[0], err[0], enable = CTRL[1], mu = MU[7:4]
//!   AGC    <- bus, adc, enable = CTRL[2]
//!   CTRL, MU, FREEZE <- the bus at CFG_ADAPT, CFG_ADAPT_MU, CFG_LMS_FREEZE
//!   (CTRL[3] enables the DFE tap's adaptation, RxParams::dfe_taps = 1: the DFE keeps
//!   copies of CTRL[3] and MU[3:0], sim/model/src/dfe.rs)
//! ```
//!
//! **Parameters** (`RxParams`): `adapt` (`AdaptParams`: the three registers' reset values;
//! `lms_mu`, `levels_mu` 0 ..= 15, `main_tap` 0 ..= n_taps - 1), and what the LMS and
//! levels read (`lanes`, `n_taps`, `reset_coefs`, `targets`).
//! **Ports**: [`AdaptModel::step`] takes the top's inputs and lane 0's slicer registers
//! before the edge and returns the write inputs the FFE and the slicer take at this edge.
//! **Formats**: those of `lms` and `levels`; the registers are raw patterns (CTRL 4 bits,
//! MU 8, FREEZE 7).
//! **Latency**: a register written at edge c steers the loops from edge c + 1; a port write
//! reaches its block's register one edge after the port shows it.
//! **Reset**: the registers to `AdaptParams::{ctrl, mu, freeze}()`, the loops as theirs.
//! Power-up: every register 0 (both loops off).
//!
//! See also: RTL `hdl/src/adapt.rs`, spec docs/numerics.md "Adaptation in the receive
//! top" and `spec/src/rx_top.rs`, tests `verif/tests/rx_top.rs` (the top with adaptation)
//! and `verif/tests/equivalence.rs`.

use crate::agc::{AgcIn, AgcModel};
use crate::levels::{LevelsIn, LevelsModel};
use crate::lms::{LmsIn, LmsModel};
use cporx_spec::*;

#[derive(Clone, Debug)]
pub struct AdaptModel {
    reset_regs: [u32; 3],
    /// `CFG_ADAPT`, `CFG_ADAPT_MU`, `CFG_LMS_FREEZE` (raw 8-bit patterns)
    pub regs: [u32; 3],
    pub lms: LmsModel,
    pub levels: LevelsModel,
    pub agc: AgcModel,
}

impl AdaptModel {
    /// `None` when `p.adapt` is `None` (the fixed-tap receiver).
    pub fn new(p: &RxParams) -> Result<Option<Self>, ParamError> {
        p.validate()?;
        let Some(a) = &p.adapt else { return Ok(None) };
        Ok(Some(AdaptModel {
            reset_regs: [a.ctrl(), a.mu(), a.freeze()],
            regs: [0; 3],
            lms: LmsModel::new(p)?,
            levels: LevelsModel::new(p)?,
            agc: AgcModel::new(p)?.expect("adapt is Some"),
        }))
    }

    /// One clock edge. `sym0`, `err0`: lane 0's slicer registers before the edge. Returns
    /// the write inputs (we, addr, data) of the FFE and of the slicer at this edge.
    pub fn step(&mut self, i: &RxIn, sym0: u8, err0: i32) -> (RxIn, RxIn) {
        let port = |we: bool, addr: u32, data: i32| {
            if i.cfg_we || !we {
                *i
            } else {
                RxIn {
                    cfg_we: true,
                    cfg_addr: addr,
                    cfg_data: data,
                    ..*i
                }
            }
        };
        let l = self.lms.out;
        let v = self.levels.out;
        let ffe_in = port(l.wr_we, l.wr_addr, l.wr_data);
        let slicer_in = port(v.wr_we, v.wr_addr, v.wr_data);
        let [ctrl, mu, freeze] = self.regs;
        self.lms.step(&LmsIn {
            rst: i.rst,
            cfg_we: i.cfg_we,
            cfg_addr: i.cfg_addr,
            cfg_data: i.cfg_data,
            adc: i.adc,
            err: err0,
            enable: ctrl & 1 == 1,
            mu: mu & 15,
            freeze: freeze_mask(freeze),
        });
        self.levels.step(&LevelsIn {
            rst: i.rst,
            cfg_we: i.cfg_we,
            cfg_addr: i.cfg_addr,
            cfg_data: i.cfg_data,
            symbol: sym0,
            err: err0,
            enable: ctrl >> 1 & 1 == 1,
            mu: mu >> 4 & 15,
        });
        self.agc.step(&AgcIn {
            rst: i.rst,
            cfg_we: i.cfg_we,
            cfg_addr: i.cfg_addr,
            cfg_data: i.cfg_data,
            adc: i.adc,
            enable: ctrl >> 2 & 1 == 1,
        });
        if i.rst {
            self.regs = self.reset_regs;
        } else if i.cfg_we {
            let raw = to_raw(i.cfg_data, CFG_DATA_BITS);
            match i.cfg_addr {
                CFG_ADAPT => self.regs[0] = raw & 15,
                CFG_ADAPT_MU => self.regs[1] = raw,
                CFG_LMS_FREEZE => self.regs[2] = raw & 0x7f,
                _ => {}
            }
        }
        (ffe_in, slicer_in)
    }

    /// The read-back of the adaptation's registers and the AGC's (`None` elsewhere).
    pub fn read(&self, addr: u32) -> Option<u32> {
        match addr {
            CFG_ADAPT => Some(self.regs[0]),
            CFG_ADAPT_MU => Some(self.regs[1]),
            CFG_LMS_FREEZE => Some(self.regs[2]),
            _ => self.agc.read(addr),
        }
    }
}
