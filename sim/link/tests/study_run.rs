//! `study::run` on the ideal hop alone (an empty folder): the observer hears the inputs,
//! the SDD21 figure, the start, the case's figures in order, its row, then the BER-vs-SNR
//! figure; the report holds the same row. No Monte-Carlo (fast).

use cporx_link::study::{self, Figure, Input, Inputs, Observer, Row, RunOpts, Skipped, StudyOpts};

#[derive(Default)]
struct Log(Vec<String>, Vec<Row>);

impl Observer for Log {
    fn inputs(&mut self, i: &Inputs) -> Result<(), String> {
        self.0.push(format!("inputs {}", i.cases.len()));
        Ok(())
    }
    fn start(&mut self, _: &Inputs) -> Result<(), String> {
        self.0.push("start".into());
        Ok(())
    }
    fn figure(&mut self, f: Figure<'_>) -> Result<(), String> {
        self.0.push(match f {
            Figure::Sdd21 { curves, .. } => format!("sdd21 {}", curves.len()),
            Figure::Pulse { .. } => "pulse".into(),
            Figure::Eye { .. } => "eye".into(),
            Figure::Bathtub { mc, .. } => format!("bathtub {}", mc.len()),
            Figure::BerVsSnr { theory, mc, .. } => format!("ber {} {}", theory.len(), mc.len()),
        });
        Ok(())
    }
    fn finished(&mut self, c: &Input, r: Result<&Row, &Skipped>) -> Result<(), String> {
        self.0.push(format!("row {}", c.name));
        self.1.push(r.expect("the ideal hop gives a row").clone());
        Ok(())
    }
}

#[test]
fn the_ideal_hop_alone() {
    let dir = std::env::temp_dir();
    let ins = study::inputs(&dir, &[], 53.125e9).unwrap();
    assert_eq!((ins.cases.len(), ins.files), (1, 0));
    let o = RunOpts {
        study: StudyOpts::default(),
        baud_hz: 53.125e9,
        mc_symbols: 0,
        seed: 1,
        adaptive_ui: None,
    };
    let mut log = Log::default();
    let rep = study::run(&ins, &o, &mut log).unwrap();
    assert_eq!(
        log.0,
        [
            "inputs 1",
            "sdd21 1",
            "start",
            "pulse",
            "eye",
            "bathtub 0",
            "row ideal short hop (filters only)",
            "ber 15 0"
        ]
    );
    assert_eq!(rep.rows.len(), 1);
    let r = &rep.rows[0];
    assert_eq!(r.channel, log.1[0].channel);
    assert_eq!((r.mc_bits, r.ber3_mc), (0, None));
    assert!(r.il_nyquist_db.abs() < 1e-9 && r.peak > 0.5 && r.taps3_eye_open);
    // an observer's error stops the run
    struct Refuse;
    impl Observer for Refuse {
        fn figure(&mut self, _: Figure<'_>) -> Result<(), String> {
            Err("no plots here".into())
        }
    }
    assert_eq!(
        study::run(&ins, &o, &mut Refuse).unwrap_err(),
        "no plots here"
    );
}
