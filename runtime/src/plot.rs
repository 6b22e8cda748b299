//! Figures with matplotlib's vocabulary, rendered by plotters to PNG or SVG.
//!
//! The figure imitates what matplotlib draws with the tutorial's settings
//! (`figure.figsize = (7, 3.5)`, `figure.dpi = 150`, `axes.unicode_minus = False`):
//! a 1050 x 525 pixel white canvas, one axes placed with matplotlib's default
//! subplot parameters (left 0.125, right 0.9, bottom 0.11, top 0.88), black
//! spines, outward ticks chosen like matplotlib's `MaxNLocator` (steps 1, 2,
//! 2.5, 5, 10, at most 9 intervals) and labelled like its `ScalarFormatter`
//! (every label with the same number of decimals), 5% data margins, lines of
//! 1.5 pt in the `tab10` colour cycle, `#b0b0b0` grid lines, and a legend in a
//! light-grey rounded frame placed at the first of matplotlib's `best`
//! candidate corners that covers the fewest data points. Sizes given in points
//! are converted at 150 dpi.
//!
//! Simplifications, chosen because graphc programs only need readable labels:
//! matplotlib mathtext (`$...$`) is shown as plain text: the `$` signs and
//! braces are removed, Greek-letter commands become the Greek letter (`\sigma`
//! is `σ`) and other commands lose their backslash (`\tanh` is `tanh`). Tick
//! labels never use an offset or a scientific multiplier, and the font is the
//! bundled DejaVu Sans, matplotlib's default family.
//!
//! `savefig` renders into a temporary file beside the target and renames it
//! into place, so a failed save never leaves a partial figure behind.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontTransform;

mod ticks;

use ticks::{data_limits, ticks};

/// Why a figure could not be written.
#[derive(Debug)]
pub struct PlotError {
    pub message: String,
}

impl std::fmt::Display for PlotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PlotError {}

fn plot_error(message: impl Into<String>) -> PlotError {
    PlotError { message: message.into() }
}

/// The tutorial's `figure.figsize` and `figure.dpi`.
const WIDTH_IN: f64 = 7.0;
const HEIGHT_IN: f64 = 3.5;
const DPI: f64 = 150.0;
/// Canvas size in pixels (1050 x 525).
const WIDTH_PX: u32 = (WIDTH_IN * DPI) as u32;
const HEIGHT_PX: u32 = (HEIGHT_IN * DPI) as u32;

/// matplotlib's `tab10` colour cycle (`axes.prop_cycle`).
const COLOR_CYCLE: [RGBColor; 10] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0xe3, 0x77, 0xc2),
    RGBColor(0x7f, 0x7f, 0x7f),
    RGBColor(0xbc, 0xbd, 0x22),
    RGBColor(0x17, 0xbe, 0xcf),
];
/// `grid.color`.
const GRID_COLOR: RGBColor = RGBColor(0xb0, 0xb0, 0xb0);
/// `legend.edgecolor` ("0.8" grey).
const LEGEND_EDGE: RGBColor = RGBColor(0xcc, 0xcc, 0xcc);

/// The font family name our bundled font is registered under.
const FONT: &str = "sans-serif";

/// Pixels per typographic point at the figure's dpi.
fn pt(points: f64) -> f64 {
    points * DPI / 72.0
}

/// The plotters font size for a font of `points`: plotters' ab_glyph scale is the
/// font's ascent-to-descent height, which is 1.164 em for DejaVu Sans, whereas a
/// point size names the em.
fn font_size(points: f64) -> f64 {
    pt(points) * 1.164
}

/// Registers DejaVu Sans with plotters once; without a registered font every text
/// draw fails with `FontUnavailable`.
fn ensure_font() -> Result<(), PlotError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular()).is_ok());
    if ok {
        Ok(())
    } else {
        Err(plot_error("the bundled DejaVu Sans font could not be loaded"))
    }
}

/// One `plt.plot` call.
struct Line {
    x: Vec<f64>,
    y: Vec<f64>,
    label: Option<String>,
    alpha: f64,
    color: RGBColor,
}

/// The current figure: 7 x 3.5 inches at 150 dpi, as the tutorial sets it.
#[derive(Default)]
pub struct Figure {
    lines: Vec<Line>,
    grid: bool,
    legend: bool,
    xlabel: Option<String>,
    ylabel: Option<String>,
    title: Option<String>,
}

