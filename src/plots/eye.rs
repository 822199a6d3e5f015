//! Eye-diagram density heat map (log colour scale, inferno) with the slicer thresholds.

use super::*;

/// Probabilities below this are drawn as the colormap's floor.
pub const EYE_FLOOR: f64 = 1e-12;

/// Eye-diagram density heat map: `density[phase][bin]` probabilities at `phases_ui` (UI)
/// and bin centres `y_centers` (units in `y_label`), log colour scale (inferno) from
/// [`EYE_FLOOR`] to the maximum, with a colorbar; `thresholds` as dashed horizontal lines.
pub fn eye(
    stem: &Path,
    title: &str,
    phases_ui: &[f64],
    y_centers: &[f64],
    density: &[Vec<f64>],
    thresholds: &[f64],
    y_label: &str,
) -> Result<(), PlotError> {
    let shape = |s: String| PlotError::new(&with_ext(stem, "png"), PlotErrorKind::Shape(s));
    if density.len() != phases_ui.len() {
        return Err(shape(format!(
            "density has {} phase columns, phases_ui has {}",
            density.len(),
            phases_ui.len()
        )));
    }
    if let Some((i, c)) = density
        .iter()
        .enumerate()
        .find(|(_, c)| c.len() != y_centers.len())
    {
        return Err(shape(format!(
            "density[{i}] has {} bins, y_centers has {}",
            c.len(),
            y_centers.len()
        )));
    }
    let pi = sorted_finite(phases_ui);
    let bi = sorted_finite(y_centers);
    let pc: Vec<f64> = pi.iter().map(|&i| phases_ui[i]).collect();
    let bc: Vec<f64> = bi.iter().map(|&j| y_centers[j]).collect();
    let pmax = pi
        .iter()
        .flat_map(|&i| bi.iter().map(move |&j| density[i][j]))
        .filter(|p| p.is_finite() && *p > 0.0)
        .fold(f64::NAN, f64::max);
    if !pmax.is_finite() {
        return Err(no_data(stem));
    }
    let lf = EYE_FLOOR.log10();
    let lmax = if pmax.log10() > lf + 1.0 {
        pmax.log10()
    } else {
        lf + 1.0
    };
    // quantised colour index per cell (None below the floor), merged into vertical runs
    let xe = cell_edges(&pc);
    let ye = cell_edges(&bc);
    let mut cells: Vec<(f64, f64, f64, f64, RGBColor)> = Vec::new();
    for (ci, &i) in pi.iter().enumerate() {
        let mut run: Option<(usize, usize, u8)> = None; // (first bin, last bin, colour index)
        let flush = |run: Option<(usize, usize, u8)>, cells: &mut Vec<_>| {
            if let Some((a, b, q)) = run {
                cells.push((
                    xe[ci],
                    xe[ci + 1],
                    ye[a],
                    ye[b + 1],
                    inferno(q as f64 / 255.0),
                ));
            }
        };
        for (bj, &j) in bi.iter().enumerate() {
            let p = density[i][j];
            let q = if p.is_finite() && p > EYE_FLOOR {
                Some((((p.log10() - lf) / (lmax - lf)).clamp(0.0, 1.0) * 255.0).round() as u8)
            } else {
                None
            };
            match (run, q) {
                (Some((a, b, rq)), Some(q)) if rq == q && b + 1 == bj => run = Some((a, bj, rq)),
                (_, Some(q)) => {
                    flush(run, &mut cells);
                    run = Some((bj, bj, q));
                }
                (_, None) => {
                    flush(run, &mut cells);
                    run = None;
                }
            }
        }
        flush(run, &mut cells);
    }
    let th: Vec<f64> = thresholds
        .iter()
        .copied()
        .filter(|t| t.is_finite())
        .collect();
    let x = (xe[0], xe[xe.len() - 1]);
    let y = (ye[0], ye[ye.len() - 1]);
    let args = EyeArgs {
        title,
        y_label,
        cells: &cells,
        th: &th,
        x,
        y,
        lf,
        lmax,
    };
    render(
        stem,
        |r| draw_eye(r, Out::Png, &args),
        |r| draw_eye(r, Out::Svg, &args),
    )
}

