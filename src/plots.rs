//! Report plots: every function writes `<stem>.png` (1000x600, raster) and `<stem>.svg`
//! (vector, text as `<text>`) from the same drawing code, generic over the plotters backend.
//!
//! * [`sdd21`]: insertion loss |SDD21| (dB) vs frequency (GHz), Nyquist markers
//! * [`pulse`]: pulse response vs time (UI) with its cursors h(k)
//! * [`eye`]: eye-diagram density heat map (log colour scale, inferno) with slicer thresholds
//! * [`bathtub`]: BER bathtub (log10 BER 1e-18 .. 1) with the target BER
//! * [`ber_vs_snr`]: BER vs SNR: theory, Monte-Carlo with confidence intervals, statistical eye
//!
//! Text in the PNG needs a font: DejaVu Sans is vendored in `assets/fonts/` (licence next to
//! it), compiled in with `include_bytes!` and registered with plotters' `ab_glyph` font table
//! once per process as `sans-serif`. No system font is looked up.
//!
//! Data hygiene: points with a NaN/infinite coordinate (or, on log axes, a non-positive
//! value) are skipped; if nothing drawable is left the function returns
//! [`PlotErrorKind::NoData`] before any file is created. Nothing here panics on bad data.

use plotters::chart::MeshStyle;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{register_font, FontStyle};
use std::error::Error;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

// ---------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------

/// How a [`Series`] is drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Style {
    /// A solid line through the points (analytic / statistical curves).
    #[default]
    Line,
    /// One marker per point, no line (Monte-Carlo estimates).
    Markers,
}

/// A named list of (x, y) points.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    pub style: Style,
}

impl Series {
    /// A series drawn as a line.
    pub fn new(name: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Series {
            name: name.into(),
            points,
            style: Style::Line,
        }
    }
    /// A series drawn as markers.
    pub fn markers(name: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Series {
            name: name.into(),
            points,
            style: Style::Markers,
        }
    }
}

/// Monte-Carlo estimates with a confidence interval: `(x, value, lo, hi)` per point.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SeriesWithCi {
    pub name: String,
    pub points: Vec<(f64, f64, f64, f64)>,
}

impl SeriesWithCi {
    pub fn new(name: impl Into<String>, points: Vec<(f64, f64, f64, f64)>) -> Self {
        SeriesWithCi {
            name: name.into(),
            points,
        }
    }
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum PlotErrorKind {
    /// Nothing drawable left after skipping NaN / out-of-domain points.
    NoData,
    /// Inconsistent input sizes (e.g. eye density vs. phase / bin axes).
    Shape(String),
    /// The vendored font could not be registered.
    Font,
    /// The backend failed (I/O, encoding, ...).
    Draw(String),
}

/// A plot error, naming the file that was being written.
#[derive(Debug, Clone, PartialEq)]
pub struct PlotError {
    pub path: PathBuf,
    pub kind: PlotErrorKind,
}

impl PlotError {
    fn new(path: &Path, kind: PlotErrorKind) -> Self {
        PlotError {
            path: path.to_path_buf(),
            kind,
        }
    }
}

impl fmt::Display for PlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.path.display();
        match &self.kind {
            PlotErrorKind::NoData => write!(f, "plot {p}: no data"),
            PlotErrorKind::Shape(s) => write!(f, "plot {p}: {s}"),
            PlotErrorKind::Font => write!(f, "plot {p}: cannot register the vendored font"),
            PlotErrorKind::Draw(s) => write!(f, "plot {p}: {s}"),
        }
    }
}

impl Error for PlotError {}

// ---------------------------------------------------------------------------------------
// Look, font, rendering to both backends
// ---------------------------------------------------------------------------------------

/// PNG size in pixels (the SVG uses the same user units).
pub const SIZE: (u32, u32) = (1000, 600);

const FONT: &str = "sans-serif";
static FONT_BYTES: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
static FONT_OK: OnceLock<bool> = OnceLock::new();

fn ensure_font() -> bool {
    *FONT_OK.get_or_init(|| register_font(FONT, FontStyle::Normal, FONT_BYTES).is_ok())
}

/// A colour-blind-friendly categorical palette (Tableau 10).
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];
const DARK: RGBColor = RGBColor(40, 40, 40);
const TARGET_RED: RGBColor = RGBColor(200, 30, 30);

fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

type DynResult = Result<(), Box<dyn Error>>;
type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

