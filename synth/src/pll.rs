//! The ECP5 PLL (EHXPLLL) of a board top: the divider search (what prjtrellis' `ecppll`
//! does) and the Verilog of the board-level wrapper that puts the PLL between the board
//! oscillator and a design.
//!
//! **Divider search** ([`Pll::search`]): input `fin` MHz (the oscillator, 8 ..= 400 MHz),
//! request `fout` MHz (3.125 ..= 400 MHz). With feedback from CLKOP, the output is
//! `fout = fin * CLKFB_DIV / CLKI_DIV`, the phase detector runs at `PFD = fin / CLKI_DIV`
//! (3.125 ..= 400 MHz) and the VCO at `VCO = fout * CLKOP_DIV` (400 ..= 800 MHz), with
//! CLKI_DIV 1 ..= 128, CLKFB_DIV 1 ..= 80, CLKOP_DIV 1 ..= 128; `CLKOP_CPHASE =
//! CLKOP_DIV - 1`, `CLKOP_FPHASE = 0` (ecppll's values). The search picks the achievable
//! frequency closest to the request *at or below* it (a design closed at `fout` must not be
//! clocked faster); among equal frequencies the first in the loop order (smallest CLKI_DIV,
//! then CLKFB_DIV, then CLKOP_DIV). A request outside the legal range, or one nothing at or
//! below reaches, is an error naming the legal range. An optional second output (CLKOS) is
//! divided from the same VCO: `CLKOS_DIV = ceil(VCO / f2)` (at or below the request too),
//! 1 ..= 128.
//!
//! **Wrapper** ([`pll_top_verilog`]): module `top` with the board-level ports of
//! `synth/boards/<board>.lpf` (`clk`, `btn`, `led`, `uart_tx`, `uart_rx`, as far as the
//! board has them), the EHXPLLL with ecppll's attributes (`FREQUENCY_PIN_CLKI`,
//! `FREQUENCY_PIN_CLKOP`, `ICP_CURRENT`, `LPF_RESISTOR`, `MFG_ENABLE_FILTEROPAMP`,
//! `MFG_GMCREF_SEL`) and the design (its module renamed from `top` to `board_core`) on the
//! PLL's output net [`PLL_NET`] (and [`PLL_NET_SLOW`] for CLKOS), with the PLL's `LOCK` on
//! the design's `locked` input. The board LPF's FREQUENCY on `clk` stays the oscillator's;
//! [`Pll::lpf_lines`] gives the FREQUENCY NET lines of the PLL outputs.

use crate::{Board, SynthError};

/// The PLL output net the design's clock runs on (the name nextpnr reports).
pub const PLL_NET: &str = "clk_pll";
/// The second PLL output net (CLKOS), when there is one.
pub const PLL_NET_SLOW: &str = "clk_pll_slow";

/// Legal ranges in MHz (ECP5 family data sheet, as ecppll uses them).
pub const FIN_MHZ: (f64, f64) = (8.0, 400.0);
pub const FOUT_MHZ: (f64, f64) = (3.125, 400.0);
pub const PFD_MHZ: (f64, f64) = (3.125, 400.0);
pub const VCO_MHZ: (f64, f64) = (400.0, 800.0);
/// Divider ranges: CLKI_DIV, CLKFB_DIV, CLKOP_DIV / CLKOS_DIV.
pub const CLKI_DIV_MAX: u32 = 128;
pub const CLKFB_DIV_MAX: u32 = 80;
pub const CLKOP_DIV_MAX: u32 = 128;

/// One PLL setting.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Pll {
    /// input (oscillator), MHz
    pub fin_mhz: f64,
    pub clki_div: u32,
    pub clkfb_div: u32,
    pub clkop_div: u32,
    /// phase detector and VCO, MHz
    pub pfd_mhz: f64,
    pub vco_mhz: f64,
    /// CLKOP, achieved, MHz
    pub fout_mhz: f64,
    /// CLKOS: (CLKOS_DIV, achieved MHz)
    pub clkos: Option<(u32, f64)>,
}

