//! `cporx.Model`: the bit-exact, cycle-accurate receive top (`cporx_model::RxTopModel`),
//! stepped from Python one cycle at a time or run over numpy arrays.
//!
//! * `step(adc, rst, cfg_we, cfg_addr, cfg_data)`: one cycle (`RxTopModel::step`: apply the
//!   inputs, clock once, read the registered outputs); a dict of the outputs.
//! * `run(adc, rst=None, cfg_we=None, cfg_addr=None, cfg_data=None, out=None)`: C clocks
//!   of `RxTopModel::step` from numpy arrays, written into numpy arrays (`out`, a dict of
//!   preallocated arrays: `Model.alloc(clocks)`, or allocated here when None). The
//!   arrays are read and written in place (numpy's buffer as a Rust slice, no copy), with
//!   the GIL released; nothing is allocated per cycle.
//! * `run_symbols(adc, out=None)`: the data-only fast path `RxTopModel::run_symbols` (no
//!   reset, no configuration write; the block path when neither the DFE nor the adaptation
//!   is built), the decided symbols into a uint8 array.
//!
//! Inputs (docs/numerics.md, `cporx_spec::ports`): `adc` int8 ADC codes -32 ..= 31, P =
//! `lanes` per clock, lane 0 the oldest (a flat stream of C * P samples, or shape (C, P));
//! `rst`, `cfg_we` bool, `cfg_addr` uint8 0 ..= 63, `cfg_data` int8 (-128 ..= 127), one per
//! clock. Every input is checked before the first cycle (`RxIn::validate`'s message:
//! `stimulus cycle N: input `adc[j]` = v is out of range: legal is -32 ..= 31`, N counted
//! from the model's construction), so a bad block changes nothing.
//!
//! Outputs (per sample, stream order): `y` int16 (Q7.1), `symbol` uint8, `gray` uint8
//! (msb first), `err` int16 (Q8.1); per clock: `phase` uint8 (PI code), `lock` bool, `freq`
//! int32, `gain` uint8, `rd_data` uint8.
//!
//! The model starts at power-up (every register 0, as the RTL's); a cycle with `rst` loads
//! the parameters' reset values.

use crate::params::{self, PyRxParams};
use crate::value_err;
use cporx_model::RxTopModel;
use cporx_spec::ports::StimulusError;
use cporx_spec::{signed_range, RxIn, RxOut, RxParams, ADC_BITS, CFG_ADDR_BITS};
use numpy::{PyArray1, PyReadonlyArrayDyn, PyReadwriteArrayDyn, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::PathBuf;

/// The receive top's bit-exact model.
#[pyclass(name = "Model", module = "cporx")]
pub struct PyModel {
    m: RxTopModel,
    p: RxParams,
    /// cycles stepped since construction (names the cycle in input errors)
    cycle: u64,
}

const ADC_LO: i64 = -(1 << (ADC_BITS - 1));
const ADC_HI: i64 = (1 << (ADC_BITS - 1)) - 1;
const ADDR_HI: i64 = (1 << CFG_ADDR_BITS) - 1;

fn stim_err(cycle: u64, name: String, value: i64, lo: i64, hi: i64) -> PyErr {
    value_err(StimulusError {
        cycle: cycle as usize,
        name,
        value,
        lo,
        hi,
    })
}

/// The per-sample and per-clock output names and their numpy dtypes.
const LANE_OUTS: [(&str, &str); 4] = [
    ("y", "int16"),
    ("symbol", "uint8"),
    ("gray", "uint8"),
    ("err", "int16"),
];
const CLOCK_OUTS: [(&str, &str); 5] = [
    ("phase", "uint8"),
    ("lock", "bool"),
    ("freq", "int32"),
    ("gain", "uint8"),
    ("rd_data", "uint8"),
];

/// (u8 lists become u32 ones: pyo3 turns a `Vec<u8>` into `bytes`)
fn out_dict<'py>(py: Python<'py>, o: &RxOut, lanes: usize) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    let l = &o.lane[..lanes];
    d.set_item("y", l.iter().map(|x| x.y).collect::<Vec<_>>())?;
    d.set_item(
        "symbol",
        l.iter().map(|x| x.symbol as u32).collect::<Vec<_>>(),
    )?;
    d.set_item("gray", l.iter().map(|x| x.gray as u32).collect::<Vec<_>>())?;
    d.set_item("err", l.iter().map(|x| x.err).collect::<Vec<_>>())?;
    d.set_item("phase", o.phase)?;
    d.set_item("lock", o.lock)?;
    d.set_item("freq", o.freq)?;
    d.set_item("gain", o.gain)?;
    d.set_item("rd_data", o.rd_data)?;
    Ok(d)
}

