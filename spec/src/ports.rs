//! The cycle-level port map of the receive top, shared by the three implementations
//! (reference model, rust-hdl simulation, Verilator) and by the stimulus files.
//!
//! Ports of `top` for P = `RxParams::lanes` samples per clock (exported Verilog names in
//! brackets; rust-hdl names the lanes of a vector port `name$j`):
//! * inputs : `clock`, `rst` (synchronous, active high), `cfg_we`, `cfg_addr[5:0]`,
//!   `cfg_data[7:0]` (two's complement), `adc$j[5:0]` for lanes j = 0..P-1 (two's
//!   complement ADC codes; lane 0 is the oldest sample of the clock's block)
//! * outputs per lane: `y$j[7:0]` (FFE output, Q7.1), `symbol$j[1:0]` (0..3), `gray$j[1:0]`
//!   (Gray bits, msb first), `err$j[8:0]` (slicer error, Q8.1)
//! * outputs shared: `phase[6:0]` (PI code), `lock`, `freq[19:0]` (CDR integral register,
//!   signed), `gain[4:0]` (the amplifier's gain code), `rd_data[7:0]` (the register at the
//!   previous cycle's `cfg_addr`: the read-back)
//!
//! Cycle convention: a cycle applies `RxIn` before a rising clock edge and reads `RxOut`
//! after it. All outputs are registered, so `RxOut` of cycle n is a function of the inputs
//! of cycles <= n. A cycle with `rst` set forces every register to its reset value at
//! that edge; its outputs are those reset values, and they are compared like any other.
//! `RxIn`/`RxOut` carry MAX_LANES lanes; only the first P mean anything (the others are
//! zero in every implementation and are not compared).

use crate::*;

/// Bit positions of the packed words the Verilator harness exchanges. One cycle is P
/// input words (u32) and P + 1 output words (u64, [`out_words`]). Input word 0 carries the
/// control fields and lane 0's ADC code; input word j > 0 carries lane j's ADC code at
/// IN_ADC_SHIFT. Output word j < P carries lane j's y, err, symbol and gray and (in every
/// lane word) the shared phase, lock and freq; word P, the status word, carries the gain
/// code and the read-back. The C++ harness is generated from these (cporx_cosim::verilator).
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
/// The status word (word P): bits 7:0 rd_data, 12:8 gain.
pub const OUT_RD_SHIFT: u32 = 0;
pub const OUT_GAIN_SHIFT: u32 = 8;
/// Output words per cycle at `lanes` lanes: one per lane and the status word.
pub const fn out_words(lanes: usize) -> usize {
    lanes + 1
}
const _: () = assert!(OUT_PHASE_SHIFT as usize + PI_BITS <= OUT_LOCK_SHIFT as usize);
const _: () = assert!(OUT_RD_SHIFT as usize + CFG_DATA_BITS <= OUT_GAIN_SHIFT as usize);
const _: () = assert!(IN_ADDR_SHIFT as usize + CFG_ADDR_BITS <= IN_WE_SHIFT as usize);
const _: () = assert!(OUT_FREQ_SHIFT as usize + FREQ_BITS <= 64);

/// Inputs applied in one clock cycle. `cfg_data` and `adc` are signed codes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RxIn {
    pub rst: bool,
    pub cfg_we: bool,
    pub cfg_addr: u32,
    pub cfg_data: i32,
    /// ADC code of each lane (lane 0 the oldest sample); lanes >= P are ignored.
    pub adc: [i32; MAX_LANES],
}

/// One lane's outputs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct LaneOut {
    pub y: i32,
    pub symbol: u8,
    pub gray: u8,
    pub err: i32,
}

/// Outputs read after the clock edge of one cycle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RxOut {
    /// per-lane outputs; lanes >= P are zero
    pub lane: [LaneOut; MAX_LANES],
    /// PI code, 0 ..= 2^PI_BITS - 1
    pub phase: u8,
    pub lock: bool,
    /// CDR frequency (integral) register, signed, phase-accumulator LSBs per UI
    pub freq: i32,
    /// the amplifier's gain code, 0 ..= GAIN_MAX (GAIN_UNITY without the AGC)
    pub gain: u8,
    /// read-back: the 8-bit pattern of the register at the previous cycle's `cfg_addr` as
    /// it was before that cycle's edge (0 at unused addresses and after reset)
    pub rd_data: u8,
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("stimulus cycle {cycle}: input `{name}` = {value} is out of range: legal is {lo} ..= {hi}")]
pub struct StimulusError {
    pub cycle: usize,
    pub name: String,
    pub value: i64,
    pub lo: i64,
    pub hi: i64,
}

