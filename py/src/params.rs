//! `cporx.RxParams`: the receive top's parameters (`cporx_spec::RxParams`) from a Python
//! dict, a TOML file or TOML text, with the fields and the validation of the CLI's
//! `--config FILE` (`src/cli.rs`, `load_params`): unknown fields are refused, every value
//! is checked by `RxParams::validate` (the message names the field and its legal range),
//! and `RxParams::warnings` become Python `UserWarning`s.
//!
//! A dict is turned into a TOML value (bool, int, float, str, list, dict) and deserialized
//! as the TOML file would be: `{"n_taps": 5, "reset_coefs": [0, 64, 0, 0, 0], "cdr": {"kp":
//! 12}}` is the file `n_taps = 5` ... `[cdr] kp = 12`. Fields left out take the file's
//! defaults (`lanes` 1, `cdr` and `adapt` as `cporx_spec`), except the four the file needs
//! too (`n_taps`, `reset_coefs`, `thresholds`, `targets`): an empty dict is refused as an
//! empty file is; `RxParams()` with no argument is `RxParams::default()`.

use crate::value_err;
use cporx_spec::RxParams;
use pyo3::exceptions::{PyOSError, PyTypeError, PyUserWarning, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use std::ffi::CString;
use std::path::PathBuf;

/// The receive top's parameters (`cporx_spec::RxParams`).
#[pyclass(name = "RxParams", module = "cporx", frozen)]
#[derive(Clone)]
pub struct PyRxParams {
    pub p: RxParams,
}

/// A Python value as a TOML value; `key` names it in errors (`cdr.kp`, `reset_coefs[2]`).
fn to_toml(v: &Bound<'_, PyAny>, key: &str) -> PyResult<toml::Value> {
    // Python's bool and numpy's bool_ (pyo3 takes no int as a bool)
    if let Ok(b) = v.extract::<bool>() {
        return Ok(toml::Value::Boolean(b));
    }
    // numpy values (arrays and scalars) as the Python values they hold
    if !v.is_instance_of::<PyList>() && v.hasattr("tolist")? {
        return to_toml(&v.call_method0("tolist")?, key);
    }
    if v.is_instance_of::<PyInt>() {
        return match v.extract::<i64>() {
            Ok(i) => Ok(toml::Value::Integer(i)),
            Err(_) => Err(PyValueError::new_err(format!(
                "parameter `{key}` = {} does not fit a 64-bit integer",
                v.str()?
            ))),
        };
    }
    if let Ok(f) = v.cast::<PyFloat>() {
        return Ok(toml::Value::Float(f.value()));
    }
    if let Ok(s) = v.cast::<PyString>() {
        return Ok(toml::Value::String(s.to_str()?.to_string()));
    }
    if let Ok(d) = v.cast::<PyDict>() {
        return Ok(toml::Value::Table(dict_to_table(d, key)?));
    }
    if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        let mut a = Vec::new();
        for (k, x) in v.try_iter()?.enumerate() {
            a.push(to_toml(&x?, &format!("{key}[{k}]"))?);
        }
        return Ok(toml::Value::Array(a));
    }
    Err(PyTypeError::new_err(format!(
        "parameter `{key}`: a {} is not a parameter value (bool, int, float, str, list or dict)",
        v.get_type().name()?
    )))
}

fn dict_to_table(d: &Bound<'_, PyDict>, prefix: &str) -> PyResult<toml::Table> {
    let mut t = toml::Table::new();
    for (k, v) in d.iter() {
        let Ok(k) = k.extract::<String>() else {
            return Err(PyTypeError::new_err(format!(
                "parameter dict{}: key {} is not a str",
                if prefix.is_empty() {
                    String::new()
                } else {
                    format!(" `{prefix}`")
                },
                k.repr()?
            )));
        };
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        t.insert(k, to_toml(&v, &key)?);
    }
    Ok(t)
}

/// Parameters from a dict, as the TOML file of the same fields (validated).
pub fn from_dict(d: &Bound<'_, PyDict>) -> PyResult<RxParams> {
    let t = dict_to_table(d, "")?;
    // through the TOML text, as `--config FILE` is read: the error's span then names the
    // field (a `toml::Value` deserializer's errors do not)
    let text = toml::to_string(&t).map_err(|e| value_err(format!("parameter dict: {e}")))?;
    let p: RxParams = toml::from_str(&text).map_err(|e: toml::de::Error| {
        let field = e.span().and_then(|sp| field_at(&text, sp.start));
        value_err(match field {
            Some((k, v)) => format!("parameter dict: `{k}` = {v}: {}", e.message()),
            None => format!("parameter dict: {}", e.message()),
        })
    })?;
    p.validate().map_err(value_err)?;
    Ok(p)
}

/// The dotted key and the value text of the `key = value` line of TOML `text` holding
/// byte `at` (under its latest `[table]` header).
fn field_at(text: &str, at: usize) -> Option<(String, String)> {
    let mut table = String::new();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let l = line.trim();
        if l.starts_with('[') {
            table = l.trim_matches(|c| c == '[' || c == ']').to_string();
        }
        if at >= pos && at < pos + line.len() {
            let (k, v) = l.split_once(" = ")?;
            let k = if table.is_empty() {
                k.to_string()
            } else {
                format!("{table}.{k}")
            };
            return Some((k, v.to_string()));
        }
        pos += line.len();
    }
    None
}

/// Parameters from a TOML file (`cporx_spec::RxParams::from_toml`, as `--config FILE`).
pub fn from_file(path: &PathBuf) -> PyResult<RxParams> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| PyOSError::new_err(format!("cannot read {}: {e}", path.display())))?;
    RxParams::from_toml(&text, &path.display().to_string()).map_err(value_err)
}

