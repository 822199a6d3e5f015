//! Checks that the energy flow measures what it says (issue 14, step 5), on a 16-bit
//! counter mapped to the OSU 0.18 um cells with the project's Yosys, simulated with the
//! project's Verilator, powered by the project's OpenSTA. These FAIL, not skip, when a
//! tool or the liberty is missing (scripts/setup-tools.sh installs them).
//!
//! * **Activity**: bit k of the counter toggles 2^-k times per clock. Verilator's toggle
//!   counts of every net of the cell netlist over 2^16 cycles equal the counts from the
//!   analytic state sequence (q = t) pushed through the liberty's cell functions
//!   (evaluated here, independently of Verilator), and OpenSTA's power with the measured
//!   activity equals its power with the analytic one within 1 %.
//! * **Zero activity** leaves leakage (the liberty's sum, exactly) and the clock pins'
//!   internal power; switching is zero.
//! * **The independent sum** (synth/src/energy/power.rs, OpenSTA 2019's convention)
//!   agrees with OpenSTA within 10 % on the counter; the receive top's agreement is
//!   checked by tests/energy_cli.rs.

use cporx_synth::energy::activity::{read_coverage, Toggles};
use cporx_synth::energy::liberty::{Direction, Liberty};
use cporx_synth::energy::map::map_to_cells;
use cporx_synth::energy::netlist::{verilog_name, Conn, Netlist};
use cporx_synth::energy::power::{sum_power, Convention, SumInputs};
use cporx_synth::energy::sta::{clock_net, find_liberty, report_power, StaInputs, StaPower};
use std::collections::HashMap;
use std::path::PathBuf;

const COUNTER: &str = "module top(input clock, input rst, output reg [15:0] q);\n\
    always @(posedge clock) if (rst) q <= 16'd0; else q <= q + 16'd1;\nendmodule\n";

const HARNESS: &str = r#"#include "Vtop.h"
#include "verilated.h"
#include "verilated_cov.h"
#include <cstdlib>
int main(int argc, char** argv) {
    if (argc < 3) return 2;
    VerilatedContext* ctx = new VerilatedContext;
    Vtop* top = new Vtop(ctx);
    top->rst = 1;
    for (int c = 0; c < 2; c++) { top->clock = 0; top->eval(); top->clock = 1; top->eval(); }
    top->rst = 0; top->clock = 0; top->eval();
    ctx->coveragep()->zero();
    const long n = atol(argv[1]);
    for (long c = 0; c < n; c++) { top->clock = 1; top->eval(); top->clock = 0; top->eval(); }
    ctx->coveragep()->write(argv[2]);
    top->final();
    delete top;
    return 0;
}
"#;

const CYCLES: u64 = 1 << 16;
const PERIOD_NS: f64 = 10.0;

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cporx-energy-test-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The counter mapped, its measured toggles, the liberty.
struct Counter {
    net: Netlist,
    measured: Toggles,
    lib: Liberty,
    lib_path: PathBuf,
    dir: PathBuf,
}

/// Mapped, built and run once for all tests of this file.
fn counter() -> &'static Counter {
    static C: std::sync::OnceLock<Counter> = std::sync::OnceLock::new();
    C.get_or_init(make_counter)
}