impl Figure {
    pub fn new() -> Figure {
        Figure::default()
    }
    /// Adds a line; like matplotlib, each line takes the next colour of the cycle.
    pub fn plot(&mut self, x: &[f64], y: &[f64], label: Option<&str>, alpha: f64) {
        // The compiler checks that x and y have equal shapes; truncating keeps a
        // mismatch from ever panicking here.
        let n = x.len().min(y.len());
        let color = COLOR_CYCLE[self.lines.len() % COLOR_CYCLE.len()];
        self.lines.push(Line { x: x[..n].to_vec(), y: y[..n].to_vec(), label: label.map(plain_text), alpha: alpha.clamp(0.0, 1.0), color });
    }
    pub fn grid(&mut self) {
        self.grid = true;
    }
    pub fn legend(&mut self) {
        self.legend = true;
    }
    pub fn xlabel(&mut self, s: &str) {
        self.xlabel = Some(plain_text(s));
    }
    pub fn ylabel(&mut self, s: &str) {
        self.ylabel = Some(plain_text(s));
    }
    pub fn title(&mut self, s: &str) {
        self.title = Some(plain_text(s));
    }

    /// Writes the figure to `path` (`.png` or `.svg`) as [`crate::files::write_via`]
    /// does: atomically for a regular file, so that a failure leaves no file.
    pub fn savefig(&self, path: &Path) -> Result<(), PlotError> {
        let format = ImageFormat::of(path)?;
        let dir = dir_of(path);
        if !dir.is_dir() {
            return Err(plot_error(format!("directory `{}` does not exist", dir.display())));
        }
        ensure_font()?;
        // Through symbolic links, and into a device or FIFO rather than over it; the
        // temporary file's extension keeps the PNG encoder on the right format.
        crate::files::write_via(path, &format!(".{}", format.extension()), |tmp| self.render_to(tmp, path, format), plot_error)
    }

    /// The figure's pixels as row-major RGB bytes with its width and height: exactly
    /// what `savefig` encodes into a PNG, for callers (and tests) that inspect the
    /// image without decoding a file.
    pub fn render_rgb(&self) -> Result<(u32, u32, Vec<u8>), PlotError> {
        ensure_font()?;
        let mut buf = vec![0u8; (WIDTH_PX * HEIGHT_PX * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut buf, (WIDTH_PX, HEIGHT_PX)).into_drawing_area();
            self.draw(&root).map_err(|e| plot_error(format!("cannot draw the figure: {e}")))?;
            root.present().map_err(|e| plot_error(format!("cannot finish the image: {e}")))?;
        }
        Ok((WIDTH_PX, HEIGHT_PX, buf))
    }

    fn render_to(&self, tmp: &Path, path: &Path, format: ImageFormat) -> Result<(), PlotError> {
        match format {
            ImageFormat::Png => {
                // The encoder's own errors print Rust's debug form, so the file is created
                // here first: a directory that cannot be written to fails with the OS error.
                std::fs::File::create(tmp).map_err(|e| plot_error(format!("cannot create a file in `{}`: {e}", dir_of(path).display())))?;
                let backend = BitMapBackend::new(tmp, (WIDTH_PX, HEIGHT_PX));
                let root = backend.into_drawing_area();
                self.draw(&root).map_err(|e| plot_error(format!("cannot draw the figure: {e}")))?;
                root.present().map_err(|_| {
                    plot_error(format!("cannot write a file in `{}`: the PNG encoder failed (is the disk full?)", dir_of(path).display()))
                })
            }
            ImageFormat::Svg => {
                // Rendering to a string first keeps every I/O error in our hands.
                let mut svg = String::new();
                {
                    let root = SVGBackend::with_string(&mut svg, (WIDTH_PX, HEIGHT_PX)).into_drawing_area();
                    self.draw(&root).map_err(|e| plot_error(format!("cannot draw the figure: {e}")))?;
                    root.present().map_err(|e| plot_error(format!("cannot finish the SVG: {e}")))?;
                }
                std::fs::write(tmp, svg).map_err(|e| plot_error(format!("cannot create a file in `{}`: {e}", dir_of(path).display())))
            }
        }
    }

    /// Draws the whole figure onto `root`, back to front as matplotlib does.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let e = |err: DrawingAreaErrorKind<DB::ErrorType>| err.to_string();
        root.fill(&WHITE).map_err(e)?;
        let ax = Axes::new(&self.lines);

        if self.grid {
            let style = ShapeStyle::from(&GRID_COLOR).stroke_width(px(pt(0.8)).max(1) as u32);
            for &t in &ax.xticks {
                let x = ax.to_px_x(t);
                root.draw(&PathElement::new(vec![(px(x), px(ax.top)), (px(x), px(ax.bottom))], style)).map_err(e)?;
            }
            for &t in &ax.yticks {
                let y = ax.to_px_y(t);
                root.draw(&PathElement::new(vec![(px(ax.left), px(y)), (px(ax.right), px(y))], style)).map_err(e)?;
            }
        }