/// One named array of `out`, borrowed for writing; its size must be `n`.
fn out_array<'py, T: numpy::Element>(
    out: &Bound<'py, PyDict>,
    name: &str,
    n: usize,
    per: &str,
) -> PyResult<PyReadwriteArrayDyn<'py, T>> {
    let Some(a) = out.get_item(name)? else {
        return Err(PyValueError::new_err(format!(
            "out: no array `{name}` (Model.alloc(clocks) makes the dict)"
        )));
    };
    let a: PyReadwriteArrayDyn<'py, T> = a.extract().map_err(|e: PyErr| {
        PyValueError::new_err(format!(
            "out[`{name}`]: {} (Model.alloc(clocks) makes the arrays)",
            e.value(out.py())
        ))
    })?;
    if a.len() != n {
        return Err(PyValueError::new_err(format!(
            "out[`{name}`] has {} entries; it must have {n} (one per {per})",
            a.len()
        )));
    }
    Ok(a)
}

/// An input array, borrowed for reading: a numpy array of dtype `dt`, else a `TypeError`
/// that says so (no conversion here: a conversion would copy).
fn input<'py, T: numpy::Element>(
    a: &Bound<'py, PyAny>,
    name: &str,
    dt: &str,
) -> PyResult<PyReadonlyArrayDyn<'py, T>> {
    a.extract().map_err(|e: PyErr| {
        let got = match a.getattr("dtype") {
            Ok(d) => format!(
                "dtype {}",
                d.str().map(|s| s.to_string()).unwrap_or_default()
            ),
            Err(_) => a
                .get_type()
                .name()
                .map(|n| format!("a {n}"))
                .unwrap_or_default(),
        };
        PyTypeError::new_err(format!(
            "`{name}` must be a numpy {dt} array (np.asarray(x, dtype=np.{dt})), not {got} ({})",
            e.value(a.py())
        ))
    })
}

fn input_opt<'py, T: numpy::Element>(
    a: Option<&Bound<'py, PyAny>>,
    name: &str,
    dt: &str,
) -> PyResult<Option<PyReadonlyArrayDyn<'py, T>>> {
    a.filter(|a| !a.is_none())
        .map(|a| input(a, name, dt))
        .transpose()
}

/// A control input's slice: its length must be `clocks`.
fn control<'a, T: numpy::Element>(
    a: &'a Option<PyReadonlyArrayDyn<'_, T>>,
    name: &str,
    clocks: usize,
) -> PyResult<Option<&'a [T]>> {
    let Some(a) = a else { return Ok(None) };
    let s = a
        .as_slice()
        .map_err(|e| PyValueError::new_err(format!("`{name}`: {e} (pass a contiguous array)")))?;
    if s.len() != clocks {
        return Err(PyValueError::new_err(format!(
            "`{name}` has {} entries; it must have one per clock ({clocks} = len(adc) / lanes)",
            s.len()
        )));
    }
    Ok(Some(s))
}

