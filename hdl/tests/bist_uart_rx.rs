//! Tests of the UART configuration receiver (hdl/src/bist/uart_rx.rs), which had none of
//! its own before (the BIST top's tests drive it through the board): its rust-hdl
//! simulation and the block exported alone through Verilator against its bit-exact model
//! (cporx-sim `bist::uart_rx`), every output every cycle, over divisors 2 ..= 16 with
//! address/data pairs, stray data bytes, false starts (glitches shorter than half a bit),
//! bad stop bits, back-to-back characters, resets in the middle and power-up with the
//! line low; the write strobe's timing measured on the RTL (high in the cycle after the
//! edge that samples the data byte's stop bit); a Verilator `-Wall` lint; and the
//! constructor's parameter error.

mod common;

use common::*;
use cporx_hdl::bist::{verilog_of, UartRx};
use cporx_model::bist::uart_rx::{uart_encode, CfgWrite, UartRxModel};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn rx_ports() -> (PortList, PortList) {
    (
        vec![("rst".into(), 1), ("rx".into(), 1)],
        vec![
            ("cfg_we".into(), 1),
            ("cfg_addr".into(), cporx_spec::CFG_ADDR_BITS),
            ("cfg_data".into(), 8),
        ],
    )
}

/// Every design built with Verilator (one group build): these divisors.
fn designs() -> Designs {
    let (i, o) = rx_ports();
    [3u32, 4, 7, 16]
        .iter()
        .map(|&d| (verilog_of(UartRx::new(d).unwrap()), i.clone(), o.clone()))
        .collect()
}

fn slots_out(w: &CfgWrite) -> Vec<u64> {
    vec![w.we as u64, w.addr as u64, w.data as u64]
}

fn rx_cycle(u: &mut UartRx, rst: bool, rx: bool) -> CfgWrite {
    cycle(u, |u| {
        u.rst.next = rst;
        u.rx.next = rx;
    });
    CfgWrite {
        we: u.cfg_we.val(),
        addr: u.cfg_addr.val().index() as u32,
        data: u.cfg_data.val().index() as u8,
    }
}

/// A random line: (rst, rx) per cycle.
fn random_line(rng: &mut StdRng, div: usize, chars: usize) -> Vec<(bool, bool)> {
    let mut line: Vec<(bool, bool)> = vec![];
    // power-up: the line low or high for a while, with or without a reset
    let low = rng.gen_range(0..3 * div);
    line.extend(std::iter::repeat((false, false)).take(low));
    if rng.gen_bool(0.7) {
        line.push((true, true));
    }
    for _ in 0..chars {
        let gap = match rng.gen_range(0..4) {
            0 => 0,
            1 => 1,
            _ => rng.gen_range(0..3 * div),
        };
        match rng.gen_range(0..10) {
            // a false start: low for less than half a bit
            0 => {
                line.extend(std::iter::repeat((false, true)).take(gap.max(1)));
                line.extend(std::iter::repeat((false, false)).take((div / 2).max(1) - 1));
                line.extend(std::iter::repeat((false, true)).take(div));
                continue;
            }
            // a character with a bad stop bit
            1 => {
                let mut c = uart_encode(&[rng.gen()], div, gap);
                let n = c.len();
                for b in &mut c[n - div..] {
                    *b = false;
                }
                line.extend(c.into_iter().map(|b| (false, b)));
                line.extend(std::iter::repeat((false, true)).take(div));
                continue;
            }
            _ => {}
        }
        let byte: u8 = match rng.gen_range(0..3) {
            0 => 0x80 | rng.gen_range(0..128),
            1 => rng.gen_range(0..0x80),
            _ => rng.gen(),
        };
        line.extend(
            uart_encode(&[byte], div, gap)
                .into_iter()
                .map(|b| (false, b)),
        );
        if rng.gen_bool(0.01) {
            line.push((true, true));
        }
    }
    line.extend(std::iter::repeat((false, true)).take(2 * div));
    line
}

