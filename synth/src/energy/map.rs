//! Synthesis of an exported receive top to the liberty's standard cells with the
//! project's Yosys, keeping the top's blocks apart so that power splits by block.
//!
//! The script ([`map_script`]): `hierarchy`; `keep_hierarchy` on the top's children
//! that are blocks (`ffe`, `slicer`, `cdr`, `agc`, `lms`, `levels`, ...; the one-register
//! modules rust-hdl emits for the top's own registers are flattened into it);
//! `synth -flatten` (everything inside a block is flattened and optimized together);
//! `dfflibmap -liberty`, `abc -liberty`; the cells of each block renamed `u<N>`; `stat
//! -liberty` (the area report); then the blocks flattened into one module (cells keep
//! their block as a name prefix, `ffe.u12`), `setundef -zero`, and written as a simple
//! netlist; last, the liberty's cell functions as Verilog models (`read_liberty` without
//! `-lib`: `cells_sim.v`, for Verilator). The liberty has no tie cells, so constants stay constants in the netlist.

use super::netlist::Netlist;
use crate::tools::{run_tool, Tool};
use crate::SynthError;
use std::path::Path;

/// The mapped design: the flat netlist (parsed and as Yosys wrote it) and Yosys's area
/// report.
#[derive(Clone, Debug)]
pub struct Mapped {
    pub netlist: Netlist,
    pub text: String,
    /// `stat -liberty`'s report (per block module and the hierarchy total)
    pub stat: String,
    /// Yosys's chip area of the whole design (liberty area units, um^2 for OSU018)
    pub chip_area: f64,
    pub yosys_seconds: f64,
}

/// The top's children that are blocks: instances in module `top` of modules that are not
/// single registers (rust-hdl's `(d, q, clock)` register modules).
pub fn top_blocks(verilog: &str, top: &str) -> Vec<(String, String)> {
    let mut regs = std::collections::HashSet::new();
    for l in verilog.lines() {
        if let Some(rest) = l.strip_prefix("module ") {
            if let Some((name, ports)) = rest.split_once('(') {
                if ports.trim_end().trim_end_matches(';').trim_end_matches(')') == "d,q,clock" {
                    regs.insert(name.trim().to_string());
                }
            }
        }
    }
    let mut out = vec![];
    let mut inside = false;
    for l in verilog.lines() {
        if l.starts_with(&format!("module {top}(")) {
            inside = true;
            continue;
        }
        if inside && l.starts_with("endmodule") {
            break;
        }
        if !inside {
            continue;
        }
        let t = l.trim();
        // `top$ffe ffe(`
        let mut it = t.split_whitespace();
        if let (Some(m), Some(inst)) = (it.next(), it.next()) {
            if m.starts_with(&format!("{top}$")) && inst.ends_with('(') && !regs.contains(m) {
                out.push((m.to_string(), inst.trim_end_matches('(').to_string()));
            }
        }
    }
    out
}

/// The Yosys script (run in a folder holding `top.v` and the liberty as `cells.lib`).
pub fn map_script(blocks: &[(String, String)], top: &str) -> String {
    let mut s = format!("read_verilog top.v\nhierarchy -top {top}\n");
    for (m, _) in blocks {
        s += &format!("setattr -mod -set keep_hierarchy 1 {m}\n");
    }
    s += &format!(
        "synth -flatten -top {top}\ndfflibmap -liberty cells.lib\nabc -liberty cells.lib\nopt_clean -purge\n"
    );
    for (m, _) in blocks {
        s += &format!("rename -enumerate -pattern u% {m}/t:*\n");
    }
    s += "tee -o stat.txt stat -liberty cells.lib\n\
          read_liberty -lib cells.lib\n\
          setattr -mod -unset keep_hierarchy *\n\
          flatten\n\
          setundef -zero\n\
          opt_clean -purge\n\
          write_verilog -noattr -noexpr -nohex -nodec -simple-lhs mapped.v\n\
          design -reset\n\
          read_liberty cells.lib\n\
          write_verilog -noattr cells_sim.v\n";
    s
}

/// Map `verilog` (module `top`) to the cells of `liberty`, in `dir` (created; the
/// script, log and outputs stay there).
pub fn map_to_cells(
    verilog: &str,
    top: &str,
    liberty: &Path,
    dir: &Path,
) -> Result<Mapped, SynthError> {
    std::fs::create_dir_all(dir).map_err(|e| SynthError::io(dir, e))?;
    let w = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).map_err(|e| SynthError::io(&p, e))
    };
    w("top.v", verilog)?;
    // YoWASP's Yosys sees only the working folder (relative paths): copy the liberty in
    let lib = dir.join("cells.lib");
    std::fs::copy(liberty, &lib).map_err(|e| SynthError::io(liberty, e))?;
    let blocks = top_blocks(verilog, top);
    w("map.ys", &map_script(&blocks, top))?;
    let run = run_tool(
        Tool::Yosys,
        &["-q".into(), "map.ys".into()],
        dir,
        &dir.join("yosys-map.log"),
    )?;
    let read = |name: &str| {
        let p = dir.join(name);
        std::fs::read_to_string(&p).map_err(|e| SynthError::io(&p, e))
    };
    let text = read("mapped.v")?;
    let stat = read("stat.txt")?;
    let chip_area = stat
        .lines()
        // `for top module` with a hierarchy, `for module` without one; the last is the whole
        .filter(|l| l.contains("Chip area for"))
        .filter_map(|l| l.rsplit(':').next()?.trim().parse::<f64>().ok())
        .next_back()
        .ok_or_else(|| {
            SynthError::Energy(format!(
                "{}: no `Chip area for` line",
                dir.join("stat.txt").display()
            ))
        })?;
    let netlist = Netlist::parse(&text, top, &dir.join("mapped.v").display().to_string())?;
    Ok(Mapped {
        netlist,
        text,
        stat,
        chip_area,
        yosys_seconds: run.seconds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_blocks_of_an_exported_top() {
        let v = "module top(clock,rst);\n    top$rd_r rd_r(\n    );\n    top$ffe ffe(\n    );\n    top$cdr cdr(\n    );\nendmodule\nmodule top$rd_r(d,q,clock);\nendmodule\n";
        assert_eq!(
            top_blocks(v, "top"),
            vec![
                ("top$ffe".to_string(), "ffe".to_string()),
                ("top$cdr".to_string(), "cdr".to_string())
            ]
        );
    }
}