fn in_range(x: f64, (lo, hi): (f64, f64)) -> bool {
    // a hair of slack for the decimal limits (3.125 = 25 / 8 exactly, but 400 / 3 ...)
    x >= lo - 1e-9 && x <= hi + 1e-9
}

fn bad(flag: &'static str, value: f64, (lo, hi): (f64, f64), why: &str) -> SynthError {
    SynthError::BadValue {
        flag,
        value: value.to_string(),
        legal: format!("{lo} to {hi} MHz{why}"),
    }
}

impl Pll {
    /// The setting whose CLKOP is closest to `fout_mhz` at or below it, from `fin_mhz`.
    pub fn search(fin_mhz: f64, fout_mhz: f64) -> Result<Pll, SynthError> {
        if !(fin_mhz.is_finite() && in_range(fin_mhz, FIN_MHZ)) {
            return Err(bad(
                "PLL input",
                fin_mhz,
                FIN_MHZ,
                " (the board oscillator)",
            ));
        }
        if !(fout_mhz.is_finite() && in_range(fout_mhz, FOUT_MHZ)) {
            return Err(bad("PLL output (--target-mhz)", fout_mhz, FOUT_MHZ, ""));
        }
        // the first setting of the highest reachable output at or below the request
        // (in search order: CLKI_DIV, then CLKFB_DIV; the smallest output divider)
        let mut best: Option<Pll> = None;
        for c in Self::settings(fin_mhz) {
            if c.fout_mhz <= fout_mhz + 1e-9
                && !best
                    .as_ref()
                    .is_some_and(|b| c.fout_mhz <= b.fout_mhz + 1e-12)
            {
                best = Some(c);
            }
        }
        best.ok_or_else(|| {
            bad(
                "PLL output (--target-mhz)",
                fout_mhz,
                (Self::lowest(fin_mhz), FOUT_MHZ.1),
                &format!(
                    " from a {fin_mhz} MHz input (nothing at or below the request is reachable)"
                ),
            )
        })
    }

    /// The lowest legal CLKOP frequency from `fin_mhz` (the range's lower end).
    fn lowest(fin_mhz: f64) -> f64 {
        Self::settings(fin_mhz)
            .map(|c| c.fout_mhz)
            .fold(f64::INFINITY, f64::min)
    }

    /// Every legal (CLKI_DIV, CLKFB_DIV) pair from `fin_mhz` with its output in range and
    /// the smallest CLKOP_DIV that puts the VCO in range, in search order (CLKI_DIV, then
    /// CLKFB_DIV ascending).
    fn settings(fin_mhz: f64) -> impl Iterator<Item = Pll> {
        (1..=CLKI_DIV_MAX).flat_map(move |clki_div| {
            let pfd = fin_mhz / clki_div as f64;
            (1..=CLKFB_DIV_MAX).filter_map(move |clkfb_div| {
                let f = pfd * clkfb_div as f64;
                if !in_range(pfd, PFD_MHZ) || !in_range(f, FOUT_MHZ) {
                    return None;
                }
                let clkop_div = (1..=CLKOP_DIV_MAX).find(|&d| in_range(f * d as f64, VCO_MHZ))?;
                Some(Pll {
                    fin_mhz,
                    clki_div,
                    clkfb_div,
                    clkop_div,
                    pfd_mhz: pfd,
                    vco_mhz: f * clkop_div as f64,
                    fout_mhz: f,
                    clkos: None,
                })
            })
        })
    }

    /// The same PLL with a second output CLKOS at or below `f2_mhz` (divided from the VCO).
    pub fn with_clkos(mut self, f2_mhz: f64) -> Result<Pll, SynthError> {
        let lo = self.vco_mhz / CLKOP_DIV_MAX as f64;
        let hi = self.vco_mhz.min(FOUT_MHZ.1);
        if !(f2_mhz.is_finite() && f2_mhz >= lo - 1e-9 && f2_mhz <= hi + 1e-9) {
            return Err(bad(
                "PLL second output",
                f2_mhz,
                (lo, hi),
                &format!(" (VCO {} MHz / 1 ..= {CLKOP_DIV_MAX})", self.vco_mhz),
            ));
        }
        let div = ((self.vco_mhz / f2_mhz) - 1e-9).ceil().max(1.0) as u32;
        let div = div.clamp(1, CLKOP_DIV_MAX); // in range by the check above
        self.clkos = Some((div, self.vco_mhz / div as f64));
        Ok(self)
    }

