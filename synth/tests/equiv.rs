//! The synthesized netlists proven equivalent to the RTL (cporx_synth::equiv, issue 15
//! item 3): every design of `equiv_pool()` x both netlist kinds (generic `synth`, ECP5
//! `synth_ecp5`), and mutants that must be caught and reported by signal name: a gate of
//! the generic netlist inverted, a wrong power-up (init) value, an ECP5 LUT's INIT
//! inverted. These FAIL, not skip, when Yosys is missing (scripts/setup-tools.sh).
//!
//! The 2-lane x 5-tap design and the ECP5 netlists of the pool are `#[ignore]`d for time
//! (minutes each on 2 cores: 7 and 11 for the ECP5 receive and BIST tops) to keep this
//! file near 4 CPU-minutes; all are proven (see cporx_synth::equiv). Run them with
//! `scripts/test.sh --full` or `-- --include-ignored`; `cporx prove --block equiv` runs
//! them too. The ECP5 slicer below (unmutated and mutated) keeps the ECP5 method in every
//! run. Work folders:
//! `$TMPDIR/cporx-equiv-test-<pid>-<name>` (kept, with `equiv.ys` and `equiv.log`).

use cporx_synth::equiv::{
    equiv_pool, prove_netlist, synthesize_gate, EquivDesign, EquivReport, NetlistKind,
};
use cporx_synth::SynthError;
use std::path::PathBuf;

fn work(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("cporx-equiv-test-{}-{name}", std::process::id()))
}

fn design(name: &str) -> EquivDesign {
    equiv_pool()
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("no pool design {name}"))
}

/// Prove one pool design; the report must say proven, with cells and power-up checked.
fn proven(name: &str, kind: NetlistKind) -> EquivReport {
    let d = design(name);
    let r = d
        .prove(kind, &work(&format!("{name}-{kind}")))
        .unwrap_or_else(|e| panic!("{e}"));
    println!("{}", r.summary());
    assert!(
        r.is_proven() && r.cells > 100 && r.proven == r.cells,
        "{r:?}"
    );
    assert!(r.unproven.is_empty() && r.powerup.is_empty() && r.powerup_checked);
    assert_eq!(r.design, name);
    r
}

#[test]
fn rx_top_generic_is_proven() {
    proven("rx-top", NetlistKind::Generic);
}

#[test]
#[ignore = "7 min on 2 cores: scripts/test.sh --full"]
fn rx_top_ecp5_is_proven() {
    proven("rx-top", NetlistKind::Ecp5);
}

#[test]
fn bist_top_generic_is_proven() {
    proven("bist-top", NetlistKind::Generic);
}

#[test]
#[ignore = "11 min on 2 cores: scripts/test.sh --full"]
fn bist_top_ecp5_is_proven() {
    proven("bist-top", NetlistKind::Ecp5);
}

#[test]
#[ignore = "10 min on 2 cores: scripts/test.sh --full"]
fn rx_top_2x5_generic_is_proven() {
    proven("rx-top-2x5", NetlistKind::Generic);
}

#[test]
#[ignore = "minutes on 2 cores: scripts/test.sh --full"]
fn rx_top_2x5_ecp5_is_proven() {
    proven("rx-top-2x5", NetlistKind::Ecp5);
}

