//! Least-squares FFE training from data (the demo's): given ADC samples and the symbols
//! that were sent, find the real-valued taps that map the samples onto the slicer's target
//! levels, then quantize them to the Q2.6 coefficient codes of the numerics spec; and the
//! linear solver every tap solver here shares. (Taps from a channel's cursors, MMSE and
//! zero forcing, are the parent module, [`crate::taps`].)

use cporx_spec::*;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TrainError {
    #[error("FFE training: tap {tap} = {value:.4} does not fit the Q2.6 coefficient range -2.0 ..= 1.984375")]
    CoefRange { tap: usize, value: f64 },
    #[error("FFE training: the normal equations are singular (too few or constant samples)")]
    Singular,
}

/// Solve min sum_n (sum_k c_k x[n-k] - level(s[n-delay]) * scale)^2 for `n_taps` taps.
pub fn train_ls(
    adc: &[i8],
    symbols: &[u8],
    n_taps: usize,
    delay: usize,
    scale: f64,
) -> Result<Vec<f64>, TrainError> {
    let mut a = vec![vec![0.0f64; n_taps]; n_taps];
    let mut b = vec![0.0f64; n_taps];
    let start = n_taps.max(delay);
    for n in start..adc.len().min(symbols.len() + delay) {
        let d = (2.0 * symbols[n - delay] as f64 - 3.0) * scale;
        for i in 0..n_taps {
            let xi = adc[n - i] as f64;
            b[i] += xi * d;
            for j in 0..n_taps {
                a[i][j] += xi * adc[n - j] as f64;
            }
        }
    }
    solve(a, b).ok_or(TrainError::Singular)
}

/// Solve the square system `a x = b` (Gauss-Jordan with partial pivoting); `None` when a
/// pivot falls below 1e-9 (singular or nearly so). Shared by the least-squares training
/// here and the MMSE and zero-forcing solvers of [`crate::taps`].
pub fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let piv = (col..n)
            .max_by(|&p, &q| a[p][col].abs().total_cmp(&a[q][col].abs()))
            .unwrap();
        if a[piv][col].abs() < 1e-9 {
            return None;
        }
        a.swap(col, piv);
        b.swap(col, piv);
        for r in 0..n {
            if r != col {
                let f = a[r][col] / a[col][col];
                for c in col..n {
                    a[r][c] -= f * a[col][c];
                }
                b[r] -= f * b[col];
            }
        }
    }
    Some((0..n).map(|i| b[i] / a[i][i]).collect())
}

/// Quantize real taps to Q2.6 codes (round to nearest); out-of-range taps are an error.
pub fn quantize(taps: &[f64]) -> Result<Vec<i32>, TrainError> {
    let (lo, hi) = signed_range(COEF_BITS);
    taps.iter()
        .enumerate()
        .map(|(k, &t)| {
            let c = (t * (1 << COEF_FRAC) as f64).round();
            if c < lo as f64 || c > hi as f64 {
                Err(TrainError::CoefRange { tap: k, value: t })
            } else {
                Ok(c as i32)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isi::{FrontEnd, IsiChannel};
    use cporx_model::prbs::Prbs13q;
    #[test]
    fn ls_inverts_a_known_channel() {
        let mut fe = FrontEnd::new(
            IsiChannel {
                cursors: vec![0.0, 1.0, 0.3],
                main: 1,
            },
            0.0,
            6.0,
            3,
        );
        let s: Vec<u8> = Prbs13q::new().take(6000).collect();
        let x: Vec<i8> = s.iter().map(|&v| fe.push(v)).collect();
        let c = train_ls(&x, &s, 5, 1, 6.0).unwrap();
        // inverse of 1 + 0.3 D: 1, -0.3, 0.09, -0.027, ...
        assert!(
            (c[0] - 1.0).abs() < 0.05 && (c[1] + 0.3).abs() < 0.05,
            "{c:?}"
        );
        assert_eq!(quantize(&[1.0, -0.3]).unwrap(), vec![64, -19]);
        assert!(matches!(
            quantize(&[2.5]),
            Err(TrainError::CoefRange { tap: 0, .. })
        ));
    }
}