fn with_ext(stem: &Path, ext: &str) -> PathBuf {
    let mut s = stem.as_os_str().to_os_string();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

/// Draw the same figure into `<stem>.png` and `<stem>.svg`.
fn render(
    stem: &Path,
    png: impl FnOnce(&DrawingArea<BitMapBackend, Shift>) -> DynResult,
    svg: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> DynResult,
) -> Result<(), PlotError> {
    let png_path = with_ext(stem, "png");
    if !ensure_font() {
        return Err(PlotError::new(&png_path, PlotErrorKind::Font));
    }
    let draw_err =
        |p: &Path, e: Box<dyn Error>| PlotError::new(p, PlotErrorKind::Draw(e.to_string()));
    {
        let root = BitMapBackend::new(&png_path, SIZE).into_drawing_area();
        let r: DynResult = (|| {
            png(&root)?;
            root.present()?;
            Ok(())
        })();
        r.map_err(|e| draw_err(&png_path, e))?;
    }
    let svg_path = with_ext(stem, "svg");
    {
        let root = SVGBackend::new(&svg_path, SIZE).into_drawing_area();
        let r: DynResult = (|| {
            svg(&root)?;
            root.present()?;
            Ok(())
        })();
        r.map_err(|e| draw_err(&svg_path, e))?;
    }
    Ok(())
}

fn no_data(stem: &Path) -> PlotError {
    PlotError::new(&with_ext(stem, "png"), PlotErrorKind::NoData)
}

/// Standard chart frame: title, label areas, f64 x f64 axes.
fn build_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    title: &str,
    x: (f64, f64),
    y: (f64, f64),
) -> Result<Chart<'a, DB>, Box<dyn Error>>
where
    DB::ErrorType: 'static,
{
    let chart = ChartBuilder::on(area)
        .caption(title, (FONT, 24).into_font().color(&DARK))
        .margin(18)
        .x_label_area_size(52)
        .y_label_area_size(78)
        .build_cartesian_2d(x.0..x.1, y.0..y.1)?;
    Ok(chart)
}

fn mesh_style<'a, 'b, DB: DrawingBackend>(
    chart: &'b mut Chart<'a, DB>,
) -> MeshStyle<'a, 'b, RangedCoordf64, RangedCoordf64, DB> {
    let mut m = chart.configure_mesh();
    m.axis_desc_style((FONT, 17).into_font().color(&DARK))
        .label_style((FONT, 14).into_font().color(&DARK))
        .bold_line_style(RGBColor(205, 205, 205))
        .light_line_style(RGBColor(238, 238, 238))
        .axis_style(RGBColor(90, 90, 90))
        .x_max_light_lines(2)
        .y_max_light_lines(2)
        .x_label_formatter(&tick)
        .y_label_formatter(&tick);
    m
}

/// Linear-axis tick text: integers without ".0", otherwise up to 4 decimals, trimmed.
fn tick(v: &f64) -> String {
    let v = *v;
    if (v - v.round()).abs() < 1e-9 * v.abs().max(1.0) {
        return format!("{:.0}", v.round() + 0.0);
    }
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn draw_legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart<'a, DB>,
    pos: SeriesLabelPosition,
) -> DynResult
where
    DB::ErrorType: 'static,
{
    chart
        .configure_series_labels()
        .position(pos)
        .background_style(WHITE.mix(0.88))
        .border_style(RGBColor(150, 150, 150))
        .label_font((FONT, 14).into_font().color(&DARK))
        .margin(12)
        .draw()?;
    Ok(())
}

/// Register a legend entry for a solid line without drawing anything.
fn legend_line<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart<'a, DB>,
    name: &str,
    style: ShapeStyle,
) -> DynResult
where
    DB::ErrorType: 'static,
{
    chart
        .draw_series(std::iter::empty::<PathElement<(f64, f64)>>())?
        .label(name)
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], style));
    Ok(())
}

fn legend_dashed<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart<'a, DB>,
    name: &str,
    style: ShapeStyle,
) -> DynResult
where
    DB::ErrorType: 'static,
{
    chart
        .draw_series(std::iter::empty::<PathElement<(f64, f64)>>())?
        .label(name)
        .legend(move |(x, y)| {
            EmptyElement::at((x, y))
                + PathElement::new(vec![(0, 0), (6, 0)], style)
                + PathElement::new(vec![(9, 0), (14, 0)], style)
                + PathElement::new(vec![(17, 0), (22, 0)], style)
        });
    Ok(())
}

fn legend_marker<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart<'a, DB>,
    name: &str,
    c: RGBColor,
) -> DynResult
where
    DB::ErrorType: 'static,
{
    chart
        .draw_series(std::iter::empty::<PathElement<(f64, f64)>>())?
        .label(name)
        .legend(move |(x, y)| Circle::new((x + 11, y), 4, c.filled()));
    Ok(())
}

/// Draw a polyline clipped to the chart's ranges, solid or dashed.
fn draw_clipped<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart<'a, DB>,
    pts: &[(f64, f64)],
    style: ShapeStyle,
    dashed: bool,
) -> DynResult
where
    DB::ErrorType: 'static,
{
    let xr = chart.x_range();
    let yr = chart.y_range();
    for seg in clip_polyline(pts, (xr.start, xr.end), (yr.start, yr.end)) {
        if seg.len() < 2 {
            continue;
        }
        if dashed {
            chart.draw_series(DashedLineSeries::new(seg, 8, 5, style))?;
        } else {
            chart.draw_series(LineSeries::new(seg, style))?;
        }
    }
    Ok(())
}

fn in_range<DB: DrawingBackend>(chart: &Chart<DB>, p: (f64, f64)) -> bool {
    let xr = chart.x_range();
    let yr = chart.y_range();
    let (x0, x1) = (xr.start.min(xr.end), xr.start.max(xr.end));
    let (y0, y1) = (yr.start.min(yr.end), yr.start.max(yr.end));
    p.0 >= x0 && p.0 <= x1 && p.1 >= y0 && p.1 <= y1
}

// ---------------------------------------------------------------------------------------
// Numeric helpers
// ---------------------------------------------------------------------------------------

fn finite_pts(pts: &[(f64, f64)]) -> Vec<(f64, f64)> {
    pts.iter()
        .copied()
        .filter(|p| p.0.is_finite() && p.1.is_finite())
        .collect()
}

