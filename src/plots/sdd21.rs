//! Insertion loss |SDD21| (dB) vs frequency (GHz) with the Nyquist markers and each channel's loss there in the legend.

use super::*;

pub(super) const SDD21_TITLE: &str = "Channel insertion loss |SDD21|";

/// Insertion loss |SDD21| (dB) vs frequency (GHz), one line per channel, with dashed
/// vertical markers at the Nyquist frequencies `(label, f_GHz)` (their labels in a band
/// above the data) and each channel's loss there (a dot on the curve, the value in the
/// legend; "no data" where a channel's data stop below that frequency).
pub fn sdd21(
    stem: &Path,
    series: &[Series],
    nyquist_ghz: &[(String, f64)],
) -> Result<(), PlotError> {
    let data: Vec<(String, Vec<(f64, f64)>)> = series
        .iter()
        .map(|s| {
            let mut p = finite_pts(&s.points);
            p.sort_by(|a, b| a.0.total_cmp(&b.0));
            (s.name.clone(), p)
        })
        .collect();
    let nyq: Vec<(String, f64)> = nyquist_ghz
        .iter()
        .filter(|n| n.1.is_finite())
        .cloned()
        .collect();
    let xs = min_max(data.iter().flat_map(|d| d.1.iter().map(|p| p.0)));
    let ys = min_max(data.iter().flat_map(|d| d.1.iter().map(|p| p.1)));
    let (Some(xs), Some(ys)) = (xs, ys) else {
        return Err(no_data(stem));
    };
    let x0 = xs.0.min(0.0);
    let nmax = nyq.iter().map(|n| n.1).fold(f64::MIN, f64::max);
    // a marker at or past the end of the data is not drawn on the frame's edge
    let mut x1 = if nmax >= xs.1 {
        x0 + (nmax - x0) * 1.05
    } else {
        xs.1
    };
    if x1 <= x0 || x1.is_nan() {
        x1 = x0 + 1.0;
    }
    let (lo, top) = (ys.0.min(-1.0), ys.1.max(0.0));
    let span = top - lo;
    let (ylo, ydata) = (lo - 0.03 * span, top + 0.02 * span);
    // the label band above the data, in pixels, converted to data units
    let band = if nyq.is_empty() {
        0.0
    } else {
        12.0 + nyq.len() as f64 * NOTE_EM * 1.5
    };
    let ph = Frame::new(
        SDD21_TITLE,
        Axis::new((0.0, 1.0), Scale::Lin, ""),
        Axis::new((0.0, 1.0), Scale::Lin, ""),
    )
    .plot_height() as f64;
    let yhi = ydata + (ydata - ylo) * band / (ph - band).max(1.0);
    let (x, y) = ((x0, x1), (ylo, yhi));
    render(
        stem,
        |r| draw_sdd21(r, Out::Png, &data, &nyq, x, y, top),
        |r| draw_sdd21(r, Out::Svg, &data, &nyq, x, y, top),
    )
}

pub(super) fn interp(pts: &[(f64, f64)], x: f64) -> Option<f64> {
    let i = pts.partition_point(|p| p.0 < x);
    if i < pts.len() && pts[i].0 == x {
        return Some(pts[i].1);
    }
    if i == 0 || i >= pts.len() {
        return None;
    }
    let (a, b) = (pts[i - 1], pts[i]);
    Some(a.1 + (x - a.0) * (b.1 - a.1) / (b.0 - a.0))
}

#[allow(clippy::too_many_arguments)]
pub(super) fn draw_sdd21<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    out: Out,
    data: &[(String, Vec<(f64, f64)>)],
    nyq: &[(String, f64)],
    x: (f64, f64),
    y: (f64, f64),
    top: f64,
) -> DynResult
where
    DB::ErrorType: 'static,
{
    let f = Frame::new(
        SDD21_TITLE,
        Axis::new(x, Scale::Lin, "Frequency (GHz)"),
        Axis::new(y, Scale::Lin, "|SDD21| (dB)").ticks_upto(top),
    );
    let mut fig = frame(root, out, &f)?;
    for (i, (_, pts)) in data.iter().enumerate() {
        fig.line(pts, color(i).stroke_width(2), false)?;
    }
    let [_, ay0, ax1, _] = fig.area();
    for (j, (label, f)) in nyq.iter().enumerate() {
        if *f < x.0 || *f > x.1 {
            continue;
        }
        // a guide, like the grid: a legend may cover part of it
        fig.chart.draw_series(DashedLineSeries::new(
            vec![(*f, y.0), (*f, y.1)],
            8,
            5,
            RGBColor(110, 110, 110).stroke_width(1),
        ))?;
        let (px, _) = fig.px((*f, y.1));
        let text = format!("{label}: {f:.2} GHz");
        let t = tx(NOTE_EM, RGBColor(70, 70, 70));
        let ty = ay0 + 6 + (j as f64 * NOTE_EM * 1.5) as i32;
        let fits_right = px as f64 + 8.0 + text_w(&text, NOTE_EM) <= (ax1 - 6) as f64;
        let (at, t) = if fits_right {
            ((px + 8, ty), t.at(HPos::Left, VPos::Top))
        } else {
            ((px - 8, ty), t.at(HPos::Right, VPos::Top))
        };
        fig.note(&text, at, t, true)?;
    }
    let mut entries = vec![];
    for (i, (name, pts)) in data.iter().enumerate() {
        let mut vals = vec![];
        for (_, f) in nyq {
            match interp(pts, *f) {
                Some(v) => {
                    fig.dot((*f, v), 5, color(i))?;
                    vals.push(format!("{} dB", minus(&format!("{v:.1}"))));
                }
                None => vals.push(match pts.last() {
                    Some(p) if p.0 < *f => format!("no data (ends at {:.1} GHz)", p.0),
                    _ => "no data".into(),
                }),
            }
        }
        entries.push(Entry::new(Key::Line(color(i)), name.as_str()).value(vals.join(" / ")));
    }
    let head = (!nyq.is_empty()).then(|| {
        let fs: Vec<String> = nyq.iter().map(|n| format!("{:.2}", n.1)).collect();
        format!("|SDD21| at {} GHz", fs.join(" / "))
    });
    fig.legend(
        head.as_deref().map(|h| ("", h)),
        &entries,
        &[Corner::LL, Corner::LR, Corner::UR],
    )?;
    Ok(())
}
