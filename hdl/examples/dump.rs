//! Print the exported Verilog of the receive top or of one block alone, for the default
//! parameters: `cargo run -p cporx-hdl --example dump [-- top|ffe|slicer|cdr|lms|levels|agc|dfe]`,
//! or a BIST block at the default lane count (`prbs_gen`, `prbs_chk`). For a block at its
//! proof sizes, `cporx prove --block B --prepare` writes each size's `dut.v`.
fn main() {
    let p = cporx_spec::RxParams::default();
    let which = std::env::args().nth(1).unwrap_or_else(|| "top".into());
    let v = match which.as_str() {
        "top" => cporx_hdl::export::rx_top_verilog(&p),
        "ffe" => cporx_hdl::export::ffe_verilog(&p),
        "slicer" => cporx_hdl::export::slicer_verilog(&p),
        "cdr" => cporx_hdl::export::cdr_verilog(&p),
        "lms" => cporx_hdl::export::lms_verilog(&p),
        "levels" => cporx_hdl::export::levels_verilog(&p),
        "agc" => cporx_hdl::export::agc_verilog(&cporx_spec::RxParams {
            adapt: Some(cporx_spec::AdaptParams::default()),
            ..p.clone()
        }),
        "dfe" => cporx_hdl::export::dfe_verilog(&cporx_spec::RxParams {
            dfe_taps: 1,
            ..p.clone()
        }),
        "prbs_gen" | "prbs_chk" => {
            let lanes = cporx_spec::bist::BistParams::default().lanes;
            if which == "prbs_gen" {
                cporx_hdl::bist::PrbsGen::new(lanes).map(cporx_hdl::bist::verilog_of)
            } else {
                cporx_hdl::bist::PrbsChk::new(lanes).map(cporx_hdl::bist::verilog_of)
            }
        }
        other => {
            eprintln!("dump: unknown block `{other}` (top, ffe, slicer, cdr, lms, levels, agc, dfe, prbs_gen, prbs_chk)");
            std::process::exit(2);
        }
    };
    print!("{}", v.unwrap());
}
