//! `cporx sim --stimulus FILE`: a stimulus file (one cycle a line) through the reference
//! model, optionally its VCD, and with `--rtl` the exported RTL under Verilator compared on
//! every output of every cycle.

use crate::cli::load_params;
use crate::fail::Fail;
use crate::out;
use clap::Args;
use std::path::PathBuf;

pub const SIM_HELP: &str = "Run a stimulus file through the reference model (and, with --rtl, the exported RTL under Verilator).

Stimulus format: plain text, one clock cycle a line, `#` starts a comment. A line is
  ADC...              the cycle's P ADC codes (-32 ..= 31), lane 0 first (`-7`; `-7 3 0 12` at 4 lanes)
  rst                 a synchronous reset: registers to RxParams (coefficients, thresholds, targets, CDR)
  w ADDR DATA ADC...  a configuration write (ADDR 0 ..= 63; DATA -128 ..= 127 for addresses 0 ..= 23,
                      0 ..= 255 for the unsigned registers 24 ..= 63) with the cycle's codes
  r ADDR ADC...       a read: ADDR on cfg_addr with cfg_we low; rd_data after this cycle shows the register
A file without `rst` runs from power-up, where every register is 0, configuration included
(coefficients 0, so y = 0): cporx warns; start with `rst` to load the parameters.
Every value is range-checked; an error names the line, the field and the legal range.
An empty stimulus measures nothing: exit code 3.";

#[derive(Args)]
pub struct SimArgs {
    /// stimulus file: one cycle a line (format above)
    #[arg(long, value_name = "FILE")]
    pub stimulus: PathBuf,
    /// parameter file (TOML, the fields of RxParams); default: the built-in defaults
    /// (3 taps, 1 lane); its lanes set the ADC codes per line
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// write the model's waveforms (every cycle) here (folder created if missing), and a
    /// GTKWave save file beside it (the same name with the extension .gtkw)
    #[arg(long, value_name = "FILE")]
    pub vcd: Option<PathBuf>,
    /// also run the exported RTL under Verilator and compare every output of every cycle
    #[arg(long)]
    pub rtl: bool,
    /// write the outputs (one cycle a line: y symbol gray err phase lock freq gain rd_data) here
    /// instead of stdout (folder created if missing)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run(a: &SimArgs) -> Result<(), Fail> {
    let (stimulus, config, vcd, rtl, out_path) = (&a.stimulus, &a.config, &a.vcd, a.rtl, &a.out);
    use std::io::Write;
    let p = load_params(config)?;
    // every output path is checked before anything runs
    let gtkw = match vcd {
        Some(v) => Some(cporx_cosim::gtkw::gtkw_for_vcd(v, &[], &p)?),
        None => None,
    };
    for f in [vcd, out_path, &gtkw.as_ref().map(|g| g.0.clone())]
        .into_iter()
        .flatten()
    {
        out::check_writable(f)?;
    }
    let text = out::read(stimulus)?;
    let stim = cporx_cosim::stimulus::parse(&text, &stimulus.display().to_string(), p.lanes)
        .map_err(|e| e.to_string())?;
    if stim.is_empty() {
        return Err(Fail::NotMeasured(format!(
            "{} holds no cycles (only blank lines or comments): nothing was simulated{}",
            stimulus.display(),
            if rtl {
                ", so no agreement with the RTL was measured"
            } else {
                ""
            }
        )));
    }
    if cporx_cosim::stimulus::never_resets(&stim) {
        eprintln!(
            "warning: {} never resets (no `rst` line): the run starts from power-up, where every register is 0, \
             configuration included (coefficients, thresholds, targets, CDR gains and ctrl all 0), \
             so y stays 0 until the stimulus writes the coefficients; start the file with `rst` to load RxParams",
            stimulus.display()
        );
    }
    let res = match vcd {
        Some(path) => {
            let f = out::create(path)?;
            let mut bw = std::io::BufWriter::new(f);
            let r = cporx_cosim::vcd_out::run_model_with_vcd(&p, &stim, &mut bw)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            out::flush(&mut bw, path)?;
            eprintln!("wrote {}", path.display());
            if let Some((g, text)) = &gtkw {
                out::write(g, text)?;
                eprintln!(
                    "wrote {} (GTKWave save file: gtkwave {} {})",
                    g.display(),
                    path.display(),
                    g.display()
                );
            }
            r
        }
        None => cporx_verif::run_model(&p, &stim),
    };
    let werr = |e: std::io::Error| match out_path {
        Some(f) => format!("cannot write {}: {}", f.display(), out::plain(&e)),
        None => format!("cannot write to standard output: {}", out::plain(&e)),
    };
    let mut w: Box<dyn Write> = match out_path {
        Some(path) => Box::new(std::io::BufWriter::new(out::create(path)?)),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    let mut head = "# cycle".to_string();
    for j in 0..p.lanes {
        let l = if p.lanes > 1 {
            j.to_string()
        } else {
            String::new()
        };
        head += &format!(" y{l} symbol{l} gray{l} err{l}");
    }
    writeln!(w, "{head} phase lock freq gain rd_data").map_err(werr)?;
    for (c, o) in res.iter().enumerate() {
        let mut line = c.to_string();
        for l in &o.lane[..p.lanes] {
            line += &format!(" {} {} {:02b} {}", l.y, l.symbol, l.gray, l.err);
        }
        writeln!(
            w,
            "{line} {} {} {} {} {}",
            o.phase, o.lock as u8, o.freq, o.gain, o.rd_data
        )
        .map_err(werr)?;
    }
    w.flush().map_err(werr)?;
    drop(w);
    if let Some(f) = out_path {
        eprintln!("wrote {} ({} cycles)", f.display(), res.len());
    }
    if rtl {
        let v = cporx_hdl::export::rx_top_verilog(&p).map_err(|e| e.to_string())?;
        let mut vl =
            cporx_cosim::verilator::VerilatedRx::build(&v, false).map_err(|e| e.to_string())?;
        let r = vl.run(&stim).map_err(|e| e.to_string())?;
        match cporx_verif::compare(&res, &r, "verilator") {
            Ok(()) => eprintln!(
                "RTL (Verilator) agrees with the model on all {} cycles",
                res.len()
            ),
            Err(m) => return Err(format!("RTL and model disagree: {m}").into()),
        }
    }
    Ok(())
}
