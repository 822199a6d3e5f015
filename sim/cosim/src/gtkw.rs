//! GTKWave save files (`.gtkw`) for the receive top's VCDs: `cporx sim --vcd F` and
//! `cporx link --vcd F` write `F.gtkw` beside `F`, so `gtkwave F F.gtkw` opens with the
//! signals on screen, grouped by block.
//!
//! Input: the signal table of the VCD writer ([`crate::vcd_out::trace_table`], the one
//! list of the VCD's scopes and names) and the scope the VCD puts above `top`: none in
//! the model's VCD, `TOP` in Verilator's `--trace` (`link --rtl --vcd`).
//! Output: the save file's text. Format (GTKWave 3.3; the flags are GTKWave's `TR_*`
//! trace flags, bit n = 1 << n, written in hex after `@`):
//! * `[dumpfile] "NAME"`: the VCD's file name (GTKWave opens it when given only the
//!   save file; `gtkwave F F.gtkw` names both);
//! * one group per block (`top` ports, `ffe`, `slicer`, `cdr`): `@800200` (TR_GRP_BEGIN
//!   | TR_BLANK), a `-NAME` comment trace, the signals, `@1000200` (TR_GRP_END |
//!   TR_BLANK) and `-NAME` again;
//! * a signal as GTKWave names it: the dotted path, and `[w-1:0]` after a vector's name
//!   (GTKWave's name for a VCD `$var` without a range; Verilator's trace writes that
//!   range itself); the FFE products, which GTKWave would all show as `p`, with an alias
//!   first (`+{p lane 0 tap 1} top.ffe.lane$0.group$0.mul$1.p[19:0]`);
//! * its format before it, from the table's [`Radix`]: `@28` (TR_RJUSTIFY | TR_BIN) for
//!   1-bit signals, `@22` (TR_RJUSTIFY | TR_HEX) for the configuration bus and `gray`,
//!   `@24` (TR_RJUSTIFY | TR_DEC) for unsigned numbers (`phase`, `gain`, `symbol`),
//!   `@424` (TR_SIGNED | TR_RJUSTIFY | TR_DEC) for two's-complement ones (ADC codes,
//!   `y`, `err`, the FFE products, `freq`).

use crate::vcd_out::{Radix, TraceSig};

/// TR_RJUSTIFY | TR_BIN: 1-bit signals.
pub const FLAG_BIT: u32 = 0x28;
/// TR_RJUSTIFY | TR_HEX: bit patterns.
pub const FLAG_HEX: u32 = 0x22;
/// TR_RJUSTIFY | TR_DEC: unsigned numbers, decimal.
pub const FLAG_DEC: u32 = 0x24;
/// TR_SIGNED | TR_RJUSTIFY | TR_DEC: two's-complement vectors, signed decimal.
pub const FLAG_SIGNED_DEC: u32 = 0x424;
/// TR_GRP_BEGIN | TR_BLANK: opens a group (the next `-NAME` line names it).
pub const FLAG_GROUP_OPEN: u32 = 0x80_0200;
/// TR_GRP_END | TR_BLANK: closes the group.
pub const FLAG_GROUP_CLOSE: u32 = 0x100_0200;

/// The name GTKWave gives a signal of `sigs` in a VCD whose root scope path is
/// `root` (empty, or `["TOP"]` for Verilator): `top.ffe.y$0[7:0]`, `TOP.top.clock`.
pub fn gtkwave_name(root: &[&str], s: &TraceSig) -> String {
    let mut n = String::new();
    for r in root {
        n.push_str(r);
        n.push('.');
    }
    n.push_str(&s.path());
    if s.width > 1 {
        n.push_str(&format!("[{}:0]", s.width - 1));
    }
    n
}

