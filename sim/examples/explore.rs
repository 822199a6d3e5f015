use cporx_sim::afe::*;
use cporx_sim::link::*;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let ch = args.get(1).cloned().unwrap_or("short".into());
    let kp: u32 = args.get(2).map(|s| s.parse().unwrap()).unwrap_or(10);
    let ki: u32 = args.get(3).map(|s| s.parse().unwrap()).unwrap_or(1);
    let ppm: f64 = args.get(4).map(|s| s.parse().unwrap()).unwrap_or(0.0);
    let snr: f64 = args.get(5).map(|s| s.parse().unwrap()).unwrap_or(30.0);
    let ui: u64 = args.get(6).map(|s| s.parse().unwrap()).unwrap_or(200000);
    let mut a = AfeConfig::new(PulseResponse::builtin(&ch).unwrap());
    a.snr_db = Some(snr);
    a.ppm = ppm;
    let mut c = LinkConfig::new(a, 3, ui).unwrap();
    c.rx.cdr.kp = kp;
    c.rx.cdr.ki = ki;
    let mut lt = vec![];
    let (mut slips, mut errs, mut bad, mut losses, mut rms) = (0, 0, 0, 0, 0.0);
    for seed in 0..20u64 {
        c.afe.seed = seed;
        c.rx.cdr.reset_phase = ((seed * 37) % 128) as u32;
        let r = run_link_model(&c).unwrap();
        lt.push(r.lock_time.unwrap_or(u64::MAX));
        slips += r.checker.slips;
        errs += r.checker.symbol_errors;
        bad += (r.checker.symbol_errors > 0) as u32;
        losses += r.lock_losses;
        rms += r.phase_rms;
    }
    lt.sort();
    println!("{ch} kp {kp} ki {ki} ppm {ppm} snr {snr}: lock median {} worst {} slips {slips} symerr {errs} runs_with_err {bad} lock_losses {losses} rms {:.2} coefs {:?}", lt[10], lt[19], rms / 20.0, c.rx.reset_coefs);
}
