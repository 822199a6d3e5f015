//! The link analysis from Python (crate cporx-link), each function a thin wrapper:
//!
//! * `read_touchstone(path, ports=None) -> Touchstone` (`touchstone::read`,
//!   `read_with_ports`): `f_hz`, `s(i, j)`, `s21()`, `sdd21(map=None)` (the detected thru
//!   map when None), `detect_port_map()`; `sdd21(path, map=None, ports=None)` the same in
//!   one call, `(f_hz, h)` as numpy arrays (float64, complex128).
//! * `load_channel(path, baud_gbd=53.125, ports=None, map=None, force_map=False) ->
//!   Channel` (`pulse::load_channel`, the loader of `cporx channel` and the study) and
//!   `channel_summary(...) -> dict`: the figures `cporx channel` prints;
//!   `implementation_loss(path, ...) -> [dict]`: those of `cporx loss --channel FILE`.
//! * `Pulse` (`pulse::PulseResponse`): `pulse_response(f_hz, h, baud_gbd)`,
//!   `Pulse.builtin(name)`, `cursors(phase)`, `value(t)`, `normalized()`.
//! * taps (`taps`): `solve_mmse`, `solve_mmse_dfe`, `solve_zf`, `coef_scale`,
//!   `quantize_taps`, `equalize`, `output_snr_db`.
//! * statistical eye (`stateye`): `pulse_cursors`, `stat_eye(...) -> dict` (SER, BER,
//!   transitions, sigmas; `EyeSetup::validate` first), `pam4_ber_awgn`, `pam4_ser_awgn`.
//! * `monte_carlo(...) -> dict` (`montecarlo::run`, all cores, GIL released).
//!
//! Units are the Rust functions' (Hz, level units, Q2.6 / Q7.1 codes); cursors are lists
//! of `(k, h_k)` pairs. Errors: `OSError` for a file that cannot be read (the message names
//! it), `ValueError` with the Rust message for everything else.

use crate::params;
use crate::value_err;
use cporx_link::impl_loss::{self, Agc, Needed};
use cporx_link::montecarlo::{self, McConfig};
use cporx_link::pulse::{self, ChannelLoad, LoadedChannel, PulseOpts, PulseResponse};
use cporx_link::stateye::{self, EyeSetup};
use cporx_link::study::{self, Case};
use cporx_link::taps as tapsolve;
use cporx_link::touchstone::{self, FreqResponse, PortMap, Touchstone, TouchstoneError};
use num_complex::Complex64;
use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::{Path, PathBuf};

type Cursors = Vec<(i32, f64)>;
/// A frequency response as numpy arrays: frequencies (Hz) and complex values.
type RespArrays<'py> = (Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<Complex64>>);

fn ts_err(e: TouchstoneError) -> PyErr {
    match e {
        TouchstoneError::Io { .. } => PyOSError::new_err(e.to_string()),
        e => value_err(e),
    }
}

fn read_ts(path: &Path, ports: Option<usize>) -> PyResult<Touchstone> {
    if let Some(n) = ports {
        if n == 0 || n > touchstone::MAX_PORTS {
            return Err(PyValueError::new_err(format!(
                "`ports` = {n} is out of range: legal is 1 ..= {}",
                touchstone::MAX_PORTS
            )));
        }
    }
    match ports {
        Some(n) => touchstone::read_with_ports(path, n),
        None => touchstone::read(path),
    }
    .map_err(ts_err)
}

fn parse_map(map: Option<&str>) -> PyResult<Option<PortMap>> {
    map.map(PortMap::parse)
        .transpose()
        .map_err(|e| value_err(format!("map: {e}")))
}

fn check_baud(baud_gbd: f64) -> PyResult<()> {
    check_range("baud_gbd", baud_gbd, 1.0, 400.0, " GBd")
}

fn resp_arrays<'py>(py: Python<'py>, r: &FreqResponse) -> RespArrays<'py> {
    (
        PyArray1::from_slice(py, &r.f_hz),
        PyArray1::from_slice(py, &r.h),
    )
}

/// A Touchstone 1.x file (`cporx_link::touchstone::Touchstone`).
#[pyclass(name = "Touchstone", module = "cporx", frozen)]
pub struct PyTouchstone {
    ts: Touchstone,
}

