//! Pulse response vs time (UI) with its cursors h(k) as labelled stems.

use super::*;

/// Pulse response `v` vs time `t_ui` (UI); `cursors` are `(k, h(k))` at t = k UI, drawn as
/// stems with dots, the main and first pre/post cursors labelled (pre-cursors to the left,
/// post-cursors to the right, off the curve) and listed in the legend.
pub fn pulse(
    stem: &Path,
    name: &str,
    t_ui: &[f64],
    v: &[f64],
    cursors: &[(i32, f64)],
) -> Result<(), PlotError> {
    let pts: Vec<(f64, f64)> = finite_pts(
        &t_ui
            .iter()
            .copied()
            .zip(v.iter().copied())
            .collect::<Vec<_>>(),
    );
    let cur: Vec<(i32, f64)> = cursors
        .iter()
        .copied()
        .filter(|c| c.1.is_finite())
        .collect();
    if pts.is_empty() && cur.is_empty() {
        return Err(no_data(stem));
    }
    let xs = min_max(
        pts.iter()
            .map(|p| p.0)
            .chain(cur.iter().map(|c| c.0 as f64)),
    )
    .unwrap();
    let ys = min_max(
        pts.iter()
            .map(|p| p.1)
            .chain(cur.iter().map(|c| c.1))
            .chain([0.0]),
    )
    .unwrap();
    let x = pad(xs, 0.02);
    let span = (ys.1 - ys.0).max(1e-12);
    let y = (ys.0 - 0.06 * span, ys.1 + 0.12 * span);
    let title = format!("Pulse response — {name}");
    render(
        stem,
        |r| draw_pulse(r, Out::Png, &title, &pts, &cur, x, y),
        |r| draw_pulse(r, Out::Svg, &title, &pts, &cur, x, y),
    )
}

pub(super) fn draw_pulse<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    out: Out,
    title: &str,
    pts: &[(f64, f64)],
    cur: &[(i32, f64)],
    x: (f64, f64),
    y: (f64, f64),
) -> DynResult
where
    DB::ErrorType: 'static,
{
    let f = Frame::new(
        title,
        Axis::new(x, Scale::Lin, "Time (UI)"),
        Axis::new(y, Scale::Lin, "Amplitude (normalized)"),
    );
    let mut fig = frame(root, out, &f)?;
    fig.chart.draw_series(std::iter::once(PathElement::new(
        vec![(x.0, 0.0), (x.1, 0.0)],
        RGBColor(60, 60, 60).stroke_width(1),
    )))?;
    let line = color(0);
    fig.line(pts, line.stroke_width(2), false)?;
    let cc = TARGET_RED;
    let mut entries = vec![Entry::new(Key::Line(line), "pulse response")];
    if !cur.is_empty() {
        entries.push(Entry::new(Key::Dot(cc), "cursors h(k) at t = k UI"));
    }
    // main cursor: k = 0 if present, else the largest |h|
    let main = cur
        .iter()
        .find(|c| c.0 == 0)
        .or_else(|| cur.iter().max_by(|a, b| a.1.abs().total_cmp(&b.1.abs())))
        .map(|c| c.0);
    let labelled = |k: i32| main.is_some_and(|m| k - m >= -2 && k - m <= 3);
    for &(k, h) in cur {
        let p = (k as f64, h);
        if !fig.inside(p) {
            continue;
        }
        fig.line(&[(k as f64, 0.0), p], cc.mix(0.7).stroke_width(1), false)?;
        fig.dot(p, 5, cc)?;
    }
    for &(k, h) in cur {
        let p = (k as f64, h);
        if !fig.inside(p) || !labelled(k) {
            continue;
        }
        let rel = k - main.unwrap_or(0);
        // pre-cursors sit on a rising edge: the free side is up-left; post-cursors up-right
        let (dx, hp) = match rel {
            r if r < 0 => (-7, HPos::Right),
            0 => (0, HPos::Center),
            _ => (7, HPos::Left),
        };
        let (dy, vp) = if h >= 0.0 {
            (-7, VPos::Bottom)
        } else {
            (7, VPos::Top)
        };
        let q = fig.px(p);
        fig.note(
            &format!("h{}", subscript(rel)),
            (q.0 + dx, q.1 + dy),
            tx(NOTE_EM + 1.0, cc).at(hp, vp),
            false,
        )?;
    }
    if let Some(m) = main {
        let h0 = cur.iter().find(|c| c.0 == m).map(|c| c.1).unwrap_or(1.0);
        for &(k, h) in cur.iter().filter(|c| labelled(c.0)) {
            let v = if k == m {
                format!("{}  (main)", minus(&format!("{h:+.4}")))
            } else if h0 != 0.0 {
                minus(&format!("{h:+.4}  ({:+.1} %)", 100.0 * h / h0))
            } else {
                minus(&format!("{h:+.4}"))
            };
            entries.push(Entry::new(Key::Blank, format!("h{}", subscript(k - m))).value(v));
        }
    }
    fig.legend(None, &entries, &[Corner::UR, Corner::UL])?;
    Ok(())
}
