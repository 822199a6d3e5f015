//! AGC: the gain-control loop, from the ADC codes' mean magnitude to the 5-bit gain code
//! the analog front end's variable-gain amplifier applies before the ADC (as the PI code
//! drives the sampler). A bang-bang integrator: each clock adds one term per lane to an
//! accumulator (|x_j| - T in the mean mode; 2^K - 1 when |x_j| >= T, else -1, in the tail
//! mode); when it reaches +2^W the gain steps down one code (0.5 dB), at -2^W up, and the
//! accumulator clears. Saturates at codes 0 and 31 (never wraps).
//!
//! ```text
//! d_j = |x_j| - T (K = 0), else (|x_j| >= T ? 2^K - 1 : -1);  s = sum_j d_j
//! a = acc + s                                                   (21-bit, never overflows)
//! a >= 2^W  -> gain = max(gain - 1, 0),  acc = 0
//! a <= -2^W -> gain = min(gain + 1, 31), acc = 0;   else acc = a   (only when enable)
//! bus: CFG_AGC_TARGET (32) T = data[5:0]; CFG_AGC_WINDOW (33) W = data[3:0], K = data[7:4];
//!      CFG_GAIN (34) gain = data[4:0], acc = 0 (the bus wins over the loop)
//! ```
//!
//! **Parameters** (`RxParams`, checked by `RxParams::validate`): `lanes` P; `adapt`
//! (`AdaptParams::{agc_target, agc_window, agc_tail, reset_gain}`: T 1 ..= 31, W 0 ..= 15,
//! K 0 ..= 15, gain 0 ..= 31, the registers' reset values).
//! **Ports**:
//! * in  `clock`, `rst`, `cfg_we`, `cfg_addr[5:0]`, `cfg_data[7:0]`, `enable`,
//!   `adc$j[5:0]` (this clock's ADC codes, lane j)
//! * out `gain[4:0]` (the register), `rd[7:0]` (the register at `cfg_addr`, else 0:
//!   combinational, the top registers it)
//! **Formats**: x Q6.0; T unsigned 6 bits; W, K 4 bits each; acc signed `AGC_ACC_BITS` (21);
//! gain unsigned `GAIN_BITS` (5), `cporx_spec::gain_db`.
//! **Latency**: `LAT_AGC` = 1 (the block captured at edge c moves `gain` after edge c).
//! **Reset**: T, W, gain to `AdaptParams`, acc to 0. Power-up: all 0 (gain code 0, -10 dB).
//!
//! See also: model `sim/model/src/agc.rs` (`AgcModel`), spec docs/numerics.md "AGC (gain
//! control)" and `spec/src/agc.rs`, test `verif/tests/agc.rs`.

use crate::{ext_mask, konst};
use cporx_spec::*;
use rust_hdl::prelude::*;

/// One lane's term of the AGC's sum: |x| - T in the mean mode (K = 0), 2^K - 1 or -1 in
/// the tail mode, in the accumulator's width (two's complement).
#[derive(LogicBlock)]
pub struct AgcLane {
    pub x: Signal<In, Bits<ADC_BITS>>,
    pub t: Signal<In, Bits<AGC_TARGET_BITS>>,
    pub k: Signal<In, Bits<AGC_TAIL_BITS>>,
    pub d: Signal<Out, Bits<AGC_ACC_BITS>>,
    ax: Signal<Local, Bits<AGC_ACC_BITS>>,
    te: Signal<Local, Bits<AGC_ACC_BITS>>,
    ext_x: Constant<Bits<AGC_ACC_BITS>>,
    msb_x: Constant<Bits<3>>,
    zero_a: Constant<Bits<AGC_ACC_BITS>>,
    one_a: Constant<Bits<AGC_ACC_BITS>>,
    zero_k: Constant<Bits<AGC_TAIL_BITS>>,
}

impl AgcLane {
    fn new() -> Self {
        AgcLane {
            x: Default::default(),
            t: Default::default(),
            k: Default::default(),
            d: Default::default(),
            ax: Default::default(),
            te: Default::default(),
            ext_x: konst(ext_mask(ADC_BITS, AGC_ACC_BITS)),
            msb_x: konst(ADC_BITS as u64 - 1),
            zero_a: konst(0),
            one_a: konst(1),
            zero_k: konst(0),
        }
    }
}