/// The slicer alone (small: the mutants' proofs take seconds), its RTL and a netlist.
fn slicer(kind: NetlistKind) -> (String, String) {
    let rtl = cporx_hdl::export::slicer_verilog(&cporx_spec::RxParams::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let net = synthesize_gate(&rtl, "top", kind).unwrap_or_else(|e| panic!("{e}"));
    (rtl, net)
}

fn prove_mutant(rtl: &str, net: &str, kind: NetlistKind, name: &str) -> EquivReport {
    let r = prove_netlist(rtl, net, "top", kind, &work(name)).unwrap_or_else(|e| panic!("{e}"));
    println!("{name}: {}", r.summary());
    assert!(!r.is_proven(), "mutant {name} not caught: {r:?}");
    // the error names the design's kind, what failed and the log
    let e = r.clone().check().unwrap_err();
    assert!(matches!(e, SynthError::Equiv(_)));
    let msg = e.to_string();
    assert!(
        msg.contains(&format!("{kind} netlist of")) && msg.contains("equiv.log"),
        "{msg}"
    );
    println!("  {msg}");
    r
}

#[test]
fn the_unmutated_slicer_generic_is_proven() {
    // the control for the generic mutants below: the same netlist unmutated is proven
    let (rtl, net) = slicer(NetlistKind::Generic);
    let r = prove_netlist(
        &rtl,
        &net,
        "top",
        NetlistKind::Generic,
        &work("slicer-generic"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    println!("{}", r.summary());
    assert!(r.is_proven(), "{r:?}");
}

#[test]
fn a_flipped_gate_is_caught_by_name() {
    let (rtl, net) = slicer(NetlistKind::Generic);
    // the first gate driving a named bit: `assign \name [k] = _a_ OP _b_;`, inverted
    let (i, line) = net
        .lines()
        .enumerate()
        .find(|(_, l)| {
            let t: Vec<&str> = l.split_whitespace().collect();
            t.len() == 7
                && t[0] == "assign"
                && t[1].starts_with('\\')
                && t[2].starts_with('[')
                && t[3] == "="
                && ["&", "|", "^"].contains(&t[5])
        })
        .expect("a gate driving a named bit");
    let t: Vec<&str> = line.split_whitespace().collect();
    let signal = format!("{} {}", &t[1][1..], t[2]);
    let rhs = line.split_once("= ").unwrap().1.trim_end_matches(';');
    let mutated: Vec<String> = net
        .lines()
        .enumerate()
        .map(|(k, l)| {
            if k == i {
                format!("  assign {} {} = ~({rhs});", t[1], t[2])
            } else {
                l.to_string()
            }
        })
        .collect();
    let r = prove_mutant(&rtl, &mutated.join("\n"), NetlistKind::Generic, "mut-gate");
    assert!(
        r.unproven.contains(&signal),
        "the inverted gate drives {signal}; unproven: {:?}",
        r.unproven
    );
}

#[test]
fn a_wrong_power_up_value_is_caught_by_name() {
    let (rtl, net) = slicer(NetlistKind::Generic);
    // the first register with a power-up value of 0 in bit 0: `reg [..] \name = W'h..0;`
    let (i, name, width) = net
        .lines()
        .enumerate()
        .find_map(|(k, l)| {
            let l = l.trim();
            let rest = l.strip_prefix("reg ")?;
            let (decl, init) = rest.split_once(" = ")?;
            let name = decl.split_whitespace().last()?.trim_start_matches('\\');
            let width = if decl.starts_with('[') { 2 } else { 1 };
            init.ends_with("0;").then(|| (k, name.to_string(), width))
        })
        .expect("a register with a power-up value");
    let mutated: Vec<String> = net
        .lines()
        .enumerate()
        .map(|(k, l)| {
            if k == i {
                // bit 0 of the init value set to 1
                format!("{}1;", l.trim_end().strip_suffix("0;").unwrap())
            } else {
                l.to_string()
            }
        })
        .collect();
    let r = prove_mutant(&rtl, &mutated.join("\n"), NetlistKind::Generic, "mut-init");
    let want = if width == 1 {
        format!("{name} (cycle 1)")
    } else {
        format!("{name} [0] (cycle 1)")
    };
    assert!(
        r.powerup.contains(&want),
        "the register {name} starts at a wrong value; power-up differences: {:?}",
        r.powerup
    );
}

#[test]
fn an_inverted_ecp5_lut_is_caught_by_name() {
    let (rtl, net) = slicer(NetlistKind::Ecp5);
    // the control: the unmutated ECP5 slicer is proven
    let base = prove_netlist(&rtl, &net, "top", NetlistKind::Ecp5, &work("slicer-ecp5"))
        .unwrap_or_else(|e| panic!("{e}"));
    println!("unmutated: {}", base.summary());
    assert!(base.cells > 100 && base.is_proven(), "{base:?}");
    // the first LUT4's INIT inverted (`.INIT(16'hXXXX)` -> `~XXXX`)
    let i = net
        .find("LUT4 #(")
        .and_then(|i| {
            net[i..]
                .find(".INIT(16'h")
                .map(|j| i + j + ".INIT(16'h".len())
        })
        .expect("a LUT4 with an INIT");
    let init = u16::from_str_radix(&net[i..i + 4], 16).expect("INIT hex");
    let mutated = format!("{}{:04x}{}", &net[..i], !init, &net[i + 4..]);
    let r = prove_mutant(&rtl, &mutated, NetlistKind::Ecp5, "mut-lut");
    let new: Vec<&String> = r
        .unproven
        .iter()
        .filter(|n| !base.unproven.contains(n))
        .chain(&r.powerup)
        .collect();
    assert!(!new.is_empty(), "mutant not caught: {r:?}");
    // reported by signal name (the RTL's), not by cell id
    for n in new {
        assert!(
            !n.starts_with('$') && !n.contains("$auto") && !n.is_empty(),
            "{n}"
        );
    }
}