fn make_counter() -> Counter {
    let lib_path = find_liberty(None).unwrap_or_else(|e| panic!("{e}"));
    let lib = Liberty::read(&lib_path).unwrap_or_else(|e| panic!("{e}"));
    let dir = scratch("counter");
    let m = map_to_cells(COUNTER, "top", &lib_path, &dir).unwrap_or_else(|e| panic!("{e}"));
    let models = std::fs::read_to_string(dir.join("cells_sim.v")).unwrap();
    let sim = format!(
        "/* verilator lint_off UNUSEDSIGNAL */\n/* verilator lint_off DECLFILENAME */\n\
         /* verilator lint_off MULTITOP */\n/* verilator coverage_off */\n{models}\n\
         /* verilator coverage_on */\n{}",
        m.netlist.to_verilog(&verilog_name)
    );
    let exe = cporx_cosim::verilator::build_executable(
        &sim,
        HARNESS,
        &["--coverage-toggle", "-Wno-fatal"],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let cov = dir.join("toggles.dat");
    let st = std::process::Command::new(&exe)
        .arg(CYCLES.to_string())
        .arg(&cov)
        .status()
        .unwrap();
    assert!(st.success(), "{} failed: {st}", exe.display());
    let text = std::fs::read_to_string(&cov).unwrap();
    let measured = read_coverage(&text, &cov.display().to_string(), &m.netlist, CYCLES)
        .unwrap_or_else(|e| panic!("{e}"));
    Counter {
        net: m.netlist,
        measured,
        lib,
        lib_path,
        dir,
    }
}

// ---- a liberty function evaluator (independent of Verilator's models) -------------

fn eval_fn(f: &str, v: &dyn Fn(&str) -> bool) -> bool {
    let toks: Vec<char> = f
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let mut p = 0;
    or_expr(&toks, &mut p, v)
}
fn skip(t: &[char], p: &mut usize) {
    while *p < t.len() && t[*p] == ' ' {
        *p += 1;
    }
}
fn or_expr(t: &[char], p: &mut usize, v: &dyn Fn(&str) -> bool) -> bool {
    let mut a = xor_expr(t, p, v);
    loop {
        skip(t, p);
        if *p < t.len() && (t[*p] == '|' || t[*p] == '+') {
            *p += 1;
            let b = xor_expr(t, p, v);
            a |= b;
        } else {
            return a;
        }
    }
}
fn xor_expr(t: &[char], p: &mut usize, v: &dyn Fn(&str) -> bool) -> bool {
    let mut a = and_expr(t, p, v);
    loop {
        skip(t, p);
        if *p < t.len() && t[*p] == '^' {
            *p += 1;
            let b = and_expr(t, p, v);
            a ^= b;
        } else {
            return a;
        }
    }
}
fn and_expr(t: &[char], p: &mut usize, v: &dyn Fn(&str) -> bool) -> bool {
    let mut a = unary(t, p, v);
    loop {
        skip(t, p);
        if *p < t.len() && (t[*p] == '&' || t[*p] == '*') {
            *p += 1;
            let b = unary(t, p, v);
            a &= b;
        } else if *p < t.len() && (t[*p] == '(' || t[*p] == '!' || t[*p].is_ascii_alphanumeric()) {
            // juxtaposition is AND
            let b = unary(t, p, v);
            a &= b;
        } else {
            return a;
        }
    }
}
fn unary(t: &[char], p: &mut usize, v: &dyn Fn(&str) -> bool) -> bool {
    skip(t, p);
    let mut x = if t[*p] == '!' {
        *p += 1;
        !unary(t, p, v)
    } else if t[*p] == '(' {
        *p += 1;
        let r = or_expr(t, p, v);
        skip(t, p);
        assert_eq!(t[*p], ')');
        *p += 1;
        r
    } else {
        let s = *p;
        while *p < t.len() && (t[*p].is_ascii_alphanumeric() || t[*p] == '_') {
            *p += 1;
        }
        let name: String = t[s..*p].iter().collect();
        match name.as_str() {
            "0" => false,
            "1" => true,
            n => v(n),
        }
    };
    while *p < t.len() && t[*p] == '\'' {
        *p += 1;
        x = !x;
    }
    x
}

/// Toggles per net from the analytic state sequence q = 0, 1, ..., CYCLES (rst low),
/// pushed through the cells' liberty functions.
fn analytic(c: &Counter) -> Toggles {
    let n = &c.net;
    // the flops: Q drives q[k]
    let q_port = n.ports.iter().find(|p| p.name == "q").unwrap();
    let rst = n.ports.iter().find(|p| p.name == "rst").unwrap().bits[0];
    let mut bit_of_net: HashMap<usize, usize> = HashMap::new();
    for (k, b) in q_port.bits.iter().enumerate() {
        if let Conn::Net(x) = b {
            bit_of_net.insert(*x, k);
        }
    }
    let clk = clock_net(n);
    let mut vals = vec![false; n.n_nets];
    let mut prev: Option<Vec<bool>> = None;
    let mut toggles = vec![0u64; n.n_nets];
    for t in 0..=CYCLES {
        let state = (t % (1 << 16)) as usize;
        for (x, k) in &bit_of_net {
            vals[*x] = state >> k & 1 == 1;
        }
        if let Conn::Net(r) = rst {
            vals[r] = false;
        }
        // combinational cells until nothing changes
        for _ in 0..200 {
            let mut changed = false;
            for cell in &n.cells {
                let lc = c.lib.cell(&cell.ty).unwrap();
                if lc.is_sequential() {
                    continue;
                }
                for out in lc.output_pins() {
                    let f = out.function.as_ref().unwrap();
                    let get = |name: &str| -> bool {
                        match cell.pins.iter().find(|(p, _)| p == name).map(|x| x.1) {
                            Some(Conn::Net(m)) => vals[m],
                            Some(Conn::Const(b)) => b,
                            None => panic!("{}: pin {name}", cell.ty),
                        }
                    };
                    let v = eval_fn(f, &get);
                    if let Some((_, Conn::Net(m))) = cell.pins.iter().find(|(p, _)| *p == out.name)
                    {
                        if vals[*m] != v {
                            vals[*m] = v;
                            changed = true;
                        }
                    }
                }
            }
            if !changed {
                break;
            }
        }
        if let Some(pv) = &prev {
            for k in 0..n.n_nets {
                if pv[k] != vals[k] && Some(k) != clk {
                    toggles[k] += 1;
                }
            }
        }
        prev = Some(vals.clone());
    }
    if let Some(k) = clk {
        toggles[k] = 2 * CYCLES;
    }
    Toggles {
        cycles: CYCLES,
        per_net: toggles,
    }
}

fn sta(c: &Counter, t: &Toggles, name: &str) -> StaPower {
    report_power(
        &c.net,
        t,
        &StaInputs {
            clock_period_ns: PERIOD_NS,
            input_transition_ns: 0.1,
            wire_pf: vec![0.0; c.net.n_nets],
        },
        &c.lib_path,
        &c.dir.join(name),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn rel(a: f64, b: f64) -> f64 {
    (a / b - 1.0).abs()
}

#[test]
fn counter_activity_and_power_match_the_analytic_ones() {
    let c = counter();
    let q = c.net.ports.iter().find(|p| p.name == "q").unwrap();
    // bit k toggles 2^16 / 2^k times in 2^16 cycles
    for (k, b) in q.bits.iter().enumerate() {
        let Conn::Net(x) = b else {
            panic!("q[{k}] is constant")
        };
        assert_eq!(
            c.measured.per_net[*x],
            CYCLES >> k,
            "q[{k}]: measured toggles"
        );
    }
    let a = analytic(&c);
    let clk = clock_net(&c.net);
    let mut differ = vec![];
    for k in 0..c.net.n_nets {
        if Some(k) != clk && a.per_net[k] != c.measured.per_net[k] {
            differ.push(format!(
                "{}: measured {} analytic {}",
                c.net.net_names[k], c.measured.per_net[k], a.per_net[k]
            ));
        }
    }
    assert!(differ.is_empty(), "nets whose toggles differ: {differ:?}");
    let pm = sta(&c, &c.measured, "measured");
    let pa = sta(&c, &a, "analytic");
    println!(
        "16-bit counter ({} cells, {} nets, {} cycles): OpenSTA with the measured activity {:.6e} W, with the analytic {:.6e} W",
        c.net.cells.len(),
        c.net.n_nets,
        CYCLES,
        pm.total.total(),
        pa.total.total()
    );
    assert!(rel(pm.total.total(), pa.total.total()) < 0.01);
    assert!(pm.total.switching > 0.0 && pm.total.internal > 0.0);
    // the independent sum, in OpenSTA's convention, over the cells (OpenSTA leaves the
    // ideal clock net's switching out)
    let lib = &c.lib;
    let s = sum_power(
        lib,
        &c.net,
        &c.measured,
        &SumInputs {
            clock_period_ns: PERIOD_NS,
            slew_ns: 0.1,
            wire_pf: vec![0.0; c.net.n_nets],
            clock_net: clk,
        },
        Convention::OpenSta2019,
    )
    .unwrap();
    let cells: f64 = s.cells.iter().map(|x| x.total()).sum();
    println!(
        "independent sum (OpenSTA 2019's convention) {cells:.6e} W: {:+.1} % from OpenSTA",
        (cells / pm.total.total() - 1.0) * 100.0
    );
    assert!(rel(cells, pm.total.total()) < 0.10);
}

#[test]
fn zero_activity_leaves_leakage_and_the_clock_pins() {
    let c = counter();
    let zero = Toggles {
        cycles: 1,
        per_net: vec![0; c.net.n_nets],
    };
    let p = sta(&c, &zero, "zero");
    let leak: f64 = c
        .net
        .cells
        .iter()
        .map(|x| c.lib.cell(&x.ty).unwrap().leakage_w.unwrap())
        .sum();
    let flops = c
        .net
        .cells
        .iter()
        .filter(|x| x.ty.starts_with("DFF"))
        .count();
    // the clock pins' passive energy alone, from the liberty at the stated slew
    let clk_pin_pj: f64 = c
        .net
        .cells
        .iter()
        .filter_map(|x| {
            let lc = c.lib.cell(&x.ty).unwrap();
            lc.pins
                .iter()
                .find(|pp| pp.clock && pp.direction == Direction::Input)
                .map(|pp| {
                    pp.internal_power
                        .iter()
                        .map(|ip| {
                            ip.rise.as_ref().unwrap().lookup(0.0, 0.1)
                                + ip.fall.as_ref().unwrap().lookup(0.0, 0.1)
                        })
                        .sum::<f64>()
                })
        })
        .sum();
    // two clock transitions per period, OpenSTA 2019 counting rise + fall per transition
    let clk_w = clk_pin_pj * 2.0 * 1e-12 / (PERIOD_NS * 1e-9);
    println!(
        "zero activity: switching {:.3e} W, leakage {:.6e} W (liberty sum {:.6e}), internal {:.4e} W = the {} clock pins' (liberty at 0.1 ns: {:.4e} W)",
        p.total.switching, p.total.leakage, leak, p.total.internal, flops, clk_w
    );
    assert_eq!(p.total.switching, 0.0);
    assert!(rel(p.total.leakage, leak) < 1e-4);
    assert!(
        p.total.internal > 0.0,
        "the clock pins toggle at zero data activity"
    );
    assert!(rel(p.total.internal, clk_w) < 0.10);
    let pm = sta(&c, &c.measured, "measured0");
    assert!(pm.total.internal > p.total.internal * 1.05);
}