impl Logic for AgcLane {
    #[hdl_gen]
    fn update(&mut self) {
        // |x|, zero-extended
        self.ax.next = bit_cast::<AGC_ACC_BITS, ADC_BITS>(self.x.val());
        if self.x.val().get_bit(self.msb_x.val().index()) {
            self.ax.next = self.zero_a.val()
                - (bit_cast::<AGC_ACC_BITS, ADC_BITS>(self.x.val()) | self.ext_x.val());
        }
        self.te.next = bit_cast::<AGC_ACC_BITS, AGC_TARGET_BITS>(self.t.val());
        if self.k.val() == self.zero_k.val() {
            self.d.next = self.ax.val() - self.te.val();
        } else if self.ax.val() >= self.te.val() {
            self.d.next = (self.one_a.val() << self.k.val()) - self.one_a.val();
        } else {
            self.d.next = self.zero_a.val() - self.one_a.val();
        }
    }
}

#[derive(LogicBlock)]
pub struct Agc {
    pub clock: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub cfg_we: Signal<In, Bit>,
    pub cfg_addr: Signal<In, Bits<CFG_ADDR_BITS>>,
    pub cfg_data: Signal<In, Bits<CFG_DATA_BITS>>,
    /// the loop runs (`CFG_ADAPT` bit 2)
    pub enable: Signal<In, Bit>,
    /// this clock's ADC codes, Q6.0
    pub adc: Vec<Signal<In, Bits<ADC_BITS>>>,
    /// the gain code to the amplifier
    pub gain: Signal<Out, Bits<GAIN_BITS>>,
    /// read-back: the register at `cfg_addr`, 0 elsewhere
    pub rd: Signal<Out, Bits<CFG_DATA_BITS>>,
    t_r: DFF<Bits<AGC_TARGET_BITS>>,
    w_r: DFF<Bits<CFG_DATA_BITS>>,
    gain_r: DFF<Bits<GAIN_BITS>>,
    acc_r: DFF<Bits<AGC_ACC_BITS>>,
    lane: Vec<AgcLane>,
    sum: Signal<Local, Bits<AGC_ACC_BITS>>,
    a: Signal<Local, Bits<AGC_ACC_BITS>>,
    mag: Signal<Local, Bits<AGC_ACC_BITS>>,
    win: Signal<Local, Bits<AGC_ACC_BITS>>,
    msb_a: Constant<Bits<5>>,
    k_at: Constant<Bits<3>>,
    zero_a: Constant<Bits<AGC_ACC_BITS>>,
    one_a: Constant<Bits<AGC_ACC_BITS>>,
    zero_g: Constant<Bits<GAIN_BITS>>,
    max_g: Constant<Bits<GAIN_BITS>>,
    one_g: Constant<Bits<GAIN_BITS>>,
    zero_d: Constant<Bits<CFG_DATA_BITS>>,
    adr_t: Constant<Bits<CFG_ADDR_BITS>>,
    adr_w: Constant<Bits<CFG_ADDR_BITS>>,
    adr_g: Constant<Bits<CFG_ADDR_BITS>>,
    rst_t: Constant<Bits<AGC_TARGET_BITS>>,
    rst_w: Constant<Bits<CFG_DATA_BITS>>,
    rst_g: Constant<Bits<GAIN_BITS>>,
}

impl Agc {
    /// The AGC for `p`, `None` when `p.adapt` is `None`.
    pub fn new(p: &RxParams) -> Result<Option<Self>, ParamError> {
        p.validate()?;
        let Some(a) = &p.adapt else { return Ok(None) };
        Ok(Some(Agc {
            clock: Default::default(),
            rst: Default::default(),
            cfg_we: Default::default(),
            cfg_addr: Default::default(),
            cfg_data: Default::default(),
            enable: Default::default(),
            adc: (0..p.lanes).map(|_| Default::default()).collect(),
            gain: Default::default(),
            rd: Default::default(),
            t_r: Default::default(),
            w_r: Default::default(),
            gain_r: Default::default(),
            acc_r: Default::default(),
            lane: (0..p.lanes).map(|_| AgcLane::new()).collect(),
            sum: Default::default(),
            a: Default::default(),
            mag: Default::default(),
            win: Default::default(),
            msb_a: konst(AGC_ACC_BITS as u64 - 1),
            k_at: konst(AGC_WINDOW_BITS as u64),
            zero_a: konst(0),
            one_a: konst(1),
            zero_g: konst(0),
            max_g: konst(GAIN_MAX as u64),
            one_g: konst(1),
            zero_d: konst(0),
            adr_t: konst(CFG_AGC_TARGET as u64),
            adr_w: konst(CFG_AGC_WINDOW as u64),
            adr_g: konst(CFG_GAIN as u64),
            rst_t: konst(a.agc_target as u64),
            rst_w: konst(a.agc_window_reg() as u64),
            rst_g: konst(a.reset_gain as u64),
        }))
    }
}

