//! The Liberty reader (`cporx_synth::energy::liberty`) on the real OSU 0.18 um library
//! (`.tools/osu018/osu018_stdcells.lib` of the checkout, installed by the project's tool
//! setup; a missing file fails these tests, it does not skip them) and on small inline
//! texts for the error paths. Expected figures are copied from the file by hand.

use cporx_synth::energy::liberty::{
    locate_osu018, Direction, Liberty, LibertyError, SeqKind, Variable,
};
use std::path::Path;
use std::sync::OnceLock;

fn osu018() -> &'static Liberty {
    static LIB: OnceLock<Liberty> = OnceLock::new();
    LIB.get_or_init(|| {
        let path = locate_osu018().unwrap_or_else(|e| panic!("{e}"));
        Liberty::read(&path).unwrap_or_else(|e| panic!("{e}"))
    })
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn osu018_library_and_units() {
    let lib = osu018();
    assert_eq!(lib.name, "osu018_stdcells");
    assert_eq!(lib.cells.len(), 32);
    // time_unit "1ns", voltage_unit "1V", capacitive_load_unit (1,pf), leakage "1nW"
    assert_eq!(lib.units.time_ns, 1.0);
    assert_eq!(lib.units.voltage_v, 1.0);
    assert_eq!(lib.units.cap_pf, 1.0);
    assert!(close(lib.units.leakage_w, 1e-9, 1e-24));
    assert_eq!(lib.units.energy_pj(), 1.0);
    assert_eq!(lib.nom_voltage_v, Some(1.8));
    // the templates, with their variables
    assert_eq!(lib.templates.len(), 16);
    let t = &lib.templates["energy_template_5x5"];
    assert_eq!(
        t.variable_1.as_deref(),
        Some("total_output_net_capacitance")
    );
    assert_eq!(t.variable_2.as_deref(), Some("input_transition_time"));
    // no wire-load model in this file (issue 14 expected one)
    assert!(lib.wire_loads.is_empty() && lib.default_wire_load.is_none());
    // every cell with an output has leakage and internal-power tables
    lib.check_power().unwrap();
}

#[test]
fn osu018_nand2() {
    let c = osu018().cell("NAND2X1").unwrap();
    assert_eq!(c.area, 24.0);
    assert!(close(c.leakage_w.unwrap(), 0.0393659e-9, 1e-20));
    assert!(!c.is_sequential());
    let a = c.pin("A").unwrap();
    assert_eq!(a.direction, Direction::Input);
    assert_eq!(a.capacitance_pf, Some(0.0125));
    assert_eq!(a.rise_capacitance_pf, Some(0.0125));
    assert_eq!(a.fall_capacitance_pf, Some(0.0122726));
    assert!(!a.clock);
    let y = c.pin("Y").unwrap();
    assert_eq!(y.direction, Direction::Output);
    assert_eq!(y.function.as_deref(), Some("(!(A B))"));
    assert_eq!(c.output_pins().count(), 1);
    assert_eq!(y.internal_power.len(), 2);
    let ip = y
        .internal_power
        .iter()
        .find(|ip| ip.related_pin.as_deref() == Some("A"))
        .unwrap();
    let rise = ip.rise.as_ref().unwrap();
    assert_eq!(rise.template, "energy_template_5x5");
    assert_eq!(
        (rise.variable_1, rise.variable_2),
        (
            Some(Variable::TotalOutputNetCapacitance),
            Some(Variable::InputTransitionTime)
        )
    );
    assert_eq!(rise.index_1, vec![0.005, 0.0125, 0.025, 0.075, 0.15]);
    assert_eq!(rise.index_2, vec![0.06, 0.18, 0.42, 0.6, 1.2]);
    // a grid point: load 0.005 pF, slew 0.06 ns
    assert!(close(rise.lookup(0.005, 0.06), 0.044515, 1e-12));
    // another grid point, to pin the axis order: load 0.15 pF (last row), slew 0.06 ns
    assert!(close(rise.lookup(0.15, 0.06), 0.046968, 1e-12));
    // interpolated, the centre of the first cell: mean of 0.044515 0.051923 0.045446 0.0506
    assert!(close(rise.lookup(0.00875, 0.12), 0.048121, 1e-9));
    // interpolated between grid lines of both axes: load 0.05 (rows 0.025/0.075),
    // slew 0.3 (columns 0.18/0.42): 0.049805..0.061891 -> 0.055848, 0.047725..0.056845
    // -> 0.052285, then halfway: 0.0540665
    assert!(close(rise.lookup(0.05, 0.3), 0.0540665, 1e-9));
    assert!(rise.covers(0.05, 0.3));
    // extrapolated beyond both ends: load 0.2 pF (t = 5/3 on 0.075..0.15), slew 1.5 ns
    // (u = 1.5 on 0.6..1.2): rows 0.066045 + 1.5 (0.101402 - 0.066045) = 0.1190805 and
    // 0.060733 + 1.5 (0.090902 - 0.060733) = 0.1059865; 0.1190805 + 5/3 (0.1059865 -
    // 0.1190805) = 0.09725717
    assert!(close(rise.lookup(0.2, 1.5), 0.097257167, 1e-8));
    assert!(!rise.covers(0.2, 1.5));
    let fall = ip.fall.as_ref().unwrap();
    assert!(close(fall.lookup(0.005, 0.06), 0.010032, 1e-12));
}

