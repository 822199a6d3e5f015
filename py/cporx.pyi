"""Type stubs of the Python module `cporx` (py/src/*.rs, PyO3): the bit-exact PAM-4 receive
model and the link analysis of cporx. Shipped in the wheel with `py.typed` (maturin).

Errors: bad input raises ValueError with the Rust message (naming the input and its legal
range); a file that cannot be read raises OSError naming the path; a value of the wrong
Python type TypeError. Questionable but legal parameters warn (UserWarning).
"""

import os
from typing import Any, Dict, List, Optional, Sequence, Tuple, TypedDict, Union

import numpy as np
import numpy.typing as npt

__version__: str
ADC_BITS: int
MIN_TAPS: int
MAX_TAPS: int
LAT_TOP: int
LEGAL_LANES: List[int]

PathLike = Union[str, "os.PathLike[str]"]
Cursors = List[Tuple[int, float]]
CursorsIn = Sequence[Tuple[int, float]]
ParamsLike = Union[None, "RxParams", Dict[str, Any], PathLike]

class RxParams:
    """The receive top's parameters (cporx_spec::RxParams): the fields of the CLI's
    `--config FILE` TOML, validated the same way."""

    def __init__(self, d: Optional[Dict[str, Any]] = None) -> None:
        """None: the defaults; a dict: the TOML file's fields (`{"n_taps": 5, ...,
        "cdr": {"kp": 12}}`), validated."""
    @staticmethod
    def from_toml(path: PathLike) -> "RxParams": ...
    @staticmethod
    def from_toml_str(text: str, name: str = "<string>") -> "RxParams": ...
    @staticmethod
    def with_taps(n_taps: int, main: int) -> "RxParams": ...
    def to_toml(self) -> str: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def warnings(self) -> List[str]: ...
    @property
    def lanes(self) -> int: ...
    @property
    def n_taps(self) -> int: ...
    @property
    def reset_coefs(self) -> List[int]: ...
    @property
    def thresholds(self) -> List[int]: ...
    @property
    def targets(self) -> List[int]: ...
    @property
    def dfe_taps(self) -> int: ...

class StepOut(TypedDict):
    """One cycle's outputs: per-lane lists, shared scalars."""

    y: List[int]
    symbol: List[int]
    gray: List[int]
    err: List[int]
    phase: int
    lock: bool
    freq: int
    gain: int
    rd_data: int

class RunOut(TypedDict):
    """Outputs of `Model.run`: per sample (stream order) y, symbol, gray, err; per clock
    phase, lock, freq, gain, rd_data."""

    y: npt.NDArray[np.int16]
    symbol: npt.NDArray[np.uint8]
    gray: npt.NDArray[np.uint8]
    err: npt.NDArray[np.int16]
    phase: npt.NDArray[np.uint8]
    lock: npt.NDArray[np.bool_]
    freq: npt.NDArray[np.int32]
    gain: npt.NDArray[np.uint8]
    rd_data: npt.NDArray[np.uint8]

