//! The BIST top (generator -> channel emulator -> receive top -> checker -> UART/LEDs):
//! its exported Verilog lints clean, and the model, Verilator and rust-hdl's simulator
//! agree on every output port of every cycle, power-up and reset included, for 1, 4 and
//! 16 lanes, a clean and a noisy (erroring) channel, injected errors, report requests and
//! mid-run resets. The run also has to do real work: lock, sync, count, report.

use cporx_cosim::verilator::{lint, VerilatedBist};
use cporx_hdl::bist::{bist_top_verilog, BistTop};
use cporx_model::bist::top::{BistIn, BistOut, BistTopModel};
use cporx_model::bist::uart_tx::uart_decode;
use cporx_spec::bist::BistParams;
use cporx_spec::*;
use rust_hdl::prelude::*;

fn stimulus(n: usize, seed: u64, div: usize) -> Vec<BistIn> {
    use cporx_model::bist::uart_rx::uart_encode;
    let mut s = vec![BistIn {
        rst: true,
        ..Default::default()
    }];
    // configuration over the serial line from cycle 100: coefficient 1 = 60, coefficient
    // 0 = 2, kp = 12, a stray data byte (ignored), threshold 1 = 1; a byte cut by the
    // mid-run reset
    let mut line = vec![true; 100];
    line.extend(uart_encode(
        &[0x81, 60, 0x80, 2, 0x98, 12, 0x05, 0x91, 1],
        div,
        7,
    ));
    let cut = uart_encode(&[0x81, 0x7f], div, 0);
    let mut x = seed | 1;
    for k in 0..n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let rx = if k < line.len() {
            line[k]
        } else if k + cut.len() / 2 >= n / 2 && k < n / 2 + cut.len() / 2 {
            cut[k + cut.len() / 2 - n / 2]
        } else {
            true
        };
        s.push(BistIn {
            // a mid-run reset, a few error injections (button presses of several cycles),
            // report requests
            rst: k == n / 2,
            inject: (x % 997) < 6,
            send: (x >> 20) % 4001 == 0,
            uart_rx: rx,
        });
    }
    s
}

/// rust-hdl's simulator, one cycle at a time (settle, clock, settle, read).
fn run_rust_hdl(rx: &RxParams, b: &BistParams, stim: &[BistIn]) -> Vec<BistOut> {
    let mut t = BistTop::new(rx, b).unwrap();
    t.connect_all();
    let mut out = Vec::with_capacity(stim.len());
    for i in stim {
        t.clock.next = Clock { clk: false };
        t.rst.next = i.rst;
        t.inject.next = i.inject;
        t.send.next = i.send;
        t.uart_rx.next = i.uart_rx;
        assert!(simulate(&mut t, 1000), "settles");
        t.clock.next = Clock { clk: true };
        assert!(simulate(&mut t, 1000), "settles");
        out.push(BistOut {
            leds: t.leds.val().index() as u8,
            tx: t.tx.val(),
            busy: t.busy.val(),
            bit_errs: t.bit_errs.val().index() as u32,
            sym_errs: t.sym_errs.val().index() as u32,
            symbols: t.symbols.val().index() as u32,
            synced: t.synced.val(),
            lock: t.lock.val(),
            phase: t.phase.val().index() as u8,
        });
    }
    out
}

fn first_diff(a: &[BistOut], b: &[BistOut]) -> Option<(usize, BistOut, BistOut)> {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .enumerate()
        .find(|(_, (x, y))| x != y)
        .map(|(k, (x, y))| (k, *x, *y))
}