/// Issue `RxParams::warnings` as Python `UserWarning`s, each prefixed with `what`.
pub fn warn(py: Python<'_>, p: &RxParams, what: &str) -> PyResult<()> {
    for w in p.warnings() {
        let msg = CString::new(format!("{what}: {w}")).unwrap_or_default();
        PyErr::warn(py, &py.get_type::<PyUserWarning>(), &msg, 1)?;
    }
    Ok(())
}

/// Parameters from what a Python caller passes: None (the defaults), an `RxParams`, a
/// dict, or a path (str or os.PathLike) of a TOML file.
pub fn from_any(py: Python<'_>, v: Option<&Bound<'_, PyAny>>) -> PyResult<RxParams> {
    let Some(v) = v.filter(|v| !v.is_none()) else {
        return Ok(RxParams::default());
    };
    if let Ok(p) = v.cast::<PyRxParams>() {
        return Ok(p.get().p.clone());
    }
    if let Ok(d) = v.cast::<PyDict>() {
        let p = from_dict(d)?;
        warn(py, &p, "parameter dict")?;
        return Ok(p);
    }
    if let Ok(path) = v.extract::<PathBuf>() {
        let p = from_file(&path)?;
        warn(py, &p, &path.display().to_string())?;
        return Ok(p);
    }
    Err(PyTypeError::new_err(format!(
        "params: expected None, an RxParams, a dict or the path of a TOML file, not a {}",
        v.get_type().name()?
    )))
}

/// A TOML value as a Python value.
fn toml_to_py<'py>(py: Python<'py>, v: &toml::Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        toml::Value::Boolean(b) => PyBool::new(py, *b).to_owned().into_any(),
        toml::Value::Integer(i) => i.into_pyobject(py)?.into_any(),
        toml::Value::Float(f) => f.into_pyobject(py)?.into_any(),
        toml::Value::String(s) => s.into_pyobject(py)?.into_any(),
        toml::Value::Array(a) => {
            let l = PyList::empty(py);
            for x in a {
                l.append(toml_to_py(py, x)?)?;
            }
            l.into_any()
        }
        toml::Value::Table(t) => {
            let d = PyDict::new(py);
            for (k, x) in t {
                d.set_item(k, toml_to_py(py, x)?)?;
            }
            d.into_any()
        }
        toml::Value::Datetime(d) => d.to_string().into_pyobject(py)?.into_any(),
    })
}

#[pymethods]
impl PyRxParams {
    /// `RxParams()`: the defaults (`RxParams::default()`); `RxParams(d)`: from a dict of
    /// the TOML file's fields (validated; warnings as `UserWarning`).
    #[new]
    #[pyo3(signature = (d=None))]
    fn new(py: Python<'_>, d: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let p = match d {
            None => RxParams::default(),
            Some(d) => {
                let p = from_dict(d)?;
                warn(py, &p, "parameter dict")?;
                p
            }
        };
        Ok(PyRxParams { p })
    }

    /// From a TOML file (the CLI's `--config FILE`).
    #[staticmethod]
    fn from_toml(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let p = from_file(&path)?;
        warn(py, &p, &path.display().to_string())?;
        Ok(PyRxParams { p })
    }

    /// From TOML text; `name` names it in messages.
    #[staticmethod]
    #[pyo3(signature = (text, name="<string>"))]
    fn from_toml_str(py: Python<'_>, text: &str, name: &str) -> PyResult<Self> {
        let p = RxParams::from_toml(text, name).map_err(value_err)?;
        warn(py, &p, name)?;
        Ok(PyRxParams { p })
    }

    /// A pass-through FFE of `n_taps` taps with the main cursor at `main`
    /// (`RxParams::with_taps`).
    #[staticmethod]
    fn with_taps(n_taps: usize, main: usize) -> PyResult<Self> {
        Ok(PyRxParams {
            p: RxParams::with_taps(n_taps, main).map_err(value_err)?,
        })
    }

    /// The TOML text of these parameters (`RxParams::to_toml`; `from_toml_str` reads it).
    fn to_toml(&self) -> String {
        self.p.to_toml()
    }

    /// The fields as a dict (the TOML file's structure; `RxParams(d)` reads it back).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = toml::Value::try_from(&self.p).map_err(value_err)?;
        toml_to_py(py, &v)
    }

    /// The legal but questionable settings, one sentence each (`RxParams::warnings`).
    fn warnings(&self) -> Vec<String> {
        self.p.warnings()
    }

    #[getter]
    fn lanes(&self) -> usize {
        self.p.lanes
    }
    #[getter]
    fn n_taps(&self) -> usize {
        self.p.n_taps
    }
    #[getter]
    fn reset_coefs(&self) -> Vec<i32> {
        self.p.reset_coefs.clone()
    }
    #[getter]
    fn thresholds(&self) -> [i32; 3] {
        self.p.thresholds
    }
    #[getter]
    fn targets(&self) -> [i32; 4] {
        self.p.targets
    }
    #[getter]
    fn dfe_taps(&self) -> usize {
        self.p.dfe_taps
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyRxParams>()
            .is_ok_and(|o| o.get().p == self.p)
    }

    fn __repr__(&self) -> String {
        format!(
            "RxParams(lanes={}, n_taps={}, reset_coefs={:?}, thresholds={:?}, targets={:?}, dfe_taps={}, adapt={})",
            self.p.lanes,
            self.p.n_taps,
            self.p.reset_coefs,
            self.p.thresholds,
            self.p.targets,
            self.p.dfe_taps,
            if self.p.adapt.is_some() { "on" } else { "off" }
        )
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyRxParams>()
}
