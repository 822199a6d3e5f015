//! The Python module `cporx` (PyO3): thin bindings of the cporx crates, no arithmetic of
//! its own.
//!
//! * [`params`]: `RxParams` from a dict or a TOML file (the fields and the validation of
//!   the CLI's `--config`, `cporx_spec::RxParams`), back to a dict or TOML text.
//! * [`model`]: `Model`, the bit-exact receive top (`cporx_model::RxTopModel`): one cycle
//!   (`step`), blocks of cycles from numpy arrays into preallocated numpy arrays (`run`),
//!   the data-only fast path (`run_symbols`, `RxTopModel::run_symbols`).
//! * [`link`]: Touchstone reading and SDD21 (`cporx_link::touchstone`), the channel loader
//!   and its pulse response (`cporx_link::pulse`), `channel_summary` (the figures of
//!   `cporx channel`), `implementation_loss` (those of `cporx loss --channel`,
//!   `cporx_link::impl_loss`), MMSE / zero-forcing taps and their Q2.6 quantization
//!   (`cporx_link::taps`), the statistical eye and BER (`cporx_link::stateye`), the
//!   Monte-Carlo BER (`cporx_link::montecarlo`).
//!
//! Errors: bad input raises `ValueError` carrying the Rust message (which names the input
//! and its legal range), a file that cannot be read `OSError` naming the path, a value of
//! the wrong Python type `TypeError`. Legal but questionable parameters warn
//! (`UserWarning`, `RxParams::warnings`). Stubs: `py/cporx.pyi` (shipped in the wheel with
//! `py.typed`).

mod link;
mod model;
mod params;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// A Rust error message as a Python `ValueError`.
pub(crate) fn value_err(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

#[pymodule]
#[pyo3(name = "cporx")]
fn cporx_py(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("ADC_BITS", cporx_spec::ADC_BITS)?;
    m.add("MIN_TAPS", cporx_spec::MIN_TAPS)?;
    m.add("MAX_TAPS", cporx_spec::MAX_TAPS)?;
    m.add("LAT_TOP", cporx_spec::LAT_TOP)?;
    m.add("LEGAL_LANES", cporx_spec::LEGAL_LANES.to_vec())?;
    params::register(m)?;
    model::register(m)?;
    link::register(m)?;
    Ok(())
}
