//! Report plots: every function writes `<stem>.png` (1000x600, raster) and `<stem>.svg`
//! (vector, text as `<text>`) from the same drawing code, generic over the plotters backend.
//! This module holds what every plot shares (text and fonts, axes and ticks, the frame,
//! legends placed where they cover the least data, rendering to PNG and SVG); each plot
//! kind has its own module:
//!
//! * [`sdd21`]: insertion loss |SDD21| (dB) vs frequency (GHz), Nyquist markers, each
//!   channel's loss there in the legend
//! * [`pulse`]: pulse response vs time (UI) with its cursors h(k)
//! * [`eye`]: eye-diagram density heat map (log colour scale, inferno) with slicer thresholds
//! * [`bathtub`]: BER bathtub (log10 BER 1e-18 .. 1) with the target BER
//! * [`ber_vs_snr`]: BER vs SNR: theory, Monte-Carlo with confidence intervals, statistical eye
//! * [`jtol`]: jitter tolerance (log-log), SVG only, for `cporx cdr-report`
//!
//! **Text.** Every piece of text (title, tick labels, axis names, legends, notes) is laid
//! out here, with the metrics of the vendored DejaVu Sans (`assets/fonts/`, licence next to
//! it, compiled in with `include_bytes!`; no system font is looked up). In the SVG it is a
//! `<text>` element (font-size = the em used here, DejaVu Sans first in the family list).
//! In the PNG the glyph outlines are read from the font and rasterized here (the
//! [`glyph`] module), because plotters 0.3.7's `ab_glyph` text path misplaces glyphs: it
//! drops each glyph's left side bearing and truncates the pen position (uneven letter
//! spacing: `cl osed`, `SM T`) and puts each glyph's top at `(size / 2 + top) as i32`,
//! which truncates toward zero, so at odd pixel sizes glyphs whose top lies above the
//! half-size line (digits, capitals) land half a pixel low and short ones (`.`, `-`, `_`)
//! half a pixel high: the decimal point of `53.125` sat one pixel above the baseline.
//! Here every glyph of a string shares one integer baseline and keeps its side bearing,
//! its advance, the font's kerning and its sub-pixel pen position.
//!
//! **Layout.** Tick labels, axis names and the title are measured before the chart is
//! built, so label areas fit their text and the title is shrunk (never clipped) to fit the
//! width. Legends are placed where they cover the least data (measured in pixels, curves
//! and annotations alike); values that used to sit on the curves (the loss at Nyquist, the
//! cursor table) are legend columns.
//!
//! **Data hygiene.** Points with a NaN/infinite coordinate (or, on log axes, a non-positive
//! value) are skipped; if nothing drawable is left the function returns
//! [`PlotErrorKind::NoData`] before any file is created. Nothing here panics on bad data.
//!
//! **Files.** Missing parent folders are created; every error names the file (`cannot
//! write PATH: reason`).

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontTransform;
use std::error::Error;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

mod bathtub;
mod ber_snr;
mod eye;
mod jtol;
mod pareto;
mod pulse;
mod sdd21;

pub use bathtub::bathtub;
pub use ber_snr::ber_vs_snr;
pub use eye::eye;
pub use jtol::jtol;
pub use pareto::pareto;
pub use pulse::pulse;
pub use sdd21::sdd21;

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

/// Draw with `draw` (which writes `<stem>.png` and `<stem>.svg`); the error (`cannot write
/// PATH: reason`, `cannot plot PATH: ...`) names the file.
pub fn draw(draw: impl FnOnce() -> Result<(), PlotError>) -> Result<(), String> {
    draw().map_err(|e| e.to_string())
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

/// One point of a jitter-tolerance plot ([`jtol`]).
#[derive(Clone, Debug, PartialEq)]
pub struct JtolPoint {
    /// sinusoidal-jitter frequency (MHz)
    pub freq_mhz: f64,
    /// the largest amplitude that passed (UI peak to peak), or why the point was not
    /// measured (e.g. "never locked"); a not-measured point is not drawn, it is listed
    pub ui_pp: Result<f64, String>,
    /// the amplitude passed at the largest amplitude tried: a lower bound
    pub at_limit: bool,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum PlotErrorKind {
    /// Nothing drawable left after skipping NaN / out-of-domain points.
    NoData,
    /// Inconsistent input sizes (e.g. eye density vs. phase / bin axes).
    Shape(String),
    /// The vendored font could not be read.
    Font,
    /// The backend failed to write the file; the reason in plain words.
    Draw(String),
    /// A file or folder could not be made; the whole message (it names the path).
    Io(String),
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
            PlotErrorKind::NoData => write!(
                f,
                "cannot plot {p}: no data (every point is NaN, infinite or, on a log axis, not positive)"
            ),
            PlotErrorKind::Shape(s) => write!(f, "cannot plot {p}: {s}"),
            PlotErrorKind::Font => write!(
                f,
                "cannot plot {p}: the vendored font (assets/fonts/DejaVuSans.ttf) cannot be read"
            ),
            PlotErrorKind::Draw(s) => write!(f, "cannot write {p}: {s}"),
            PlotErrorKind::Io(s) => write!(f, "{s}"),
        }
    }
}

impl Error for PlotError {}

// ---------------------------------------------------------------------------------------
// The font: glyph layout and coverage (ab_glyph)
// ---------------------------------------------------------------------------------------

/// The vendored DejaVu Sans read and rasterized with `ab_glyph`; this module only places
/// each glyph at its pen position plus its own side bearing, on one integer baseline
/// (plotters' own text path drops the side bearings and truncates each glyph's top row).
mod glyph {
    use ab_glyph::{point, Font, FontRef, GlyphId, PxScale};

    pub struct Face {
        f: FontRef<'static>,
        pub upem: f64,
        /// height of `x` (font units)
        pub x_height: f64,
    }

    impl Face {
        pub fn parse(d: &'static [u8]) -> Option<Face> {
            let f = FontRef::try_from_slice(d).ok()?;
            let upem = f.units_per_em()? as f64;
            let x_height = f.outline(f.glyph_id('x'))?.bounds.max.y as f64;
            Some(Face { f, upem, x_height })
        }
        pub fn gid(&self, c: char) -> u16 {
            self.f.glyph_id(c).0
        }
        pub fn advance(&self, g: u16) -> f64 {
            self.f.h_advance_unscaled(GlyphId(g)) as f64
        }
        pub fn kern(&self, a: u16, b: u16) -> f64 {
            self.f.kern_unscaled(GlyphId(a), GlyphId(b)) as f64
        }
        /// The outline's box (x min, y min, x max, y max; font units, y up).
        #[cfg(test)]
        pub fn bbox(&self, g: u16) -> Option<[f64; 4]> {
            let b = self.f.outline(GlyphId(g))?.bounds;
            Some([
                b.min.x as f64,
                b.min.y as f64,
                b.max.x as f64,
                b.max.y as f64,
            ])
        }
    }

    /// A string's coverage: buffer pixel (i, j) is layout pixel (x0 + i, y0 + j), where the
    /// layout origin is the anchor column (pen start = `frac_x`) on the baseline (row 0 is
    /// the first row below it).
    pub struct Mask {
        pub w: usize,
        pub h: usize,
        pub cov: Vec<f32>,
        pub x0: i32,
        pub y0: i32,
    }

    /// Glyphs of `s` with their pen positions (font units) and the total advance.
    pub fn layout(face: &Face, s: &str) -> (Vec<(u16, f64)>, f64) {
        let mut pen = 0.0;
        let mut prev: Option<u16> = None;
        let mut v = Vec::with_capacity(s.len());
        for ch in s.chars() {
            let g = face.gid(ch);
            if let Some(p) = prev {
                pen += face.kern(p, g);
            }
            v.push((g, pen));
            pen += face.advance(g);
            prev = Some(g);
        }
        (v, pen)
    }

