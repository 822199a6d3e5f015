//! Print the exported Verilog of the receive top or of one block alone, for the default
//! parameters: `cargo run -p cporx-hdl --example dump [-- top|ffe|slicer|cdr|lms|levels]`.
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
        other => {
            eprintln!("dump: unknown block `{other}` (top, ffe, slicer, cdr, lms, levels)");
            std::process::exit(2);
        }
    };
    print!("{}", v.unwrap());
}
