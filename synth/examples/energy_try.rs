use cporx_link::afe::AfeConfig;
use cporx_link::closed_loop::LinkConfig;
use cporx_link::pulse::PulseResponse;
use cporx_synth::energy::measure::*;
use std::collections::BTreeMap;
fn main() {
    let libp = cporx_synth::energy::sta::find_liberty(None).unwrap();
    let lib = cporx_synth::energy::liberty::Liberty::read(&libp).unwrap();
    let mut afe = AfeConfig::new(PulseResponse::builtin("short").unwrap());
    afe.snr_db = Some(25.0);
    let link = LinkConfig::new(afe, 3, 100_000).unwrap();
    let cfg = MeasureConfig {
        link,
        count_cycles: 20_000,
        liberty: libp,
        dir: "/tmp/en-try".into(),
        sta: StaInputsSpec {
            input_transition_ns: 0.1,
            wire_pf_per_fanout: 0.005,
        },
        baud_gbd: 53.125,
    };
    let t = std::time::Instant::now();
    let m = measure(&cfg, &lib, &mut |s| {
        eprintln!("[{:.1}s] {s}", t.elapsed().as_secs_f64())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    println!(
        "settle {} compared {} mismatches {} {:?}",
        m.settle, m.compared, m.mismatches, m.first_mismatch
    );
    for b in &m.blocks {
        println!(
            "{:8} cells {:5} sta int {:.3e} sw {:.3e} | sum int {:.3e} sw {:.3e} -> {:.3} pJ/bit",
            b.name,
            b.cells,
            b.sta.internal,
            b.sta.switching,
            b.sum.internal,
            b.sum.switching,
            m.pj_per_bit(b.sum.total())
        );
    }
    println!(
        "sta total {:?}\nsum2019 {:?} inputs {:.3e}\nsum {:?}",
        m.sta.total,
        m.sum_2019.total(),
        m.sum_2019.inputs,
        m.sum.total()
    );
    let mut by: BTreeMap<String, (f64, f64, f64, f64)> = BTreeMap::new();
    for (k, c) in m.mapped.netlist.cells.iter().enumerate() {
        let e = by.entry(c.ty.clone()).or_default();
        e.0 += m.sta.cells[k].internal;
        e.1 += m.sum_2019.cells[k].internal;
        e.2 += m.sta.cells[k].switching;
        e.3 += m.sum_2019.cells[k].switching;
    }
    for (ty, e) in by {
        println!(
            "{ty:10} int sta/sum2019 {:.3}  sw {:.3}",
            e.0 / e.1,
            e.2 / e.3
        );
    }
}
