//! Tests of the UART report transmitter and LED display (hdl/src/bist/uart_tx.rs): its
//! rust-hdl simulation against its bit-exact model (cporx-sim `bist::uart_tx`), every
//! output every cycle, with random counts, `send` strobes and held `send`, resets, over
//! divisors and report intervals at their extremes, the line decoded back to text; idle
//! high from power-up and the periodic reports; the block exported alone through
//! Verilator against the model and rust-hdl; its latencies (LEDs 1 cycle; `tx` and `busy`
//! at the starting edge, the edge after the one that registers `send`) measured on the
//! RTL; a Verilator `-Wall` lint; and the constructor's parameter errors.

mod common;

use common::*;
use cporx_hdl::bist::{verilog_of, UartTx};
use cporx_model::bist::uart_tx::{report_line, uart_decode, UartIn, UartOut, UartTxModel};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// LED latency (hdl/src/bist/uart_tx.rs): registered from the live input.
const LAT_LEDS: usize = 1;
/// `send` is registered, and the line starts at the next edge: `tx` and `busy` move 2
/// edges after the cycle that applies `send` (hdl/src/bist/uart_tx.rs, docs/bist.md).
const LAT_SEND: usize = 2;

fn uart_cycle(u: &mut UartTx, i: &UartIn) -> UartOut {
    cycle(u, |u| {
        u.rst.next = i.rst;
        u.send.next = i.send;
        u.bit_errs.next = bits::<32>(i.bit_errs as u64);
        u.sym_errs.next = bits::<32>(i.sym_errs as u64);
        u.symbols.next = bits::<32>(i.symbols as u64);
        u.lock.next = i.lock;
    });
    UartOut {
        tx: u.tx.val(),
        busy: u.busy.val(),
        leds: u.leds.val().index() as u8,
    }
}

fn random_count(rng: &mut StdRng) -> u32 {
    match rng.gen_range(0..4) {
        0 => 0,
        1 => u32::MAX,
        2 => 1 << rng.gen_range(0..32),
        _ => rng.gen(),
    }
}

#[test]
fn uart_tx_matches_model_every_cycle_and_lines_decode() {
    let mut rng = StdRng::seed_from_u64(0xB157_0005);
    for (div, interval) in [
        (2u32, 2u32),
        (2, 500),
        (2, 3000),
        (3, 2),
        (5, 2500),
        (4, 65_000),
    ] {
        let mut u = ready(UartTx::new(div, interval).unwrap());
        let mut m = UartTxModel::with(div, interval).unwrap();
        let mut tx = vec![];
        let mut lines = vec![];
        let mut was_busy = false;
        let mut i = UartIn::default();
        let cycles = 4 * 360 * div as usize + 3000;
        let mut rst_at = None;
        for c in 0..cycles {
            i.rst = c == 0 || (c < cycles / 2 && rng.gen_bool(0.0003));
            // sporadic requests, and stretches of `send` held high (lines back to back:
            // a new line starts the clock after the previous one ends)
            i.send = rng.gen_bool(0.002) || (c / 997) % 5 == 2;
            if rng.gen_bool(0.05) {
                i.bit_errs = random_count(&mut rng);
                i.sym_errs = random_count(&mut rng);
                i.symbols = random_count(&mut rng);
                i.lock = rng.gen();
            }
            let got = uart_cycle(&mut u, &i);
            let want = m.step(&i);
            assert_eq!(got, want, "div {div} interval {interval} cycle {c}");
            if i.rst {
                rst_at = Some(c);
            }
            // the values a line starts with (snapshotted at the starting edge)
            if got.busy && !was_busy && !i.rst {
                lines.push((c, report_line(i.bit_errs, i.sym_errs, i.symbols, i.lock)));
            }
            was_busy = got.busy;
            tx.push(got.tx);
        }
        // decode the lines that completed after the last reset (a reset cuts a line)
        let from = rst_at.unwrap_or(0);
        let want: String = lines
            .iter()
            .filter(|(c, _)| *c > from && c + 360 * (div as usize) < cycles)
            .map(|(_, l)| l.as_str())
            .collect();
        let got = String::from_utf8(uart_decode(&tx[from..], div as usize)).unwrap();
        assert!(!want.is_empty(), "div {div}: no complete line");
        assert!(
            got.starts_with(&want),
            "div {div}: decoded {got:?} want {want:?}"
        );
    }
}

#[test]
fn uart_tx_idle_high_from_power_up_and_periodic_reports() {
    let (div, interval) = (2u32, 1000u32);
    let mut u = ready(UartTx::new(div, interval).unwrap());
    let i = UartIn {
        bit_errs: 0x1A,
        sym_errs: 0x10,
        symbols: 0x0123_ABCD,
        lock: true,
        ..Default::default()
    };
    let mut tx = vec![];
    let mut starts = vec![];
    let mut was_busy = false;
    for c in 0..5000 {
        let o = uart_cycle(&mut u, &i);
        if c < interval as usize - 1 {
            assert!(o.tx && !o.busy, "idle high from power-up, cycle {c}");
        }
        assert_eq!(o.leds, 0b11);
        if o.busy && !was_busy {
            starts.push(c);
        }
        was_busy = o.busy;
        tx.push(o.tx);
    }
    assert_eq!(starts, vec![999, 1999, 2999, 3999, 4999]);
    let s = String::from_utf8(uart_decode(&tx, div as usize)).unwrap();
    assert!(
        s.starts_with(&"B 0000001A S 00000010 N 0123ABCD L\r\n".repeat(4)),
        "{s:?}"
    );
}

