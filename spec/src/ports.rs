//! The cycle-level port map of the receive top, shared by the three implementations
//! (reference model, rust-hdl simulation, Verilator) and by the stimulus files.
//!
//! Ports of `top` (exported Verilog names in brackets):
//! * inputs : `clock`, `rst` (synchronous, active high), `cfg_we`, `cfg_addr[4:0]`,
//!   `cfg_data[7:0]` (two's complement), `adc[5:0]` (two's complement ADC code)
//! * outputs: `y[7:0]` (FFE output, Q7.1), `symbol[1:0]` (0..3), `gray[1:0]` (Gray bits,
//!   msb first), `err[8:0]` (slicer error, Q8.1), `phase[6:0]` (PI code), `lock`,
//!   `freq[19:0]` (CDR integral register, signed)
//!
//! Cycle convention: a cycle applies `RxIn` before a rising clock edge and reads `RxOut`
//! after it. All outputs are registered, so `RxOut` of cycle n is a function of the inputs
//! of cycles <= n. A cycle with `rst` set forces every register to its reset value at
//! that edge; its outputs are those reset values, and they are compared like any other.

use crate::*;

/// Bit positions of the packed words the Verilator harness exchanges: a 32-bit input
/// word and a 64-bit output word (the C++ harness is generated from these, see
/// cporx_sim::verilator).
pub const IN_ADC_SHIFT: u32 = 0;
pub const IN_DATA_SHIFT: u32 = 8;
pub const IN_ADDR_SHIFT: u32 = 16;
pub const IN_WE_SHIFT: u32 = 24;
pub const IN_RST_SHIFT: u32 = 25;
pub const OUT_Y_SHIFT: u32 = 0;
pub const OUT_ERR_SHIFT: u32 = 8;
pub const OUT_SYM_SHIFT: u32 = 24;
pub const OUT_GRAY_SHIFT: u32 = 28;
pub const OUT_PHASE_SHIFT: u32 = 32;
pub const OUT_LOCK_SHIFT: u32 = 39;
pub const OUT_FREQ_SHIFT: u32 = 40;
const _: () = assert!(OUT_PHASE_SHIFT as usize + PI_BITS <= OUT_LOCK_SHIFT as usize);
const _: () = assert!(OUT_FREQ_SHIFT as usize + FREQ_BITS <= 64);

/// Inputs applied in one clock cycle. `cfg_data` and `adc` are signed codes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RxIn {
    pub rst: bool,
    pub cfg_we: bool,
    pub cfg_addr: u32,
    pub cfg_data: i32,
    pub adc: i32,
}

/// Outputs read after the clock edge of one cycle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RxOut {
    pub y: i32,
    pub symbol: u8,
    pub gray: u8,
    pub err: i32,
    /// PI code, 0 ..= 2^PI_BITS - 1
    pub phase: u8,
    pub lock: bool,
    /// CDR frequency (integral) register, signed, phase-accumulator LSBs per UI
    pub freq: i32,
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("stimulus cycle {cycle}: input `{name}` = {value} is out of range: legal is {lo} ..= {hi}")]
pub struct StimulusError {
    pub cycle: usize,
    pub name: &'static str,
    pub value: i64,
    pub lo: i64,
    pub hi: i64,
}

impl RxIn {
    /// A data cycle carrying one ADC code.
    pub fn sample(adc: i32) -> Self {
        RxIn {
            adc,
            ..Default::default()
        }
    }
    pub fn reset() -> Self {
        RxIn {
            rst: true,
            ..Default::default()
        }
    }
    pub fn write(addr: u32, data: i32, adc: i32) -> Self {
        RxIn {
            cfg_we: true,
            cfg_addr: addr,
            cfg_data: data,
            adc,
            ..Default::default()
        }
    }

