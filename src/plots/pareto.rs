//! Energy per bit against BER (log): every configuration as a marker, the Pareto front
//! (no other point has both less energy and a lower BER) as a line, the target BER.

use super::*;

/// `points` are `(pJ/bit, BER)` of `(group name, points)` (one marker colour per group);
/// `front` the front's points in energy order.
pub fn pareto(
    stem: &Path,
    title: &str,
    x_label: &str,
    groups: &[Series],
    front: &[(f64, f64)],
    target_ber: f64,
) -> Result<(), PlotError> {
    let data: Vec<(String, Vec<(f64, f64)>)> = groups
        .iter()
        .map(|s| (s.name.clone(), log_pts(&s.points)))
        .collect();
    let fr = log_pts(front);
    let Some(xs) = min_max(data.iter().flat_map(|d| d.1.iter().map(|p| p.0))) else {
        return Err(no_data(stem));
    };
    let Some(ys) = min_max(data.iter().flat_map(|d| d.1.iter().map(|p| p.1))) else {
        return Err(no_data(stem));
    };
    let x = pad(xs, 0.05);
    let t = target_ber.log10();
    let y = (
        (ys.0.min(t) - 0.5).floor().max(-30.0),
        (ys.1.max(t) + 0.5).ceil().min(0.0),
    );
    let y = if y.1 > y.0 { y } else { (y.0 - 1.0, y.0 + 1.0) };
    render(
        stem,
        |r| draw_pareto(r, Out::Png, title, x_label, &data, &fr, t, x, y),
        |r| draw_pareto(r, Out::Svg, title, x_label, &data, &fr, t, x, y),
    )
}

#[allow(clippy::too_many_arguments)]
fn draw_pareto<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    out: Out,
    title: &str,
    x_label: &str,
    data: &[(String, Vec<(f64, f64)>)],
    front: &[(f64, f64)],
    target: f64,
    x: (f64, f64),
    y: (f64, f64),
) -> DynResult
where
    DB::ErrorType: 'static,
{
    let f = Frame::new(
        title,
        Axis::new(x, Scale::Lin, x_label),
        Axis::new(y, Scale::LogPow, "BER (statistical)"),
    );
    let mut fig = frame(root, out, &f)?;
    let mut entries = vec![];
    fig.line(
        &[(x.0, target), (x.1, target)],
        TARGET_RED.stroke_width(2),
        true,
    )?;
    entries.push(Entry::new(
        Key::Dash(TARGET_RED),
        format!("target BER {}", sci(10f64.powf(target))),
    ));
    for (i, (name, pts)) in data.iter().enumerate() {
        let c = color(i + 1);
        entries.push(Entry::new(Key::Dot(c), name.as_str()));
        for &p in pts {
            fig.dot(p, 4, c)?;
        }
    }
    let c0 = color(0);
    if front.len() > 1 {
        fig.line(front, c0.stroke_width(2), false)?;
    }
    entries.push(Entry::new(Key::Line(c0), "Pareto front"));
    fig.legend(
        None,
        &entries,
        &[Corner::UR, Corner::UC, Corner::LL, Corner::UL],
    )?;
    Ok(())
}