    /// Rasterize `s` at `em` pixels per em, pen starting at `frac_x` (0 <= frac_x < 1).
    pub fn rasterize(face: &Face, s: &str, em: f64, frac_x: f64) -> Option<Mask> {
        let sc = em / face.upem;
        // ab_glyph scales by the font's height (ascent - descent), not its em
        let scale = PxScale::from((em * face.f.height_unscaled() as f64 / face.upem) as f32);
        let outlined: Vec<_> = layout(face, s)
            .0
            .into_iter()
            .filter_map(|(g, pen)| {
                let at = point((frac_x + pen * sc) as f32, 0.0);
                face.f
                    .outline_glyph(GlyphId(g).with_scale_and_position(scale, at))
            })
            .collect();
        let b = outlined
            .iter()
            .map(|o| o.px_bounds())
            .reduce(|a, b| ab_glyph::Rect {
                min: point(a.min.x.min(b.min.x), a.min.y.min(b.min.y)),
                max: point(a.max.x.max(b.max.x), a.max.y.max(b.max.y)),
            })?;
        let (x0, y0) = (b.min.x.floor() as i32, b.min.y.floor() as i32);
        let w = (b.max.x.ceil() as i32 - x0) as usize;
        let h = (b.max.y.ceil() as i32 - y0) as usize;
        let mut cov = vec![0f32; w * h];
        for o in &outlined {
            let pb = o.px_bounds();
            let (ox, oy) = (pb.min.x as i32 - x0, pb.min.y as i32 - y0);
            o.draw(|x, y, c| {
                let (i, j) = (ox + x as i32, oy + y as i32);
                if (0..w as i32).contains(&i) && (0..h as i32).contains(&j) {
                    let k = j as usize * w + i as usize;
                    cov[k] = (cov[k] + c).min(1.0);
                }
            });
        }
        Some(Mask { w, h, cov, x0, y0 })
    }
}

// ---------------------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------------------

/// PNG size in pixels (the SVG uses the same user units).
pub const SIZE: (u32, u32) = (1000, 600);

static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// The SVG's font list: the vendored face first, then look-alikes of its width.
const SVG_FAMILY: &str = "DejaVu Sans, Verdana, sans-serif";

fn face() -> Option<&'static glyph::Face> {
    static FACE: OnceLock<Option<glyph::Face>> = OnceLock::new();
    FACE.get_or_init(|| glyph::Face::parse(FONT_BYTES)).as_ref()
}

/// Text sizes (pixels per em) at [`SIZE`]: chosen so that the PNGs stay legible at the
/// ~430 px width of a two-column README table.
const TITLE_EM: f64 = 26.0;
const SUB_EM: f64 = 18.0;
const DESC_EM: f64 = 21.0;
const TICK_EM: f64 = 19.0;
const LEGEND_EM: f64 = 17.5;
const NOTE_EM: f64 = 17.0;

/// Which backend a drawing goes to (text is drawn differently).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Out {
    Png,
    Svg,
}

/// How a piece of text is drawn: size, colour, anchor, and whether it reads upward.
#[derive(Clone, Copy)]
struct Tx {
    em: f64,
    color: RGBColor,
    h: HPos,
    v: VPos,
    up: bool,
}

fn tx(em: f64, color: RGBColor) -> Tx {
    Tx {
        em,
        color,
        h: HPos::Left,
        v: VPos::Top,
        up: false,
    }
}

impl Tx {
    fn at(self, h: HPos, v: VPos) -> Tx {
        Tx { h, v, ..self }
    }
    fn up(self) -> Tx {
        Tx { up: true, ..self }
    }
}

/// Advance width of `s` in pixels at `em`.
fn text_w(s: &str, em: f64) -> f64 {
    match face() {
        Some(f) => glyph::layout(f, s).1 * em / f.upem,
        None => 0.6 * em * s.chars().count() as f64,
    }
}

/// The largest em <= `em` at which `s` fits in `max_w` pixels.
fn fit_em(s: &str, em: f64, max_w: f64) -> f64 {
    let w = text_w(s, em);
    if w <= max_w || w <= 0.0 {
        em
    } else {
        em * max_w / w
    }
}

/// Baseline below the anchor, by vertical anchor: the SVG backend's conventions (top:
/// 0.76 em, centre: half an x-height, bottom: minus half an x-height), so both files agree.
fn base_dy(t: &Tx) -> f64 {
    let xh = face().map_or(0.55, |f| f.x_height / f.upem) * t.em;
    match t.v {
        VPos::Top => 0.76 * t.em,
        VPos::Center => 0.5 * xh,
        VPos::Bottom => -0.5 * xh,
    }
}

fn start_dx(s: &str, t: &Tx) -> f64 {
    match t.h {
        HPos::Left => 0.0,
        HPos::Center => -text_w(s, t.em) / 2.0,
        HPos::Right => -text_w(s, t.em),
    }
}

/// Pixel box `[x0, y0, x1, y1]` of text drawn at `at` (ascender to descender).
fn text_box(s: &str, at: (i32, i32), t: &Tx) -> [i32; 4] {
    let (u0, u1) = (start_dx(s, t), start_dx(s, t) + text_w(s, t.em));
    let b = base_dy(t);
    let (v0, v1) = (b - 0.80 * t.em, b + 0.24 * t.em);
    let (x, y) = (at.0 as f64, at.1 as f64);
    let r = if t.up {
        [x + v0, y - u1, x + v1, y - u0]
    } else {
        [x + u0, y + v0, x + u1, y + v1]
    };
    [
        r[0].floor() as i32,
        r[1].floor() as i32,
        r[2].ceil() as i32,
        r[3].ceil() as i32,
    ]
}