/// (x, log10 y) for finite x and finite positive y.
fn log_pts(pts: &[(f64, f64)]) -> Vec<(f64, f64)> {
    pts.iter()
        .copied()
        .filter(|p| p.0.is_finite() && p.1.is_finite() && p.1 > 0.0)
        .map(|(x, y)| (x, y.log10()))
        .collect()
}

fn min_max(v: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    v.into_iter()
        .filter(|x| x.is_finite())
        .fold(None, |acc, x| match acc {
            None => Some((x, x)),
            Some((a, b)) => Some((a.min(x), b.max(x))),
        })
}

/// Pad a range by `frac` of its span on both sides; never zero-width.
fn pad(r: (f64, f64), frac: f64) -> (f64, f64) {
    let span = r.1 - r.0;
    if span > 0.0 {
        (r.0 - frac * span, r.1 + frac * span)
    } else {
        let d = if r.0 != 0.0 { r.0.abs() * 0.1 } else { 1.0 };
        (r.0 - d, r.1 + d)
    }
}

/// Clipped segment ends and whether each end moved.
type ClippedSegment = ((f64, f64), (f64, f64), bool, bool);

/// Liang-Barsky clip of one segment; returns the clipped ends and whether each end moved.
fn clip_segment(
    p0: (f64, f64),
    p1: (f64, f64),
    xr: (f64, f64),
    yr: (f64, f64),
) -> Option<ClippedSegment> {
    let (xlo, xhi) = (xr.0.min(xr.1), xr.0.max(xr.1));
    let (ylo, yhi) = (yr.0.min(yr.1), yr.0.max(yr.1));
    let (dx, dy) = (p1.0 - p0.0, p1.1 - p0.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, p0.0 - xlo),
        (dx, xhi - p0.0),
        (-dy, p0.1 - ylo),
        (dy, yhi - p0.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                if r > t1 {
                    return None;
                }
                t0 = t0.max(r);
            } else {
                if r < t0 {
                    return None;
                }
                t1 = t1.min(r);
            }
        }
    }
    let a = if t0 > 0.0 {
        (p0.0 + t0 * dx, p0.1 + t0 * dy)
    } else {
        p0
    };
    let b = if t1 < 1.0 {
        (p0.0 + t1 * dx, p0.1 + t1 * dy)
    } else {
        p1
    };
    Some((a, b, t0 > 0.0, t1 < 1.0))
}