#[pymethods]
impl PyTouchstone {
    /// The file as given.
    #[getter]
    fn name(&self) -> &str {
        &self.ts.name
    }
    #[getter]
    fn n_ports(&self) -> usize {
        self.ts.n_ports
    }
    /// Reference impedance, ohms.
    #[getter]
    fn z0(&self) -> f64 {
        self.ts.z0
    }
    /// Frequency points, Hz, ascending.
    #[getter]
    fn f_hz<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, &self.ts.f_hz)
    }
    /// S_ij (1-based) at every frequency point.
    fn s<'py>(
        &self,
        py: Python<'py>,
        i: usize,
        j: usize,
    ) -> PyResult<Bound<'py, PyArray1<Complex64>>> {
        let r = self.ts.s_param(i, j).map_err(ts_err)?;
        Ok(PyArray1::from_slice(py, &r.h))
    }
    /// S21 of a 2-port file.
    fn s21<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<Complex64>>> {
        let r = self.ts.s21().map_err(ts_err)?;
        Ok(PyArray1::from_slice(py, &r.h))
    }
    /// SDD21 under `map` (`a1,a2:b1,b2`, 1-based), or the detected thru map when None.
    #[pyo3(signature = (map=None))]
    fn sdd21<'py>(
        &self,
        py: Python<'py>,
        map: Option<&str>,
    ) -> PyResult<Bound<'py, PyArray1<Complex64>>> {
        let m = match parse_map(map)? {
            Some(m) => m,
            None => self.ts.detect_port_map().map_err(ts_err)?.0,
        };
        let r = self.ts.sdd21(&m).map_err(ts_err)?;
        Ok(PyArray1::from_slice(py, &r.h))
    }
    /// The thru map of a 4-port file from the data, and |SDD21| at the lowest frequency.
    fn detect_port_map(&self) -> PyResult<(String, f64)> {
        let (m, t) = self.ts.detect_port_map().map_err(ts_err)?;
        Ok((m.to_string(), t))
    }
    fn __repr__(&self) -> String {
        format!(
            "Touchstone({:?}, n_ports={}, points={})",
            self.ts.name,
            self.ts.n_ports,
            self.ts.f_hz.len()
        )
    }
}

/// Read a Touchstone 1.x file; the port count from its extension `.sNp` unless `ports`.
#[pyfunction]
#[pyo3(signature = (path, ports=None))]
fn read_touchstone(path: PathBuf, ports: Option<usize>) -> PyResult<PyTouchstone> {
    Ok(PyTouchstone {
        ts: read_ts(&path, ports)?,
    })
}

/// `(f_hz, sdd21)` of a 4-port file under `map` (None: detected), as numpy arrays.
#[pyfunction]
#[pyo3(signature = (path, map=None, ports=None))]
fn sdd21<'py>(
    py: Python<'py>,
    path: PathBuf,
    map: Option<&str>,
    ports: Option<usize>,
) -> PyResult<RespArrays<'py>> {
    let ts = read_ts(&path, ports)?;
    let m = match parse_map(map)? {
        Some(m) => m,
        None => ts.detect_port_map().map_err(ts_err)?.0,
    };
    let r = ts.sdd21(&m).map_err(ts_err)?;
    Ok(resp_arrays(py, &r))
}

/// A pulse response (`cporx_link::pulse::PulseResponse`): a table of `os` points per UI
/// from `t0` UI (t = 0 the peak).
#[pyclass(name = "Pulse", module = "cporx", frozen)]
#[derive(Clone)]
pub struct PyPulse {
    p: PulseResponse,
}