    /// Check every field against its port width; `cycle` is for the message.
    pub fn validate(&self, cycle: usize) -> Result<(), StimulusError> {
        let (alo, ahi) = signed_range(ADC_BITS);
        let (dlo, dhi) = signed_range(CFG_DATA_BITS);
        let amax = (1i64 << CFG_ADDR_BITS) - 1;
        let bad = |name, value: i64, lo: i64, hi: i64| StimulusError {
            cycle,
            name,
            value,
            lo,
            hi,
        };
        if !(alo..=ahi).contains(&self.adc) {
            return Err(bad("adc", self.adc as i64, alo as i64, ahi as i64));
        }
        if !(dlo..=dhi).contains(&self.cfg_data) {
            return Err(bad(
                "cfg_data",
                self.cfg_data as i64,
                dlo as i64,
                dhi as i64,
            ));
        }
        if self.cfg_addr as i64 > amax {
            return Err(bad("cfg_addr", self.cfg_addr as i64, 0, amax));
        }
        Ok(())
    }

    /// Pack into the 32-bit word the Verilator harness reads:
    /// bits 5:0 adc, 15:8 cfg_data, 20:16 cfg_addr, 24 cfg_we, 25 rst (the `IN_*_SHIFT` constants).
    #[inline]
    pub fn pack(&self) -> u32 {
        to_raw(self.adc, ADC_BITS) << IN_ADC_SHIFT
            | to_raw(self.cfg_data, CFG_DATA_BITS) << IN_DATA_SHIFT
            | to_raw(self.cfg_addr as i32, CFG_ADDR_BITS) << IN_ADDR_SHIFT
            | (self.cfg_we as u32) << IN_WE_SHIFT
            | (self.rst as u32) << IN_RST_SHIFT
    }
}

impl RxOut {
    /// Pack into the 64-bit word the Verilator harness writes: bits 7:0 y, 16:8 err,
    /// 25:24 symbol, 29:28 gray, 38:32 phase, 39 lock, 59:40 freq (the `OUT_*_SHIFT` constants).
    #[inline]
    pub fn pack(&self) -> u64 {
        (to_raw(self.y, Y_BITS) as u64) << OUT_Y_SHIFT
            | (to_raw(self.err, ERR_BITS) as u64) << OUT_ERR_SHIFT
            | (self.symbol as u64 & 3) << OUT_SYM_SHIFT
            | (self.gray as u64 & 3) << OUT_GRAY_SHIFT
            | (to_raw(self.phase as i32, PI_BITS) as u64) << OUT_PHASE_SHIFT
            | (self.lock as u64) << OUT_LOCK_SHIFT
            | (to_raw(self.freq, FREQ_BITS) as u64) << OUT_FREQ_SHIFT
    }
    #[inline]
    pub fn unpack(w: u64) -> Self {
        RxOut {
            y: sext((w >> OUT_Y_SHIFT) as u32, Y_BITS),
            err: sext((w >> OUT_ERR_SHIFT) as u32, ERR_BITS),
            symbol: ((w >> OUT_SYM_SHIFT) & 3) as u8,
            gray: ((w >> OUT_GRAY_SHIFT) & 3) as u8,
            phase: ((w >> OUT_PHASE_SHIFT) as u32 & ((1 << PI_BITS) - 1)) as u8,
            lock: (w >> OUT_LOCK_SHIFT) & 1 == 1,
            freq: sext((w >> OUT_FREQ_SHIFT) as u32, FREQ_BITS),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn pack_round_trip() {
        let o = RxOut {
            y: -128,
            err: -256,
            symbol: 3,
            gray: 2,
            phase: 127,
            lock: true,
            freq: -(1 << (FREQ_BITS - 1)),
        };
        assert_eq!(RxOut::unpack(o.pack()), o);
        let o = RxOut {
            y: 127,
            err: 255,
            symbol: 1,
            gray: 1,
            phase: 0,
            lock: false,
            freq: (1 << (FREQ_BITS - 1)) - 1,
        };
        assert_eq!(RxOut::unpack(o.pack()), o);
    }
    #[test]
    fn stimulus_range_errors() {
        let e = RxIn::sample(32).validate(7).unwrap_err().to_string();
        assert!(
            e.contains("cycle 7") && e.contains("adc") && e.contains("-32 ..= 31"),
            "{e}"
        );
        assert!(RxIn::sample(-32).validate(0).is_ok());
        assert!(RxIn::write(32, 0, 0).validate(0).is_err());
        assert!(RxIn::write(3, -129, 0).validate(0).is_err());
    }
}
