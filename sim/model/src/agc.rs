//! AGC: the gain-control loop, from the ADC codes' mean magnitude to the gain code the
//! analog front end's variable-gain amplifier applies before the ADC.
//!
//! ```text
//! at clock edge c, with every register as it was before the edge:
//!   s    = sum over the P lanes of d_j                  (x_j this clock's ADC block)
//!   d_j  = |x_j| - T                                    (K = 0: the mean mode)
//!   d_j  = 2^K - 1 if |x_j| >= T, else -1               (K >= 1: the tail mode)
//!   a    = acc + s                                      (exact; |a| < 2^20)
//!   gain = max(gain - 1, 0), acc = 0        if enable and a >= 2^W   (too loud: step down)
//!   gain = min(gain + 1, GAIN_MAX), acc = 0 if enable and a <= -2^W  (too quiet: step up)
//!   acc  = a                                if enable otherwise
//!   a bus write: CFG_AGC_TARGET -> T = data[5:0], CFG_AGC_WINDOW -> W = data[3:0] and K = data[7:4],
//!                CFG_GAIN -> gain = data[4:0] and acc = 0 (the bus wins over the loop)
//! ```
//!
//! The loop is a bang-bang integrator: the gain code moves one step (`GAIN_STEP_DB` =
//! 0.5 dB) once the deviation of |x| from the target has summed to 2^W codes, so the
//! equilibrium is mean |x| = T (mean mode) or a fraction 2^-K of the samples at or beyond
//! T (tail mode: sum d = n_hit 2^K - n = 0), and the step rate falls as the loop nears it.
//!
//! **Parameters** (`AdaptParams`): `agc_target` T 1 ..= 31, `agc_window` W 0 ..= 15,
//! `agc_tail` K 0 ..= 15, `reset_gain` 0 ..= 31; `lanes` P.
//! **Ports**: [`AgcModel::step`] takes [`AgcIn`] (reset, the bus, this clock's ADC codes,
//! enable) before the edge; `gain` is the output register.
//! **Formats**: x Q6.0 (|x| <= 32); T unsigned 6 bits; W, K 4 bits each; acc signed
//! `AGC_ACC_BITS` (21; never saturates, `spec/src/agc.rs`); gain unsigned 5 bits.
//! **Latency**: `LAT_AGC` = 1: the block captured at edge c moves the gain after edge c.
//! **Reset**: T, W, K and gain to their `AdaptParams` values, acc to 0. Power-up: all 0.
//!
//! See also: RTL `hdl/src/agc.rs`, spec docs/numerics.md "AGC (gain control)" and
//! `spec/src/agc.rs`, test `verif/tests/agc.rs`.

use cporx_spec::*;

/// One edge's inputs of the AGC.
#[derive(Clone, Copy, Debug, Default)]
pub struct AgcIn {
    pub rst: bool,
    pub cfg_we: bool,
    pub cfg_addr: u32,
    pub cfg_data: i32,
    /// this clock's ADC codes (lanes >= P ignored)
    pub adc: [i32; MAX_LANES],
    pub enable: bool,
}

#[derive(Clone, Debug)]
pub struct AgcModel {
    lanes: usize,
    reset: [u32; 3],
    /// T, the target mean |x| (unsigned ADC codes)
    pub target: u32,
    /// the window register: W (log2 of the window) in bits 3:0, K (tail mode) in 7:4
    pub window: u32,
    /// the gain code on the `gain` output
    pub gain: u32,
    /// the accumulated deviation, signed
    pub acc: i32,
}

impl AgcModel {
    /// `None` when `p.adapt` is `None`.
    pub fn new(p: &RxParams) -> Result<Option<Self>, ParamError> {
        p.validate()?;
        let Some(a) = &p.adapt else { return Ok(None) };
        Ok(Some(AgcModel {
            lanes: p.lanes,
            reset: [a.agc_target, a.agc_window_reg(), a.reset_gain],
            target: 0,
            window: 0,
            gain: 0,
            acc: 0,
        }))
    }

    /// One clock edge.
    pub fn step(&mut self, i: &AgcIn) {
        if i.rst {
            [self.target, self.window, self.gain] = self.reset;
            self.acc = 0;
            return;
        }
        let (mut gain, mut acc) = (self.gain, self.acc);
        if i.enable {
            let t = self.target as i32;
            let k = self.window >> AGC_WINDOW_BITS;
            let s: i32 = i.adc[..self.lanes]
                .iter()
                .map(|x| match k {
                    0 => x.abs() - t,
                    _ if x.abs() >= t => (1 << k) - 1,
                    _ => -1,
                })
                .sum();
            let a = self.acc + s;
            let w = 1i32 << (self.window & AGC_WINDOW_MAX);
            if a >= w {
                gain = self.gain.saturating_sub(1);
                acc = 0;
            } else if a <= -w {
                gain = (self.gain + 1).min(GAIN_MAX);
                acc = 0;
            } else {
                acc = a;
            }
        }
        if i.cfg_we {
            let raw = to_raw(i.cfg_data, CFG_DATA_BITS);
            match i.cfg_addr {
                CFG_AGC_TARGET => self.target = raw & ((1 << AGC_TARGET_BITS) - 1),
                CFG_AGC_WINDOW => self.window = raw,
                CFG_GAIN => {
                    gain = raw & GAIN_MAX;
                    acc = 0;
                }
                _ => {}
            }
        }
        (self.gain, self.acc) = (gain, acc);
    }