#[pymethods]
impl PyPulse {
    /// A built-in channel (`Pulse.builtin_names()`), normalized to peak 1.
    #[staticmethod]
    fn builtin(name: &str) -> PyResult<Self> {
        Ok(PyPulse {
            p: PulseResponse::builtin(name).map_err(value_err)?,
        })
    }
    #[staticmethod]
    fn builtin_names() -> Vec<&'static str> {
        PulseResponse::builtin_names().to_vec()
    }
    #[getter]
    fn name(&self) -> &str {
        &self.p.name
    }
    /// Points per UI.
    #[getter]
    fn os(&self) -> usize {
        self.p.os
    }
    /// Time of the first sample, UI from the peak.
    #[getter]
    fn t0(&self) -> f64 {
        self.p.t0
    }
    #[getter]
    fn samples<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, &self.p.samples)
    }
    /// The largest-magnitude sample, with its sign (1 for a normalized table).
    #[getter]
    fn peak(&self) -> f64 {
        self.p.peak()
    }
    #[getter]
    fn peak_time(&self) -> f64 {
        self.p.peak_time()
    }
    #[getter]
    fn span_ui(&self) -> (f64, f64) {
        self.p.span_ui()
    }
    /// What the measured channel gave (None for a built-in or given table): `baud_hz`,
    /// `peak`, `il_nyquist_db`, `dc_gain`, `causality`, `delay_ps`, `cut_tail_rel`.
    #[getter]
    fn measurement<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(m) = &self.p.measured else {
            return Ok(None);
        };
        let d = PyDict::new(py);
        d.set_item("baud_hz", m.baud_hz)?;
        d.set_item("peak", m.peak)?;
        d.set_item("il_nyquist_db", m.il_nyquist_db)?;
        d.set_item("dc_gain", m.dc_gain)?;
        d.set_item("causality", m.causality)?;
        d.set_item("delay_ps", m.delay_ps)?;
        d.set_item("cut_tail_rel", m.cut_tail_rel)?;
        Ok(Some(d))
    }
    /// p(t), t in UI (linear interpolation; 0 outside the table).
    fn value(&self, t: f64) -> f64 {
        self.p.value(t)
    }
    /// Symbol-spaced samples `(k, p(k + phase))` over the span (k = 0 the main cursor).
    #[pyo3(signature = (phase=0.0))]
    fn cursors(&self, phase: f64) -> Cursors {
        self.p.cursors(phase)
    }
    /// The table scaled to peak +1 (what the AFE and the statistical eye take).
    fn normalized(&self) -> PyResult<Self> {
        Ok(PyPulse {
            p: self.p.normalized().map_err(value_err)?,
        })
    }
    fn __repr__(&self) -> String {
        format!(
            "Pulse({:?}, os={}, samples={}, peak={:.4})",
            self.p.name,
            self.p.os,
            self.p.samples.len(),
            self.p.peak()
        )
    }
}

/// The pulse response of a channel `h` on the grid `f_hz` (Hz) at `baud_gbd`, with the
/// default TX and RX filters (`pulse::pulse_response`, `PulseOpts::for_baud`).
#[pyfunction]
#[pyo3(signature = (f_hz, h, baud_gbd=53.125))]
fn pulse_response(
    f_hz: PyReadonlyArray1<'_, f64>,
    h: PyReadonlyArray1<'_, Complex64>,
    baud_gbd: f64,
) -> PyResult<PyPulse> {
    check_baud(baud_gbd)?;
    let r = FreqResponse {
        f_hz: f_hz.as_slice().map_err(value_err)?.to_vec(),
        h: h.as_slice().map_err(value_err)?.to_vec(),
    };
    if r.f_hz.len() != r.h.len() {
        return Err(PyValueError::new_err(format!(
            "`f_hz` has {} points and `h` {}: they must have one value per frequency",
            r.f_hz.len(),
            r.h.len()
        )));
    }
    let p = pulse::pulse_response(&r, &PulseOpts::for_baud(baud_gbd * 1e9)).map_err(value_err)?;
    Ok(PyPulse { p })
}

/// A channel file loaded, checked and turned into a pulse (`pulse::load_channel`).
#[pyclass(name = "Channel", module = "cporx", frozen)]
pub struct PyChannel {
    l: LoadedChannel,
}

