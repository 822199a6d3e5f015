//! Jitter tolerance (log-log), SVG only, for `cporx cdr-report`.

use super::*;

/// Jitter tolerance, log-log: the tolerated sinusoidal-jitter amplitude (UI pp) against
/// its frequency (MHz), written as one SVG at `path` (parent folder created). A point
/// passed at the largest amplitude tried is an up-triangle (a lower bound); a point that
/// was not measured is not drawn: the legend lists it with its reason.
pub fn jtol(path: &Path, title: &str, subtitle: &str, pts: &[JtolPoint]) -> Result<(), PlotError> {
    let ok: Vec<(f64, f64, bool)> = pts
        .iter()
        .filter_map(|p| match p.ui_pp {
            Ok(a) if a.is_finite() && a > 0.0 && p.freq_mhz.is_finite() && p.freq_mhz > 0.0 => {
                Some((p.freq_mhz.log10(), a.log10(), p.at_limit))
            }
            _ => None,
        })
        .collect();
    if ok.is_empty() {
        return Err(PlotError::new(path, PlotErrorKind::NoData));
    }
    let missing: Vec<String> = pts
        .iter()
        .filter_map(|p| match &p.ui_pp {
            Ok(a) if a.is_finite() && *a > 0.0 && p.freq_mhz.is_finite() && p.freq_mhz > 0.0 => {
                None
            }
            Ok(a) => Some(format!("{} MHz: not measured (amplitude {a})", p.freq_mhz)),
            Err(why) => Some(format!("{} MHz: not measured ({why})", p.freq_mhz)),
        })
        .collect();
    let fx = min_max(
        pts.iter()
            .filter(|p| p.freq_mhz.is_finite() && p.freq_mhz > 0.0)
            .map(|p| p.freq_mhz.log10()),
    )
    .unwrap_or((0.0, 3.0));
    let ay = min_max(ok.iter().map(|p| p.1)).unwrap_or((-1.0, 2.0));
    let decades = |r: (f64, f64)| {
        let (a, b) = ((r.0 + 1e-9).floor(), (r.1 - 1e-9).ceil());
        (a, if b > a { b } else { a + 1.0 })
    };
    let (x, y) = (pad(decades(fx), 0.03), decades(ay));
    // the curve is broken where a point is missing, not drawn across it
    let mut order: Vec<&JtolPoint> = pts.iter().filter(|p| p.freq_mhz.is_finite()).collect();
    order.sort_by(|a, b| a.freq_mhz.total_cmp(&b.freq_mhz));
    let mut pieces: Vec<Vec<(f64, f64)>> = vec![vec![]];
    for p in order {
        match p.ui_pp {
            Ok(a) if a.is_finite() && a > 0.0 && p.freq_mhz > 0.0 => pieces
                .last_mut()
                .unwrap()
                .push((p.freq_mhz.log10(), a.log10())),
            _ => pieces.push(vec![]),
        }
    }
    write_svg(path, |r| {
        draw_jtol(r, Out::Svg, title, subtitle, &ok, &pieces, &missing, x, y)
    })
}

#[allow(clippy::too_many_arguments)]
pub(super) fn draw_jtol<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    out: Out,
    title: &str,
    subtitle: &str,
    ok: &[(f64, f64, bool)],
    pieces: &[Vec<(f64, f64)>],
    missing: &[String],
    x: (f64, f64),
    y: (f64, f64),
) -> DynResult
where
    DB::ErrorType: 'static,
{
    let mut f = Frame::new(
        title,
        Axis::new(x, Scale::LogPlain, "SJ frequency (MHz)"),
        Axis::new(y, Scale::LogPlain, "tolerated SJ amplitude (UI pp)"),
    );
    f.subtitle = (!subtitle.is_empty()).then_some(subtitle);
    let mut fig = frame(root, out, &f)?;
    let c = color(0);
    for piece in pieces {
        fig.line(piece, c.stroke_width(2), false)?;
    }
    let mut entries = vec![Entry::new(
        Key::Line(c),
        "largest SJ with no bit error and no slip",
    )];
    let mut limit = false;
    for &(fx, ay, at_limit) in ok {
        if at_limit {
            limit = true;
            fig.chart.draw_series(std::iter::once(
                EmptyElement::at((fx, ay))
                    + Polygon::new(vec![(-7, 5), (7, 5), (0, -8)], c.filled()),
            ))?;
            fig.note_ink(&[(fx, ay)]);
        } else {
            fig.dot((fx, ay), 5, c)?;
        }
    }
    if limit {
        entries.push(Entry::new(
            Key::TriUp(c),
            "passed at the largest amplitude tried (a lower bound)",
        ));
    }
    for m in missing {
        entries.push(Entry::new(Key::Blank, m.as_str()));
    }
    fig.legend(None, &entries, &[Corner::UR, Corner::LL])?;
    Ok(())
}