class Model:
    """The bit-exact, cycle-accurate receive top (cporx_model::RxTopModel), at power-up."""

    def __init__(self, params: ParamsLike = None) -> None: ...
    @staticmethod
    def from_toml(path: PathLike) -> "Model": ...
    @property
    def lanes(self) -> int: ...
    @property
    def cycle(self) -> int:
        """Cycles stepped since construction."""
    @property
    def params(self) -> RxParams: ...
    def step(
        self,
        adc: Union[None, int, Sequence[int]] = None,
        rst: bool = False,
        cfg_we: bool = False,
        cfg_addr: int = 0,
        cfg_data: int = 0,
    ) -> StepOut:
        """One cycle: `adc` P codes -32 ..= 31 (an int when P = 1), cfg_addr 0 ..= 63,
        cfg_data -128 ..= 127."""
    def reset(self) -> StepOut: ...
    def outputs(self) -> StepOut: ...
    def read_reg(self, addr: int) -> int: ...
    def alloc(self, clocks: int) -> RunOut:
        """Zeroed output arrays of `run` for `clocks` clocks."""
    def run(
        self,
        adc: npt.NDArray[np.int8],
        rst: Optional[npt.NDArray[np.bool_]] = None,
        cfg_we: Optional[npt.NDArray[np.bool_]] = None,
        cfg_addr: Optional[npt.NDArray[np.uint8]] = None,
        cfg_data: Optional[npt.NDArray[np.int8]] = None,
        out: Optional[RunOut] = None,
    ) -> RunOut:
        """len(adc) / lanes cycles of `step`; the arrays read and written in place."""
    def run_symbols(
        self, adc: npt.NDArray[np.int8], out: Optional[npt.NDArray[np.uint8]] = None
    ) -> npt.NDArray[np.uint8]:
        """The data-only fast path (no reset, no write): the decided symbols."""

class Touchstone:
    """A Touchstone 1.x file."""

    @property
    def name(self) -> str: ...
    @property
    def n_ports(self) -> int: ...
    @property
    def z0(self) -> float: ...
    @property
    def f_hz(self) -> npt.NDArray[np.float64]: ...
    def s(self, i: int, j: int) -> npt.NDArray[np.complex128]: ...
    def s21(self) -> npt.NDArray[np.complex128]: ...
    def sdd21(self, map: Optional[str] = None) -> npt.NDArray[np.complex128]: ...
    def detect_port_map(self) -> Tuple[str, float]: ...

def read_touchstone(path: PathLike, ports: Optional[int] = None) -> Touchstone: ...
def sdd21(
    path: PathLike, map: Optional[str] = None, ports: Optional[int] = None
) -> Tuple[npt.NDArray[np.float64], npt.NDArray[np.complex128]]: ...

class Pulse:
    """A pulse response: `os` points per UI from `t0` UI (t = 0 the peak)."""

    @staticmethod
    def builtin(name: str) -> "Pulse": ...
    @staticmethod
    def builtin_names() -> List[str]: ...
    @property
    def name(self) -> str: ...
    @property
    def os(self) -> int: ...
    @property
    def t0(self) -> float: ...
    @property
    def samples(self) -> npt.NDArray[np.float64]: ...
    @property
    def peak(self) -> float: ...
    @property
    def peak_time(self) -> float: ...
    @property
    def span_ui(self) -> Tuple[float, float]: ...
    @property
    def measurement(self) -> Optional[Dict[str, float]]: ...
    def value(self, t: float) -> float: ...
    def cursors(self, phase: float = 0.0) -> Cursors: ...
    def normalized(self) -> "Pulse": ...

def pulse_response(
    f_hz: npt.NDArray[np.float64], h: npt.NDArray[np.complex128], baud_gbd: float = 53.125
) -> Pulse: ...