/// Split a polyline into the pieces inside the rectangle.
fn clip_polyline(pts: &[(f64, f64)], xr: (f64, f64), yr: (f64, f64)) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    let mut cur: Vec<(f64, f64)> = Vec::new();
    let mut open = false; // the current piece ends at an unclipped vertex
    for w in pts.windows(2) {
        match clip_segment(w[0], w[1], xr, yr) {
            Some((a, b, a_moved, b_moved)) => {
                if (!open || a_moved) && !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                if cur.is_empty() {
                    cur.push(a);
                }
                cur.push(b);
                open = !b_moved;
                if b_moved {
                    out.push(std::mem::take(&mut cur));
                }
            }
            None => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                open = false;
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// "10⁻¹²" style label for a decade exponent; "" between decades.
fn decade_label(e: f64) -> String {
    let r = e.round();
    if (e - r).abs() > 1e-6 {
        return String::new();
    }
    let n = r as i64;
    if n == 0 {
        return "1".into();
    }
    const SUP: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let mut s = String::from("10");
    if n < 0 {
        s.push('⁻');
    }
    for d in n.unsigned_abs().to_string().bytes() {
        s.push(SUP[(d - b'0') as usize]);
    }
    s
}

fn subscript(n: i32) -> String {
    const SUB: [char; 10] = ['₀', '₁', '₂', '₃', '₄', '₅', '₆', '₇', '₈', '₉'];
    let mut s = String::new();
    if n < 0 {
        s.push('₋');
    }
    for d in n.unsigned_abs().to_string().bytes() {
        s.push(SUB[(d - b'0') as usize]);
    }
    s
}

/// Faint lines at 2..9 x 10^n inside a log10 y range (only when there are few decades).
fn draw_minor_log_grid<'a, DB: DrawingBackend + 'a>(chart: &mut Chart<'a, DB>) -> DynResult
where
    DB::ErrorType: 'static,
{
    let (x, y) = (chart.x_range(), chart.y_range());
    if y.end - y.start > 10.0 {
        return Ok(());
    }
    let style = RGBColor(242, 242, 242).stroke_width(1);
    let mut lines = Vec::new();
    let mut d = y.start.floor();
    while d < y.end {
        for m in 2..10 {
            let v = d + (m as f64).log10();
            if v > y.start && v < y.end {
                lines.push(PathElement::new(vec![(x.start, v), (x.end, v)], style));
            }
        }
        d += 1.0;
    }
    chart.draw_series(lines)?;
    Ok(())
}

/// Perceptual "inferno" colormap (matplotlib), t in [0, 1].
fn inferno(t: f64) -> RGBColor {
    const K: [(u8, u8, u8); 11] = [
        (0, 0, 4),
        (22, 11, 57),
        (66, 10, 104),
        (106, 23, 110),
        (147, 38, 103),
        (188, 55, 84),
        (221, 81, 58),
        (243, 120, 25),
        (252, 165, 10),
        (246, 215, 70),
        (252, 255, 164),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (K.len() - 1) as f64;
    let i = (x.floor() as usize).min(K.len() - 2);
    let f = x - i as f64;
    let lerp = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (K[i], K[i + 1]);
    RGBColor(lerp(a.0, b.0), lerp(a.1, b.1), lerp(a.2, b.2))
}

/// Cell edges around sorted centres (midpoints; the outer cells mirror their neighbour).
fn cell_edges(c: &[f64]) -> Vec<f64> {
    match c.len() {
        0 => vec![],
        1 => vec![c[0] - 0.5, c[0] + 0.5],
        n => {
            let mut e = Vec::with_capacity(n + 1);
            e.push(c[0] - (c[1] - c[0]) / 2.0);
            for w in c.windows(2) {
                e.push((w[0] + w[1]) / 2.0);
            }
            e.push(c[n - 1] + (c[n - 1] - c[n - 2]) / 2.0);
            e
        }
    }
}

/// Indices of finite values, sorted by value.
fn sorted_finite(v: &[f64]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..v.len()).filter(|&i| v[i].is_finite()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    idx
}

/// Width (in x) of the longest contiguous region where a log10-BER line is <= target.
fn opening_at(pts: &[(f64, f64)], target_log: f64) -> Option<f64> {
    let mut best: Option<f64> = None;
    let mut start: Option<f64> = None;
    let cross = |a: (f64, f64), b: (f64, f64)| {
        if b.1 == a.1 {
            a.0
        } else {
            a.0 + (target_log - a.1) * (b.0 - a.0) / (b.1 - a.1)
        }
    };
    if let Some(p) = pts.first() {
        if p.1 <= target_log {
            start = Some(p.0);
        }
    }
    for w in pts.windows(2) {
        let (a, b) = (w[0], w[1]);
        match (a.1 <= target_log, b.1 <= target_log) {
            (false, true) => start = Some(cross(a, b)),
            (true, false) => {
                if let Some(s) = start.take() {
                    let wdt = cross(a, b) - s;
                    best = Some(best.map_or(wdt, |x: f64| x.max(wdt)));
                }
            }
            _ => {}
        }
    }
    if let (Some(s), Some(p)) = (start, pts.last()) {
        let wdt = p.0 - s;
        best = Some(best.map_or(wdt, |x: f64| x.max(wdt)));
    }
    best
}

// ---------------------------------------------------------------------------------------
// 1. Insertion loss
// ---------------------------------------------------------------------------------------

/// Insertion loss |SDD21| (dB) vs frequency (GHz), one line per channel, with dashed
/// vertical markers at the Nyquist frequencies `(label, f_GHz)` and each channel's loss there.
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
    let xmax = xs.1.max(nyq.iter().map(|n| n.1).fold(f64::MIN, f64::max));
    let x = (
        xs.0.min(0.0),
        if xmax > xs.0.min(0.0) {
            xmax
        } else {
            xs.0.min(0.0) + 1.0
        },
    );
    let y = pad((ys.0.min(-1.0), ys.1.max(0.0)), 0.06);
    render(
        stem,
        |r| draw_sdd21(r, &data, &nyq, x, y),
        |r| draw_sdd21(r, &data, &nyq, x, y),
    )
}

fn interp(pts: &[(f64, f64)], x: f64) -> Option<f64> {
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

fn draw_sdd21<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &[(String, Vec<(f64, f64)>)],
    nyq: &[(String, f64)],
    x: (f64, f64),
    y: (f64, f64),
) -> DynResult
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let mut chart = build_chart(root, "Channel insertion loss |SDD21|", x, y)?;
    mesh_style(&mut chart)
        .x_desc("Frequency (GHz)")
        .y_desc("|SDD21| (dB)")
        .x_labels(12)
        .y_labels(10)
        .draw()?;
    // Nyquist markers
    for (j, (label, f)) in nyq.iter().enumerate() {
        let style = RGBColor(110, 110, 110).stroke_width(1);
        draw_clipped(&mut chart, &[(*f, y.0), (*f, y.1)], style, true)?;
        if *f >= x.0 && *f <= x.1 {
            let ty = y.1 - (y.1 - y.0) * (0.02 + 0.06 * j as f64);
            let text = format!("{label}: {f:.2} GHz");
            chart.draw_series(std::iter::once(
                EmptyElement::at((*f, ty))
                    + Text::new(
                        text,
                        (5, 0),
                        (FONT, 13)
                            .into_font()
                            .color(&RGBColor(70, 70, 70))
                            .pos(Pos::new(HPos::Left, VPos::Top)),
                    ),
            ))?;
        }
    }
    for (i, (name, pts)) in data.iter().enumerate() {
        let c = color(i);
        let style = c.stroke_width(2);
        legend_line(&mut chart, name, style)?;
        draw_clipped(&mut chart, pts, style, false)?;
        // loss at each Nyquist frequency
        for (_, f) in nyq {
            if let Some(v) = interp(pts, *f) {
                if in_range(&chart, (*f, v)) {
                    chart.draw_series(std::iter::once(
                        EmptyElement::at((*f, v))
                            + Circle::new((0, 0), 4, c.filled())
                            + Text::new(
                                format!("{v:.1} dB"),
                                (6, -5),
                                (FONT, 13)
                                    .into_font()
                                    .color(&c)
                                    .pos(Pos::new(HPos::Left, VPos::Bottom)),
                            ),
                    ))?;
                }
            }
        }
    }
    draw_legend(&mut chart, SeriesLabelPosition::LowerLeft)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 2. Pulse response
// ---------------------------------------------------------------------------------------

/// Pulse response `v` vs time `t_ui` (UI); `cursors` are `(k, h(k))` at t = k UI, drawn as
/// stems with dots, the main and first pre/post cursors labelled and listed in a table.
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
        |r| draw_pulse(r, &title, &pts, &cur, x, y),
        |r| draw_pulse(r, &title, &pts, &cur, x, y),
    )
}

fn draw_pulse<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    pts: &[(f64, f64)],
    cur: &[(i32, f64)],
    x: (f64, f64),
    y: (f64, f64),
) -> DynResult
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let mut chart = build_chart(root, title, x, y)?;
    mesh_style(&mut chart)
        .x_desc("Time (UI)")
        .y_desc("Amplitude (normalized)")
        .x_labels(16)
        .y_labels(10)
        .draw()?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(x.0, 0.0), (x.1, 0.0)],
        RGBColor(60, 60, 60).stroke_width(1),
    )))?;
    let line = color(0).stroke_width(2);
    legend_line(&mut chart, "pulse response", line)?;
    draw_clipped(&mut chart, pts, line, false)?;

    let cc = TARGET_RED;
    if !cur.is_empty() {
        legend_marker(&mut chart, "cursors h(k) at t = k UI", cc)?;
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
        if !in_range(&chart, p) {
            continue;
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(k as f64, 0.0), p],
            cc.mix(0.7).stroke_width(1),
        )))?;
        chart.draw_series(std::iter::once(Circle::new(p, 4, cc.filled())))?;
        if labelled(k) {
            let (dy, vp) = if h >= 0.0 {
                (-7, VPos::Bottom)
            } else {
                (7, VPos::Top)
            };
            chart.draw_series(std::iter::once(
                EmptyElement::at(p)
                    + Text::new(
                        format!("h{}", subscript(k - main.unwrap_or(0))),
                        (0, dy),
                        (FONT, 14)
                            .into_font()
                            .color(&cc)
                            .pos(Pos::new(HPos::Center, vp)),
                    ),
            ))?;
        }
    }
    draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;

    // cursor table under the legend
    if let Some(m) = main {
        let h0 = cur.iter().find(|c| c.0 == m).map(|c| c.1).unwrap_or(1.0);
        let rows: Vec<String> = cur
            .iter()
            .filter(|c| labelled(c.0))
            .map(|&(k, h)| {
                let rel = if h0 != 0.0 {
                    format!("  ({:+.1} %)", 100.0 * h / h0)
                } else {
                    String::new()
                };
                if k == m {
                    format!("h{} = {:+.4}  (main)", subscript(0), h)
                } else {
                    format!("h{} = {:+.4}{}", subscript(k - m), h, rel)
                }
            })
            .collect();
        let (px, py) = chart.plotting_area().get_pixel_range();
        let (w, lh) = (230, 20);
        let x0 = px.end - w - 12;
        let y0 = py.start + 70;
        let h = lh * rows.len() as i32 + 12;
        root.draw(&Rectangle::new(
            [(x0, y0), (x0 + w, y0 + h)],
            WHITE.mix(0.88).filled(),
        ))?;
        root.draw(&Rectangle::new(
            [(x0, y0), (x0 + w, y0 + h)],
            RGBColor(150, 150, 150),
        ))?;
        for (i, r) in rows.iter().enumerate() {
            root.draw(&Text::new(
                r.clone(),
                (x0 + 10, y0 + 8 + lh * i as i32),
                (FONT, 14).into_font().color(&DARK),
            ))?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 3. Eye density
// ---------------------------------------------------------------------------------------

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
    render(stem, |r| draw_eye(r, &args), |r| draw_eye(r, &args))
}

struct EyeArgs<'a> {
    title: &'a str,
    y_label: &'a str,
    cells: &'a [(f64, f64, f64, f64, RGBColor)],
    th: &'a [f64],
    x: (f64, f64),
    y: (f64, f64),
    lf: f64,
    lmax: f64,
}