impl Logic for Agc {
    #[hdl_gen]
    fn update(&mut self) {
        self.t_r.clock.next = self.clock.val();
        self.w_r.clock.next = self.clock.val();
        self.gain_r.clock.next = self.clock.val();
        self.acc_r.clock.next = self.clock.val();
        // s = sum_j d_j, in AGC_ACC_BITS two's complement
        self.sum.next = self.zero_a.val();
        for j in 0..self.adc.len() {
            self.lane[j].x.next = self.adc[j].val();
            self.lane[j].t.next = self.t_r.q.val();
            self.lane[j].k.next = self
                .w_r
                .q
                .val()
                .get_bits::<AGC_TAIL_BITS>(self.k_at.val().index());
            self.sum.next = self.sum.val() + self.lane[j].d.val();
        }
        self.a.next = self.acc_r.q.val() + self.sum.val();
        self.mag.next = self.a.val();
        if self.a.val().get_bit(self.msb_a.val().index()) {
            self.mag.next = self.zero_a.val() - self.a.val();
        }
        self.win.next = self.one_a.val() << self.w_r.q.val().get_bits::<AGC_WINDOW_BITS>(0);
        // the loop
        self.t_r.d.next = self.t_r.q.val();
        self.w_r.d.next = self.w_r.q.val();
        self.gain_r.d.next = self.gain_r.q.val();
        self.acc_r.d.next = self.acc_r.q.val();
        if self.enable.val() {
            self.acc_r.d.next = self.a.val();
            if self.mag.val() >= self.win.val() {
                self.acc_r.d.next = self.zero_a.val();
                if self.a.val().get_bit(self.msb_a.val().index()) {
                    if self.gain_r.q.val() != self.max_g.val() {
                        self.gain_r.d.next = self.gain_r.q.val() + self.one_g.val();
                    }
                } else if self.gain_r.q.val() != self.zero_g.val() {
                    self.gain_r.d.next = self.gain_r.q.val() - self.one_g.val();
                }
            }
        }
        // the bus
        if self.cfg_we.val() && (self.cfg_addr.val() == self.adr_t.val()) {
            self.t_r.d.next = self.cfg_data.val().get_bits::<AGC_TARGET_BITS>(0);
        }
        if self.cfg_we.val() && (self.cfg_addr.val() == self.adr_w.val()) {
            self.w_r.d.next = self.cfg_data.val();
        }
        if self.cfg_we.val() && (self.cfg_addr.val() == self.adr_g.val()) {
            self.gain_r.d.next = self.cfg_data.val().get_bits::<GAIN_BITS>(0);
            self.acc_r.d.next = self.zero_a.val();
        }
        if self.rst.val() {
            self.t_r.d.next = self.rst_t.val();
            self.w_r.d.next = self.rst_w.val();
            self.gain_r.d.next = self.rst_g.val();
            self.acc_r.d.next = self.zero_a.val();
        }
        // outputs
        self.gain.next = self.gain_r.q.val();
        self.rd.next = self.zero_d.val();
        if self.cfg_addr.val() == self.adr_t.val() {
            self.rd.next = bit_cast::<CFG_DATA_BITS, AGC_TARGET_BITS>(self.t_r.q.val());
        }
        if self.cfg_addr.val() == self.adr_w.val() {
            self.rd.next = self.w_r.q.val();
        }
        if self.cfg_addr.val() == self.adr_g.val() {
            self.rd.next = bit_cast::<CFG_DATA_BITS, GAIN_BITS>(self.gain_r.q.val());
        }
    }
}