#[test]
fn bist_top_model_verilator_and_rust_hdl_agree() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("target/cporx-test/bist");
    std::fs::create_dir_all(&dir).unwrap();
    for (lanes, noise_amp, taps) in [
        (1, 2, vec![32, 4, -2]),
        (4, 2, vec![32, 4, -2]),
        // a noisy, full-scale channel: the ADC saturates both ways and symbols err
        (4, 5, vec![32, 4, -2]),
        (4, 7, vec![127, -40, 20, -10]),
        (16, 3, vec![32, 3, -2, 1]),
    ] {
        let mut rx = RxParams::default().with_lanes(lanes).unwrap();
        if noise_amp > 3 {
            // a channel the receiver cannot clean up: relax the lock rule (no sample is
            // bad) so that the checker runs and counts errors
            rx.cdr.lock_thr = 255;
        }
        let b = BistParams {
            lanes,
            taps,
            noise_amp,
            uart_div: 3,
            report_interval: (9_000 / lanes as u32).max(1_200),
            ..Default::default()
        };
        let v = bist_top_verilog(&rx, &b).unwrap();
        let f = dir.join(format!("bist_{lanes}_{noise_amp}.v"));
        std::fs::write(&f, &v).unwrap();
        lint(&f).unwrap_or_else(|e| panic!("{e}"));
        let stim = stimulus(
            (60_000 / lanes).max(8_000),
            lanes as u64 * 31 + noise_amp as u64,
            b.uart_div as usize,
        );
        let mut m = BistTopModel::new(&rx, &b).unwrap();
        let model: Vec<BistOut> = stim
            .iter()
            .enumerate()
            .map(|(k, i)| {
                let o = m.step(i);
                if k == 800 {
                    // the serial writes landed in the receive top's registers
                    assert_eq!(m.rx.ffe.c[1].to_bits(), 60);
                    assert_eq!(m.rx.ffe.c[0].to_bits(), 2);
                    assert_eq!(m.rx.cdr.kp, 12);
                    assert_eq!(m.rx.slicer.thr[1], 1);
                }
                o
            })
            .collect();
        let vl = VerilatedBist::build(&v).unwrap().run(&stim).unwrap();
        if let Some((k, m, o)) = first_diff(&model, &vl) {
            panic!("lanes {lanes} amp {noise_amp}: cycle {k}: model {m:?} verilator {o:?}");
        }
        let n = stim.len().min(1500);
        let rh = run_rust_hdl(&rx, &b, &stim[..n]);
        if let Some((k, m, o)) = first_diff(&model[..n], &rh) {
            panic!("lanes {lanes} amp {noise_amp}: cycle {k}: model {m:?} rust-hdl {o:?}");
        }
        // the run did real work: locked, synced, counted; errors only where expected
        let end = model[stim.len() / 2 - 1];
        let last = *model.last().unwrap();
        assert!(end.lock && end.synced && end.symbols > 10_000, "{end:?}");
        if noise_amp <= 3 {
            // clean channel: the only errors are the injected ones (5 bit errors each,
            // a self-synchronizing checker's multiplication), LEDs show them
            assert!(end.bit_errs > 0 && end.bit_errs % 5 == 0, "{end:?}");
            assert_eq!(end.leds, cporx_model::bist::uart_tx::leds_of(end.bit_errs));
        } else {
            assert!(end.bit_errs > 100, "{end:?}");
        }
        // the UART lines (before the mid-run reset, which may cut a line) decode to the
        // counters
        let tx: Vec<bool> = model[..stim.len() / 2].iter().map(|o| o.tx).collect();
        let text = String::from_utf8(uart_decode(&tx, b.uart_div as usize)).unwrap();
        // complete lines (the run may end inside one)
        let lines: Vec<&str> = text.split("\r\n").collect();
        let lines = &lines[..lines.len() - 1];
        assert!(lines.len() >= 2, "{text}");
        for line in lines {
            let f: Vec<&str> = line.split(' ').collect();
            assert!(
                f.len() == 7 && f[0] == "B" && f[2] == "S" && f[4] == "N",
                "{line:?}"
            );
            let hex = |s: &str| u32::from_str_radix(s, 16).unwrap();
            assert!(hex(f[1]) <= last.bit_errs.max(end.bit_errs), "{line:?}");
            assert!(
                hex(f[3]) <= hex(f[1]),
                "a symbol error is at least one bit error"
            );
            assert!(f[6] == "L" || f[6] == "U");
        }
        println!(
            "BIST top, {lanes} lane(s), noise {noise_amp}: {} cycles agree (Verilator), {n} (rust-hdl); counters {:?}; UART: {:?}",
            stim.len(),
            (end.bit_errs, end.sym_errs, end.symbols),
            lines[1]
        );
    }
}

#[test]
fn bist_top_rejects_inconsistent_lanes() {
    let rx = RxParams::default().with_lanes(2).unwrap();
    let b = BistParams::default(); // 4 lanes
    let e = BistTop::new(&rx, &b).err().unwrap().to_string();
    assert!(e.contains("bist.lanes") && e.contains("receive top"), "{e}");
    assert!(BistTopModel::new(&rx, &b).is_err());
}

/// The board-level tops (power-on reset, button synchronizers, LED polarity around the
/// BIST top) lint clean for both boards.
#[test]
fn board_tops_lint_clean() {
    use cporx_hdl::bist::board::{BoardTop, BoardTopSpec};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("target/cporx-test/bist");
    std::fs::create_dir_all(&dir).unwrap();
    let rx = RxParams::default().with_lanes(2).unwrap();
    let b = BistParams {
        lanes: 2,
        ..Default::default()
    };
    let spec = BoardTopSpec {
        btn_active_low: 1,
        led_active_low: 0,
        btn_rst: Some(0),
        btn_inject: Some(1),
        btn_send: Some(2),
        tx_uart_div: 434,
        tx_report_interval: 50_000_000,
    };
    let v = cporx_hdl::bist::verilog_of(BoardTop::<3, 8>::new(&rx, &b, &spec).unwrap());
    let f = dir.join("board_3_8.v");
    std::fs::write(&f, v).unwrap();
    lint(&f).unwrap_or_else(|e| panic!("{e}"));
    let spec1 = BoardTopSpec {
        btn_active_low: 1,
        led_active_low: 7,
        btn_rst: None,
        btn_inject: Some(0),
        btn_send: None,
        ..spec.clone()
    };
    let v = cporx_hdl::bist::verilog_of(BoardTop::<1, 3>::new(&rx, &b, &spec1).unwrap());
    let f = dir.join("board_1_3.v");
    std::fs::write(&f, v).unwrap();
    lint(&f).unwrap_or_else(|e| panic!("{e}"));
    // a button index past the board's buttons is an error naming it
    let bad = BoardTopSpec {
        btn_send: Some(3),
        ..spec
    };
    let e = BoardTop::<3, 8>::new(&rx, &b, &bad)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("btn_send") && e.contains("0 ..= 2"), "{e}");
}
