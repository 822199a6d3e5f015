//! Reference model of the receive top (RTL: hdl/src/rx_top.rs): FFE, slicer, CDR, with the
//! ports and cycle convention of cporx_spec::ports. Latency: FFE 4 + slicer 1 to the
//! decision, + CDR 4 to the phase code.

use super::{CdrModel, FfeModel, SlicerModel};
use cporx_spec::*;

#[derive(Clone, Debug)]
pub struct RxModel {
    pub ffe: FfeModel,
    pub slicer: SlicerModel,
    pub cdr: CdrModel,
}

impl RxModel {
    pub fn new(p: &RxParams) -> Result<Self, ParamError> {
        Ok(RxModel {
            ffe: FfeModel::new(p)?,
            slicer: SlicerModel::new(p)?,
            cdr: CdrModel::new(p)?,
        })
    }

    /// One cycle: apply `i`, clock once, return the outputs after the edge.
    #[inline]
    pub fn step(&mut self, i: &RxIn) -> RxOut {
        // Each block samples its upstream registers as they were before this edge.
        self.cdr.step(i, self.slicer.symbol, self.slicer.err);
        let y_before = self.ffe.y.to_bits() as i32;
        self.slicer.step(i, y_before);
        self.ffe.step(i);
        self.outputs()
    }

    #[inline]
    pub fn outputs(&self) -> RxOut {
        RxOut {
            y: self.ffe.y.to_bits() as i32,
            symbol: self.slicer.symbol,
            gray: self.slicer.gray,
            err: self.slicer.err,
            phase: self.cdr.pi_code(),
            lock: self.cdr.lock,
            freq: self.cdr.freq,
        }
    }

    /// A data-only cycle (no reset, no write) of the whole top, for the closed loop: returns
    /// the decided symbol and the PI code after the edge. Same arithmetic as `step`.
    #[inline(always)]
    pub fn step_data(&mut self, adc: i32) -> (u8, u8) {
        self.cdr.step_data(self.slicer.symbol, self.slicer.err);
        let y_before = self.ffe.y.to_bits() as i32;
        self.slicer.step_data(y_before);
        self.ffe.step_data(adc);
        (self.slicer.symbol, self.cdr.pi_code())
    }

    pub fn run(&mut self, stim: &[RxIn]) -> Vec<RxOut> {
        stim.iter().map(|i| self.step(i)).collect()
    }

    /// Data-only fast path (no reset, no configuration writes): decide a block of ADC codes,
    /// writing one symbol per cycle into `symbols`. Same arithmetic as `step`.
    pub fn run_symbols(&mut self, adc: &[i8], symbols: &mut [u8]) {
        for (x, s) in adc.iter().zip(symbols.iter_mut()) {
            *s = self.step_data(*x as i32).0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn fast_path_matches_step() {
        let p = RxParams {
            n_taps: 5,
            reset_coefs: vec![-128, 127, -7, 64, 3],
            ..Default::default()
        };
        let mut x = 99u32;
        let adc: Vec<i8> = (0..5000)
            .map(|_| {
                x = x.wrapping_mul(1664525).wrapping_add(1013904223);
                ((x >> 24) % 64) as i8 - 32
            })
            .collect();
        let mut a = RxModel::new(&p).unwrap();
        let mut b = a.clone();
        a.step(&RxIn::reset());
        b.step(&RxIn::reset());
        let mut fast = vec![0u8; adc.len()];
        a.run_symbols(&adc, &mut fast);
        let slow: Vec<u8> = adc
            .iter()
            .map(|&v| b.step(&RxIn::sample(v as i32)).symbol)
            .collect();
        assert_eq!(fast, slow);
        assert_eq!(a.outputs(), b.outputs());
        assert!((0..4).all(|s| fast.contains(&s)));
    }
}