/// The save file for a VCD named `dumpfile` that traces `sigs` (in their order, grouped
/// by [`TraceSig::block`]) below the root scopes `root`.
pub fn gtkw_text(dumpfile: &str, root: &[&str], sigs: &[TraceSig]) -> String {
    let mut t = String::new();
    t.push_str("[*] GTKWave save file written by cporx (sim/cosim/src/gtkw.rs): the receive\n");
    t.push_str(
        "[*] top's signals grouped by block; y, err, freq, adc and the products signed decimal.\n",
    );
    t.push_str(&format!("[dumpfile] \"{}\"\n", dumpfile.replace('"', "")));
    t.push_str("[timestart] 0\n[size] 1400 900\n[sst_expanded] 1\n[signals_width] 220\n");
    let mut blocks: Vec<&str> = Vec::new();
    for s in sigs {
        if !blocks.contains(&s.block()) {
            blocks.push(s.block());
        }
    }
    for b in blocks {
        let label = if b == "top" { "top (ports)" } else { b };
        t.push_str(&format!("@{FLAG_GROUP_OPEN:x}\n-{label}\n"));
        let mut last = None;
        for s in sigs.iter().filter(|s| s.block() == b) {
            let flag = match s.radix {
                Radix::Bit => FLAG_BIT,
                Radix::Hex => FLAG_HEX,
                Radix::Unsigned => FLAG_DEC,
                Radix::Signed => FLAG_SIGNED_DEC,
            };
            if last != Some(flag) {
                t.push_str(&format!("@{flag:x}\n"));
                last = Some(flag);
            }
            // GTKWave shows a trace by its last name only: the FFE products (all `p`)
            // get an alias (`+{alias} name`)
            if let Some(a) = s.alias() {
                t.push_str(&format!("+{{{a}}} "));
            }
            t.push_str(&gtkwave_name(root, s));
            t.push('\n');
        }
        t.push_str(&format!("@{FLAG_GROUP_CLOSE:x}\n-{label}\n"));
    }
    t
}

/// The save file's path for a VCD at `vcd`: the same path with the extension `.gtkw`.
/// An error when that is `vcd` itself (a VCD named `*.gtkw`).
pub fn gtkw_path(vcd: &std::path::Path) -> Result<std::path::PathBuf, String> {
    let g = vcd.with_extension("gtkw");
    if g == vcd {
        return Err(format!(
            "--vcd {}: the GTKWave save file goes beside the VCD with the extension .gtkw, \
             which this name already has; name the VCD *.vcd",
            vcd.display()
        ));
    }
    Ok(g)
}

/// The save file for the VCD at `vcd` of the receive top of `p` (root scopes `root`): its path ([`gtkw_path`]) and text, from
/// [`crate::vcd_out::trace_table`]. The `[dumpfile]` is the VCD's file name (the two
/// files sit side by side).
pub fn gtkw_for_vcd(
    vcd: &std::path::Path,
    root: &[&str],
    p: &cporx_spec::RxParams,
) -> Result<(std::path::PathBuf, String), String> {
    let path = gtkw_path(vcd)?;
    let name = vcd
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| vcd.display().to_string());
    let sigs = crate::vcd_out::trace_table(p);
    Ok((path, gtkw_text(&name, root, &sigs)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vcd_out::trace_table;

    #[test]
    fn groups_and_radices() {
        let sigs = trace_table(&cporx_spec::RxParams::default().with_lanes(2).unwrap());
        let t = gtkw_text("run.vcd", &[], &sigs);
        // one group a block, opened and closed
        for b in ["top (ports)", "ffe", "slicer", "cdr"] {
            assert!(t.contains(&format!("@800200\n-{b}\n")), "{b}: {t}");
            assert!(t.contains(&format!("@1000200\n-{b}\n")), "{b}: {t}");
        }
        // signed decimal right before y, err, freq; decimal for phase; binary for lock
        let before = |name: &str| -> String {
            let lines: Vec<&str> = t.lines().collect();
            let i = lines
                .iter()
                .position(|l| *l == name)
                .unwrap_or_else(|| panic!("{name}: {t}"));
            lines[..i]
                .iter()
                .rev()
                .find(|l| l.starts_with('@'))
                .unwrap()
                .to_string()
        };
        assert_eq!(before("top.slicer.y$1[7:0]"), "@424");
        assert_eq!(before("top.err$0[8:0]"), "@424");
        assert_eq!(before("top.cdr.freq[19:0]"), "@424");
        assert_eq!(before("top.cdr.phase[6:0]"), "@24");
        assert_eq!(before("top.cfg_addr[5:0]"), "@22");
        assert_eq!(before("top.cdr.lock"), "@28");
        assert!(t.contains("[dumpfile] \"run.vcd\"\n"));
        let v = gtkw_text("run.vcd", &["TOP"], &sigs);
        assert!(
            v.contains("\n+{p lane 1 tap 2} TOP.top.ffe.lane$1.group$1.mul$0.p[19:0]\n"),
            "{v}"
        );
        assert!(gtkw_path(std::path::Path::new("a/x.gtkw")).is_err());
        assert_eq!(
            gtkw_path(std::path::Path::new("a/x.vcd")).unwrap(),
            std::path::PathBuf::from("a/x.gtkw")
        );
    }
}