#[pymethods]
impl PyChannel {
    #[getter]
    fn file(&self) -> &str {
        &self.l.file
    }
    #[getter]
    fn name(&self) -> &str {
        &self.l.name
    }
    #[getter]
    fn n_ports(&self) -> usize {
        self.l.n_ports
    }
    /// The insertion loss used (S21 of a 2-port, SDD21 of a 4-port): frequencies, Hz.
    #[getter]
    fn f_hz<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, &self.l.h.f_hz)
    }
    /// ... and its complex values.
    #[getter]
    fn h<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<Complex64>> {
        PyArray1::from_slice(py, &self.l.h.h)
    }
    /// The port map used (`a1,a2:b1,b2`; None for a 2-port).
    #[getter]
    fn map(&self) -> Option<String> {
        self.l.map.map(|m| m.to_string())
    }
    /// `1,3:2,4 (detected)`, `1,2:3,4 (given)` or `S21 (2-port)`.
    #[getter]
    fn map_text(&self) -> String {
        self.l.map_text()
    }
    #[getter]
    fn f_min_hz(&self) -> f64 {
        self.l.f_min_hz
    }
    #[getter]
    fn f_max_hz(&self) -> f64 {
        self.l.f_max_hz
    }
    /// Channel loss at baud / 2, dB.
    #[getter]
    fn il_nyquist_db(&self) -> f64 {
        self.l.il_nyquist_db
    }
    #[getter]
    fn il_nyquist_extrapolated(&self) -> bool {
        self.l.il_nyquist_extrapolated
    }
    /// `8.46 dB`, or with `(extrapolated: ...)`, as the CLI prints it.
    #[getter]
    fn il_nyquist_text(&self) -> String {
        self.l.il_nyquist_text()
    }
    #[getter]
    fn beyond_data_energy(&self) -> f64 {
        self.l.beyond_data_energy
    }
    /// The absolute pulse response at the asked baud rate.
    #[getter]
    fn pulse(&self) -> PyPulse {
        PyPulse {
            p: self.l.pulse.clone(),
        }
    }
    /// One sentence each (extrapolation, causality, slight non-passivity, a forced map).
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.l.warnings.clone()
    }
    fn __repr__(&self) -> String {
        format!(
            "Channel({:?}, {}-port, IL at Nyquist {})",
            self.l.name,
            self.l.n_ports,
            self.l.il_nyquist_text()
        )
    }
}

fn load(
    path: &Path,
    baud_gbd: f64,
    ports: Option<usize>,
    map: Option<&str>,
    force_map: bool,
) -> PyResult<LoadedChannel> {
    check_baud(baud_gbd)?;
    let map = parse_map(map)?;
    if force_map && map.is_none() {
        return Err(PyValueError::new_err(
            "`force_map` needs a `map` to force (it applies a given port map)",
        ));
    }
    let ts = read_ts(path, ports)?;
    pulse::load_touchstone(
        &ts,
        &ChannelLoad {
            ports,
            map,
            force_map,
            baud_hz: baud_gbd * 1e9,
        },
    )
    .map_err(value_err)
}

/// Load a channel file as `cporx channel` does (`pulse::load_channel`).
#[pyfunction]
#[pyo3(signature = (path, baud_gbd=53.125, ports=None, map=None, force_map=false))]
fn load_channel(
    path: PathBuf,
    baud_gbd: f64,
    ports: Option<usize>,
    map: Option<&str>,
    force_map: bool,
) -> PyResult<PyChannel> {
    Ok(PyChannel {
        l: load(&path, baud_gbd, ports, map, force_map)?,
    })
}