/// Draw `s` at pixel `at` of `root`.
fn put_text<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    out: Out,
    s: &str,
    at: (i32, i32),
    t: Tx,
) -> DynResult
where
    DB::ErrorType: 'static,
{
    if s.is_empty() || t.em <= 0.0 {
        return Ok(());
    }
    match out {
        Out::Svg => {
            // the SVG backend writes font-size = size / 1.24
            let mut f = (SVG_FAMILY, t.em * 1.24).into_font();
            if t.up {
                f = f.transform(FontTransform::Rotate270);
            }
            root.draw(&Text::new(
                s.to_string(),
                at,
                f.color(&t.color).pos(Pos::new(t.h, t.v)),
            ))?;
        }
        Out::Png => {
            let face = face().ok_or("the vendored font cannot be read")?;
            let u = start_dx(s, &t);
            let iu = u.floor();
            let Some(m) = glyph::rasterize(face, s, t.em, u - iu) else {
                return Ok(());
            };
            let vb = base_dy(&t).round() as i32;
            for j in 0..m.h {
                for i in 0..m.w {
                    let c = m.cov[j * m.w + i];
                    if c < 1.0 / 255.0 {
                        continue;
                    }
                    let lx = iu as i32 + m.x0 + i as i32;
                    let ly = vb + m.y0 + j as i32;
                    let p = if t.up {
                        (at.0 + ly, at.1 - lx - 1)
                    } else {
                        (at.0 + lx, at.1 + ly)
                    };
                    root.draw_pixel(p, &t.color.mix(c as f64))?;
                }
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Look, files
// ---------------------------------------------------------------------------------------

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
const MID: RGBColor = RGBColor(95, 95, 95);
const TARGET_RED: RGBColor = RGBColor(200, 30, 30);
const AXIS: RGBColor = RGBColor(90, 90, 90);
const GRID: RGBColor = RGBColor(208, 208, 208);
const GRID_LIGHT: RGBColor = RGBColor(236, 236, 236);

fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

type DynResult = Result<(), Box<dyn Error>>;
type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// `<stem>.<ext>` (the stem may hold dots of its own).
pub(crate) fn with_ext(stem: &Path, ext: &str) -> PathBuf {
    let mut s = stem.as_os_str().to_os_string();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

/// A backend error in plain words. plotters prints the bitmap backend's error with `{:?}`
/// (`ImageError(IoError(Os { .., message: "Is a directory" }))`): pick out the system's
/// message.
fn plain_reason(e: &dyn Error) -> String {
    let s = e.to_string();
    if let Some(i) = s.find("message: \"") {
        let r = &s[i + 10..];
        if let Some(j) = r.find('"') {
            return r[..j].to_lowercase();
        }
    }
    let mut s = s.as_str();
    for p in ["backend error: ", "Drawing backend error: "] {
        s = s.strip_prefix(p).unwrap_or(s);
    }
    match s.find(" (os error") {
        Some(i) => s[..i].to_lowercase(),
        None => s.to_string(),
    }
}

/// Draw the same figure into `<stem>.png` and `<stem>.svg` (parent folder created).
fn render(
    stem: &Path,
    png: impl FnOnce(&DrawingArea<BitMapBackend, Shift>) -> DynResult,
    svg: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> DynResult,
) -> Result<(), PlotError> {
    let png_path = with_ext(stem, "png");
    if face().is_none() {
        return Err(PlotError::new(&png_path, PlotErrorKind::Font));
    }
    // both files before either is drawn
    for path in [png_path.clone(), with_ext(stem, "svg")] {
        crate::out::check_writable(&path)
            .map_err(|m| PlotError::new(&path, PlotErrorKind::Io(m)))?;
    }
    {
        let root = BitMapBackend::new(&png_path, SIZE).into_drawing_area();
        let r: DynResult = (|| {
            png(&root)?;
            root.present()?;
            Ok(())
        })();
        r.map_err(|e| PlotError::new(&png_path, PlotErrorKind::Draw(plain_reason(&*e))))?;
    }
    write_svg(&with_ext(stem, "svg"), svg)
}

/// Draw into a string and write it to `path` (parent folder created).
fn write_svg(
    path: &Path,
    svg: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> DynResult,
) -> Result<(), PlotError> {
    if face().is_none() {
        return Err(PlotError::new(path, PlotErrorKind::Font));
    }
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, SIZE).into_drawing_area();
        let r: DynResult = (|| {
            svg(&root)?;
            root.present()?;
            Ok(())
        })();
        r.map_err(|e| PlotError::new(path, PlotErrorKind::Draw(plain_reason(&*e))))?;
    }
    crate::out::write(path, buf).map_err(|m| PlotError::new(path, PlotErrorKind::Io(m)))
}

fn no_data(stem: &Path) -> PlotError {
    PlotError::new(&with_ext(stem, "png"), PlotErrorKind::NoData)
}

// ---------------------------------------------------------------------------------------
// Axes and the chart frame
// ---------------------------------------------------------------------------------------

const MARGIN: i32 = 14;
const TICK_LEN: i32 = 6;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scale {
    Lin,
    /// values are log10; labels 10ⁿ
    LogPow,
    /// values are log10; labels 0.1, 1, 10, ...
    LogPlain,
}

#[derive(Clone, Debug)]
struct Axis {
    lo: f64,
    hi: f64,
    scale: Scale,
    desc: String,
    /// no ticks above this value (the label band above the data)
    ticks_upto: Option<f64>,
}

impl Axis {
    fn new(r: (f64, f64), scale: Scale, desc: &str) -> Axis {
        Axis {
            lo: r.0,
            hi: r.1,
            scale,
            desc: desc.to_string(),
            ticks_upto: None,
        }
    }
    fn ticks_upto(mut self, v: f64) -> Axis {
        self.ticks_upto = Some(v);
        self
    }
}

struct Ticks {
    major: Vec<(f64, String)>,
    minor: Vec<f64>,
}

/// The smallest of 1, 2, 2.5, 5 x 10^k that is >= x.
fn nice_at_least(x: f64) -> f64 {
    if !(x > 0.0 && x.is_finite()) {
        return 1.0;
    }
    let e = 10f64.powf(x.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * e >= x * (1.0 - 1e-9) {
            return m * e;
        }
    }
    10.0 * e
}

/// A typographic minus sign.
fn minus(s: &str) -> String {
    s.replace('-', "\u{2212}")
}

/// Linear tick text: as many decimals as the step needs, "0" for zero, a real minus.
fn lin_label(v: f64, step: f64) -> String {
    let mut d = 0usize;
    while d < 8 {
        let s = step * 10f64.powi(d as i32);
        if (s - s.round()).abs() <= 1e-6 * s.max(1.0) {
            break;
        }
        d += 1;
    }
    let s = format!("{v:.d$}");
    if s.parse::<f64>().is_ok_and(|x| x == 0.0) {
        "0".into()
    } else {
        minus(&s)
    }
}

/// 10^d as a plain number: 0.01, 0.1, 1, 10, 1000.
fn plain_decade(d: i64) -> String {
    if (0..=15).contains(&d) {
        format!("{}", 10u64.pow(d as u32))
    } else if (-15..0).contains(&d) {
        format!("{:.*}", (-d) as usize, 10f64.powi(d as i32))
    } else {
        format!("1e{d}")
    }
}

/// Ticks for an axis `px` pixels long: labels never closer than their width (horizontal)
/// or 1.7 em (vertical).
fn ticks(a: &Axis, px: f64, horizontal: bool) -> Ticks {
    let mut t = all_ticks(a, px, horizontal);
    if let Some(m) = a.ticks_upto {
        t.major.retain(|v| v.0 <= m + 1e-9);
        t.minor.retain(|v| *v <= m + 1e-9);
    }
    t
}

fn all_ticks(a: &Axis, px: f64, horizontal: bool) -> Ticks {
    let (lo, hi) = (a.lo.min(a.hi), a.lo.max(a.hi));
    let span = hi - lo;
    let need = |m: &[(f64, String)]| {
        if horizontal {
            m.iter().map(|l| text_w(&l.1, TICK_EM)).fold(0.0, f64::max) + 18.0
        } else {
            1.7 * TICK_EM
        }
    };
    if !(span > 0.0 && px > 0.0) {
        return Ticks {
            major: vec![(lo, lin_label(lo, 1.0))],
            minor: vec![],
        };
    }
    match a.scale {
        Scale::Lin => {
            let mut step = nice_at_least(span / 16.0);
            for _ in 0..64 {
                let i0 = (lo / step - 1e-9).ceil() as i64;
                let i1 = (hi / step + 1e-9).floor() as i64;
                let major: Vec<(f64, String)> = (i0..=i1)
                    .map(|i| (i as f64 * step, lin_label(i as f64 * step, step)))
                    .collect();
                if step / span * px >= need(&major) || major.len() <= 2 {
                    let h = step / 2.0;
                    let minor = ((lo / h - 1e-9).ceil() as i64..=(hi / h + 1e-9).floor() as i64)
                        .filter(|k| k.rem_euclid(2) == 1)
                        .map(|k| k as f64 * h)
                        .collect();
                    return Ticks { major, minor };
                }
                step = nice_at_least(step * 1.0001);
            }
            Ticks {
                major: vec![],
                minor: vec![],
            }
        }
        Scale::LogPow | Scale::LogPlain => {
            let d0 = (lo - 1e-9).ceil() as i64;
            let d1 = (hi + 1e-9).floor() as i64;
            let per = px / span;
            let label = |d: i64| {
                if a.scale == Scale::LogPlain {
                    plain_decade(d)
                } else {
                    decade_label(d as f64)
                }
            };
            let pick = |k: i64| -> Vec<(f64, String)> {
                (d0..=d1)
                    .filter(|d| d.rem_euclid(k) == 0)
                    .map(|d| (d as f64, label(d)))
                    .collect()
            };
            let every = [1, 2, 3, 4, 5, 6, 10, 20, 50]
                .into_iter()
                .find(|&k| k as f64 * per >= need(&pick(k)))
                .unwrap_or(100);
            let major = pick(every);
            let mut minor: Vec<f64> = (d0..=d1)
                .filter(|d| d.rem_euclid(every) != 0)
                .map(|d| d as f64)
                .collect();
            if per >= 60.0 {
                for d in lo.floor() as i64..=hi.ceil() as i64 {
                    for m in 2..10 {
                        let v = d as f64 + (m as f64).log10();
                        if v > lo && v < hi {
                            minor.push(v);
                        }
                    }
                }
            }
            Ticks { major, minor }
        }
    }
}

/// What the frame of a chart shows.
struct Frame<'s> {
    title: &'s str,
    subtitle: Option<&'s str>,
    x: Axis,
    y: Axis,
    /// pixels kept free right of the plot (colorbar)
    right: i32,
    grid: bool,
}

impl<'s> Frame<'s> {
    fn new(title: &'s str, x: Axis, y: Axis) -> Frame<'s> {
        Frame {
            title,
            subtitle: None,
            x,
            y,
            right: 0,
            grid: true,
        }
    }
    /// Pixels above the plot area.
    fn top(&self) -> i32 {
        let mut y = MARGIN;
        if !self.title.is_empty() {
            y += (TITLE_EM * 1.2) as i32;
        }
        if self.subtitle.is_some() {
            y += (SUB_EM * 1.35) as i32;
        }
        y + 10
    }
    /// Pixels below the plot area for the x tick labels and the axis name.
    fn x_area() -> i32 {
        (10.0 + TICK_EM + 12.0 + DESC_EM) as i32 + 6
    }
    /// Height of the plot area in a [`SIZE`] figure.
    fn plot_height(&self) -> i32 {
        SIZE.1 as i32 - self.top() - MARGIN - Self::x_area()
    }
}

/// A chart being drawn: its frame, and what has been drawn where (for legend placement).
struct Fig<'a, DB: DrawingBackend> {
    root: &'a DrawingArea<DB, Shift>,
    out: Out,
    chart: Chart<'a, DB>,
    /// pixels with data on them
    ink: Vec<(i32, i32)>,
    /// pixel boxes of annotations and legends
    boxes: Vec<[i32; 4]>,
}

/// Fill the background, draw title, grid, axes, ticks and their labels; the chart to draw on.
fn frame<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    out: Out,
    f: &Frame,
) -> Result<Fig<'a, DB>, Box<dyn Error>>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let mut y = MARGIN;
    // 6 % spare: an SVG viewer without DejaVu Sans may use a slightly wider face
    let full = 0.94 * (w - 2 * MARGIN) as f64;
    if !f.title.is_empty() {
        let em = fit_em(f.title, TITLE_EM, full);
        put_text(
            root,
            out,
            f.title,
            (w / 2, y),
            tx(em, DARK).at(HPos::Center, VPos::Top),
        )?;
        y += (TITLE_EM * 1.2) as i32;
    }
    if let Some(s) = f.subtitle {
        let em = fit_em(s, SUB_EM, full);
        put_text(
            root,
            out,
            s,
            (w / 2, y),
            tx(em, MID).at(HPos::Center, VPos::Top),
        )?;
    }
    let top = f.top();
    let xa = Frame::x_area();
    let plot_h = h - top - MARGIN - xa;
    let yt = ticks(&f.y, plot_h as f64, false);
    let ylw = yt
        .major
        .iter()
        .map(|t| text_w(&t.1, TICK_EM))
        .fold(0.0, f64::max);
    let ya = (10.0 + ylw + 12.0 + DESC_EM) as i32 + 6;
    let right = MARGIN + 12 + f.right;
    let xt = ticks(&f.x, (w - MARGIN - ya - right) as f64, true);
    let chart = ChartBuilder::on(root)
        .margin_top(top)
        .margin_bottom(MARGIN)
        .margin_left(MARGIN)
        .margin_right(right)
        .x_label_area_size(xa)
        .y_label_area_size(ya)
        .build_cartesian_2d(f.x.lo..f.x.hi, f.y.lo..f.y.hi)?;
    let mut fig = Fig {
        root,
        out,
        chart,
        ink: vec![],
        boxes: vec![],
    };
    if f.grid {
        fig.grid(&xt, &yt)?;
    }
    fig.axes(&xt, &yt, &f.x.desc, &f.y.desc, ylw)?;
    Ok(fig)
}