pub(super) struct EyeArgs<'a> {
    title: &'a str,
    y_label: &'a str,
    cells: &'a [(f64, f64, f64, f64, RGBColor)],
    th: &'a [f64],
    x: (f64, f64),
    y: (f64, f64),
    lf: f64,
    lmax: f64,
}

pub(super) fn draw_eye<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    out: Out,
    a: &EyeArgs,
) -> DynResult
where
    DB::ErrorType: 'static,
{
    const BAR_GAP: i32 = 22;
    const BAR_W: i32 = 24;
    const CAPTION: &str = "probability (log scale)";
    let bar_axis = Axis::new((a.lf, a.lmax), Scale::LogPow, "");
    let mut f = Frame::new(
        a.title,
        Axis::new(a.x, Scale::Lin, "Sampling phase (UI)"),
        Axis::new(a.y, Scale::Lin, a.y_label),
    );
    let bar_ticks = ticks(&bar_axis, f.plot_height() as f64, false);
    let tick_w = bar_ticks
        .major
        .iter()
        .map(|t| text_w(&t.1, TICK_EM))
        .fold(0.0, f64::max)
        .ceil() as i32;
    f.right = BAR_GAP + BAR_W + 8 + tick_w + 12 + DESC_EM as i32;
    f.grid = false;
    let mut fig = frame(root, out, &f)?;
    // floor colour under everything, then the cells
    fig.chart.draw_series(std::iter::once(Rectangle::new(
        [(a.x.0, a.y.0), (a.x.1, a.y.1)],
        inferno(0.0).filled(),
    )))?;
    fig.chart.draw_series(
        a.cells
            .iter()
            .map(|&(x0, x1, y0, y1, c)| Rectangle::new([(x0, y0), (x1, y1)], c.filled())),
    )?;
    if !a.th.is_empty() {
        let c = RGBColor(0, 229, 255);
        for &t in a.th {
            fig.line(&[(a.x.0, t), (a.x.1, t)], c.stroke_width(2), true)?;
        }
        fig.legend(
            None,
            &[Entry::new(Key::Dash(c), "slicer thresholds")],
            &[Corner::UR],
        )?;
    }
    // colorbar
    let [_, ay0, ax1, ay1] = fig.area();
    let (bx0, bx1) = (ax1 + BAR_GAP, ax1 + BAR_GAP + BAR_W);
    let n = 128;
    let hgt = (ay1 - ay0) as f64;
    for i in 0..n {
        let yb = ay1 - (i as f64 * hgt / n as f64).round() as i32;
        let yt = ay1 - ((i + 1) as f64 * hgt / n as f64).round() as i32;
        root.draw(&Rectangle::new(
            [(bx0, yt), (bx1, yb)],
            inferno((i as f64 + 0.5) / n as f64).filled(),
        ))?;
    }
    root.draw(&Rectangle::new(
        [(bx0, ay0), (bx1, ay1)],
        AXIS.stroke_width(1),
    ))?;
    for (v, l) in &bar_ticks.major {
        let py = ay1 - ((v - a.lf) / (a.lmax - a.lf) * hgt).round() as i32;
        root.draw(&PathElement::new(
            vec![(bx1, py), (bx1 + 5, py)],
            AXIS.stroke_width(1),
        ))?;
        put_text(
            root,
            out,
            l,
            (bx1 + 8, py),
            tx(TICK_EM, DARK).at(HPos::Left, VPos::Center),
        )?;
    }
    let em = fit_em(CAPTION, DESC_EM, hgt);
    put_text(
        root,
        out,
        CAPTION,
        (bx1 + 8 + tick_w + 12, (ay0 + ay1) / 2),
        tx(em, DARK).at(HPos::Center, VPos::Top).up(),
    )?;
    Ok(())
}
