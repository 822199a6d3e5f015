//! Verilog export of the receive top and of each receive block alone. rust-hdl names the
//! top module `top`; every sub-block becomes its own module (`top$ffe`, ...) in the same
//! file. A block exported alone has exactly its own ports (ffe.rs, slicer.rs, cdr.rs
//! list them), so it can be simulated and tested without the rest of the datapath
//! (verif/tests/ffe.rs, slicer.rs, cdr.rs).

use crate::{Cdr, Dfe, Ffe, Levels, Lms, RxTop, Slicer};
use cporx_spec::{ParamError, RxParams};
use rust_hdl::prelude::*;

/// The Verilog text of a connected block (rust-hdl's checks of connectivity, logic loops
/// and writes to inputs run in `connect_all` and `generate_verilog`).
fn verilog_of<B: Block>(mut b: B) -> String {
    b.connect_all();
    generate_verilog(&b)
}

/// The Verilog text of the receive top for `p`.
pub fn rx_top_verilog(p: &RxParams) -> Result<String, ParamError> {
    Ok(verilog_of(RxTop::new(p)?))
}

/// The Verilog text of the FFE alone for `p` (module `top`; ports `clock`, `rst`,
/// `cfg_we`, `cfg_addr`, `cfg_data`, `adc$j`, `y$j`).
pub fn ffe_verilog(p: &RxParams) -> Result<String, ParamError> {
    Ok(verilog_of(Ffe::new(p)?))
}

/// The Verilog text of the PAM-4 slicer alone for `p` (module `top`; ports `clock`,
/// `rst`, `cfg_we`, `cfg_addr`, `cfg_data`, `y$j`, `symbol$j`, `gray$j`, `err$j`).
pub fn slicer_verilog(p: &RxParams) -> Result<String, ParamError> {
    Ok(verilog_of(Slicer::new(p)?))
}

/// The Verilog text of the CDR alone for `p` (module `top`; ports `clock`, `rst`,
/// `cfg_we`, `cfg_addr`, `cfg_data`, `symbol$j`, `err$j`, `phase`, `lock`, `freq`).
pub fn cdr_verilog(p: &RxParams) -> Result<String, ParamError> {
    Ok(verilog_of(Cdr::new(p)?))
}

/// The Verilog text of the sign-sign LMS alone for `p` (module `top`; ports `clock`,
/// `rst`, `cfg_we`, `cfg_addr`, `cfg_data`, `adc$j`, `err`, `enable`, `mu`, `freeze`,
/// `wr_we`, `wr_addr`, `wr_data`).
pub fn lms_verilog(p: &RxParams) -> Result<String, ParamError> {
    Ok(verilog_of(Lms::new(p)?))
}

/// The Verilog text of the AGC alone for `p` (module `top`; ports `clock`, `rst`,
/// `cfg_we`, `cfg_addr`, `cfg_data`, `enable`, `adc$j`, `gain`, `rd`). `p.adapt` must be
/// `Some` (the AGC's reset values): an error otherwise.
pub fn agc_verilog(p: &RxParams) -> Result<String, ParamError> {
    let agc = crate::agc::Agc::new(p)?.ok_or_else(|| ParamError::OutOfRange {
        name: "adapt".into(),
        value: 0,
        lo: 1,
        hi: 1,
        unit: " (the AGC needs the adaptation: set [adapt])",
    })?;
    Ok(verilog_of(agc))
}

/// The Verilog text of the slicer-level adaptation alone for `p` (module `top`; ports
/// `clock`, `rst`, `cfg_we`, `cfg_addr`, `cfg_data`, `symbol`, `err`, `enable`, `mu`,
/// `wr_we`, `wr_addr`, `wr_data`).
pub fn levels_verilog(p: &RxParams) -> Result<String, ParamError> {
    Ok(verilog_of(Levels::new(p)?))
}

/// The Verilog text of the DFE alone for `p` (`p.dfe_taps` must be 1; module `top`; the
/// slicer's ports and `rd`; with `p.adapt` the block keeps its own copies of the
/// adaptation's enable and step registers, written from the bus, so no extra ports).
pub fn dfe_verilog(p: &RxParams) -> Result<String, ParamError> {
    Ok(verilog_of(Dfe::new(p)?))
}