/// The figures `cporx channel FILE --baud-gbd B` prints, as a dict: `il_nyquist_db`,
/// `pulse_peak` (absolute, signed), `pulse_peak_db`, `delay_ps`, `causality`, `cursors`
/// (`{k: h_k / peak}` for k = -2 ..= 6, the CLI's `cursors / peak`), `cursors_abs` (every
/// `(k, h_k)` of the pulse at phase 0, absolute), and the file's `name`, `n_ports`,
/// `points`, `f_min_ghz`, `f_max_ghz`, `port_map`, `nyquist_ghz`, `il_nyquist_text`,
/// `il_nyquist_extrapolated`, `warnings`.
#[pyfunction]
#[pyo3(signature = (path, baud_gbd=53.125, ports=None, map=None, force_map=false))]
fn channel_summary<'py>(
    py: Python<'py>,
    path: PathBuf,
    baud_gbd: f64,
    ports: Option<usize>,
    map: Option<&str>,
    force_map: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let l = load(&path, baud_gbd, ports, map, force_map)?;
    let p = &l.pulse;
    let d = PyDict::new(py);
    d.set_item("file", &l.file)?;
    d.set_item("name", &l.name)?;
    d.set_item("n_ports", l.n_ports)?;
    d.set_item("points", l.h.f_hz.len())?;
    d.set_item("f_min_ghz", l.f_min_hz / 1e9)?;
    d.set_item("f_max_ghz", l.f_max_hz / 1e9)?;
    d.set_item("port_map", l.map_text())?;
    d.set_item("baud_gbd", baud_gbd)?;
    d.set_item("nyquist_ghz", baud_gbd / 2.0)?;
    d.set_item("il_nyquist_db", l.il_nyquist_db)?;
    d.set_item("il_nyquist_text", l.il_nyquist_text())?;
    d.set_item("il_nyquist_extrapolated", l.il_nyquist_extrapolated)?;
    d.set_item("pulse_peak", p.peak())?;
    d.set_item("pulse_peak_db", 20.0 * p.peak().abs().log10())?;
    d.set_item("delay_ps", l.measurement().delay_ps)?;
    d.set_item("causality", l.measurement().causality)?;
    let cur = p.cursors(0.0);
    let rel = PyDict::new(py);
    for c in cur.iter().filter(|c| (-2..=6).contains(&c.0)) {
        rel.set_item(c.0, c.1 / p.peak())?;
    }
    d.set_item("cursors", rel)?;
    d.set_item("cursors_abs", cur)?;
    d.set_item("warnings", l.warnings.clone())?;
    Ok(d)
}

fn check_range(name: &str, v: f64, lo: f64, hi: f64, unit: &str) -> PyResult<()> {
    if v.is_nan() || v < lo || v > hi {
        return Err(PyValueError::new_err(format!(
            "`{name}` = {v} is out of range: legal is {lo} ..= {hi}{unit}"
        )));
    }
    Ok(())
}

fn loss_row<'py>(py: Python<'py>, v: &impl_loss::Variant) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("what", &v.what)?;
    d.set_item("ber", v.ber.as_ref().map(|r| r.ber))?;
    d.set_item("p_clip", v.ber.as_ref().map(|r| r.p_clip))?;
    d.set_item("snr_needed_db", v.needed.db())?;
    d.set_item(
        "needed",
        match v.needed {
            Needed::At(_) => "at",
            Needed::Below => "below",
            Needed::NotReached => "not reached",
        },
    )?;
    d.set_item("loss_db", v.loss_db)?;
    Ok(d)
}