fn draw_eye<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, a: &EyeArgs) -> DynResult
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let (main, bar) = root.split_horizontally(868);
    let mut chart = build_chart(&main, a.title, a.x, a.y)?;
    // floor colour under everything, then the cells, then the mesh on top (no grid lines)
    chart.draw_series(std::iter::once(Rectangle::new(
        [(a.x.0, a.y.0), (a.x.1, a.y.1)],
        inferno(0.0).filled(),
    )))?;
    chart.draw_series(
        a.cells
            .iter()
            .map(|&(x0, x1, y0, y1, c)| Rectangle::new([(x0, y0), (x1, y1)], c.filled())),
    )?;
    mesh_style(&mut chart)
        .disable_mesh()
        .x_desc("Sampling phase (UI)")
        .y_desc(a.y_label)
        .x_labels(11)
        .y_labels(10)
        .draw()?;
    if !a.th.is_empty() {
        let style = RGBColor(0, 229, 255).stroke_width(2);
        legend_dashed(&mut chart, "slicer thresholds", style)?;
        for &t in a.th {
            draw_clipped(&mut chart, &[(a.x.0, t), (a.x.1, t)], style, true)?;
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    }

    // colorbar
    let mut cb = ChartBuilder::on(&bar)
        .margin_top(18 + 24 + 10) // line up with the plot below the caption
        .margin_bottom(18)
        .margin_right(8)
        .x_label_area_size(52)
        .y_label_area_size(0)
        .right_y_label_area_size(56)
        .build_cartesian_2d(0.0..1.0, a.lf..a.lmax)?;
    let n = 128;
    let step = (a.lmax - a.lf) / n as f64;
    cb.draw_series((0..n).map(|i| {
        let y0 = a.lf + i as f64 * step;
        Rectangle::new(
            [(0.0, y0), (1.0, y0 + step)],
            inferno((i as f64 + 0.5) / n as f64).filled(),
        )
    }))?;
    cb.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_labels(14)
        .y_label_formatter(&|v| decade_label(*v))
        .label_style((FONT, 13).into_font().color(&DARK))
        .axis_style(RGBColor(90, 90, 90))
        .draw()?;
    for (text, up) in [("probability", 44), ("(log scale)", 28)] {
        bar.draw(&Text::new(
            text,
            (
                bar.dim_in_pixel().0 as i32 / 2 - 4,
                bar.dim_in_pixel().1 as i32 - up,
            ),
            (FONT, 13)
                .into_font()
                .color(&DARK)
                .pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 4. Bathtub
// ---------------------------------------------------------------------------------------

/// (name, (x, log10 y) points, style).
type StyledSeries = (String, Vec<(f64, f64)>, Style);

/// BER range of the bathtub's y axis (log10).
const BATHTUB_LOG_RANGE: (f64, f64) = (-18.0, 0.0);

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
        |r| draw_bathtub(r, title, &data, target, x),
        |r| draw_bathtub(r, title, &data, target, x),
    )
}

fn draw_bathtub<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    data: &[StyledSeries],
    target: Option<f64>,
    x: (f64, f64),
) -> DynResult
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let y = BATHTUB_LOG_RANGE;
    let mut chart = build_chart(root, title, x, y)?;
    mesh_style(&mut chart)
        .x_desc("Sampling phase (UI)")
        .y_desc("BER")
        .x_labels(11)
        .y_labels(19)
        .y_max_light_lines(0)
        .y_label_formatter(&|v| decade_label(*v))
        .draw()?;
    if let Some(t) = target {
        let style = TARGET_RED.stroke_width(2);
        legend_dashed(
            &mut chart,
            &format!("target BER {}", sci(10f64.powf(t))),
            style,
        )?;
        draw_clipped(&mut chart, &[(x.0, t), (x.1, t)], style, true)?;
    }
    for (i, (name, pts, style)) in data.iter().enumerate() {
        let c = color(i);
        match style {
            Style::Line => {
                let label = match target.map(|t| (t, opening_at(pts, t))) {
                    Some((_, Some(w))) => format!("{name} (opening {w:.3} UI @ target)"),
                    Some((_, None)) => format!("{name} (closed @ target)"),
                    None => name.clone(),
                };
                legend_line(&mut chart, &label, c.stroke_width(2))?;
                draw_clipped(&mut chart, pts, c.stroke_width(2), false)?;
            }
            Style::Markers => {
                legend_marker(&mut chart, name, c)?;
                let inside: Vec<(f64, f64)> = pts
                    .iter()
                    .copied()
                    .filter(|p| in_range(&chart, *p))
                    .collect();
                chart.draw_series(inside.into_iter().map(|p| Circle::new(p, 4, c.filled())))?;
            }
        }
    }
    draw_legend(&mut chart, SeriesLabelPosition::UpperMiddle)?;
    Ok(())
}