#[test]
fn osu018_flip_flop_and_latch() {
    let lib = osu018();
    let c = lib.cell("DFFPOSX1").unwrap();
    assert_eq!(c.area, 96.0);
    let s = c.sequential.as_ref().unwrap();
    assert_eq!(s.kind, SeqKind::FlipFlop);
    assert_eq!(s.clocked_on, "CLK");
    assert_eq!(s.clock_pin.as_deref(), Some("CLK"));
    let clk = c.pin("CLK").unwrap();
    assert!(clk.clock);
    assert_eq!(clk.capacitance_pf, Some(0.0279235));
    // the clock pin's passive energy: 1-D tables over the input transition
    assert_eq!(clk.internal_power.len(), 1);
    let ip = &clk.internal_power[0];
    assert_eq!(ip.related_pin, None);
    let rise = ip.rise.as_ref().unwrap();
    assert_eq!(rise.template, "passive_energy_template_6x1");
    assert_eq!(rise.variable_1, Some(Variable::InputTransitionTime));
    assert_eq!(rise.variable_2, None);
    assert_eq!(rise.index_1, vec![0.06, 0.24, 0.48, 0.9, 1.2, 1.8]);
    assert!(close(rise.lookup(0.0, 0.06), 0.006865, 1e-12));
    // the load does not matter to a passive table
    assert!(close(rise.lookup(0.1, 0.06), 0.006865, 1e-12));
    // halfway between 0.06 and 0.24
    assert!(close(
        rise.lookup(0.0, 0.15),
        (0.006865 + 0.006943) / 2.0,
        1e-12
    ));
    // beyond 1.8 ns: the last segment 0.112244 (1.2) .. 0.183321 (1.8), at 2.4 ns
    assert!(close(
        rise.lookup(0.0, 2.4),
        0.183321 + (0.183321 - 0.112244),
        1e-12
    ));
    let fall = ip.fall.as_ref().unwrap();
    assert!(close(fall.lookup(0.0, 0.06), 0.11034, 1e-12));
    assert!(close(fall.lookup(0.0, 1.8), 0.338194, 1e-12));
    // the negative-edge flip-flop's clock expression names its pin
    let n = lib.cell("DFFNEGX1").unwrap().sequential.as_ref().unwrap();
    assert_eq!(
        (n.clocked_on.as_str(), n.clock_pin.as_deref()),
        ("(!CLK)", Some("CLK"))
    );
    // the latch: `enable`, level-sensitive
    let l = lib.cell("LATCH").unwrap().sequential.as_ref().unwrap();
    assert_eq!(
        (l.kind, l.clocked_on.as_str(), l.clock_pin.as_deref()),
        (SeqKind::Latch, "CLK", Some("CLK"))
    );
    // combinational cells are not sequential; 4 of the 32 cells are
    assert_eq!(lib.cells.iter().filter(|c| c.is_sequential()).count(), 4);
    // DFFSR's S-to-Q energy is one `power` table serving both edges
    let q = lib.cell("DFFSR").unwrap().pin("Q").unwrap();
    let s_ip = q
        .internal_power
        .iter()
        .find(|ip| ip.related_pin.as_deref() == Some("S"))
        .unwrap();
    assert_eq!(s_ip.rise, s_ip.fall);
    assert!(s_ip.rise.is_some());
}