/// Where a legend may go inside the plot area.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Corner {
    UL,
    UC,
    UR,
    CL,
    CR,
    LL,
    LC,
    LR,
}

const CORNERS: [Corner; 8] = [
    Corner::UR,
    Corner::UL,
    Corner::LR,
    Corner::LL,
    Corner::UC,
    Corner::LC,
    Corner::CR,
    Corner::CL,
];

/// A legend's sample of a series.
#[derive(Clone, Copy, Debug)]
enum Key {
    Line(RGBColor),
    Dash(RGBColor),
    Dot(RGBColor),
    /// a marker with an error bar
    Bar(RGBColor),
    TriUp(RGBColor),
    TriDown(RGBColor),
    Blank,
}

/// One legend row: sample, text, and an optional right-aligned value.
#[derive(Clone, Debug)]
struct Entry {
    key: Key,
    text: String,
    value: String,
}

impl Entry {
    fn new(key: Key, text: impl Into<String>) -> Entry {
        Entry {
            key,
            text: text.into(),
            value: String::new(),
        }
    }
    fn value(mut self, v: impl Into<String>) -> Entry {
        self.value = v.into();
        self
    }
}

impl<'a, DB: DrawingBackend> Fig<'a, DB>
where
    DB::ErrorType: 'static,
{
    /// Plot area in pixels `[x0, y0, x1, y1]` (x1, y1 exclusive).
    fn area(&self) -> [i32; 4] {
        let (x, y) = self.chart.plotting_area().get_pixel_range();
        [x.start, y.start, x.end, y.end]
    }
    fn xr(&self) -> (f64, f64) {
        let r = self.chart.x_range();
        (r.start, r.end)
    }
    fn yr(&self) -> (f64, f64) {
        let r = self.chart.y_range();
        (r.start, r.end)
    }
    fn px(&self, p: (f64, f64)) -> (i32, i32) {
        self.chart.backend_coord(&p)
    }
    fn inside(&self, p: (f64, f64)) -> bool {
        let ((x0, x1), (y0, y1)) = (self.xr(), self.yr());
        p.0 >= x0.min(x1) && p.0 <= x0.max(x1) && p.1 >= y0.min(y1) && p.1 <= y0.max(y1)
    }

    fn grid(&mut self, xt: &Ticks, yt: &Ticks) -> DynResult {
        let ((x0, x1), (y0, y1)) = (self.xr(), self.yr());
        let vertical =
            |v: f64, c: RGBColor| PathElement::new(vec![(v, y0), (v, y1)], c.stroke_width(1));
        let horizontal =
            |v: f64, c: RGBColor| PathElement::new(vec![(x0, v), (x1, v)], c.stroke_width(1));
        let mut lines: Vec<PathElement<(f64, f64)>> = vec![];
        lines.extend(xt.minor.iter().map(|&v| vertical(v, GRID_LIGHT)));
        lines.extend(yt.minor.iter().map(|&v| horizontal(v, GRID_LIGHT)));
        lines.extend(xt.major.iter().map(|t| vertical(t.0, GRID)));
        lines.extend(yt.major.iter().map(|t| horizontal(t.0, GRID)));
        self.chart.draw_series(lines)?;
        Ok(())
    }

    fn axes(&mut self, xt: &Ticks, yt: &Ticks, xd: &str, yd: &str, ylw: f64) -> DynResult {
        let [ax0, ay0, ax1, ay1] = self.area();
        let (root, out) = (self.root, self.out);
        let st = AXIS.stroke_width(1);
        root.draw(&PathElement::new(vec![(ax0 - 1, ay0), (ax0 - 1, ay1)], st))?;
        root.draw(&PathElement::new(vec![(ax0 - 1, ay1), (ax1, ay1)], st))?;
        let (xlo, ylo) = (self.xr().0, self.yr().0);
        let tt = tx(TICK_EM, DARK);
        for (v, l) in &xt.major {
            let (px, _) = self.px((*v, ylo));
            root.draw(&PathElement::new(vec![(px, ay1), (px, ay1 + TICK_LEN)], st))?;
            put_text(root, out, l, (px, ay1 + 10), tt.at(HPos::Center, VPos::Top))?;
        }
        for (v, l) in &yt.major {
            let (_, py) = self.px((xlo, *v));
            root.draw(&PathElement::new(
                vec![(ax0 - 1 - TICK_LEN, py), (ax0 - 1, py)],
                st,
            ))?;
            put_text(
                root,
                out,
                l,
                (ax0 - 10, py),
                tt.at(HPos::Right, VPos::Center),
            )?;
        }
        let em = fit_em(xd, DESC_EM, (ax1 - ax0) as f64);
        put_text(
            root,
            out,
            xd,
            ((ax0 + ax1) / 2, ay1 + 10 + TICK_EM as i32 + 12),
            tx(em, DARK).at(HPos::Center, VPos::Top),
        )?;
        let em = fit_em(yd, DESC_EM, (ay1 - ay0) as f64);
        put_text(
            root,
            out,
            yd,
            (
                ax0 - 10 - ylw.ceil() as i32 - 12 - DESC_EM as i32,
                (ay0 + ay1) / 2,
            ),
            tx(em, DARK).at(HPos::Center, VPos::Top).up(),
        )?;
        Ok(())
    }

    /// Record pixels along a polyline given in data coordinates.
    fn note_ink(&mut self, pts: &[(f64, f64)]) {
        let mut prev: Option<(i32, i32)> = None;
        for &p in pts {
            let q = self.px(p);
            match prev {
                Some(a) => {
                    let n = ((q.0 - a.0).abs().max((q.1 - a.1).abs()) / 3).max(1);
                    for k in 1..=n {
                        self.ink
                            .push((a.0 + (q.0 - a.0) * k / n, a.1 + (q.1 - a.1) * k / n));
                    }
                }
                None => self.ink.push(q),
            }
            prev = Some(q);
        }
    }

    /// A polyline clipped to the plot, solid or dashed.
    fn line(&mut self, pts: &[(f64, f64)], style: ShapeStyle, dashed: bool) -> DynResult {
        for seg in clip_polyline(pts, self.xr(), self.yr()) {
            if seg.len() < 2 {
                continue;
            }
            if dashed {
                self.chart
                    .draw_series(DashedLineSeries::new(seg.clone(), 8, 5, style))?;
            } else if self.out == Out::Png && style.stroke_width > 1 {
                // plotters fills a wide segment as a thin polygon, which leaves gaps in
                // steep ones (the dips of a crosstalk curve): draw 1 px lines with a brush
                let px: Vec<(i32, i32)> = seg.iter().map(|p| self.px(*p)).collect();
                let thin = ShapeStyle {
                    stroke_width: 1,
                    ..style
                };
                let brush: &[(i32, i32)] = if style.stroke_width == 2 {
                    &[(0, 0), (1, 0), (0, 1), (1, 1)]
                } else {
                    &[(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)]
                };
                for d in brush {
                    let pts: Vec<(i32, i32)> = px.iter().map(|p| (p.0 + d.0, p.1 + d.1)).collect();
                    self.root.draw(&PathElement::new(pts, thin))?;
                }
            } else {
                self.chart
                    .draw_series(LineSeries::new(seg.clone(), style))?;
            }
            self.note_ink(&seg);
        }
        Ok(())
    }

    /// A filled circle (with a white ring) if `p` is inside the plot.
    fn dot(&mut self, p: (f64, f64), r: i32, c: RGBColor) -> DynResult {
        if !self.inside(p) {
            return Ok(());
        }
        self.chart
            .draw_series(std::iter::once(Circle::new(p, r, c.filled())))?;
        self.chart
            .draw_series(std::iter::once(Circle::new(p, r, WHITE.stroke_width(1))))?;
        let q = self.px(p);
        for d in [(0, 0), (-r, 0), (r, 0), (0, -r), (0, r)] {
            self.ink.push((q.0 + d.0, q.1 + d.1));
        }
        Ok(())
    }

    /// Text at pixel `at`, on a white box if `boxed`; its box is kept clear of legends.
    fn note(&mut self, s: &str, at: (i32, i32), t: Tx, boxed: bool) -> DynResult {
        let b = text_box(s, at, &t);
        if boxed {
            self.root.draw(&Rectangle::new(
                [(b[0] - 3, b[1]), (b[2] + 3, b[3])],
                WHITE.mix(0.92).filled(),
            ))?;
        }
        put_text(self.root, self.out, s, at, t)?;
        self.boxes.push(b);
        Ok(())
    }

    /// A legend where it covers no data and no annotation: the first free corner of
    /// `prefs`, else the free position nearest to it, else (at up to 22 % smaller text)
    /// the same again, else where it covers the least.
    fn legend(
        &mut self,
        head: Option<(&str, &str)>,
        entries: &[Entry],
        prefs: &[Corner],
    ) -> DynResult {
        if entries.is_empty() {
            return Ok(());
        }
        let [ax0, ay0, ax1, ay1] = self.area();
        let avail = (ax1 - ax0 - 24) as f64;
        let mut em = LEGEND_EM;
        let w0 = legend_size(head, entries, em).0;
        if w0 > avail {
            em = (em * avail / w0).max(11.0);
        }
        let order: Vec<Corner> = prefs
            .iter()
            .copied()
            .chain(CORNERS.into_iter().filter(|c| !prefs.contains(c)))
            .collect();
        let grid = InkGrid::new(&self.ink, self.area());
        let overlap =
            |a: &[i32; 4], b: &[i32; 4]| a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
        let score = |r: &[i32; 4]| {
            let m = 6;
            grid.count([r[0] - m, r[1] - m, r[2] + m, r[3] + m])
                + 100_000 * self.boxes.iter().filter(|b| overlap(b, r)).count()
        };
        let inset = 10;
        let place = |w: i32, h: i32, c: Corner| {
            let x = match c {
                Corner::UL | Corner::CL | Corner::LL => ax0 + inset,
                Corner::UC | Corner::LC => (ax0 + ax1 - w) / 2,
                Corner::UR | Corner::CR | Corner::LR => ax1 - inset - w,
            };
            let y = match c {
                Corner::UL | Corner::UC | Corner::UR => ay0 + inset,
                Corner::CL | Corner::CR => (ay0 + ay1 - h) / 2,
                Corner::LL | Corner::LC | Corner::LR => ay1 - inset - h,
            };
            [x, y, x + w, y + h]
        };
        let mut chosen: Option<([i32; 4], f64)> = None;
        'scales: for k in [1.0, 0.92, 0.85, 0.78] {
            let e = em * k;
            let (w, h) = legend_size(head, entries, e);
            let (w, h) = (w.ceil() as i32, h.ceil() as i32);
            if w > ax1 - ax0 - 2 * inset || h > ay1 - ay0 - 2 * inset {
                continue;
            }
            for &c in &order {
                let r = place(w, h, c);
                if score(&r) == 0 {
                    chosen = Some((r, e));
                    break 'scales;
                }
            }
            // any free position, nearest to the first preference
            let want = place(w, h, order[0]);
            let mut best: Option<(i64, [i32; 4])> = None;
            for y in (ay0 + inset..=ay1 - inset - h).step_by(6) {
                for x in (ax0 + inset..=ax1 - inset - w).step_by(6) {
                    let r = [x, y, x + w, y + h];
                    if score(&r) == 0 {
                        let d = ((x - want[0]) as i64).pow(2) + ((y - want[1]) as i64).pow(2);
                        if best.is_none_or(|b| d < b.0) {
                            best = Some((d, r));
                        }
                    }
                }
            }
            if let Some((_, r)) = best {
                chosen = Some((r, e));
                break;
            }
        }
        let (r, em) = chosen.unwrap_or_else(|| {
            let (w, h) = legend_size(head, entries, em);
            let (w, h) = (w.ceil() as i32, h.ceil() as i32);
            let mut best = (usize::MAX, place(w, h, order[0]));
            for &c in &order {
                let r = place(w, h, c);
                let s = score(&r);
                if s < best.0 {
                    best = (s, r);
                }
            }
            (best.1, em)
        });
        let (key_w, gap, pad) = legend_cols(entries, em);
        let root = self.root;
        root.draw(&Rectangle::new(
            [(r[0], r[1]), (r[2], r[3])],
            WHITE.mix(0.92).filled(),
        ))?;
        root.draw(&Rectangle::new(
            [(r[0], r[1]), (r[2], r[3])],
            RGBColor(160, 160, 160).stroke_width(1),
        ))?;
        let t = tx(em, DARK);
        let xk = r[0] + pad.round() as i32;
        let xt = xk + (key_w + gap).round() as i32;
        let xv = r[2] - pad.round() as i32;
        let row_y = |i: usize| r[1] + (pad + 0.5 * em + i as f64 * 1.45 * em).round() as i32;
        let mut row = 0;
        if let Some((a, b)) = head {
            put_text(
                root,
                self.out,
                a,
                (xk, row_y(0)),
                tx(em, MID).at(HPos::Left, VPos::Center),
            )?;
            put_text(
                root,
                self.out,
                b,
                (xv, row_y(0)),
                tx(em, MID).at(HPos::Right, VPos::Center),
            )?;
            row = 1;
        }
        for e in entries {
            let yc = row_y(row);
            let kw = key_w.round() as i32;
            let km = xk + kw / 2;
            match e.key {
                Key::Line(c) => {
                    root.draw(&PathElement::new(
                        vec![(xk, yc), (xk + kw, yc)],
                        c.stroke_width(3),
                    ))?;
                }
                Key::Dash(c) => {
                    let d = kw / 4;
                    for k in 0..3 {
                        let a = xk + k * (kw - d) / 2;
                        root.draw(&PathElement::new(
                            vec![(a, yc), (a + d, yc)],
                            c.stroke_width(3),
                        ))?;
                    }
                }
                Key::Dot(c) => {
                    root.draw(&Circle::new((km, yc), 5, c.filled()))?;
                }
                Key::Bar(c) => {
                    let s = c.stroke_width(1);
                    let hh = (0.45 * em) as i32;
                    root.draw(&PathElement::new(vec![(km, yc - hh), (km, yc + hh)], s))?;
                    root.draw(&PathElement::new(
                        vec![(km - 4, yc - hh), (km + 4, yc - hh)],
                        s,
                    ))?;
                    root.draw(&PathElement::new(
                        vec![(km - 4, yc + hh), (km + 4, yc + hh)],
                        s,
                    ))?;
                    root.draw(&Circle::new((km, yc), 5, c.filled()))?;
                }
                Key::TriUp(c) => {
                    root.draw(&Polygon::new(
                        vec![(km - 6, yc + 4), (km + 6, yc + 4), (km, yc - 6)],
                        c.filled(),
                    ))?;
                }
                Key::TriDown(c) => {
                    root.draw(&Polygon::new(
                        vec![(km - 6, yc - 4), (km + 6, yc - 4), (km, yc + 6)],
                        c.filled(),
                    ))?;
                }
                Key::Blank => {}
            }
            put_text(
                root,
                self.out,
                &e.text,
                (xt, yc),
                t.at(HPos::Left, VPos::Center),
            )?;
            put_text(
                root,
                self.out,
                &e.value,
                (xv, yc),
                t.at(HPos::Right, VPos::Center),
            )?;
            row += 1;
        }
        self.boxes.push(r);
        self.audit();
        Ok(())
    }
}