impl RxIn {
    /// A data cycle carrying one ADC code in lane 0 (the one-lane datapath).
    pub fn sample(adc: i32) -> Self {
        let mut i = RxIn::default();
        i.adc[0] = adc;
        i
    }
    /// A data cycle carrying a block of ADC codes, lane 0 first.
    pub fn block(adc: &[i32]) -> Self {
        let mut i = RxIn::default();
        i.adc[..adc.len()].copy_from_slice(adc);
        i
    }
    pub fn reset() -> Self {
        RxIn {
            rst: true,
            ..Default::default()
        }
    }
    /// A configuration write; `adc` goes to lane 0.
    pub fn write(addr: u32, data: i32, adc: i32) -> Self {
        let mut i = RxIn::sample(adc);
        i.cfg_we = true;
        i.cfg_addr = addr;
        i.cfg_data = data;
        i
    }

    /// Check every field against its port width; `cycle` is for the message.
    pub fn validate(&self, cycle: usize) -> Result<(), StimulusError> {
        let (alo, ahi) = signed_range(ADC_BITS);
        let (dlo, dhi) = signed_range(CFG_DATA_BITS);
        let amax = (1i64 << CFG_ADDR_BITS) - 1;
        let bad = |name: String, value: i64, lo: i64, hi: i64| StimulusError {
            cycle,
            name,
            value,
            lo,
            hi,
        };
        for (j, &a) in self.adc.iter().enumerate() {
            if !(alo..=ahi).contains(&a) {
                return Err(bad(format!("adc[{j}]"), a as i64, alo as i64, ahi as i64));
            }
        }
        if !(dlo..=dhi).contains(&self.cfg_data) {
            return Err(bad(
                "cfg_data".into(),
                self.cfg_data as i64,
                dlo as i64,
                dhi as i64,
            ));
        }
        if self.cfg_addr as i64 > amax {
            return Err(bad("cfg_addr".into(), self.cfg_addr as i64, 0, amax));
        }
        Ok(())
    }

    /// Pack into the `lanes` 32-bit words the Verilator harness reads: word 0 bits 5:0
    /// adc[0], 15:8 cfg_data, 21:16 cfg_addr, 24 cfg_we, 25 rst; word j bits 5:0 adc[j]
    /// (the `IN_*_SHIFT` constants).
    #[inline]
    pub fn pack_into(&self, lanes: usize, out: &mut Vec<u32>) {
        out.push(
            to_raw(self.adc[0], ADC_BITS) << IN_ADC_SHIFT
                | to_raw(self.cfg_data, CFG_DATA_BITS) << IN_DATA_SHIFT
                | to_raw(self.cfg_addr as i32, CFG_ADDR_BITS) << IN_ADDR_SHIFT
                | (self.cfg_we as u32) << IN_WE_SHIFT
                | (self.rst as u32) << IN_RST_SHIFT,
        );
        for j in 1..lanes {
            out.push(to_raw(self.adc[j], ADC_BITS) << IN_ADC_SHIFT);
        }
    }
}

impl RxOut {
    /// Lane 0's outputs (the one-lane datapath's y, symbol, gray, err).
    #[inline]
    pub fn l0(&self) -> &LaneOut {
        &self.lane[0]
    }

    /// Pack lane `j` and the shared fields into the 64-bit word the Verilator harness
    /// writes: bits 7:0 y, 16:8 err, 25:24 symbol, 29:28 gray, 38:32 phase, 39 lock, 59:40
    /// freq (the `OUT_*_SHIFT` constants).
    #[inline]
    pub fn pack_lane(&self, j: usize) -> u64 {
        let l = &self.lane[j];
        (to_raw(l.y, Y_BITS) as u64) << OUT_Y_SHIFT
            | (to_raw(l.err, ERR_BITS) as u64) << OUT_ERR_SHIFT
            | (l.symbol as u64 & 3) << OUT_SYM_SHIFT
            | (l.gray as u64 & 3) << OUT_GRAY_SHIFT
            | (to_raw(self.phase as i32, PI_BITS) as u64) << OUT_PHASE_SHIFT
            | (self.lock as u64) << OUT_LOCK_SHIFT
            | (to_raw(self.freq, FREQ_BITS) as u64) << OUT_FREQ_SHIFT
    }