const HEAD: &str = r#"library(tiny) {
  time_unit : "1ps";
  voltage_unit : "1V";
  leakage_power_unit : "1pW";
  capacitive_load_unit (1, ff);
  nom_voltage : 1.2;
  power_lut_template(e2) {
    variable_1 : input_transition_time;
    variable_2 : total_output_net_capacitance;
    index_1 ("10, 20");
    index_2 ("1, 3");
  }
"#;

#[test]
fn units_are_converted_and_swapped_axes_respected() {
    // ps, fF and pW units; the template puts the transition first
    let text = format!(
        "{HEAD}  cell(INV) {{\n    area : 2;\n    cell_leakage_power : 5;\n    pin(A) {{ direction : input; capacitance : 2; }}\n    pin(Y) {{\n      direction : output;\n      function : \"!A\";\n      internal_power() {{\n        related_pin : \"A\";\n        rise_power(e2) {{ values (\"1, 2\", \"3, 4\"); }}\n      }}\n    }}\n  }}\n}}\n"
    );
    let lib = Liberty::parse(&text, Path::new("<tiny>")).unwrap();
    let c = lib.cell("INV").unwrap();
    assert!(close(c.leakage_w.unwrap(), 5e-12, 1e-24));
    assert!(close(
        c.pin("A").unwrap().capacitance_pf.unwrap(),
        0.002,
        1e-15
    ));
    let t = c.pin("Y").unwrap().internal_power[0].rise.as_ref().unwrap();
    // indices in ns and pF; values in fF V^2 = 1e-3 pJ
    assert_eq!(t.variable_1, Some(Variable::InputTransitionTime));
    assert!(close(t.index_1[1], 0.02, 1e-15) && close(t.index_2[1], 0.003, 1e-15));
    assert!(close(t.lookup(0.001, 0.010), 0.001, 1e-15));
    assert!(close(t.lookup(0.003, 0.010), 0.002, 1e-15));
    assert!(close(t.lookup(0.001, 0.020), 0.003, 1e-15));
    assert!(close(t.lookup(0.002, 0.015), 0.0025, 1e-15));
    // the cell lacks a fall table but has a rise one: enough for check_power
    lib.check_power().unwrap();
}

