//! The CDR detector's S-curve: mean Mueller-Muller output `z` against a held PI code (loop
//! open), over 50,000 UI per code on a built-in channel at SNR 30 dB. This is the
//! measurement behind the false-lock kick (docs/numerics.md, "False-lock escape"):
//! `cargo run --release -p cporx-link --example scurve -- short`
use cporx_link::afe::*;
use cporx_link::closed_loop::*;
use cporx_link::pulse::PulseResponse;
use cporx_model::RxTopModel;
use cporx_spec::*;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let ch = args.get(1).cloned().unwrap_or("short".into());
    let mut a = AfeConfig::new(PulseResponse::builtin(&ch).unwrap());
    a.snr_db = Some(30.0);
    let c = LinkConfig::new(a.clone(), 3, 1).unwrap();
    for code in (0..128u8).step_by(4) {
        let mut rx = c.rx.clone();
        rx.cdr.enable = false;
        rx.cdr.reset_phase = code as u32;
        let mut m = RxTopModel::new(&rx).unwrap();
        let mut afe = Afe::new(a.clone()).unwrap();
        m.step(&RxIn::reset());
        let mut s = 0.0;
        let mut n = 0.0;
        for k in 0..50000 {
            m.step_data(&[afe.sample(code) as i32]);
            if k > 100 {
                s += m.cdr.ted[0] as f64;
                n += 1.0;
            }
        }
        println!("code {code:3} mean_z {:8.2}", s / n);
    }
}