        for line in &self.lines {
            let style = ShapeStyle::from(&line.color.mix(line.alpha)).stroke_width(px(pt(1.5)) as u32);
            // matplotlib breaks a line at non-finite points instead of joining across them.
            for segment in line.x.iter().zip(&line.y).collect::<Vec<_>>().split(|(x, y)| !x.is_finite() || !y.is_finite()) {
                let points: Vec<(i32, i32)> = segment.iter().map(|(&x, &y)| (px(ax.to_px_x(x)), px(ax.to_px_y(y)))).collect();
                if points.len() > 1 {
                    root.draw(&PathElement::new(points, style)).map_err(e)?;
                }
            }
        }

        // Spines and outward ticks (`xtick.major.size` 3.5 pt, width 0.8 pt).
        let black = ShapeStyle::from(&BLACK).stroke_width(px(pt(0.8)).max(1) as u32);
        let (l, r, t, b) = (px(ax.left), px(ax.right), px(ax.top), px(ax.bottom));
        root.draw(&PathElement::new(vec![(l, t), (r, t), (r, b), (l, b), (l, t)], black)).map_err(e)?;
        let tick_len = pt(3.5);
        let label_gap = tick_len + pt(3.5);
        let tick_font = TextStyle::from((FONT, font_size(10.0)).into_font()).color(&BLACK);
        for (&v, label) in ax.xticks.iter().zip(&ax.xlabels) {
            let x = px(ax.to_px_x(v));
            root.draw(&PathElement::new(vec![(x, b), (x, px(ax.bottom + tick_len))], black)).map_err(e)?;
            let style = tick_font.pos(Pos::new(HPos::Center, VPos::Top));
            root.draw(&Text::new(label.clone(), (x, px(ax.bottom + label_gap)), style)).map_err(e)?;
        }
        let mut widest_ytick = 0;
        for (&v, label) in ax.yticks.iter().zip(&ax.ylabels) {
            let y = px(ax.to_px_y(v));
            root.draw(&PathElement::new(vec![(px(ax.left - tick_len), y), (l, y)], black)).map_err(e)?;
            let style = tick_font.pos(Pos::new(HPos::Right, VPos::Center));
            widest_ytick = widest_ytick.max(root.estimate_text_size(label, &style).map_err(e)?.0);
            root.draw(&Text::new(label.clone(), (px(ax.left - label_gap), y), style)).map_err(e)?;
        }

        // Axis labels sit `axes.labelpad` (4 pt) beyond the tick labels.
        let label_font = TextStyle::from((FONT, font_size(10.0)).into_font()).color(&BLACK);
        if let Some(s) = &self.xlabel {
            // At this figure size matplotlib's own placement would run off the canvas
            // (the inline backend hides that by growing the canvas), so keep it inside.
            let y = (ax.bottom + label_gap + pt(10.0) + pt(4.0)).min(HEIGHT_PX as f64 - pt(10.0) * 1.2);
            let style = label_font.pos(Pos::new(HPos::Center, VPos::Top));
            root.draw(&Text::new(s.clone(), (px((ax.left + ax.right) / 2.0), px(y)), style)).map_err(e)?;
        }
        if let Some(s) = &self.ylabel {
            let x = ax.left - label_gap - widest_ytick as f64 - pt(4.0) - pt(10.0);
            let style = label_font.pos(Pos::new(HPos::Center, VPos::Top)).transform(FontTransform::Rotate270);
            root.draw(&Text::new(s.clone(), (px(x), px((ax.top + ax.bottom) / 2.0)), style)).map_err(e)?;
        }
        // The title is 'large' (12 pt), `axes.titlepad` (6 pt) above the axes.
        if let Some(s) = &self.title {
            let style = TextStyle::from((FONT, font_size(12.0)).into_font()).color(&BLACK).pos(Pos::new(HPos::Center, VPos::Bottom));
            root.draw(&Text::new(s.clone(), (px((ax.left + ax.right) / 2.0), px(ax.top - pt(6.0))), style)).map_err(e)?;
        }