fn uart_ports() -> (PortList, PortList) {
    let ins = vec![
        ("rst".into(), 1),
        ("send".into(), 1),
        ("bit_errs".into(), 32),
        ("sym_errs".into(), 32),
        ("symbols".into(), 32),
        ("lock".into(), 1),
    ];
    let outs = vec![("tx".into(), 1), ("busy".into(), 1), ("leds".into(), 8)];
    (ins, outs)
}

/// (uart_div, report_interval) of the designs built with Verilator (one group build).
const VL_DESIGNS: [(u32, u32); 3] = [(2, 2), (3, 700), (5, 65_000)];

fn designs() -> Designs {
    let (i, o) = uart_ports();
    VL_DESIGNS
        .iter()
        .map(|&(d, r)| (verilog_of(UartTx::new(d, r).unwrap()), i.clone(), o.clone()))
        .collect()
}

fn slots_in(i: &UartIn) -> Vec<u64> {
    vec![
        i.rst as u64,
        i.send as u64,
        i.bit_errs as u64,
        i.sym_errs as u64,
        i.symbols as u64,
        i.lock as u64,
    ]
}

fn slots_out(o: &UartOut) -> Vec<u64> {
    vec![o.tx as u64, o.busy as u64, o.leds as u64]
}

#[test]
fn uart_tx_verilator_matches_model_and_rust_hdl() {
    let mut rng = StdRng::seed_from_u64(0xB157_0105);
    let (ins, outs) = uart_ports();
    for (div, interval) in VL_DESIGNS {
        let mut vl = verilated(
            designs,
            verilog_of(UartTx::new(div, interval).unwrap()),
            &ins,
            &outs,
        );
        let mut u = ready(UartTx::new(div, interval).unwrap());
        let mut m = UartTxModel::with(div, interval).unwrap();
        let mut i = UartIn::default();
        let (mut stim, mut model, mut rh) = (vec![], vec![], vec![]);
        for c in 0..3 * 360 * div as usize + 2000 {
            i.rst = c > 0 && rng.gen_bool(0.0005);
            i.send = rng.gen_bool(0.002) || (c / 997) % 5 == 2;
            if rng.gen_bool(0.05) {
                i.bit_errs = random_count(&mut rng);
                i.sym_errs = random_count(&mut rng);
                i.symbols = random_count(&mut rng);
                i.lock = rng.gen();
            }
            stim.push(slots_in(&i));
            model.push(slots_out(&m.step(&i)));
            rh.push(slots_out(&uart_cycle(&mut u, &i)));
        }
        assert!(model.iter().any(|o| o[1] == 1), "div {div}: lines sent");
        let what = format!("div {div} interval {interval}");
        assert_same(&outs, &model, &rh, &format!("{what} rust-hdl"));
        assert_same(
            &outs,
            &model,
            &vl.run(&stim).unwrap(),
            &format!("{what} verilator"),
        );
    }
}

#[test]
fn uart_tx_latencies_on_the_rtl() {
    let (ins, outs) = uart_ports();
    // (the design of the comparison above: one build)
    let (div, interval) = (3u32, 700u32);
    let mut vl = verilated(
        designs,
        verilog_of(UartTx::new(div, interval).unwrap()),
        &ins,
        &outs,
    );
    let mut base = vec![slots_in(&UartIn {
        rst: true,
        ..Default::default()
    })];
    base.extend(std::iter::repeat(slots_in(&UartIn::default())).take(40));
    let quiet = vl.run(&base).unwrap();
    assert!(
        quiet.iter().all(|o| o[0] == 1 && o[1] == 0 && o[2] == 0),
        "idle"
    );
    let at = 10;
    // LEDs: a count applied in one cycle
    for bit_errs in [1u32, 0x100, u32::MAX] {
        let mut stim = base.clone();
        stim[at][2] = bit_errs as u64;
        let got = vl.run(&stim).unwrap();
        let first = first_difference(&quiet, &got, 2).expect("LEDs move");
        assert_eq!(latency(at, first), LAT_LEDS, "bit_errs {bit_errs:#x}");
        assert_eq!(
            got[first][2],
            cporx_model::bist::uart_tx::leds_of(bit_errs) as u64
        );
    }
    // send: the start bit and busy
    let mut stim = base.clone();
    stim[at][1] = 1;
    let got = vl.run(&stim).unwrap();
    for k in [0, 1] {
        let first = first_difference(&quiet, &got, k).expect("a line starts");
        assert_eq!(latency(at, first), LAT_SEND, "{}", outs[k].0);
    }
}

#[test]
fn uart_tx_lints_clean_with_verilator() {
    cporx_cosim::verilator::find_verilator()
        .expect("Verilator is required for the lint test (scripts/setup-tools.sh)");
    lint(
        "uart_tx",
        verilog_of(UartTx::new(868, 100_000_000).unwrap()),
    );
    lint("uart_tx_div2", verilog_of(UartTx::new(2, 2).unwrap()));
}

#[test]
fn uart_tx_rejects_bad_parameters_with_their_name() {
    let e = UartTx::new(0, 5).err().unwrap().to_string();
    assert!(e.contains("bist.uart_div"), "{e}");
    let e = UartTx::new(70_000, 5).err().unwrap().to_string();
    assert!(e.contains("bist.uart_div"), "{e}");
    let e = UartTx::new(5, 1).err().unwrap().to_string();
    assert!(e.contains("bist.report_interval"), "{e}");
}