    /// One line for the terminal: `PLL 25 MHz -> 200 MHz (CLKI_DIV 1, ...)`.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "PLL {} MHz -> {:.4} MHz (CLKI_DIV {}, CLKFB_DIV {}, CLKOP_DIV {}; PFD {:.4} MHz, VCO {:.4} MHz)",
            self.fin_mhz,
            self.fout_mhz,
            self.clki_div,
            self.clkfb_div,
            self.clkop_div,
            self.pfd_mhz,
            self.vco_mhz
        );
        if let Some((d, f)) = self.clkos {
            s += &format!(", CLKOS {f:.4} MHz (CLKOS_DIV {d})");
        }
        s
    }

    /// LPF lines constraining the PLL outputs at their achieved frequencies.
    pub fn lpf_lines(&self) -> String {
        let mut s = format!(
            "# the PLL output (EHXPLLL CLKOP): the design's clock, at the achieved frequency\n\
             FREQUENCY NET \"{PLL_NET}\" {} MHZ;\n",
            mhz_text(self.fout_mhz)
        );
        if let Some((_, f)) = self.clkos {
            s += &format!(
                "# the PLL's second output (CLKOS)\nFREQUENCY NET \"{PLL_NET_SLOW}\" {} MHZ;\n",
                mhz_text(f)
            );
        }
        s
    }
}