impl PyModel {
    /// The ADC codes of a block, checked: whole clocks, each code -32 ..= 31.
    fn check_adc<'a>(&self, adc: &'a PyReadonlyArrayDyn<'_, i8>) -> PyResult<&'a [i8]> {
        let s = adc
            .as_slice()
            .map_err(|e| PyValueError::new_err(format!("`adc`: {e} (pass a contiguous array)")))?;
        let p = self.p.lanes;
        if s.len() % p != 0 {
            return Err(PyValueError::new_err(format!(
                "`adc` has {} codes: not whole clocks of lanes = {p} codes",
                s.len()
            )));
        }
        if let Some(i) = s
            .iter()
            .position(|&x| (x as i64) < ADC_LO || x as i64 > ADC_HI)
        {
            return Err(stim_err(
                self.cycle + (i / p) as u64,
                format!("adc[{}]", i % p),
                s[i] as i64,
                ADC_LO,
                ADC_HI,
            ));
        }
        Ok(s)
    }
}

#[pymethods]
impl PyModel {
    /// `Model(params=None)`: the receive top for `params` (None: the defaults; an
    /// `RxParams`, a dict of its fields, or the path of a TOML file), at power-up.
    #[new]
    #[pyo3(signature = (params=None))]
    fn new(py: Python<'_>, params: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let p = params::from_any(py, params)?;
        let m = RxTopModel::new(&p).map_err(value_err)?;
        Ok(PyModel { m, p, cycle: 0 })
    }

    /// The model of the parameters in a TOML file (the CLI's `--config FILE`).
    #[staticmethod]
    fn from_toml(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let p = params::from_file(&path)?;
        params::warn(py, &p, &path.display().to_string())?;
        let m = RxTopModel::new(&p).map_err(value_err)?;
        Ok(PyModel { m, p, cycle: 0 })
    }

    /// Samples per clock (P).
    #[getter]
    fn lanes(&self) -> usize {
        self.p.lanes
    }

    /// Cycles stepped since construction.
    #[getter]
    fn cycle(&self) -> u64 {
        self.cycle
    }

    /// The parameters the model was built with.
    #[getter]
    fn params(&self) -> PyRxParams {
        PyRxParams { p: self.p.clone() }
    }