/// The implementation loss of the fixed-point receiver against the float one on the rows
/// of one channel file, as `cporx loss --channel FILE --taps T --bits B` computes it
/// (`study::file_inputs`, `impl_loss::loss`): one dict per row (a thru, with its
/// crosstalk partner when the folder has one): `name`, `reference`, `adc`, `tap_codes`,
/// `thresholds`, `fixed` (each a row: `what`, `ber` at `snr_db`, `p_clip`,
/// `snr_needed_db`, `needed`, `loss_db`), `sum_db`, and `backoff` (None, or `gain_code`
/// (None: the study's AGC), `gain_db`, `rel_db`, `at_snr_db`, `fixed`, `adc`, `levels`).
#[pyfunction]
#[pyo3(signature = (path, taps=3, bits=6, target_ber=1e-6, snr_db=33.0, baud_gbd=53.125))]
fn implementation_loss<'py>(
    py: Python<'py>,
    path: PathBuf,
    taps: usize,
    bits: u32,
    target_ber: f64,
    snr_db: f64,
    baud_gbd: f64,
) -> PyResult<Vec<Bound<'py, PyDict>>> {
    check_range("snr_db", snr_db, 0.0, 80.0, " dB")?;
    check_range("target_ber", target_ber, 1e-15, 1e-2, "")?;
    check_range(
        "taps",
        taps as f64,
        cporx_spec::MIN_TAPS as f64,
        cporx_spec::MAX_TAPS as f64,
        "",
    )?;
    check_range(
        "bits",
        bits as f64,
        1.0,
        impl_loss::MAX_BITS as f64,
        " bits",
    )?;
    check_baud(baud_gbd)?;
    let ins = study::file_inputs(&path, baud_gbd * 1e9).map_err(value_err)?;
    let mut rows = Vec::new();
    for inp in &ins.cases {
        let case = Case::new(
            &inp.name,
            inp.pulse.clone(),
            inp.aggressor.as_ref().map(|x| &x.1),
        )
        .map_err(|e| value_err(format!("{}: {e}", inp.name)))?;
        let l = py.detach(|| impl_loss::loss(&case, taps, bits, target_ber, snr_db));
        let d = PyDict::new(py);
        d.set_item("name", &inp.name)?;
        d.set_item("taps", taps)?;
        d.set_item("bits", l.bits)?;
        d.set_item("snr_db", l.snr_db)?;
        d.set_item("target_ber", target_ber)?;
        d.set_item("reference", loss_row(py, &l.reference)?)?;
        for (k, v) in ["adc", "tap_codes", "thresholds"].iter().zip(&l.causes) {
            d.set_item(*k, loss_row(py, v)?)?;
        }
        d.set_item("sum_db", l.sum_db)?;
        d.set_item("fixed", loss_row(py, &l.fixed)?)?;
        match &l.backoff {
            None => d.set_item("backoff", py.None())?,
            Some(b) => {
                let bd = PyDict::new(py);
                bd.set_item(
                    "gain_code",
                    match b.agc {
                        Agc::Code(c) => Some(c),
                        Agc::Study => None,
                    },
                )?;
                bd.set_item("gain_db", b.gain_db)?;
                bd.set_item("rel_db", b.rel_db)?;
                bd.set_item("at_snr_db", b.at_snr_db)?;
                bd.set_item("fixed", loss_row(py, &b.fixed)?)?;
                bd.set_item("adc", loss_row(py, &b.adc)?)?;
                bd.set_item("levels", loss_row(py, &b.levels)?)?;
                d.set_item("backoff", bd)?;
            }
        }
        d.set_item("warnings", inp.warnings.clone())?;
        rows.push(d);
    }
    Ok(rows)
}

/// Real MMSE FFE taps (level units) for `cursors` (`taps::solve_mmse`).
#[pyfunction]
fn solve_mmse(
    cursors: Cursors,
    n_taps: usize,
    main_tap: usize,
    noise_var: f64,
) -> PyResult<Vec<f64>> {
    tapsolve::solve_mmse(&cursors, n_taps, main_tap, noise_var).map_err(value_err)
}

/// MMSE FFE taps beside a 1-tap DFE (`taps::solve_mmse_dfe`).
#[pyfunction]
fn solve_mmse_dfe(
    cursors: Cursors,
    n_taps: usize,
    main_tap: usize,
    noise_var: f64,
) -> PyResult<Vec<f64>> {
    tapsolve::solve_mmse_dfe(&cursors, n_taps, main_tap, noise_var).map_err(value_err)
}

/// Least-squares zero-forcing taps (`taps::solve_zf`).
#[pyfunction]
fn solve_zf(cursors: Cursors, n_taps: usize, main_tap: usize) -> PyResult<Vec<f64>> {
    tapsolve::solve_zf(&cursors, n_taps, main_tap).map_err(value_err)
}

/// Coefficient codes per level unit of tap gain at ADC `full_scale` (`taps::coef_scale`).
#[pyfunction]
fn coef_scale(full_scale: f64) -> PyResult<f64> {
    if !(full_scale.is_finite() && full_scale > 0.0) {
        return Err(PyValueError::new_err(format!(
            "`full_scale` = {full_scale} is out of range: it must be a finite value > 0"
        )));
    }
    Ok(tapsolve::coef_scale(full_scale))
}

/// Q2.6 codes of real taps and the SNR they cost on the channel, `(codes, loss_db)`
/// (`taps::quantize`; a code outside -128 ..= 127 is an error naming the tap).
#[pyfunction]
fn quantize_taps(
    taps: Vec<f64>,
    codes_per_unit: f64,
    cursors: Cursors,
    main_tap: usize,
    noise_var: f64,
) -> PyResult<(Vec<i32>, f64)> {
    let q = tapsolve::quantize(&taps, codes_per_unit, &cursors, main_tap, noise_var)
        .map_err(value_err)?;
    Ok((q.codes, q.loss_db))
}