/// A frequency as LPF and attribute text: up to 6 decimals, trailing zeros dropped.
pub fn mhz_text(f: f64) -> String {
    let s = format!("{f:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The board-level top: the oscillator through the PLL into `core` (rust-hdl Verilog whose
/// top module is `top`, with inputs `clk` (the design clock) and `locked` (the PLL's lock),
/// `clk_slow` too exactly when the PLL has a CLKOS, and board-pin ports). The result has
/// module `board_core` (the design) and a new `top` whose ports are the board clock `clk`
/// and the design's other ports, same names and widths.
pub fn pll_top_verilog(board: Board, core: &str, pll: &Pll) -> Result<String, SynthError> {
    if core.matches("\nmodule top(").count() + usize::from(core.starts_with("module top(")) != 1 {
        return Err(SynthError::Report(
            "PLL wrapper: the design's Verilog has no single `module top(`".into(),
        ));
    }
    let core = if let Some(rest) = core.strip_prefix("module top(") {
        format!("module board_core({rest}")
    } else {
        core.replacen("\nmodule top(", "\nmodule board_core(", 1)
    };
    // the design's ports (rust-hdl's `input wire  [2:0] btn;` lines), but for the clocks
    // and the lock, which the wrapper drives, become the wrapper's board-level ports
    let header_end = core.find("\nmodule board_core(").map_or(0, |i| i + 1);
    let body = &core[header_end..];
    let body = &body[..body.find("endmodule").unwrap_or(body.len())];
    let mut ports = vec!["    input wire clk".to_string()];
    let mut conns = vec![
        format!("        .clk({PLL_NET})"),
        "        .locked(pll_locked)".to_string(),
    ];
    let mut has_slow = false;
    for line in body.lines().map(str::trim) {
        let Some(decl) = line.strip_suffix(';') else {
            continue;
        };
        let words: Vec<&str> = decl.split_whitespace().collect();
        let (dir, rest) = match words.as_slice() {
            ["input", "wire", rest @ ..] => ("input", rest),
            ["output", "reg" | "wire", rest @ ..] => ("output", rest),
            _ => continue,
        };
        let Some((&name, range)) = rest.split_last() else {
            continue;
        };
        match name {
            "clk" | "locked" => {}
            "clk_slow" => has_slow = true,
            _ => {
                let range = range.join(" ");
                let sp = if range.is_empty() { "" } else { " " };
                ports.push(format!("    {dir} wire{sp}{range} {name}"));
                conns.push(format!("        .{name}({name})"));
            }
        }
    }
    if has_slow != pll.clkos.is_some() {
        return Err(SynthError::Report(format!(
            "PLL wrapper: the design has {} `clk_slow` input but the PLL has {} second output",
            if has_slow { "a" } else { "no" },
            if pll.clkos.is_some() { "a" } else { "no" }
        )));
    }
    if pll.clkos.is_some() {
        conns.push(format!("        .clk_slow({PLL_NET_SLOW})"));
    }
    let fin = mhz_text(pll.fin_mhz);
    let fop = mhz_text(pll.fout_mhz);
    let (os_attr, os_params, os_port) = match pll.clkos {
        Some((d, f)) => (
            format!("(* FREQUENCY_PIN_CLKOS=\"{}\" *)\n", mhz_text(f)),
            format!(
                "        .CLKOS_ENABLE(\"ENABLED\"),\n        .CLKOS_DIV({d}),\n        .CLKOS_CPHASE({}),\n        .CLKOS_FPHASE(0),\n",
                d - 1
            ),
            format!("        .CLKOS({PLL_NET_SLOW}),\n"),
        ),
        None => (String::new(), String::new(), String::new()),
    };
    Ok(format!(
        "// cporx board top for {board} ({part}): the {fin} MHz oscillator through an ECP5 PLL\n\
         // (EHXPLLL, feedback from CLKOP) to {fop} MHz on net {PLL_NET}, which clocks\n\
         // board_core (the design); the PLL's LOCK is board_core's `locked`.\n\
         // {desc}\n\
         // Generated by cporx-synth (synth/src/pll.rs, pll_top_verilog).\n\
         module top(\n{ports}\n);\n\
         wire {PLL_NET};\n{slow_wire}wire pll_locked;\n\
         (* FREQUENCY_PIN_CLKI=\"{fin}\" *)\n\
         (* FREQUENCY_PIN_CLKOP=\"{fop}\" *)\n\
         {os_attr}\
         (* ICP_CURRENT=\"12\" *) (* LPF_RESISTOR=\"8\" *) (* MFG_ENABLE_FILTEROPAMP=\"1\" *) (* MFG_GMCREF_SEL=\"2\" *)\n\
         EHXPLLL #(\n\
         \x20       .PLLRST_ENA(\"DISABLED\"),\n\
         \x20       .INTFB_WAKE(\"DISABLED\"),\n\
         \x20       .STDBY_ENABLE(\"DISABLED\"),\n\
         \x20       .DPHASE_SOURCE(\"DISABLED\"),\n\
         \x20       .OUTDIVIDER_MUXA(\"DIVA\"),\n\
         \x20       .OUTDIVIDER_MUXB(\"DIVB\"),\n\
         \x20       .OUTDIVIDER_MUXC(\"DIVC\"),\n\
         \x20       .OUTDIVIDER_MUXD(\"DIVD\"),\n\
         \x20       .CLKI_DIV({ci}),\n\
         \x20       .CLKOP_ENABLE(\"ENABLED\"),\n\
         \x20       .CLKOP_DIV({co}),\n\
         \x20       .CLKOP_CPHASE({cph}),\n\
         \x20       .CLKOP_FPHASE(0),\n\
         {os_params}\
         \x20       .FEEDBK_PATH(\"CLKOP\"),\n\
         \x20       .CLKFB_DIV({cf})\n\
         \x20   ) pll_i (\n\
         \x20       .RST(1'b0),\n\
         \x20       .STDBY(1'b0),\n\
         \x20       .CLKI(clk),\n\
         \x20       .CLKOP({PLL_NET}),\n\
         {os_port}\
         \x20       .CLKFB({PLL_NET}),\n\
         \x20       .CLKINTFB(),\n\
         \x20       .PHASESEL0(1'b0),\n\
         \x20       .PHASESEL1(1'b0),\n\
         \x20       .PHASEDIR(1'b1),\n\
         \x20       .PHASESTEP(1'b1),\n\
         \x20       .PHASELOADREG(1'b1),\n\
         \x20       .PLLWAKESYNC(1'b0),\n\
         \x20       .ENCLKOP(1'b0),\n\
         \x20       .LOCK(pll_locked)\n\
         \x20   );\n\
         board_core core (\n{conns}\n);\n\
         endmodule\n\n{core}",
        part = board.part(),
        desc = pll.describe(),
        ports = ports.join(",\n"),
        conns = conns.join(",\n"),
        slow_wire = if pll.clkos.is_some() {
            format!("wire {PLL_NET_SLOW};\n")
        } else {
            String::new()
        },
        ci = pll.clki_div,
        co = pll.clkop_div,
        cph = pll.clkop_div - 1,
        cf = pll.clkfb_div,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every constraint of the search holds, and the result is the best at or below.
    fn check(p: &Pll, fin: f64, req: f64) {
        assert_eq!(p.fin_mhz, fin);
        assert!((1..=CLKI_DIV_MAX).contains(&p.clki_div), "{p:?}");
        assert!((1..=CLKFB_DIV_MAX).contains(&p.clkfb_div), "{p:?}");
        assert!((1..=CLKOP_DIV_MAX).contains(&p.clkop_div), "{p:?}");
        let f = fin * p.clkfb_div as f64 / p.clki_div as f64;
        assert!((f - p.fout_mhz).abs() < 1e-9, "{p:?}");
        assert!(in_range(fin / p.clki_div as f64, PFD_MHZ), "{p:?}");
        assert!(in_range(f * p.clkop_div as f64, VCO_MHZ), "{p:?}");
        assert!(in_range(f, FOUT_MHZ), "{p:?}");
        assert!(f <= req + 1e-9, "{p:?} above {req}");
        // brute force: no legal setting lies strictly between the result and the request
        for i in 1..=CLKI_DIV_MAX {
            if !in_range(fin / i as f64, PFD_MHZ) {
                continue;
            }
            for fb in 1..=CLKFB_DIV_MAX {
                let g = fin * fb as f64 / i as f64;
                let vco_ok = (1..=CLKOP_DIV_MAX).any(|d| in_range(g * d as f64, VCO_MHZ));
                if vco_ok && in_range(g, FOUT_MHZ) && g <= req + 1e-9 {
                    assert!(g <= p.fout_mhz + 1e-9, "{g} beats {p:?} for {req}");
                }
            }
        }
    }

    #[test]
    fn the_search_finds_the_best_legal_setting_at_or_below() {
        for fin in [25.0, 48.0] {
            for req in [
                3.3, 10.0, 48.0, 100.0, 125.0, 133.3, 150.0, 162.0, 200.0, 237.0, 400.0,
            ] {
                let p = Pll::search(fin, req).unwrap_or_else(|e| panic!("{fin} -> {req}: {e}"));
                check(&p, fin, req);
            }
        }
        // exact ones: 25 MHz -> 200 (x8, VCO 600), 48 -> 150 (x25 / 8)
        let p = Pll::search(25.0, 200.0).unwrap();
        assert_eq!((p.fout_mhz, p.clki_div, p.clkfb_div), (200.0, 1, 8));
        assert_eq!((p.clkop_div, p.vco_mhz), (2, 400.0));
        assert_eq!(Pll::search(48.0, 150.0).unwrap().fout_mhz, 150.0);
        // not reachable exactly: the closest below
        let p = Pll::search(25.0, 163.0).unwrap();
        assert!(p.fout_mhz < 163.0 && p.fout_mhz > 162.0, "{p:?}");
    }

    #[test]
    fn unreachable_requests_are_errors_naming_the_range() {
        for req in [0.0, 3.0, 400.5, 1000.0, f64::NAN, -5.0] {
            let e = Pll::search(25.0, req).unwrap_err().to_string();
            assert!(e.contains("legal: 3.125 to 400 MHz"), "{e}");
        }
        // from 48 MHz the PFD limit (CLKI_DIV <= 15) makes 3.2 MHz the lowest
        assert_eq!(Pll::search(25.0, 3.125).unwrap().fout_mhz, 3.125);
        let e = Pll::search(48.0, 3.15).unwrap_err().to_string();
        assert!(
            e.contains("legal: 3.2 to 400 MHz from a 48 MHz input"),
            "{e}"
        );
        assert_eq!(Pll::search(48.0, 3.2).unwrap().fout_mhz, 3.2);
        let e = Pll::search(4.0, 100.0).unwrap_err().to_string();
        assert!(
            e.starts_with("PLL input 4 is out of range; legal: 8 to 400 MHz"),
            "{e}"
        );
    }

    #[test]
    fn second_output_and_the_wrapper() {
        let p = Pll::search(25.0, 200.0).unwrap().with_clkos(50.0).unwrap();
        assert_eq!(p.clkos, Some((8, 50.0)));
        let p2 = Pll::search(25.0, 200.0).unwrap().with_clkos(45.0).unwrap();
        assert_eq!(p2.clkos, Some((9, 400.0 / 9.0)));
        assert!(Pll::search(25.0, 200.0).unwrap().with_clkos(1.0).is_err());
        let core = "module top(clk,clk_slow,locked,btn,led,uart_tx);\n    input wire  clk;\n    input wire  clk_slow;\n    input wire  locked;\n    input wire  [6:0] btn;\n    output reg  [7:0] led;\n    output reg  uart_tx;\n    reg  x;\nendmodule\n";
        let v = pll_top_verilog(Board::Ulx3s85f, core, &p).unwrap();
        for want in [
            "(* FREQUENCY_PIN_CLKI=\"25\" *)",
            "(* FREQUENCY_PIN_CLKOP=\"200\" *)",
            "(* FREQUENCY_PIN_CLKOS=\"50\" *)",
            ".CLKI_DIV(1),",
            ".CLKFB_DIV(8)",
            ".CLKOP_DIV(2),",
            ".CLKOP_CPHASE(1),",
            ".CLKOS_DIV(8),",
            ".CLKOS_CPHASE(7),",
            ".FEEDBK_PATH(\"CLKOP\"),",
            "input wire [6:0] btn",
            "output wire [7:0] led",
            ".clk(clk_pll)",
            ".clk_slow(clk_pll_slow)",
            "module board_core(",
        ] {
            assert!(v.contains(want), "{want} missing:\n{v}");
        }
        assert_eq!(v.matches("module top(").count(), 1);
        assert!(
            v.contains("    output wire uart_tx\n);") && !v.contains(" x,"),
            "{v}"
        );
        // the second output and the design's clk_slow go together
        let p48 = Pll::search(48.0, 100.0).unwrap();
        let e = pll_top_verilog(Board::OrangeCrab25f, core, &p48)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("has a `clk_slow` input but the PLL has no second output"),
            "{e}"
        );
        let core1 = core
            .replace("    input wire  clk_slow;\n", "")
            .replace("clk,clk_slow,", "clk,");
        let v = pll_top_verilog(Board::OrangeCrab25f, &core1, &p48).unwrap();
        assert!(!v.contains("CLKOS") && !v.contains("clk_slow"), "{v}");
        assert!(pll_top_verilog(Board::Ulx3s85f, "module x();\nendmodule\n", &p).is_err());
        assert_eq!(
            p.lpf_lines(),
            "# the PLL output (EHXPLLL CLKOP): the design's clock, at the achieved frequency\n\
             FREQUENCY NET \"clk_pll\" 200 MHZ;\n# the PLL's second output (CLKOS)\n\
             FREQUENCY NET \"clk_pll_slow\" 50 MHZ;\n"
        );
    }
}
