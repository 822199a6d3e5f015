//! BER bathtub (log10 BER 1e-18 .. 1) with the target BER.

use super::*;

/// (name, (x, log10 y) points, style).
pub(super) type StyledSeries = (String, Vec<(f64, f64)>, Style);

/// BER range of the bathtub's y axis (log10).
pub(super) const BATHTUB_LOG_RANGE: (f64, f64) = (-18.0, 0.0);

/// BER bathtub: `series` are `(phase_ui, ber)`; y axis log10 BER from 1e-18 to 1; a dashed
/// line at `target_ber`. Line series get their eye opening at the target in the legend.
pub fn bathtub(
    stem: &Path,
    title: &str,
    series: &[Series],
    target_ber: f64,
) -> Result<(), PlotError> {
    let data: Vec<StyledSeries> = series
        .iter()
        .map(|s| {
            let mut p = log_pts(&s.points);
            p.sort_by(|a, b| a.0.total_cmp(&b.0));
            (s.name.clone(), p, s.style)
        })
        .collect();
    let Some(xs) = min_max(data.iter().flat_map(|d| d.1.iter().map(|p| p.0))) else {
        return Err(no_data(stem));
    };
    let x = pad(xs, 0.02);
    let target = (target_ber.is_finite() && target_ber > 0.0).then(|| target_ber.log10());
    render(
        stem,
        |r| draw_bathtub(r, Out::Png, title, &data, target, x),
        |r| draw_bathtub(r, Out::Svg, title, &data, target, x),
    )
}

pub(super) fn draw_bathtub<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    out: Out,
    title: &str,
    data: &[StyledSeries],
    target: Option<f64>,
    x: (f64, f64),
) -> DynResult
where
    DB::ErrorType: 'static,
{
    let y = BATHTUB_LOG_RANGE;
    let f = Frame::new(
        title,
        Axis::new(x, Scale::Lin, "Sampling phase (UI)"),
        Axis::new(y, Scale::LogPow, "BER"),
    );
    let mut fig = frame(root, out, &f)?;
    let mut entries = vec![];
    if let Some(t) = target {
        fig.line(&[(x.0, t), (x.1, t)], TARGET_RED.stroke_width(2), true)?;
        entries.push(Entry::new(
            Key::Dash(TARGET_RED),
            format!("target BER {}", sci(10f64.powf(t))),
        ));
    }
    for (i, (name, pts, style)) in data.iter().enumerate() {
        let c = color(i);
        match style {
            Style::Line => {
                let label = match target.map(|t| opening_at(pts, t)) {
                    Some(Some(w)) => format!("{name} (opening {w:.3} UI at the target)"),
                    Some(None) => format!("{name} (closed at the target)"),
                    None => name.clone(),
                };
                entries.push(Entry::new(Key::Line(c), label));
                fig.line(pts, c.stroke_width(2), false)?;
            }
            Style::Markers => {
                entries.push(Entry::new(Key::Dot(c), name.as_str()));
                for &p in pts {
                    fig.dot(p, 5, c)?;
                }
            }
        }
    }
    fig.legend(
        None,
        &entries,
        &[
            Corner::LC,
            Corner::UC,
            Corner::LR,
            Corner::LL,
            Corner::UR,
            Corner::UL,
        ],
    )?;
    Ok(())
}