/// The equalized response `(r, g_r)` of `taps` on `cursors` (`taps::equalize`).
#[pyfunction]
fn equalize(cursors: Cursors, taps: Vec<f64>, main_tap: usize) -> Cursors {
    tapsolve::equalize(&cursors, &taps, main_tap)
}

/// Output SNR, dB, of `taps` on `cursors` (`taps::output_snr_db`).
#[pyfunction]
fn output_snr_db(cursors: Cursors, taps: Vec<f64>, main_tap: usize, noise_var: f64) -> f64 {
    tapsolve::output_snr_db(&cursors, &taps, main_tap, noise_var)
}

/// Cursors and slopes of `pulse` at `phase` (UI), jitter-averaged for `rj_rms_ui` > 0
/// (`stateye::pulse_cursors_rj`).
#[pyfunction]
#[pyo3(signature = (pulse, phase=0.0, rj_rms_ui=0.0))]
fn pulse_cursors(pulse: &PyPulse, phase: f64, rj_rms_ui: f64) -> PyResult<(Cursors, Cursors)> {
    if !(rj_rms_ui.is_finite() && rj_rms_ui >= 0.0) {
        return Err(PyValueError::new_err(format!(
            "`rj_rms_ui` = {rj_rms_ui} is out of range: it must be >= 0 UI"
        )));
    }
    Ok(stateye::pulse_cursors_rj(&pulse.p, phase, rj_rms_ui))
}

/// The statistical eye's SER, BER and diagnostics of the fixed-point receiver
/// (`stateye::ber`; the setup checked by `EyeSetup::validate` first), as a dict: `ser`,
/// `ber`, `ber_no_propagation`, `transitions` (4 x 4, P(decide r | sent s)), `p_clip`,
/// `sigma_y`, `sigma_noise`, `sigma_quant`, `sigma_jitter`, `main`, `isi_worst`,
/// `isi_cursors`, `isi_bins`.
#[pyfunction]
#[pyo3(signature = (cursors, coefs, main_tap, thresholds, noise_sigma, full_scale, slopes=None, rj_rms_ui=0.0, adc_bits=6, dfe=0))]
#[allow(clippy::too_many_arguments)]
fn stat_eye<'py>(
    py: Python<'py>,
    cursors: Cursors,
    coefs: Vec<i32>,
    main_tap: usize,
    thresholds: [i32; 3],
    noise_sigma: f64,
    full_scale: f64,
    slopes: Option<Cursors>,
    rj_rms_ui: f64,
    adc_bits: u32,
    dfe: i32,
) -> PyResult<Bound<'py, PyDict>> {
    let setup = EyeSetup {
        cursors,
        slopes: slopes.unwrap_or_default(),
        noise_sigma,
        rj_rms_ui,
        full_scale,
        adc_bits,
        coefs,
        main_tap,
        thresholds,
        dfe,
    };
    setup
        .validate()
        .map_err(|e| value_err(format!("stat_eye: {e}")))?;
    if setup.cursors.is_empty() {
        return Err(PyValueError::new_err(
            "stat_eye: `cursors` is empty: the channel needs at least one cursor",
        ));
    }
    let r = py.detach(|| stateye::ber(&setup));
    let d = PyDict::new(py);
    d.set_item("ser", r.ser)?;
    d.set_item("ber", r.ber)?;
    d.set_item("ber_no_propagation", r.ber_no_propagation)?;
    d.set_item(
        "transitions",
        r.transitions.map(|row| row.to_vec()).to_vec(),
    )?;
    d.set_item("p_clip", r.p_clip)?;
    d.set_item("sigma_y", r.sigma_y)?;
    d.set_item("sigma_noise", r.sigma_noise)?;
    d.set_item("sigma_quant", r.sigma_quant)?;
    d.set_item("sigma_jitter", r.sigma_jitter)?;
    d.set_item("main", r.main)?;
    d.set_item("isi_worst", r.isi_worst)?;
    d.set_item("isi_cursors", r.isi_cursors)?;
    d.set_item("isi_bins", r.isi_bins)?;
    Ok(d)
}