/// A legend's key column, gap and padding at `em`.
fn legend_cols(entries: &[Entry], em: f64) -> (f64, f64, f64) {
    let keyed = entries.iter().any(|e| !matches!(e.key, Key::Blank));
    if keyed {
        (1.9 * em, 0.5 * em, 0.6 * em)
    } else {
        (0.0, 0.0, 0.6 * em)
    }
}

/// A legend's size in pixels at `em`.
fn legend_size(head: Option<(&str, &str)>, entries: &[Entry], em: f64) -> (f64, f64) {
    let (key_w, gap, pad) = legend_cols(entries, em);
    let name_w = entries
        .iter()
        .map(|e| text_w(&e.text, em))
        .fold(0.0, f64::max)
        .max(head.map_or(0.0, |h| text_w(h.0, em) - key_w - gap));
    let val_w = entries
        .iter()
        .map(|e| text_w(&e.value, em))
        .chain(head.map(|h| text_w(h.1, em)))
        .fold(0.0, f64::max);
    let col = if val_w > 0.0 { 1.2 * em } else { 0.0 };
    let rows = entries.len() + head.is_some() as usize;
    (
        2.0 * pad + key_w + gap + name_w + col + val_w,
        2.0 * pad + em + rows.saturating_sub(1) as f64 * 1.45 * em,
    )
}