    /// The status word (word P of a cycle): rd_data and gain (the `OUT_RD_SHIFT`,
    /// `OUT_GAIN_SHIFT` constants).
    #[inline]
    pub fn pack_status(&self) -> u64 {
        (self.rd_data as u64) << OUT_RD_SHIFT
            | (self.gain as u64 & GAIN_MAX as u64) << OUT_GAIN_SHIFT
    }

    /// Unpack one cycle's `words.len()` = P + 1 output words ([`out_words`]: shared fields
    /// from word 0, the status word last).
    #[inline]
    pub fn unpack(words: &[u64]) -> Self {
        let (s, words) = words.split_last().expect("P + 1 output words");
        let w = words[0];
        let mut o = RxOut {
            lane: [LaneOut::default(); MAX_LANES],
            phase: ((w >> OUT_PHASE_SHIFT) as u32 & ((1 << PI_BITS) - 1)) as u8,
            lock: (w >> OUT_LOCK_SHIFT) & 1 == 1,
            freq: sext((w >> OUT_FREQ_SHIFT) as u32, FREQ_BITS),
            rd_data: (s >> OUT_RD_SHIFT) as u8,
            gain: ((s >> OUT_GAIN_SHIFT) & GAIN_MAX as u64) as u8,
        };
        for (j, &w) in words.iter().enumerate() {
            o.lane[j] = LaneOut {
                y: sext((w >> OUT_Y_SHIFT) as u32, Y_BITS),
                err: sext((w >> OUT_ERR_SHIFT) as u32, ERR_BITS),
                symbol: ((w >> OUT_SYM_SHIFT) & 3) as u8,
                gray: ((w >> OUT_GRAY_SHIFT) & 3) as u8,
            };
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn pack_round_trip() {
        let mut o = RxOut {
            phase: 127,
            lock: true,
            freq: -(1 << (FREQ_BITS - 1)),
            gain: 31,
            rd_data: 0x80,
            ..Default::default()
        };
        o.lane[0] = LaneOut {
            y: -128,
            err: -256,
            symbol: 3,
            gray: 2,
        };
        o.lane[1] = LaneOut {
            y: 127,
            err: 255,
            symbol: 1,
            gray: 1,
        };
        let pack = |o: &RxOut| -> Vec<u64> {
            (0..2)
                .map(|j| o.pack_lane(j))
                .chain([o.pack_status()])
                .collect()
        };
        assert_eq!(RxOut::unpack(&pack(&o)), o);
        let o2 = RxOut {
            phase: 0,
            lock: false,
            freq: (1 << (FREQ_BITS - 1)) - 1,
            gain: 0,
            rd_data: 0x7f,
            ..o
        };
        let w = pack(&o2);
        assert_eq!(RxOut::unpack(&w), o2);
        let mut words = vec![];
        RxIn::block(&[-32, 31, 5]).pack_into(3, &mut words);
        assert_eq!(words, vec![32, 31, 5]);
    }
    #[test]
    fn stimulus_range_errors() {
        let e = RxIn::sample(32).validate(7).unwrap_err().to_string();
        assert!(
            e.contains("cycle 7") && e.contains("adc[0]") && e.contains("-32 ..= 31"),
            "{e}"
        );
        assert!(RxIn::sample(-32).validate(0).is_ok());
        assert!(RxIn::write(64, 0, 0).validate(0).is_err());
        assert!(RxIn::write(63, 0, 0).validate(0).is_ok());
        assert!(RxIn::write(3, -129, 0).validate(0).is_err());
        let e = RxIn::block(&[0, 0, -33])
            .validate(2)
            .unwrap_err()
            .to_string();
        assert!(e.contains("adc[2]"), "{e}");
    }
}
