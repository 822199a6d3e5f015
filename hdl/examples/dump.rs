fn main() {
    let p = cporx_spec::RxParams::default();
    print!("{}", cporx_hdl::export::rx_top_verilog(&p).unwrap());
}