class Channel:
    """A channel file loaded and turned into a pulse (as `cporx channel` does)."""

    @property
    def file(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def n_ports(self) -> int: ...
    @property
    def f_hz(self) -> npt.NDArray[np.float64]: ...
    @property
    def h(self) -> npt.NDArray[np.complex128]: ...
    @property
    def map(self) -> Optional[str]: ...
    @property
    def map_text(self) -> str: ...
    @property
    def f_min_hz(self) -> float: ...
    @property
    def f_max_hz(self) -> float: ...
    @property
    def il_nyquist_db(self) -> float: ...
    @property
    def il_nyquist_extrapolated(self) -> bool: ...
    @property
    def il_nyquist_text(self) -> str: ...
    @property
    def beyond_data_energy(self) -> float: ...
    @property
    def pulse(self) -> Pulse: ...
    @property
    def warnings(self) -> List[str]: ...

def load_channel(
    path: PathLike,
    baud_gbd: float = 53.125,
    ports: Optional[int] = None,
    map: Optional[str] = None,
    force_map: bool = False,
) -> Channel: ...

class ChannelSummary(TypedDict):
    """The figures `cporx channel FILE` prints."""

    file: str
    name: str
    n_ports: int
    points: int
    f_min_ghz: float
    f_max_ghz: float
    port_map: str
    baud_gbd: float
    nyquist_ghz: float
    il_nyquist_db: float
    il_nyquist_text: str
    il_nyquist_extrapolated: bool
    pulse_peak: float
    pulse_peak_db: float
    delay_ps: float
    causality: float
    cursors: Dict[int, float]
    cursors_abs: Cursors
    warnings: List[str]

def channel_summary(
    path: PathLike,
    baud_gbd: float = 53.125,
    ports: Optional[int] = None,
    map: Optional[str] = None,
    force_map: bool = False,
) -> ChannelSummary: ...
class LossRow(TypedDict):
    what: str
    ber: Optional[float]
    p_clip: Optional[float]
    snr_needed_db: Optional[float]
    needed: str
    loss_db: Optional[float]

def implementation_loss(
    path: PathLike,
    taps: int = 3,
    bits: int = 6,
    target_ber: float = 1e-6,
    snr_db: float = 33.0,
    baud_gbd: float = 53.125,
) -> List[Dict[str, Any]]:
    """The tables of `cporx loss --channel FILE`: one dict per row of the file (name,
    reference, adc, tap_codes, thresholds, fixed: LossRow each; sum_db; backoff)."""

def solve_mmse(cursors: CursorsIn, n_taps: int, main_tap: int, noise_var: float) -> List[float]: ...
def solve_mmse_dfe(
    cursors: CursorsIn, n_taps: int, main_tap: int, noise_var: float
) -> List[float]: ...
def solve_zf(cursors: CursorsIn, n_taps: int, main_tap: int) -> List[float]: ...
def coef_scale(full_scale: float) -> float: ...
def quantize_taps(
    taps: Sequence[float],
    codes_per_unit: float,
    cursors: CursorsIn,
    main_tap: int,
    noise_var: float,
) -> Tuple[List[int], float]: ...
def equalize(cursors: CursorsIn, taps: Sequence[float], main_tap: int) -> Cursors: ...
def output_snr_db(
    cursors: CursorsIn, taps: Sequence[float], main_tap: int, noise_var: float
) -> float: ...
def pulse_cursors(
    pulse: Pulse, phase: float = 0.0, rj_rms_ui: float = 0.0
) -> Tuple[Cursors, Cursors]: ...

class EyeOut(TypedDict):
    ser: float
    ber: float
    ber_no_propagation: float
    transitions: List[List[float]]
    p_clip: float
    sigma_y: float
    sigma_noise: float
    sigma_quant: float
    sigma_jitter: float
    main: float
    isi_worst: float
    isi_cursors: int
    isi_bins: int

def stat_eye(
    cursors: CursorsIn,
    coefs: Sequence[int],
    main_tap: int,
    thresholds: Sequence[int],
    noise_sigma: float,
    full_scale: float,
    slopes: Optional[CursorsIn] = None,
    rj_rms_ui: float = 0.0,
    adc_bits: int = 6,
    dfe: int = 0,
) -> EyeOut: ...
def pam4_ber_awgn(snr_db: float) -> float: ...
def pam4_ser_awgn(snr_db: float) -> float: ...

class McOut(TypedDict):
    symbols: int
    symbol_errors: int
    bit_errors: int
    clipped: int
    ser: float
    ber: float
    seconds: float
    threads: int

def monte_carlo(
    cursors: CursorsIn,
    noise_sigma: float,
    full_scale: float,
    params: ParamsLike = None,
    main_tap: int = 1,
    symbols: int = 1 << 20,
    adc_bits: int = 6,
    max_errors: int = 0,
    seed: int = 1,
    threads: int = 0,
) -> McOut: ...
