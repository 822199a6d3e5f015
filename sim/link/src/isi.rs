//! The demo's analog side (`cporx demo`, part one): a PAM-4 transmitter, a symbol-spaced
//! ISI channel given by its cursors, additive Gaussian noise, and an ADC. (The closed
//! loop's front end, sampling a pulse response at the PI code's phase, is [`crate::afe`].)
//!
//! Signal scale: a PAM-4 symbol s in 0..3 is sent as the level 2s - 3 (-3, -1, 1, 3);
//! the channel convolves levels with its cursors; noise is added with standard deviation
//! `noise_rms` in the same units; the ADC multiplies by `adc_gain` (codes per unit),
//! rounds to the nearest code (half away from zero) and saturates to the ADC range,
//! counting how often it clipped.

use cporx_spec::{signed_range, ADC_BITS};
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;

#[derive(Clone, Debug, PartialEq)]
pub struct IsiChannel {
    /// Cursors h[-pre] .. h[post], symbol spaced.
    pub cursors: Vec<f64>,
    /// Index of the main cursor in `cursors`.
    pub main: usize,
}

impl IsiChannel {
    /// The built-in short channel of the demo: a mild pre-cursor and two post-cursors,
    /// roughly a few centimetres of package and board trace at 53 GBd.
    pub fn builtin_short() -> Self {
        IsiChannel {
            cursors: vec![0.12, 1.0, 0.35, 0.10],
            main: 1,
        }
    }
    /// An ideal channel (main cursor only).
    pub fn ideal() -> Self {
        IsiChannel {
            cursors: vec![1.0],
            main: 0,
        }
    }
}

#[derive(Clone, Debug)]
pub struct FrontEnd {
    pub channel: IsiChannel,
    pub noise_rms: f64,
    pub adc_gain: f64,
    rng: rand::rngs::StdRng,
    hist: Vec<f64>,
    pub clipped: u64,
}

impl FrontEnd {
    pub fn new(channel: IsiChannel, noise_rms: f64, adc_gain: f64, seed: u64) -> Self {
        let n = channel.cursors.len();
        FrontEnd {
            channel,
            noise_rms,
            adc_gain,
            rng: rand::rngs::StdRng::seed_from_u64(seed),
            hist: vec![0.0; n],
            clipped: 0,
        }
    }

    /// ADC code for a level `v` (units of the PAM-4 level grid).
    pub fn adc(&mut self, v: f64) -> i8 {
        let (lo, hi) = signed_range(ADC_BITS);
        let c = (v * self.adc_gain).round();
        if c > hi as f64 || c < lo as f64 {
            self.clipped += 1;
        }
        c.clamp(lo as f64, hi as f64) as i8
    }

    /// Transmit one symbol; returns the ADC code of the sample taken in this symbol period.
    /// The sample carries the main cursor of the symbol sent `main` periods ago.
    pub fn push(&mut self, symbol: u8) -> i8 {
        let n = self.hist.len();
        self.hist.rotate_right(1);
        self.hist[0] = 2.0 * symbol as f64 - 3.0;
        let mut v = 0.0;
        for k in 0..n {
            v += self.channel.cursors[k] * self.hist[k];
        }
        if self.noise_rms > 0.0 {
            let z: f64 = self.rng.sample(StandardNormal);
            v += self.noise_rms * z;
        }
        self.adc(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn ideal_noiseless_adc_codes() {
        let mut fe = FrontEnd::new(IsiChannel::ideal(), 0.0, 8.0, 1);
        let v: Vec<i8> = [0u8, 1, 2, 3].iter().map(|&s| fe.push(s)).collect();
        assert_eq!(v, [-24, -8, 8, 24]);
        assert_eq!(fe.clipped, 0);
        let mut fe = FrontEnd::new(IsiChannel::ideal(), 0.0, 20.0, 1);
        assert_eq!(fe.push(3), 31);
        assert_eq!(fe.push(0), -32);
        assert_eq!(fe.clipped, 2);
    }
    #[test]
    fn isi_adds_neighbours() {
        let mut fe = FrontEnd::new(
            IsiChannel {
                cursors: vec![0.5, 1.0],
                main: 0,
            },
            0.0,
            4.0,
            1,
        );
        fe.push(3);
        // cursors[0] multiplies the newest symbol, cursors[1] the one before
        assert_eq!(
            fe.push(0),
            ((-3.0 * 0.5 + 3.0 * 1.0) * 4.0f64).round() as i8
        );
    }
}
