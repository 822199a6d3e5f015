//! Verilog export of the receive top. rust-hdl names the top module `top`; every
//! sub-block becomes its own module (`top$ffe`, ...) in the same file.

use crate::RxTop;
use cporx_spec::{ParamError, RxParams};
use rust_hdl::prelude::*;

/// The Verilog text of the receive top for `p`.
pub fn rx_top_verilog(p: &RxParams) -> Result<String, ParamError> {
    let mut top = RxTop::new(p)?;
    top.connect_all();
    // rust-hdl's checks (connectivity, logic loops, write-to-input) run here.
    Ok(generate_verilog(&top))
}
