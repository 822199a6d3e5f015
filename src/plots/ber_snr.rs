//! BER vs SNR: closed form, Monte-Carlo with confidence intervals, statistical eye.

use super::*;

/// BER (log) vs SNR (dB): `theory` as a solid line, Monte-Carlo `sims` `(snr_db, ber, lo, hi)`
/// as markers with confidence-interval error bars (zero observed errors: a down-triangle at
/// the upper bound), `stat` (statistical eye) as a dashed line.
pub fn ber_vs_snr(
    stem: &Path,
    title: &str,
    theory: &Series,
    sims: &[SeriesWithCi],
    stat: Option<&Series>,
) -> Result<(), PlotError> {
    let th = log_pts(&theory.points);
    let st = stat.map(|s| (s.name.clone(), log_pts(&s.points)));
    let lg = |v: f64| (v.is_finite() && v > 0.0).then(|| v.log10());
    let mc: Vec<(String, Vec<Mc>)> = sims
        .iter()
        .map(|s| {
            let p = s
                .points
                .iter()
                .filter(|p| p.0.is_finite())
                .map(|&(x, b, lo, hi)| (x, lg(b), lg(lo), lg(hi)))
                .filter(|p| p.1.is_some() || p.3.is_some())
                .collect();
            (s.name.clone(), p)
        })
        .collect();
    let xs = min_max(
        th.iter()
            .map(|p| p.0)
            .chain(st.iter().flat_map(|s| s.1.iter().map(|p| p.0)))
            .chain(mc.iter().flat_map(|m| m.1.iter().map(|p| p.0))),
    );
    let Some(xs) = xs else {
        return Err(no_data(stem));
    };
    // y: data-driven decades, within [1e-18, 1]; the theory alone does not set the floor
    // when measured data exist (it can run down to 1e-40).
    let measured = min_max(st.iter().flat_map(|s| s.1.iter().map(|p| p.1)).chain(
        mc.iter().flat_map(|m| {
            m.1.iter()
                .flat_map(|p| [p.1, p.2, p.3].into_iter().flatten())
        }),
    ));
    let all = measured
        .or_else(|| min_max(th.iter().map(|p| p.1)))
        .unwrap();
    let top = th.iter().map(|p| p.1).fold(all.1, f64::max);
    let ylo = (all.0.floor() - 1.0).max(-18.0);
    let y = (ylo, top.ceil().min(0.0).max(ylo + 1.0));
    let x = pad(xs, 0.03);
    let args = SnrArgs {
        title,
        theory_name: &theory.name,
        th: &th,
        mc: &mc,
        st: st.as_ref(),
        x,
        y,
    };
    render(
        stem,
        |r| draw_snr(r, Out::Png, &args),
        |r| draw_snr(r, Out::Svg, &args),
    )
}

/// A Monte-Carlo point: (x, log BER or None for zero errors, log lo, log hi).
pub(super) type Mc = (f64, Option<f64>, Option<f64>, Option<f64>);

pub(super) struct SnrArgs<'a> {
    title: &'a str,
    theory_name: &'a str,
    th: &'a [(f64, f64)],
    mc: &'a [(String, Vec<Mc>)],
    st: Option<&'a (String, Vec<(f64, f64)>)>,
    x: (f64, f64),
    y: (f64, f64),
}

pub(super) fn draw_snr<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    out: Out,
    a: &SnrArgs,
) -> DynResult
where
    DB::ErrorType: 'static,
{
    let f = Frame::new(
        a.title,
        Axis::new(a.x, Scale::Lin, "SNR (dB)"),
        Axis::new(a.y, Scale::LogPow, "BER"),
    );
    let mut fig = frame(root, out, &f)?;
    let mut entries = vec![];
    if !a.th.is_empty() {
        entries.push(Entry::new(Key::Line(DARK), a.theory_name));
        fig.line(a.th, DARK.stroke_width(2), false)?;
    }
    if let Some((name, pts)) = a.st {
        entries.push(Entry::new(Key::Dash(color(1)), name.as_str()));
        fig.line(pts, color(1).stroke_width(2), true)?;
    }
    let (ylo, yhi) = a.y;
    let mut bounds = false;
    for (i, (name, pts)) in a.mc.iter().enumerate() {
        let c = if i == 0 { color(0) } else { color(i + 1) };
        entries.push(Entry::new(Key::Bar(c), name.as_str()));
        for &(x, b, lo, hi) in pts {
            if x < a.x.0 || x > a.x.1 {
                continue;
            }
            let bar = c.stroke_width(1);
            // error bar (lo = 0 or below the axis: open to the bottom)
            if let Some(h) = hi {
                let l = lo.unwrap_or(f64::NEG_INFINITY);
                let (l_c, h_c) = (l.max(ylo), h.min(yhi));
                if h_c > l_c {
                    fig.chart.draw_series(std::iter::once(PathElement::new(
                        vec![(x, l_c), (x, h_c)],
                        bar,
                    )))?;
                    fig.note_ink(&[(x, l_c), (x, h_c)]);
                    for (v, keep) in [(l, l >= ylo && l <= yhi), (h, h >= ylo && h <= yhi)] {
                        if keep {
                            fig.chart.draw_series(std::iter::once(
                                EmptyElement::at((x, v))
                                    + PathElement::new(vec![(-4, 0), (4, 0)], bar),
                            ))?;
                        }
                    }
                }
            }
            match (b, hi) {
                (Some(v), _) if v >= ylo && v <= yhi => fig.dot((x, v), 5, c)?,
                (None, Some(h)) if h >= ylo && h <= yhi => {
                    // no errors observed: an upper bound
                    bounds = true;
                    fig.chart.draw_series(std::iter::once(
                        EmptyElement::at((x, h))
                            + Polygon::new(vec![(-6, -4), (6, -4), (0, 6)], c.filled()),
                    ))?;
                    fig.note_ink(&[(x, h)]);
                }
                _ => {}
            }
        }
    }
    if bounds {
        entries.push(Entry::new(
            Key::TriDown(color(0)),
            "no error counted: 95 % upper bound",
        ));
    }
    fig.legend(None, &entries, &[Corner::LL, Corner::UR])?;
    Ok(())
}
