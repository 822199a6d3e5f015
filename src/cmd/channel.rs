//! `cporx channel FILE`: the one-channel view of a Touchstone file (IL at Nyquist, pulse
//! peak, delay, causality, cursors, and with `--out` the SDD21 and pulse plots), through
//! the one channel loader `cporx_link::pulse::load_channel`.

use crate::cli;
use crate::fail::Fail;
use crate::out;
use crate::plots::{self, Series};
use clap::Args;
use cporx_link::pulse::{self, ChannelLoad};
use cporx_link::study::{self, Figure};
use cporx_link::touchstone::{self, PortMap};
use std::path::PathBuf;

#[derive(Args, Clone)]
pub struct ChannelArgs {
    /// a Touchstone 1.x file (.s2p: S21; .s4p: SDD21); the port count comes from the
    /// extension unless --ports is given
    pub file: PathBuf,
    /// port map of a 4-port file, `a1,a2:b1,b2` (input pair p,n : output pair p,n, 1-based);
    /// default: detected from the data. A map that transmits far less than the best
    /// pairing at the lowest frequency is refused (see --force-map)
    #[arg(long, value_name = "MAP")]
    pub map: Option<String>,
    /// use --map even when it pairs the wrong ports by the data (a warning instead of an error)
    #[arg(long, requires = "map")]
    pub force_map: bool,
    /// port count of the file, 1 ..= 1024 (default: from the extension .sNp)
    #[arg(long, value_name = "N")]
    pub ports: Option<usize>,
    /// symbol rate, GBd: 26.5625, 53.125, 106.25, or any in 1 ..= 400 GBd
    #[arg(long, value_name = "GBD", default_value_t = 53.125)]
    pub baud_gbd: f64,
    /// write the SDD21 and pulse plots (PNG and SVG) into this folder (created if missing);
    /// default: no plots
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// `cporx channel FILE`: one channel's figures.
pub fn channel(a: &ChannelArgs) -> Result<(), Fail> {
    cli::check_baud(a.baud_gbd)?;
    if let Some(n) = a.ports {
        cli::check_range("ports", n as f64, 1.0, touchstone::MAX_PORTS as f64, "")?;
    }
    let map = a
        .map
        .as_deref()
        .map(PortMap::parse)
        .transpose()
        .map_err(|e| format!("--map: {e}"))?;
    let name = a
        .file
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .to_string();
    // output paths first, before any work
    let stem = a.out.as_ref().map(|d| d.join(name.replace('.', "_")));
    if let Some(stem) = &stem {
        for s in ["sdd21", "pulse"] {
            for ext in ["png", "svg"] {
                out::check_writable(&plots::with_ext(&stem.with_extension(s), ext))?;
            }
        }
    }
    let l = pulse::load_channel(
        &a.file,
        &ChannelLoad {
            ports: a.ports,
            map,
            force_map: a.force_map,
            baud_hz: a.baud_gbd * 1e9,
        },
    )?;
    let p = &l.pulse;
    println!(
        "{name}: {}-port, {} points, {:.3} .. {:.3} GHz, port map {}",
        l.n_ports,
        l.h.f_hz.len(),
        l.f_min_hz / 1e9,
        l.f_max_hz / 1e9,
        l.map_text()
    );
    println!(
        "  at {} GBd: insertion loss at Nyquist ({:.4} GHz) {}; pulse peak {:.4} ({:.2} dB), delay {:.1} ps; causality {:.1e}",
        a.baud_gbd,
        a.baud_gbd / 2.0,
        l.il_nyquist_text(),
        p.peak(),
        20.0 * p.peak().abs().log10(),
        l.measurement().delay_ps,
        l.measurement().causality
    );
    let cur = p.cursors(0.0);
    let line: Vec<String> = cur
        .iter()
        .filter(|c| (-2..=6).contains(&c.0))
        .map(|c| format!("h({}) {:+.4}", c.0, c.1 / p.peak()))
        .collect();
    println!("  cursors / peak: {}", line.join(", "));
    for w in &l.warnings {
        eprintln!("warning: {name}: {w}");
    }
    if let Some(stem) = &stem {
        let sd = stem.with_extension("sdd21");
        plots::draw(|| {
            plots::sdd21(
                &sd,
                &[Series::new(name.as_str(), study::loss_db_points(&l.h))],
                &[(format!("Nyquist {} GBd", a.baud_gbd), a.baud_gbd / 2.0)],
            )
        })?;
        if let Figure::Pulse {
            t_ui, v, cursors, ..
        } = study::pulse_figure(&name, p)
        {
            plots::draw(|| {
                plots::pulse(&stem.with_extension("pulse"), &name, &t_ui, &v, &cursors)
            })?;
        }
        println!("  wrote {}.{{sdd21,pulse}}.{{png,svg}}", stem.display());
    }
    Ok(())
}