#[test]
fn a_cell_without_power_data_is_an_error_naming_it() {
    let text = format!(
        "{HEAD}  cell(GOOD) {{ area : 1; cell_leakage_power : 1;\n    pin(A) {{ direction : input; }}\n    pin(Y) {{ direction : output; function : \"A\";\n      internal_power() {{ related_pin : \"A\"; rise_power(scalar) {{ values (\"0.5\"); }} }} }} }}\n  cell(NOPOWER) {{ area : 1; cell_leakage_power : 1;\n    pin(A) {{ direction : input; }}\n    pin(Y) {{ direction : output; function : \"A\"; }} }}\n  cell(NOLEAK) {{ area : 1;\n    pin(A) {{ direction : input; }}\n    pin(Y) {{ direction : output; function : \"A\";\n      internal_power() {{ rise_power(scalar) {{ values (\"0.5\"); }} }} }} }}\n  cell(TIE) {{ area : 1; pin(A) {{ direction : input; }} }}\n}}\n"
    );
    let lib = Liberty::parse(&text, Path::new("<tiny>")).unwrap();
    assert_eq!(lib.cells.len(), 4);
    // a scalar table is a constant
    let g = lib.cell("GOOD").unwrap().pin("Y").unwrap();
    assert!(close(
        g.internal_power[0].rise.as_ref().unwrap().lookup(9.0, 9.0),
        0.5e-3,
        1e-15
    ));
    let e = lib.check_power().unwrap_err();
    let LibertyError::MissingPower { cells, .. } = &e else {
        panic!("{e}")
    };
    assert_eq!(cells, &["NOPOWER".to_string(), "NOLEAK".to_string()]);
    let msg = e.to_string();
    assert!(msg.starts_with("<tiny>: power data missing: "), "{msg}");
    assert!(
        msg.contains("cell NOPOWER (line 17): output pin Y has no internal_power table"),
        "{msg}"
    );
    assert!(
        msg.contains("cell NOLEAK (line 20): no cell_leakage_power"),
        "{msg}"
    );
    assert!(!msg.contains("GOOD") && !msg.contains("TIE"), "{msg}");
}

#[test]
fn syntax_and_content_errors_name_the_line() {
    let cases: &[(&str, &str)] = &[
        // a missing `)` in a complex attribute
        (
            "library(x) {\n  a : 1;\n  index_1 (\"1, 2\";\n}\n",
            "<t>:3: in the arguments of `index_1`: unexpected `;`",
        ),
        (
            "library(x) {\n  a : ;\n}\n",
            "<t>:2: expected a value after `a :`, found `;`",
        ),
        (
            "library(x) {\n  a :",
            "<t>:2: expected a value after `a :`, found the end of the file",
        ),
        (
            "library(x) {\n  cell(A) {\n",
            "<t>:2: group not closed: no `}` before the end of the file",
        ),
        (
            "library(x) {\n  s : \"open\n}\n",
            "<t>:2: unterminated string",
        ),
        (
            "library(x) { /* never closed\n}\n",
            "<t>:1: unterminated /* comment",
        ),
        (
            "library(x) {\n  b c;\n}\n",
            "<t>:2: expected `:` or `(` after `b`",
        ),
    ];
    for (text, want) in cases {
        let e = Liberty::parse(text, Path::new("<t>"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with(want), "got {e:?}, want {want:?}");
    }
    // content errors: a table with the wrong number of values, an unknown template,
    // a pin without a direction, a bad number, a missing unit
    let bad = |cell: &str| format!("{HEAD}  cell(C) {{ area : 1;\n{cell}\n  }}\n}}\n");
    let content: &[(String, &str)] = &[
        (
            bad("    pin(Y) { direction : output;\n      internal_power() { rise_power(e2) { values (\"1, 2, 3\"); } } }"),
            "<t>:15: cell C pin Y: rise_power: 3 values for a 2x2 table",
        ),
        (
            bad("    pin(Y) { direction : output;\n      internal_power() { fall_power(nope) { values (\"1\"); } } }"),
            "<t>:15: cell C pin Y: fall_power: unknown template `nope`",
        ),
        (bad("    pin(Y) { capacitance : 1; }"), "<t>:14: cell C pin Y: no direction"),
        (
            bad("    pin(Y) { direction : input; capacitance : 1x; }"),
            "<t>:14: cell C pin Y: capacitance: `1x` is not a finite number",
        ),
        (
            "library(x) {\n  capacitive_load_unit (1, pf);\n}\n".to_string(),
            "<t>:1: the library has no leakage_power_unit",
        ),
    ];
    for (text, want) in content {
        let e = Liberty::parse(text, Path::new("<t>"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with(want), "got {e:?}, want {want:?}");
    }
    // a missing file names its path
    let e = Liberty::read(Path::new("/nonexistent/x.lib"))
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("/nonexistent/x.lib: "), "{e}");
}