/// Counts of data pixels over the plot area, summed for rectangle queries.
struct InkGrid {
    origin: (i32, i32),
    w: usize,
    h: usize,
    sum: Vec<u32>,
}

impl InkGrid {
    fn new(ink: &[(i32, i32)], area: [i32; 4]) -> InkGrid {
        let (w, h) = (
            (area[2] - area[0]).max(1) as usize,
            (area[3] - area[1]).max(1) as usize,
        );
        let mut cnt = vec![0u32; w * h];
        for p in ink {
            let (x, y) = (p.0 - area[0], p.1 - area[1]);
            if x >= 0 && y >= 0 && (x as usize) < w && (y as usize) < h {
                cnt[y as usize * w + x as usize] += 1;
            }
        }
        let mut sum = vec![0u32; (w + 1) * (h + 1)];
        for y in 0..h {
            for x in 0..w {
                sum[(y + 1) * (w + 1) + x + 1] =
                    cnt[y * w + x] + sum[y * (w + 1) + x + 1] + sum[(y + 1) * (w + 1) + x]
                        - sum[y * (w + 1) + x];
            }
        }
        InkGrid {
            origin: (area[0], area[1]),
            w,
            h,
            sum,
        }
    }
    /// Data pixels in `[x0, y0, x1, y1]` (x1, y1 exclusive).
    fn count(&self, r: [i32; 4]) -> usize {
        let cx = |x: i32| (x - self.origin.0).clamp(0, self.w as i32) as usize;
        let cy = |y: i32| (y - self.origin.1).clamp(0, self.h as i32) as usize;
        let (x0, x1, y0, y1) = (cx(r[0]), cx(r[2]), cy(r[1]), cy(r[3]));
        if x1 <= x0 || y1 <= y0 {
            return 0;
        }
        let s = |x: usize, y: usize| self.sum[y * (self.w + 1) + x] as i64;
        (s(x1, y1) - s(x0, y1) - s(x1, y0) + s(x0, y0)) as usize
    }
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

/// "1e-12"-style compact scientific text; whole decades as "10⁻¹²".
fn sci(v: f64) -> String {
    let e = v.log10();
    if (e - e.round()).abs() < 1e-9 {
        decade_label(e.round())
    } else {
        minus(&format!("{v:.1e}"))
    }
}

// ---------------------------------------------------------------------------------------
// Test hooks
// ---------------------------------------------------------------------------------------

/// What a drawing left where (tests only): every legend and note box with the number of
/// data pixels under it, and the plot area.
#[cfg(test)]
#[derive(Clone, Debug)]
struct Audit {
    area: [i32; 4],
    legend: [i32; 4],
    legend_ink: usize,
    notes: Vec<([i32; 4], usize)>,
}

#[cfg(test)]
thread_local! {
    static AUDIT: std::cell::RefCell<Vec<Audit>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl<'a, DB: DrawingBackend> Fig<'a, DB>
where
    DB::ErrorType: 'static,
{
    #[cfg(test)]
    fn audit(&self) {
        let under = |r: &[i32; 4]| {
            self.ink
                .iter()
                .filter(|p| p.0 >= r[0] && p.0 <= r[2] && p.1 >= r[1] && p.1 <= r[3])
                .count()
        };
        let Some((legend, notes)) = self.boxes.split_last() else {
            return;
        };
        let a = Audit {
            area: self.area(),
            legend: *legend,
            legend_ink: under(legend),
            notes: notes.iter().map(|b| (*b, under(b))).collect(),
        };
        AUDIT.with(|v| v.borrow_mut().push(a));
    }
    #[cfg(not(test))]
    fn audit(&self) {}
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

    fn audits() -> Vec<Audit> {
        AUDIT.with(|v| std::mem::take(&mut *v.borrow_mut()))
    }

    /// Render `s` into an RGB buffer through the PNG text path; coverage per pixel (0..1).
    fn png_text(s: &str, em: f64) -> (usize, usize, Vec<f64>) {
        let (w, h) = (40 + (text_w(s, em) as usize), (3.0 * em) as usize);
        let mut buf = vec![255u8; w * h * 3];
        {
            let root =
                BitMapBackend::with_buffer(&mut buf, (w as u32, h as u32)).into_drawing_area();
            put_text(&root, Out::Png, s, (20, em as i32 / 2), tx(em, BLACK)).unwrap();
            root.present().unwrap();
        }
        let cov = buf.chunks(3).map(|p| 1.0 - p[0] as f64 / 255.0).collect();
        (w, h, cov)
    }

    /// Ink rows (coverage > 0.5) in columns [c0, c1).
    fn ink_rows(img: &(usize, usize, Vec<f64>), c0: usize, c1: usize) -> Option<(usize, usize)> {
        let (w, h, cov) = img;
        let rows: Vec<usize> = (0..*h)
            .filter(|&y| (c0..c1.min(*w)).any(|x| cov[y * w + x] > 0.5))
            .collect();
        Some((*rows.first()?, *rows.last()?))
    }

    /// Columns [start, end) of each glyph's advance in a `png_text` image.
    fn glyph_cols(s: &str, em: f64) -> Vec<(usize, usize)> {
        let f = face().unwrap();
        let sc = em / f.upem;
        glyph::layout(f, s)
            .0
            .iter()
            .map(|&(g, pen)| {
                let a = 20.0 + pen * sc;
                ((a + 0.5) as usize, (a + f.advance(g) * sc - 0.5) as usize)
            })
            .collect()
    }

    #[test]
    fn decimal_point_sits_on_the_baseline() {
        // odd and even sizes: plotters' own path raised the dot at odd sizes
        for em in [13.0, 14.0, 17.0, 19.0, 21.0] {
            let img = png_text("53.125", em);
            let cols = glyph_cols("53.125", em);
            let (dot_top, dot_bottom) = ink_rows(&img, cols[2].0, cols[2].1).expect("dot drawn");
            let (one_top, one_bottom) = ink_rows(&img, cols[3].0, cols[3].1).expect("1 drawn");
            assert_eq!(
                dot_bottom, one_bottom,
                "em {em}: the dot's lowest row {dot_bottom} is not the baseline row {one_bottom} of `1`"
            );
            assert!(
                dot_top > one_top + (one_bottom - one_top) / 2,
                "em {em}: the dot reaches up to row {dot_top} (digit rows {one_top}..={one_bottom})"
            );
        }
    }

    /// (lowest ink row of the short glyph, lowest ink row of the others) in an RGB image
    /// of "00.00" (no glyph but the point has a column inked only low down).
    fn dot_and_baseline(buf: &[u8], w: usize, h: usize) -> (usize, usize) {
        let ink = |x: usize, y: usize| buf[(y * w + x) * 3] < 128;
        let cols: Vec<(usize, usize, usize)> = (0..w)
            .filter_map(|x| {
                let rows: Vec<usize> = (0..h).filter(|&y| ink(x, y)).collect();
                Some((x, *rows.first()?, *rows.last()?))
            })
            .collect();
        let top = cols.iter().map(|c| c.1).min().unwrap();
        let bottom = cols.iter().map(|c| c.2).max().unwrap();
        let short = |c: &&(usize, usize, usize)| c.1 > (top + bottom) / 2;
        let dot = cols.iter().filter(short).map(|c| c.2).max().unwrap();
        let base = cols
            .iter()
            .filter(|c| !short(c))
            .map(|c| c.2)
            .max()
            .unwrap();
        (dot, base)
    }

    #[test]
    fn plotters_own_text_path_raises_the_dot() {
        // The cause, kept as evidence: plotters 0.3.7's ab_glyph text path (what these
        // plots used before) puts a `.` one row above the digits' baseline at odd sizes. If this fails after a plotters upgrade, plotters fixed it upstream.
        use plotters::style::{register_font, FontStyle};
        register_font("cporx-test-dejavu", FontStyle::Normal, FONT_BYTES)
            .map_err(|_| ())
            .unwrap();
        for size in [13.0, 17.0] {
            let (w, h) = (120usize, 40usize);
            let mut buf = vec![255u8; w * h * 3];
            {
                let root =
                    BitMapBackend::with_buffer(&mut buf, (w as u32, h as u32)).into_drawing_area();
                let f = ("cporx-test-dejavu", size).into_font().color(&BLACK);
                root.draw(&Text::new("00.00", (10, 10), f)).unwrap();
            }
            let (dot, base) = dot_and_baseline(&buf, w, h);
            assert_eq!(
                dot + 1,
                base,
                "size {size}: plotters' dot row {dot}, baseline row {base}"
            );
        }
        // the same measure on this module's path: on the baseline
        for em in [13.0, 17.0] {
            let (w, h) = (120usize, 40usize);
            let mut buf = vec![255u8; w * h * 3];
            {
                let root =
                    BitMapBackend::with_buffer(&mut buf, (w as u32, h as u32)).into_drawing_area();
                put_text(&root, Out::Png, "00.00", (10, 10), tx(em, BLACK)).unwrap();
            }
            let (dot, base) = dot_and_baseline(&buf, w, h);
            assert_eq!(dot, base, "em {em}: dot row {dot}, baseline row {base}");
        }
    }

    #[test]
    fn glyphs_keep_their_side_bearings() {
        // the gap between two glyphs' ink is what the font says (+-1 px), both sides of `l`
        let f = face().unwrap();
        for (s, em) in [("clo", 19.0), ("SMT", 17.0), ("1.1", 17.0)] {
            let img = png_text(s, em);
            let sc = em / f.upem;
            let lay = glyph::layout(f, s).0;
            let (w, h, cov) = &img;
            let inked = |x: usize| (0..*h).any(|y| cov[y * w + x] > 0.3);
            // ink columns of each glyph, from its outline box
            let spans: Vec<(f64, f64)> = lay
                .iter()
                .map(|&(g, pen)| {
                    let b = f.bbox(g).unwrap();
                    (20.0 + (pen + b[0]) * sc, 20.0 + (pen + b[2]) * sc)
                })
                .collect();
            for k in 0..2 {
                let want = spans[k + 1].0 - spans[k].1;
                let from = spans[k].1.floor() as usize - 1;
                let right_end = (from..*w).take_while(|&x| inked(x)).last().unwrap_or(from);
                let next = (right_end + 1..*w).find(|&x| inked(x)).unwrap();
                let got = (next - right_end - 1) as f64;
                assert!(
                    (got - want).abs() <= 1.5,
                    "{s:?} at {em}: gap after glyph {k} is {got} px, the font says {want:.2}"
                );
            }
        }
    }

    #[test]
    fn rotated_text_reads_upward() {
        let mut buf = vec![255u8; 60 * 200 * 3];
        {
            let root = BitMapBackend::with_buffer(&mut buf, (60, 200)).into_drawing_area();
            put_text(
                &root,
                Out::Png,
                "BER 1.0",
                (10, 100),
                tx(21.0, BLACK).at(HPos::Center, VPos::Top).up(),
            )
            .unwrap();
        }
        let ink: Vec<(usize, usize)> = (0..200)
            .flat_map(|y| (0..60).map(move |x| (x, y)))
            .filter(|&(x, y)| buf[(y * 60 + x) * 3] < 128)
            .collect();
        let (ys, xs): (Vec<usize>, Vec<usize>) = ink.iter().map(|p| (p.1, p.0)).unzip();
        let (y0, y1) = (*ys.iter().min().unwrap(), *ys.iter().max().unwrap());
        let (x0, x1) = (*xs.iter().min().unwrap(), *xs.iter().max().unwrap());
        assert!(
            y1 - y0 > 3 * (x1 - x0),
            "not vertical: x {x0}..{x1}, y {y0}..{y1}"
        );
        assert!(
            (((y0 + y1) / 2) as i32 - 100).abs() <= 2,
            "not centred at y 100"
        );
        assert!(
            x0 >= 10 && x1 <= 10 + 22,
            "not right of the anchor: x {x0}..{x1}"
        );
    }

    #[test]
    fn tick_labels() {
        assert_eq!(lin_label(0.5, 0.25), "0.50");
        assert_eq!(lin_label(-20.0, 10.0), "\u{2212}20");
        assert_eq!(lin_label(-0.0, 0.1), "0");
        assert_eq!(plain_decade(-1), "0.1");
        assert_eq!(plain_decade(3), "1000");
        // horizontal labels never overlap
        let a = Axis::new((-0.5, 0.5), Scale::Lin, "");
        let t = ticks(&a, 400.0, true);
        let px = |v: f64| (v + 0.5) * 400.0;
        for w in t.major.windows(2) {
            let gap = px(w[1].0) - px(w[0].0);
            let need = (text_w(&w[0].1, TICK_EM) + text_w(&w[1].1, TICK_EM)) / 2.0;
            assert!(gap > need, "{:?} and {:?} overlap", w[0].1, w[1].1);
        }
        let log = ticks(&Axis::new((-18.0, 0.0), Scale::LogPow, ""), 420.0, false);
        assert!(
            log.major.len() >= 5 && log.major.len() <= 10,
            "{}",
            log.major.len()
        );
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
    fn sdd21_labels_sit_clear_of_the_curves_and_inside_the_plot() {
        // a flat 0 dB channel (its Nyquist dot at 0 dB, where the old label sat), one that
        // ends below the Nyquist frequency, and a deep crosstalk curve
        let flat: Vec<(f64, f64)> = (0..=120)
            .map(|i| (i as f64 * 0.5, -0.01 * i as f64 / 120.0))
            .collect();
        let short: Vec<(f64, f64)> = loss(0.3).into_iter().filter(|p| p.0 <= 42.0).collect();
        let xt: Vec<(f64, f64)> = (1..=100)
            .map(|i| {
                (
                    i as f64 * 0.5,
                    -100.0 + 1.2 * i as f64 - 10.0 * ((i as f64) * 0.7).sin().abs(),
                )
            })
            .collect();
        let s = [
            Series::new("ideal", flat),
            Series::new("measured", short),
            Series::new("crosstalk", xt),
        ];
        for nyq in [26.5625, 50.0] {
            let stem = tmp("sdd21-labels").join("il");
            audits();
            sdd21(&stem, &s, &[(format!("Nyquist {} GBd", 2.0 * nyq), nyq)]).unwrap();
            let a = audits();
            assert_eq!(a.len(), 2, "one audit per file (PNG and SVG)");
            for a in &a {
                assert_eq!(
                    a.legend_ink, 0,
                    "Nyquist {nyq}: the legend covers {} data pixels",
                    a.legend_ink
                );
                let l = a.legend;
                assert!(
                    l[0] >= a.area[0]
                        && l[2] <= a.area[2]
                        && l[1] >= a.area[1]
                        && l[3] <= a.area[3],
                    "legend {l:?} outside the plot {:?}",
                    a.area
                );
                assert_eq!(a.notes.len(), 1);
                let (b, ink) = a.notes[0];
                assert_eq!(ink, 0, "Nyquist {nyq}: its label covers {ink} data pixels");
                assert!(
                    b[0] >= a.area[0] && b[2] <= a.area[2] && b[1] >= a.area[1],
                    "Nyquist {nyq}: label box {b:?} leaves the plot area {:?}",
                    a.area
                );
            }
            let svg = std::fs::read_to_string(with_ext(&stem, "svg")).unwrap();
            if nyq == 50.0 {
                assert!(
                    svg.contains("no data (ends at 42.0 GHz)"),
                    "the short channel's missing value"
                );
            } else {
                assert!(
                    svg.contains("\u{2212}0.0 dB") || svg.contains(">0.0 dB"),
                    "the flat channel's value"
                );
            }
            let _ = std::fs::remove_dir_all(stem.parent().unwrap());
        }
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
        audits();
        pulse(&stem, "test channel", &t, &v, &c).unwrap();
        for a in audits() {
            assert_eq!(a.legend_ink, 0, "the legend covers the pulse");
        }
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

    /// A closed bathtub (the C2M case: the floor near 1e-5) and an open one.
    fn tubs() -> [Vec<(f64, f64)>; 2] {
        let tub = |floor: f64| {
            (0..=100)
                .map(|i| {
                    let x = -0.5 + i as f64 / 100.0;
                    (x, 10f64.powf(-floor * (1.0 - (2.0 * x).powi(2))).min(0.3))
                })
                .collect()
        };
        [tub(5.0), tub(25.0)]
    }

    #[test]
    fn bathtub_legend_leaves_the_curve_visible() {
        for line in tubs() {
            let stem = tmp("bathtub").join("b");
            let mc: Vec<(f64, f64)> = line
                .iter()
                .step_by(10)
                .copied()
                .filter(|p| p.1 > 1e-7)
                .collect();
            let s = [
                Series::new("statistical eye", line),
                Series::markers("Monte-Carlo (bit-exact model)", mc),
            ];
            audits();
            bathtub(&stem, "Bathtub test", &s, 1e-6).unwrap();
            for a in audits() {
                assert_eq!(
                    a.legend_ink, 0,
                    "the legend covers {} data pixels",
                    a.legend_ink
                );
            }
            check(&stem, "Bathtub test");
        }
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
        audits();
        ber_vs_snr(&stem, "BER vs SNR test", &th, &[mc], Some(&st)).unwrap();
        for a in audits() {
            assert_eq!(
                a.legend_ink, 0,
                "the legend covers {} data pixels",
                a.legend_ink
            );
        }
        check(&stem, "BER vs SNR test");
    }

    /// The `<text>` elements of an SVG: (x, font-size, anchor, content).
    fn svg_texts(svg: &str) -> Vec<(f64, f64, String, String)> {
        let attr = |tag: &str, name: &str| -> Option<String> {
            let i = tag.find(&format!(" {name}=\""))? + name.len() + 3;
            Some(tag[i..i + tag[i..].find('"')?].to_string())
        };
        svg.split("<text")
            .skip(1)
            .filter_map(|t| {
                let (tag, rest) = t.split_once('>')?;
                let body = rest.split("</text>").next()?.trim().to_string();
                Some((
                    attr(tag, "x")?.parse().ok()?,
                    attr(tag, "font-size")?.parse().ok()?,
                    attr(tag, "text-anchor")?,
                    body,
                ))
            })
            .collect()
    }

    #[test]
    fn jtol_is_a_plotters_svg_with_units_and_a_whole_title() {
        let d = tmp("jtol");
        let path = d.join("sub/jtol.svg");
        let title = "cporx CDR jitter tolerance: SJ amplitude held at BER &lt; 1e-6 (short channel, SNR 25 dB, RJ 0.01 UI, 53.125 GBd)";
        let pts = vec![
            JtolPoint {
                freq_mhz: 1.0,
                ui_pp: Ok(80.0),
                at_limit: true,
            },
            JtolPoint {
                freq_mhz: 10.0,
                ui_pp: Ok(2.46),
                at_limit: false,
            },
            JtolPoint {
                freq_mhz: 30.0,
                ui_pp: Err("never locked".into()),
                at_limit: false,
            },
            JtolPoint {
                freq_mhz: 100.0,
                ui_pp: Ok(0.21),
                at_limit: false,
            },
            JtolPoint {
                freq_mhz: 1000.0,
                ui_pp: Ok(0.18),
                at_limit: false,
            },
        ];
        let long = title.replace("&lt;", "<");
        jtol(&path, &long, "subtitle: 3200000 bits per point", &pts).unwrap();
        let svg = std::fs::read_to_string(&path).expect("missing folders are made");
        assert!(
            svg.starts_with("<svg"),
            "plotters' SVG backend writes the file"
        );
        let texts = svg_texts(&svg);
        let find = |s: &str| {
            texts
                .iter()
                .find(|t| t.3.contains(s))
                .unwrap_or_else(|| panic!("no text {s:?} in {texts:?}"))
        };
        assert!(find("SJ frequency (MHz)").3.contains("MHz"));
        let (x, em, anchor, body) = find("cporx CDR jitter tolerance");
        assert_eq!(body, title, "the whole title is there");
        assert_eq!(anchor, "middle");
        let w = text_w(&long, *em);
        assert!(
            x - w / 2.0 >= MARGIN as f64 && x + w / 2.0 <= (SIZE.0 as i32 - MARGIN) as f64,
            "title runs from {} to {}",
            x - w / 2.0,
            x + w / 2.0
        );
        // the unmeasured point is listed, not drawn at 0, and the curve is broken there
        find("30 MHz: not measured (never locked)");
        let curve = svg
            .lines()
            .filter(|l| {
                l.starts_with("<polyline") && l.contains("stroke=\"#1F77B4\" stroke-width=\"2\"")
            })
            .count();
        assert_eq!(curve, 2, "the curve runs 1..10 MHz and 100..1000 MHz");
        assert!(find("lower bound").3.contains("largest amplitude"));
        let nothing = [JtolPoint {
            freq_mhz: 1.0,
            ui_pp: Err("never locked".into()),
            at_limit: false,
        }];
        let e = jtol(&d.join("none.svg"), "t", "", &nothing).unwrap_err();
        assert_eq!(e.kind, PlotErrorKind::NoData);
        assert!(!d.join("none.svg").exists());
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn write_errors_name_the_file_and_folders_are_made() {
        let d = tmp("errors");
        // a missing folder is made
        let stem = d.join("new/folder/il");
        sdd21(&stem, &[Series::new("a", loss(0.3))], &[]).unwrap();
        assert!(with_ext(&stem, "png").exists() && with_ext(&stem, "svg").exists());
        // the PNG's path is a folder
        let stem = d.join("busy");
        std::fs::create_dir_all(with_ext(&stem, "png")).unwrap();
        let e = sdd21(&stem, &[Series::new("a", loss(0.3))], &[]).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.starts_with(&format!(
                "cannot write {}",
                with_ext(&stem, "png").display()
            )),
            "{msg}"
        );
        assert!(!msg.contains("IoError") && !msg.contains("Os {"), "{msg}");
        // a file where a folder should be
        std::fs::write(d.join("file"), "x").unwrap();
        let e = sdd21(&d.join("file/il"), &[Series::new("a", loss(0.3))], &[]).unwrap_err();
        assert!(e.to_string().contains("file/il.png"), "{e}");
        // the backend's own error text, in plain words
        assert_eq!(
            plain_reason(&PlotError::new(Path::new("x"), PlotErrorKind::Draw("ImageError(IoError(Os { code: 28, kind: StorageFull, message: \"No space left on device\" }))".into()))),
            "no space left on device"
        );
        let _ = std::fs::remove_dir_all(&d);
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