/// "1e-12"-style compact scientific text.
fn sci(v: f64) -> String {
    let e = v.log10();
    if (e - e.round()).abs() < 1e-9 {
        format!("1e{}", e.round() as i64)
    } else {
        format!("{v:.1e}")
    }
}

// ---------------------------------------------------------------------------------------
// 5. BER vs SNR
// ---------------------------------------------------------------------------------------

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
    // MC: (x, Some(log ber) or None for zero errors, log lo or None, log hi or None)
    type Mc = (f64, Option<f64>, Option<f64>, Option<f64>);
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
    let y = (
        (all.0.floor() - 1.0).max(-18.0),
        top.ceil()
            .min(0.0)
            .max((all.0.floor() - 1.0).max(-18.0) + 1.0),
    );
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
    render(stem, |r| draw_snr(r, &args), |r| draw_snr(r, &args))
}

#[allow(clippy::type_complexity)]
struct SnrArgs<'a> {
    title: &'a str,
    theory_name: &'a str,
    th: &'a [(f64, f64)],
    mc: &'a [(String, Vec<(f64, Option<f64>, Option<f64>, Option<f64>)>)],
    st: Option<&'a (String, Vec<(f64, f64)>)>,
    x: (f64, f64),
    y: (f64, f64),
}

fn draw_snr<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, a: &SnrArgs) -> DynResult
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let mut chart = build_chart(root, a.title, a.x, a.y)?;
    draw_minor_log_grid(&mut chart)?;
    let decades = (a.y.1 - a.y.0).round() as usize;
    mesh_style(&mut chart)
        .x_desc("SNR (dB)")
        .y_desc("BER")
        .x_labels(12)
        .y_labels(decades + 1)
        .y_max_light_lines(0)
        .y_label_formatter(&|v| decade_label(*v))
        .draw()?;
    if !a.th.is_empty() {
        let style = DARK.stroke_width(2);
        legend_line(&mut chart, a.theory_name, style)?;
        draw_clipped(&mut chart, a.th, style, false)?;
    }
    if let Some((name, pts)) = a.st {
        let style = color(1).stroke_width(2);
        legend_dashed(&mut chart, name, style)?;
        draw_clipped(&mut chart, pts, style, true)?;
    }
    let (ylo, yhi) = a.y;
    for (i, (name, pts)) in a.mc.iter().enumerate() {
        let c = if i == 0 { color(0) } else { color(i + 1) };
        chart
            .draw_series(std::iter::empty::<PathElement<(f64, f64)>>())?
            .label(name.as_str())
            .legend(move |(x, y)| {
                EmptyElement::at((x + 11, y))
                    + PathElement::new(vec![(0, -7), (0, 7)], c.stroke_width(1))
                    + PathElement::new(vec![(-3, -7), (3, -7)], c.stroke_width(1))
                    + PathElement::new(vec![(-3, 7), (3, 7)], c.stroke_width(1))
                    + Circle::new((0, 0), 4, c.filled())
            });
        for &(x, b, lo, hi) in pts {
            if x < a.x.0 || x > a.x.1 {
                continue;
            }
            let bar_style = c.stroke_width(1);
            // error bar (lo = 0 or below the axis: open to the bottom)
            if let Some(h) = hi {
                let l = lo.unwrap_or(f64::NEG_INFINITY);
                let (l_c, h_c) = (l.max(ylo), h.min(yhi));
                if h_c > l_c {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(x, l_c), (x, h_c)],
                        bar_style,
                    )))?;
                    for (v, keep) in [(l, l >= ylo && l <= yhi), (h, h >= ylo && h <= yhi)] {
                        if keep {
                            chart.draw_series(std::iter::once(
                                EmptyElement::at((x, v))
                                    + PathElement::new(vec![(-4, 0), (4, 0)], bar_style),
                            ))?;
                        }
                    }
                }
            }
            match (b, hi) {
                (Some(v), _) if v >= ylo && v <= yhi => {
                    chart.draw_series(std::iter::once(Circle::new((x, v), 4, c.filled())))?;
                }
                (None, Some(h)) if h >= ylo && h <= yhi => {
                    // no errors observed: an upper bound
                    chart.draw_series(std::iter::once(
                        EmptyElement::at((x, h))
                            + Polygon::new(vec![(-5, -3), (5, -3), (0, 6)], c.filled()),
                    ))?;
                }
                _ => {}
            }
        }
    }
    draw_legend(&mut chart, SeriesLabelPosition::LowerLeft)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn tmp(name: &str) -> PathBuf {
        static N: AtomicUsize = AtomicUsize::new(0);
        let d = std::env::temp_dir().join(format!(
            "cporx-plots-{}-{}-{}",
            std::process::id(),
            name,
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn check(stem: &Path, title: &str) {
        let png = std::fs::read(with_ext(stem, "png")).expect("png written");
        assert!(png.len() > 1000, "png too small: {}", png.len());
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let svg = std::fs::read_to_string(with_ext(stem, "svg")).expect("svg written");
        assert!(svg.starts_with("<svg") || svg.contains("<svg"));
        assert!(svg.contains(title), "svg lacks the title {title:?}");
        let _ = std::fs::remove_dir_all(stem.parent().unwrap());
    }

    fn loss(slope: f64) -> Vec<(f64, f64)> {
        (0..=100)
            .map(|i| i as f64 * 0.5)
            .map(|f| (f, -slope * f - 0.8 * f.sqrt()))
            .collect()
    }

    #[test]
    fn sdd21_renders() {
        let stem = tmp("sdd21").join("il");
        let s = [
            Series::new("short", loss(0.3)),
            Series::new("long", loss(0.6)),
        ];
        sdd21(&stem, &s, &[("53.125 GBd Nyquist".into(), 26.5625)]).unwrap();
        check(&stem, "insertion loss");
    }

    #[test]
    fn pulse_renders() {
        let stem = tmp("pulse").join("p");
        let t: Vec<f64> = (0..400).map(|i| -4.0 + i as f64 * 0.05).collect();
        let v: Vec<f64> = t
            .iter()
            .map(|t| (-(t - 0.0f64).powi(2) / 0.8).exp() * 0.6)
            .collect();
        let c: Vec<(i32, f64)> = (-2..10)
            .map(|k| (k, (-(k as f64).powi(2) / 0.8).exp() * 0.6))
            .collect();
        pulse(&stem, "test channel", &t, &v, &c).unwrap();
        check(&stem, "test channel");
    }

    #[test]
    fn eye_renders() {
        let stem = tmp("eye").join("e");
        let ph: Vec<f64> = (0..32).map(|i| -0.5 + i as f64 / 32.0).collect();
        let yc: Vec<f64> = (0..64).map(|j| -1.0 + j as f64 / 32.0).collect();
        let d: Vec<Vec<f64>> = ph
            .iter()
            .map(|_| yc.iter().map(|y| (-(y * y) / 0.1).exp() * 0.02).collect())
            .collect();
        eye(
            &stem,
            "Eye test",
            &ph,
            &yc,
            &d,
            &[-0.5, 0.0, 0.5],
            "Amplitude (mV)",
        )
        .unwrap();
        check(&stem, "Eye test");
    }

    #[test]
    fn bathtub_renders() {
        let stem = tmp("bathtub").join("b");
        let line: Vec<(f64, f64)> = (0..=100)
            .map(|i| {
                let x = -0.5 + i as f64 / 100.0;
                (x, 10f64.powf(-20.0 * (0.5 - x.abs()) + 0.0).min(0.5))
            })
            .collect();
        let s = [
            Series::new("statistical", line),
            Series::markers("MC", vec![(0.3, 1e-4), (0.0, 0.0)]),
        ];
        bathtub(&stem, "Bathtub test", &s, 1e-12).unwrap();
        check(&stem, "Bathtub test");
    }

    #[test]
    fn ber_vs_snr_renders() {
        let stem = tmp("snr").join("s");
        let th = Series::new(
            "theory",
            (0..=30)
                .map(|i| (i as f64, 10f64.powf(-(i as f64) / 2.0) * 0.3))
                .collect(),
        );
        let mc = SeriesWithCi::new(
            "Monte-Carlo",
            vec![
                (10.0, 1e-5, 5e-6, 2e-5),
                (14.0, 1e-7, 0.0, 3e-7),
                (18.0, 0.0, 0.0, 1e-8),
            ],
        );
        let st = Series::new(
            "statistical eye",
            (0..=30)
                .map(|i| (i as f64, 10f64.powf(-(i as f64) / 2.1) * 0.3))
                .collect(),
        );
        ber_vs_snr(&stem, "BER vs SNR test", &th, &[mc], Some(&st)).unwrap();
        check(&stem, "BER vs SNR test");
    }

    #[test]
    fn nan_only_is_no_data() {
        let d = tmp("nan");
        let nan = f64::NAN;
        let s = [Series::new("nan", vec![(nan, nan), (1.0, nan)])];
        let is_nodata = |r: Result<(), PlotError>| {
            matches!(
                r,
                Err(PlotError {
                    kind: PlotErrorKind::NoData,
                    ..
                })
            )
        };
        assert!(is_nodata(sdd21(&d.join("a"), &s, &[])));
        assert!(is_nodata(sdd21(&d.join("a"), &[], &[("n".into(), 26.0)])));
        assert!(is_nodata(pulse(
            &d.join("b"),
            "x",
            &[nan, 1.0],
            &[0.0, nan],
            &[(0, nan)]
        )));
        assert!(is_nodata(pulse(&d.join("b"), "x", &[], &[], &[])));
        assert!(is_nodata(eye(
            &d.join("c"),
            "t",
            &[0.0],
            &[0.0, 1.0],
            &[vec![nan, nan]],
            &[],
            "y"
        )));
        assert!(is_nodata(eye(&d.join("c"), "t", &[], &[], &[], &[], "y")));
        assert!(is_nodata(bathtub(&d.join("d"), "t", &s, 1e-12)));
        assert!(is_nodata(bathtub(
            &d.join("d"),
            "t",
            &[Series::new("z", vec![(0.0, 0.0)])],
            1e-12
        )));
        let ci = SeriesWithCi::new("mc", vec![(nan, 1e-3, 1e-4, 1e-2), (1.0, nan, nan, nan)]);
        assert!(is_nodata(ber_vs_snr(&d.join("e"), "t", &s[0], &[ci], None)));
        let e = bathtub(&d.join("d"), "t", &s, 1e-12).unwrap_err();
        assert!(
            e.to_string().contains("no data") && e.to_string().contains("d.png"),
            "{e}"
        );
        // nothing was written
        assert!(std::fs::read_dir(&d).unwrap().next().is_none());
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn eye_shape_mismatch_is_an_error() {
        let d = tmp("shape");
        let r = eye(
            &d.join("e"),
            "t",
            &[0.0, 0.1],
            &[0.0],
            &[vec![1.0]],
            &[],
            "y",
        );
        assert!(matches!(
            r,
            Err(PlotError {
                kind: PlotErrorKind::Shape(_),
                ..
            })
        ));
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn clipping_and_labels() {
        let segs = clip_polyline(
            &[(0.0, 0.0), (1.0, 2.0), (2.0, 0.0)],
            (0.0, 2.0),
            (0.0, 1.0),
        );
        assert_eq!(segs.len(), 2);
        assert_eq!(segs[0], vec![(0.0, 0.0), (0.5, 1.0)]);
        assert_eq!(segs[1], vec![(1.5, 1.0), (2.0, 0.0)]);
        let whole = clip_polyline(
            &[(0.0, 0.0), (1.0, 0.5), (2.0, 0.0)],
            (0.0, 2.0),
            (0.0, 1.0),
        );
        assert_eq!(whole, vec![vec![(0.0, 0.0), (1.0, 0.5), (2.0, 0.0)]]);
        assert_eq!(decade_label(-12.0), "10⁻¹²");
        assert_eq!(decade_label(0.0), "1");
        assert_eq!(decade_label(-2.5), "");
        assert_eq!(subscript(-1), "₋₁");
        let w = opening_at(&[(-0.5, 0.0), (0.0, -20.0), (0.5, 0.0)], -10.0).unwrap();
        assert!((w - 0.5).abs() < 1e-12);
    }
}