    /// One cycle: apply the inputs, clock once, return the outputs after the edge (a dict:
    /// per-lane lists `y`, `symbol`, `gray`, `err`; `phase`, `lock`, `freq`, `gain`,
    /// `rd_data`). `adc`: P codes (an int when P = 1).
    #[pyo3(signature = (adc=None, rst=false, cfg_we=false, cfg_addr=0, cfg_data=0))]
    fn step<'py>(
        &mut self,
        py: Python<'py>,
        adc: Option<&Bound<'py, PyAny>>,
        rst: bool,
        cfg_we: bool,
        cfg_addr: i64,
        cfg_data: i64,
    ) -> PyResult<Bound<'py, PyDict>> {
        let p = self.p.lanes;
        let codes: Vec<i64> = match adc {
            None => vec![0; p],
            Some(a) => match a.extract::<i64>() {
                Ok(x) => vec![x],
                Err(_) => a.extract::<Vec<i64>>()?,
            },
        };
        if codes.len() != p {
            return Err(PyValueError::new_err(format!(
                "`adc` has {} codes; this model takes lanes = {p} per clock",
                codes.len()
            )));
        }
        let mut i = RxIn::default();
        for (j, &x) in codes.iter().enumerate() {
            if !(ADC_LO..=ADC_HI).contains(&x) {
                return Err(stim_err(self.cycle, format!("adc[{j}]"), x, ADC_LO, ADC_HI));
            }
            i.adc[j] = x as i32;
        }
        if !(0..=ADDR_HI).contains(&cfg_addr) {
            return Err(stim_err(
                self.cycle,
                "cfg_addr".into(),
                cfg_addr,
                0,
                ADDR_HI,
            ));
        }
        let (dlo, dhi) = signed_range(cporx_spec::CFG_DATA_BITS);
        if !(dlo as i64..=dhi as i64).contains(&cfg_data) {
            return Err(stim_err(
                self.cycle,
                "cfg_data".into(),
                cfg_data,
                dlo as i64,
                dhi as i64,
            ));
        }
        i.rst = rst;
        i.cfg_we = cfg_we;
        i.cfg_addr = cfg_addr as u32;
        i.cfg_data = cfg_data as i32;
        i.validate(self.cycle as usize).map_err(value_err)?;
        let o = self.m.step(&i);
        self.cycle += 1;
        out_dict(py, &o, p)
    }

    /// One reset cycle (`step(rst=True)`): every register to its reset value.
    fn reset<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.step(py, None, true, false, 0, 0)
    }

    /// The outputs now (the registers after the last edge), as `step` returns them.
    fn outputs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        out_dict(py, &self.m.outputs(), self.p.lanes)
    }

    /// The 8-bit pattern of the configuration register at `addr` (0 ..= 63) now.
    fn read_reg(&self, addr: i64) -> PyResult<u32> {
        if !(0..=ADDR_HI).contains(&addr) {
            return Err(PyValueError::new_err(format!(
                "`addr` = {addr} is out of range: legal is 0 ..= {ADDR_HI}"
            )));
        }
        Ok(self.m.read_reg(addr as u32))
    }

    /// The output arrays of `run` for `clocks` clocks, zeroed: a dict of numpy arrays,
    /// `y` `symbol` `gray` `err` of clocks * lanes samples, `phase` `lock` `freq` `gain`
    /// `rd_data` of `clocks`.
    fn alloc<'py>(&self, py: Python<'py>, clocks: usize) -> PyResult<Bound<'py, PyDict>> {
        let np = py.import("numpy")?;
        let d = PyDict::new(py);
        let n = clocks
            .checked_mul(self.p.lanes)
            .ok_or_else(|| PyValueError::new_err(format!("`clocks` = {clocks} is too large")))?;
        for (name, dt) in LANE_OUTS {
            d.set_item(name, np.call_method1("zeros", (n, dt))?)?;
        }
        for (name, dt) in CLOCK_OUTS {
            d.set_item(name, np.call_method1("zeros", (clocks, dt))?)?;
        }
        Ok(d)
    }

    /// `len(adc) / lanes` cycles of `step`, from numpy arrays into numpy arrays (see the
    /// module header): returns `out` (allocated by `alloc` when None), filled.
    #[pyo3(signature = (adc, rst=None, cfg_we=None, cfg_addr=None, cfg_data=None, out=None))]
    #[allow(clippy::too_many_arguments)]
    fn run<'py>(
        &mut self,
        py: Python<'py>,
        adc: &Bound<'py, PyAny>,
        rst: Option<&Bound<'py, PyAny>>,
        cfg_we: Option<&Bound<'py, PyAny>>,
        cfg_addr: Option<&Bound<'py, PyAny>>,
        cfg_data: Option<&Bound<'py, PyAny>>,
        out: Option<Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let p = self.p.lanes;
        let adc = input::<i8>(adc, "adc", "int8")?;
        let rst = input_opt::<bool>(rst, "rst", "bool_")?;
        let cfg_we = input_opt::<bool>(cfg_we, "cfg_we", "bool_")?;
        let cfg_addr = input_opt::<u8>(cfg_addr, "cfg_addr", "uint8")?;
        let cfg_data = input_opt::<i8>(cfg_data, "cfg_data", "int8")?;
        let x = self.check_adc(&adc)?;
        let clocks = x.len() / p;
        let rst = control(&rst, "rst", clocks)?;
        let we = control(&cfg_we, "cfg_we", clocks)?;
        let addr = control(&cfg_addr, "cfg_addr", clocks)?;
        let data = control(&cfg_data, "cfg_data", clocks)?;
        if let Some(a) = addr {
            if let Some(c) = a.iter().position(|&v| v as i64 > ADDR_HI) {
                return Err(stim_err(
                    self.cycle + c as u64,
                    "cfg_addr".into(),
                    a[c] as i64,
                    0,
                    ADDR_HI,
                ));
            }
        }
        let out = match out {
            Some(o) => o,
            None => self.alloc(py, clocks)?,
        };
        let n = clocks * p;
        let mut y = out_array::<i16>(&out, "y", n, "sample")?;
        let mut sym = out_array::<u8>(&out, "symbol", n, "sample")?;
        let mut gray = out_array::<u8>(&out, "gray", n, "sample")?;
        let mut err = out_array::<i16>(&out, "err", n, "sample")?;
        let mut phase = out_array::<u8>(&out, "phase", clocks, "clock")?;
        let mut lock = out_array::<bool>(&out, "lock", clocks, "clock")?;
        let mut freq = out_array::<i32>(&out, "freq", clocks, "clock")?;
        let mut gain = out_array::<u8>(&out, "gain", clocks, "clock")?;
        let mut rd = out_array::<u8>(&out, "rd_data", clocks, "clock")?;
        let contiguous = |e: numpy::AsSliceError| {
            PyValueError::new_err(format!("out: {e} (Model.alloc makes contiguous arrays)"))
        };
        let (y, sym, gray, err) = (
            y.as_slice_mut().map_err(contiguous)?,
            sym.as_slice_mut().map_err(contiguous)?,
            gray.as_slice_mut().map_err(contiguous)?,
            err.as_slice_mut().map_err(contiguous)?,
        );
        let (phase, lock, freq, gain, rd) = (
            phase.as_slice_mut().map_err(contiguous)?,
            lock.as_slice_mut().map_err(contiguous)?,
            freq.as_slice_mut().map_err(contiguous)?,
            gain.as_slice_mut().map_err(contiguous)?,
            rd.as_slice_mut().map_err(contiguous)?,
        );
        let m = &mut self.m;
        py.detach(|| {
            for c in 0..clocks {
                let mut i = RxIn::default();
                for j in 0..p {
                    i.adc[j] = x[c * p + j] as i32;
                }
                i.rst = rst.is_some_and(|r| r[c]);
                i.cfg_we = we.is_some_and(|w| w[c]);
                i.cfg_addr = addr.map_or(0, |a| a[c] as u32);
                i.cfg_data = data.map_or(0, |d| d[c] as i32);
                let o = m.step(&i);
                for j in 0..p {
                    let l = &o.lane[j];
                    let s = c * p + j;
                    y[s] = l.y as i16;
                    sym[s] = l.symbol;
                    gray[s] = l.gray;
                    err[s] = l.err as i16;
                }
                phase[c] = o.phase;
                lock[c] = o.lock;
                freq[c] = o.freq;
                gain[c] = o.gain;
                rd[c] = o.rd_data;
            }
        });
        self.cycle += clocks as u64;
        Ok(out)
    }

    /// The data-only fast path (`RxTopModel::run_symbols`: no reset, no write; the same
    /// symbols and state as `step`): the decided symbols of `adc` (int8, whole clocks) in
    /// stream order, into `out` (uint8, the size of `adc`; allocated when None).
    #[pyo3(signature = (adc, out=None))]
    fn run_symbols<'py>(
        &mut self,
        py: Python<'py>,
        adc: &Bound<'py, PyAny>,
        out: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let adc = input::<i8>(adc, "adc", "int8")?;
        let x = self.check_adc(&adc)?;
        let out = match out {
            Some(o) => o,
            None => PyArray1::<u8>::zeros(py, x.len(), false).into_any(),
        };
        let mut o: PyReadwriteArrayDyn<'py, u8> = out.extract().map_err(|e: PyErr| {
            PyValueError::new_err(format!("out: {} (a uint8 array)", e.value(py)))
        })?;
        if o.len() != x.len() {
            return Err(PyValueError::new_err(format!(
                "out has {} entries; it must have one per sample ({})",
                o.len(),
                x.len()
            )));
        }
        let s = o
            .as_slice_mut()
            .map_err(|e| PyValueError::new_err(format!("out: {e} (pass a contiguous array)")))?;
        let m = &mut self.m;
        py.detach(|| m.run_symbols(x, s));
        self.cycle += (x.len() / self.p.lanes) as u64;
        drop(o);
        Ok(out)
    }

    fn __repr__(&self) -> String {
        format!(
            "Model(lanes={}, n_taps={}, cycle={})",
            self.p.lanes, self.p.n_taps, self.cycle
        )
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyModel>()
}