#[test]
fn uart_rx_rust_hdl_and_verilator_match_model_every_cycle() {
    let mut rng = StdRng::seed_from_u64(0xB157_0106);
    let (ins, outs) = rx_ports();
    for div in [3u32, 4, 7, 16] {
        let mut vl = verilated(designs, verilog_of(UartRx::new(div).unwrap()), &ins, &outs);
        for run in 0..3 {
            let line = random_line(&mut rng, div as usize, 120);
            let mut m = UartRxModel::new(div).unwrap();
            let mut u = ready(UartRx::new(div).unwrap());
            let model: Vec<Vec<u64>> = line
                .iter()
                .map(|&(r, x)| slots_out(&m.step(r, x)))
                .collect();
            let rh: Vec<Vec<u64>> = line
                .iter()
                .map(|&(r, x)| slots_out(&rx_cycle(&mut u, r, x)))
                .collect();
            let stim: Vec<Vec<u64>> = line
                .iter()
                .map(|&(r, x)| vec![r as u64, x as u64])
                .collect();
            let writes = model.iter().filter(|o| o[0] == 1).count();
            assert!(writes > 3, "div {div} run {run}: {writes} writes");
            let what = format!("div {div} run {run}");
            assert_same(&outs, &model, &rh, &format!("{what} rust-hdl"));
            assert_same(
                &outs,
                &model,
                &vl.run(&stim).unwrap(),
                &format!("{what} verilator"),
            );
        }
    }
}

/// An address byte then a data byte, on Verilator: the character's falling edge in cycle
/// s is seen at that edge; bit b (0 the start bit, 9 the stop bit) is sampled at edge
/// s + div/2 + 1 + b * div; the strobe is high, with the address and the data, in exactly
/// the one cycle read after the edge that samples the data byte's stop bit.
#[test]
fn uart_rx_write_strobe_timing_on_the_rtl() {
    let (ins, outs) = rx_ports();
    // (the minimum, 3, also in uart_rx_receives_a_write_at_the_smallest_divisor)
    for div in [3usize, 7, 16] {
        let mut vl = verilated(
            designs,
            verilog_of(UartRx::new(div as u32).unwrap()),
            &ins,
            &outs,
        );
        for gap in [0usize, 1, 5] {
            // reset, then one idle-high clock (`prev` resets low: a line low right after
            // the reset starts nothing)
            let mut stim = vec![vec![1, 1], vec![0, 1]];
            stim.extend(
                uart_encode(&[0x80 | 21, 0xA5], div, gap)
                    .into_iter()
                    .map(|b| vec![0, b as u64]),
            );
            stim.extend(std::iter::repeat(vec![0, 1]).take(3 * div));
            let got = vl.run(&stim).unwrap();
            let strobes: Vec<usize> = (0..got.len()).filter(|&c| got[c][0] == 1).collect();
            let s = 2 + (gap + 10 * div) + gap; // the data byte's start bit
            let stop_edge = s + div / 2 + 1 + 9 * div;
            assert_eq!(strobes, vec![stop_edge], "div {div} gap {gap}");
            assert_eq!((got[stop_edge][1], got[stop_edge][2]), (21, 0xA5));
            // one cycle after the start edge, per the spec's count
            assert_eq!(latency(s, stop_edge), div / 2 + 2 + 9 * div);
        }
    }
}

#[test]
fn uart_rx_lints_clean_with_verilator() {
    cporx_cosim::verilator::find_verilator()
        .expect("Verilator is required for the lint test (scripts/setup-tools.sh)");
    lint("uart_rx_div3", verilog_of(UartRx::new(3).unwrap()));
    lint("uart_rx_div868", verilog_of(UartRx::new(868).unwrap()));
    lint("uart_rx_div65535", verilog_of(UartRx::new(65535).unwrap()));
}

#[test]
fn uart_rx_rejects_bad_divisors_with_the_name() {
    for d in [0, 1, 65536] {
        let e = UartRx::new(d).err().unwrap().to_string();
        assert!(e.contains("bist.uart_div"), "{d}: {e}");
    }
}

/// The smallest divisor receives (model and RTL): `UART_DIV_MIN` is 3 because at 2 bit b
/// was sampled at edge s + div/2 + 1 + b * div = s + 2 + 2b, the first clock of bit b + 1
/// (every character read one bit late); 2 is now refused by both constructors.
#[test]
fn uart_rx_receives_a_write_at_the_smallest_divisor() {
    use cporx_spec::bist::UART_DIV_MIN;
    let div = UART_DIV_MIN as usize;
    let mut m = UartRxModel::new(div as u32).unwrap();
    let mut u = ready(UartRx::new(div as u32).unwrap());
    m.step(true, true);
    rx_cycle(&mut u, true, true);
    let mut got = vec![];
    for &b in [true]
        .iter()
        .chain(&uart_encode(&[0x80 | 21, 0xA5], div, 5))
        .chain(&[true; 20])
    {
        let w = m.step(false, b);
        assert_eq!(rx_cycle(&mut u, false, b), w);
        if w.we {
            got.push((w.addr, w.data));
        }
    }
    assert_eq!(got, vec![(21, 0xA5)]);
    for d in [0u32, 1, 2] {
        assert!(
            UartRx::new(d).is_err() && UartRxModel::new(d).is_err(),
            "uart_div = {d} refused"
        );
    }
}