        if self.legend {
            self.draw_legend(root, &ax)?;
        }
        Ok(())
    }

    /// The legend: matplotlib's default paddings, in units of the 10 pt font size.
    fn draw_legend<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ax: &Axes) -> Result<(), String> {
        let e = |err: DrawingAreaErrorKind<DB::ErrorType>| err.to_string();
        let entries: Vec<&Line> = self.lines.iter().filter(|l| l.label.as_deref().is_some_and(|s| !s.is_empty())).collect();
        if entries.is_empty() {
            // matplotlib only warns that there is nothing to put in a legend.
            return Ok(());
        }
        let fs = pt(10.0);
        let text_style = TextStyle::from((FONT, font_size(10.0)).into_font()).color(&BLACK).pos(Pos::new(HPos::Left, VPos::Center));
        let mut text_w = 0.0f64;
        for line in &entries {
            text_w = text_w.max(root.estimate_text_size(line.label.as_deref().unwrap_or(""), &text_style).map_err(e)?.0 as f64);
        }
        let row_h = fs * 1.2;
        let (pad, spacing, handle_len, handle_pad, axes_pad) = (0.4 * fs, 0.5 * fs, 2.0 * fs, 0.8 * fs, 0.5 * fs);
        let w = 2.0 * pad + handle_len + handle_pad + text_w;
        let h = 2.0 * pad + entries.len() as f64 * row_h + (entries.len() - 1) as f64 * spacing;
        let (x0, y0) = best_legend_corner(ax, &self.lines, w, h, axes_pad);

        // The frame: white at `legend.framealpha` 0.8 over a light-grey rounded edge.
        let outline = rounded_rect(x0, y0, w, h, 0.2 * fs);
        root.draw(&Polygon::new(outline.clone(), WHITE.mix(0.8).filled())).map_err(e)?;
        let mut closed = outline;
        closed.push(closed[0]);
        root.draw(&PathElement::new(closed, ShapeStyle::from(&LEGEND_EDGE).stroke_width(px(pt(0.8)).max(1) as u32))).map_err(e)?;

        for (i, line) in entries.iter().enumerate() {
            let cy = y0 + pad + row_h / 2.0 + i as f64 * (row_h + spacing);
            let hx = x0 + pad;
            let style = ShapeStyle::from(&line.color.mix(line.alpha)).stroke_width(px(pt(1.5)) as u32);
            root.draw(&PathElement::new(vec![(px(hx), px(cy)), (px(hx + handle_len), px(cy))], style)).map_err(e)?;
            let label = line.label.clone().unwrap_or_default();
            root.draw(&Text::new(label, (px(hx + handle_len + handle_pad), px(cy)), text_style.clone())).map_err(e)?;
        }
        Ok(())
    }
}

/// Rounds a pixel coordinate.
fn px(v: f64) -> i32 {
    v.round() as i32
}

/// The corners of a rectangle with rounded corners (matplotlib's `fancybox`).
fn rounded_rect(x: f64, y: f64, w: f64, h: f64, r: f64) -> Vec<(i32, i32)> {
    let mut points = Vec::new();
    let corners = [(x + w - r, y + r, -90.0f64), (x + w - r, y + h - r, 0.0), (x + r, y + h - r, 90.0), (x + r, y + r, 180.0)];
    for (cx, cy, start) in corners {
        for k in 0..=6 {
            let a = (start + 15.0 * k as f64).to_radians();
            points.push((px(cx + r * a.cos()), px(cy + r * a.sin())));
        }
    }
    points
}

/// The legend's top-left corner: the first of matplotlib's `best` candidates (upper
/// right, upper left, lower left, lower right, right, center left, center right,
/// lower center, upper center, center) whose box covers the fewest data points
/// and crosses the fewest line segments.
fn best_legend_corner(ax: &Axes, lines: &[Line], w: f64, h: f64, inset: f64) -> (f64, f64) {
    let (l, r, t, b) = (ax.left + inset, ax.right - inset - w, ax.top + inset, ax.bottom - inset - h);
    let (cx, cy) = ((ax.left + ax.right - w) / 2.0, (ax.top + ax.bottom - h) / 2.0);
    let candidates = [(r, t), (l, t), (l, b), (r, b), (r, cy), (l, cy), (r, cy), (cx, b), (cx, t), (cx, cy)];
    let mut best = candidates[0];
    let mut best_badness = usize::MAX;
    for &(x0, y0) in &candidates {
        let inside = |x: f64, y: f64| x >= x0 && x <= x0 + w && y >= y0 && y <= y0 + h;
        let mut badness = 0;
        for line in lines {
            let pts: Vec<(f64, f64)> =
                line.x.iter().zip(&line.y).filter(|(x, y)| x.is_finite() && y.is_finite()).map(|(&x, &y)| (ax.to_px_x(x), ax.to_px_y(y))).collect();
            badness += pts.iter().filter(|&&(x, y)| inside(x, y)).count();
            // A segment that passes through the box without a vertex in it still counts,
            // checked at its midpoint, which is enough for densely sampled curves.
            badness += pts.windows(2).filter(|s| inside((s[0].0 + s[1].0) / 2.0, (s[0].1 + s[1].1) / 2.0)).count();
        }
        if badness < best_badness {
            best_badness = badness;
            best = (x0, y0);
        }
    }
    best
}

