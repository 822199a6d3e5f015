//! Touchstone 1.x reader (2- and 4-port; RI, MA, DB; Hz..GHz) and the differential
//! insertion loss SDD21. (Being written: see the module's final header.)

use num_complex::Complex64;

/// A differential (or single-ended, for 2-port files) transfer function on the file's
/// frequency grid, ascending, in Hz.
#[derive(Clone, Debug, PartialEq)]
pub struct FreqResponse {
    /// frequency points, Hz, strictly ascending (may start at 0)
    pub f_hz: Vec<f64>,
    /// complex transfer function at each point
    pub h: Vec<Complex64>,
}