/// PAM-4 BER (Gray) on an AWGN channel at `snr_db` (`stateye::pam4_ber_awgn`).
#[pyfunction]
fn pam4_ber_awgn(snr_db: f64) -> f64 {
    stateye::pam4_ber_awgn(snr_db)
}

/// PAM-4 SER on an AWGN channel at `snr_db` (`stateye::pam4_ser_awgn`).
#[pyfunction]
fn pam4_ser_awgn(snr_db: f64) -> f64 {
    stateye::pam4_ser_awgn(snr_db)
}

/// The Monte-Carlo BER through the bit-exact FFE and slicer at a fixed phase
/// (`montecarlo::run`, on `threads` cores, 0: all; the GIL released), as a dict:
/// `symbols`, `symbol_errors`, `bit_errors`, `clipped`, `ser`, `ber`, `seconds`,
/// `threads`. `params`: the receive top (None, an `RxParams`, a dict or a TOML path).
#[pyfunction]
#[pyo3(signature = (cursors, noise_sigma, full_scale, params=None, main_tap=1, symbols=1<<20, adc_bits=6, max_errors=0, seed=1, threads=0))]
#[allow(clippy::too_many_arguments)]
fn monte_carlo<'py>(
    py: Python<'py>,
    cursors: Cursors,
    noise_sigma: f64,
    full_scale: f64,
    params: Option<&Bound<'py, PyAny>>,
    main_tap: usize,
    symbols: u64,
    adc_bits: u32,
    max_errors: u64,
    seed: u64,
    threads: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let rx = params::from_any(py, params)?;
    let cfg = McConfig {
        cursors,
        noise_sigma,
        full_scale,
        adc_bits,
        rx,
        main_tap,
        symbols,
        max_errors,
        seed,
        threads,
    };
    cfg.validate().map_err(value_err)?;
    let r = py
        .detach(|| montecarlo::run(&cfg, &|_| {}))
        .map_err(value_err)?;
    let d = PyDict::new(py);
    d.set_item("symbols", r.symbols)?;
    d.set_item("symbol_errors", r.symbol_errors)?;
    d.set_item("bit_errors", r.bit_errors)?;
    d.set_item("clipped", r.clipped)?;
    d.set_item("ser", r.ser())?;
    d.set_item("ber", r.ber())?;
    d.set_item("seconds", r.seconds)?;
    d.set_item("threads", r.threads)?;
    Ok(d)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyTouchstone>()?;
    m.add_class::<PyPulse>()?;
    m.add_class::<PyChannel>()?;
    m.add_function(wrap_pyfunction!(read_touchstone, m)?)?;
    m.add_function(wrap_pyfunction!(sdd21, m)?)?;
    m.add_function(wrap_pyfunction!(pulse_response, m)?)?;
    m.add_function(wrap_pyfunction!(load_channel, m)?)?;
    m.add_function(wrap_pyfunction!(channel_summary, m)?)?;
    m.add_function(wrap_pyfunction!(implementation_loss, m)?)?;
    m.add_function(wrap_pyfunction!(solve_mmse, m)?)?;
    m.add_function(wrap_pyfunction!(solve_mmse_dfe, m)?)?;
    m.add_function(wrap_pyfunction!(solve_zf, m)?)?;
    m.add_function(wrap_pyfunction!(coef_scale, m)?)?;
    m.add_function(wrap_pyfunction!(quantize_taps, m)?)?;
    m.add_function(wrap_pyfunction!(equalize, m)?)?;
    m.add_function(wrap_pyfunction!(output_snr_db, m)?)?;
    m.add_function(wrap_pyfunction!(pulse_cursors, m)?)?;
    m.add_function(wrap_pyfunction!(stat_eye, m)?)?;
    m.add_function(wrap_pyfunction!(pam4_ber_awgn, m)?)?;
    m.add_function(wrap_pyfunction!(pam4_ser_awgn, m)?)?;
    m.add_function(wrap_pyfunction!(monte_carlo, m)?)?;
    Ok(())
}