/// The axes box in pixels, the data limits it shows and its ticks.
struct Axes {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    xlim: (f64, f64),
    ylim: (f64, f64),
    xticks: Vec<f64>,
    yticks: Vec<f64>,
    xlabels: Vec<String>,
    ylabels: Vec<String>,
}

impl Axes {
    fn new(lines: &[Line]) -> Axes {
        let (w, h) = (WIDTH_PX as f64, HEIGHT_PX as f64);
        let xlim = data_limits(lines.iter().flat_map(|l| l.x.iter().zip(&l.y).filter(|(_, y)| y.is_finite()).map(|(x, _)| *x)));
        let ylim = data_limits(lines.iter().flat_map(|l| l.x.iter().zip(&l.y).filter(|(x, _)| x.is_finite()).map(|(_, y)| *y)));
        let (xticks, xlabels) = ticks(xlim);
        let (yticks, ylabels) = ticks(ylim);
        Axes { left: 0.125 * w, right: 0.9 * w, top: (1.0 - 0.88) * h, bottom: (1.0 - 0.11) * h, xlim, ylim, xticks, yticks, xlabels, ylabels }
    }
    fn to_px_x(&self, x: f64) -> f64 {
        self.left + (x - self.xlim.0) / (self.xlim.1 - self.xlim.0) * (self.right - self.left)
    }
    fn to_px_y(&self, y: f64) -> f64 {
        self.bottom - (y - self.ylim.0) / (self.ylim.1 - self.ylim.0) * (self.bottom - self.top)
    }
}

/// matplotlib mathtext shown as plain text (see the module documentation).
fn plain_text(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in s.split('$').enumerate() {
        // Odd parts lie between a pair of `$`: math.
        if i % 2 == 0 {
            out.push_str(part);
            continue;
        }
        let mut chars = part.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    let mut name = String::new();
                    while let Some(&n) = chars.peek().filter(|n| n.is_ascii_alphabetic()) {
                        name.push(n);
                        chars.next();
                    }
                    if name.is_empty() {
                        // An escaped symbol such as `\%` or `\{` stands for itself.
                        if let Some(n) = chars.next() {
                            out.push(n);
                        }
                    } else {
                        out.push_str(greek(&name).unwrap_or(&name));
                    }
                }
                '{' | '}' => {}
                _ => out.push(c),
            }
        }
    }
    out
}

/// The Greek letter a mathtext command names, if it names one.
fn greek(name: &str) -> Option<&'static str> {
    const LETTERS: [(&str, &str); 30] = [
        ("alpha", "α"),
        ("beta", "β"),
        ("gamma", "γ"),
        ("delta", "δ"),
        ("epsilon", "ε"),
        ("zeta", "ζ"),
        ("eta", "η"),
        ("theta", "θ"),
        ("iota", "ι"),
        ("kappa", "κ"),
        ("lambda", "λ"),
        ("mu", "μ"),
        ("nu", "ν"),
        ("xi", "ξ"),
        ("pi", "π"),
        ("rho", "ρ"),
        ("sigma", "σ"),
        ("tau", "τ"),
        ("upsilon", "υ"),
        ("phi", "φ"),
        ("chi", "χ"),
        ("psi", "ψ"),
        ("omega", "ω"),
        ("Gamma", "Γ"),
        ("Delta", "Δ"),
        ("Theta", "Θ"),
        ("Lambda", "Λ"),
        ("Sigma", "Σ"),
        ("Phi", "Φ"),
        ("Omega", "Ω"),
    ];
    LETTERS.iter().find(|(n, _)| *n == name).map(|(_, l)| *l)
}

/// The two formats `savefig` writes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ImageFormat {
    Png,
    Svg,
}

impl ImageFormat {
    /// The format named by the path's extension, case-insensitively.
    fn of(path: &Path) -> Result<ImageFormat, PlotError> {
        let ext = path.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase());
        match ext.as_deref() {
            Some("png") => Ok(ImageFormat::Png),
            Some("svg") => Ok(ImageFormat::Svg),
            Some(other) => Err(plot_error(format!("unsupported figure format `.{other}` for `{}`: use `.png` or `.svg`", path.display()))),
            None => Err(plot_error(format!("`{}` has no extension: figures are saved as `.png` or `.svg`", path.display()))),
        }
    }
    fn extension(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Svg => "svg",
        }
    }
}

/// The directory a figure is written in: the path's parent, or `.` for a bare file name.
fn dir_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}