    /// The read-back of the AGC's registers (`None` at other addresses).
    pub fn read(&self, addr: u32) -> Option<u32> {
        match addr {
            CFG_AGC_TARGET => Some(self.target),
            CFG_AGC_WINDOW => Some(self.window),
            CFG_GAIN => Some(self.gain),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agc(lanes: usize) -> AgcModel {
        let p = RxParams {
            adapt: Some(AdaptParams {
                agc_target: 16,
                agc_tail: 0,
                agc_window: 10,
                ..AdaptParams::default()
            }),
            ..RxParams::default()
        }
        .with_lanes(lanes)
        .unwrap();
        let mut m = AgcModel::new(&p).unwrap().unwrap();
        m.step(&AgcIn {
            rst: true,
            ..Default::default()
        });
        m
    }

    fn data(x: i32, enable: bool) -> AgcIn {
        AgcIn {
            adc: [x; MAX_LANES],
            enable,
            ..Default::default()
        }
    }

    /// Too loud steps the gain down after 2^W / (|x| - T) clocks, too quiet steps it up,
    /// on target it holds; the code saturates at both ends.
    #[test]
    fn steps_toward_the_target_and_saturates() {
        let mut m = agc(1);
        assert_eq!((m.target, m.window, m.gain), (16, 10, GAIN_UNITY));
        // |x| = 32: 16 codes too loud per clock, 2^10 / 16 = 64 clocks per step
        for _ in 0..63 {
            m.step(&data(-32, true));
        }
        assert_eq!(m.gain, GAIN_UNITY);
        m.step(&data(-32, true));
        assert_eq!((m.gain, m.acc), (GAIN_UNITY - 1, 0));
        for _ in 0..64 * 40 {
            m.step(&data(32, true));
        }
        assert_eq!(m.gain, 0, "saturates at 0");
        for _ in 0..1000 {
            m.step(&data(16, true));
        }
        assert_eq!((m.gain, m.acc), (0, 0), "on target");
        for _ in 0..64 * 40 {
            m.step(&data(0, true));
        }
        assert_eq!(m.gain, GAIN_MAX, "saturates at the top");
        for _ in 0..1000 {
            m.step(&data(0, false));
        }
        assert_eq!(m.gain, GAIN_MAX, "disabled holds");
    }

    /// The tail mode holds the fraction of samples at or beyond T at 2^-K: with one lane
    /// in 8 at |x| = 31 and K = 3, the gain holds; one in 4 is too loud, one in 16 quiet.
    #[test]
    fn tail_mode_holds_the_fraction() {
        for (every, want) in [(8, 0i32), (4, -1), (16, 1)] {
            let mut m = agc(1);
            m.target = 31;
            m.window = 4 | 3 << AGC_WINDOW_BITS;
            for n in 0..800 {
                let x = if n % every == 0 { -32 } else { 10 };
                m.step(&data(x, true));
            }
            let moved = m.gain as i32 - GAIN_UNITY as i32;
            assert_eq!(moved.signum(), want, "1 in {every}: moved {moved}");
        }
    }

    #[test]
    fn bus_writes_and_reads() {
        let mut m = agc(4);
        let w = |addr, data| AgcIn {
            cfg_we: true,
            cfg_addr: addr,
            cfg_data: data,
            ..data_in()
        };
        fn data_in() -> AgcIn {
            AgcIn {
                adc: [31; MAX_LANES],
                enable: true,
                ..Default::default()
            }
        }
        m.step(&w(CFG_AGC_WINDOW, 0));
        assert_eq!(m.read(CFG_AGC_WINDOW), Some(0));
        m.step(&w(CFG_AGC_TARGET, -1)); // 0xff: T = 63
        m.step(&w(CFG_GAIN, 7));
        assert_eq!(
            (m.read(CFG_AGC_TARGET), m.read(CFG_AGC_WINDOW)),
            (Some(63), Some(0))
        );
        assert_eq!((m.gain, m.acc), (7, 0), "the bus wins over the loop");
        m.step(&data_in()); // 4 lanes of 31 - 63 = -128 <= -1: up
        assert_eq!(m.gain, 8);
        assert_eq!(m.read(5), None);
    }
}
