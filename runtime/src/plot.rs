//! Figures with matplotlib's vocabulary and looks: what matplotlib 3.11 draws
//! with its default `rcParams` (a 6.4 x 4.8 in figure at 100 dpi: 640 x 480
//! pixels), antialiased, saved as PNG or SVG. Three `rcParams` can be set, as the
//! tutorial sets them: `figure.figsize`, `figure.dpi` (lengths in points scale
//! with it, as in matplotlib) and `axes.unicode_minus`.
//!
//! One axes at matplotlib's default subplot position (left 0.125, right 0.9,
//! bottom 0.11, top 0.88); black 0.8 pt spines; outward 3.5 pt ticks chosen like
//! `MaxNLocator` (steps 1, 2, 2.5, 5, 10, at most 9 intervals) and labelled like
//! `ScalarFormatter`, with the Unicode minus `−`; on a log axis (`semilogy`)
//! `LogLocator`'s decades and minor ticks, labelled `10^k`; 5% data margins;
//! lines of 1.5 pt in the `tab10` colour cycle (scatter has its own cycle, as in
//! matplotlib); `#b0b0b0` 0.8 pt grid lines; DejaVu Sans 10 pt text; a legend in
//! a translucent rounded frame at matplotlib's `best` location. Horizontal and
//! vertical rules are snapped to pixels as matplotlib's Agg renderer snaps them.
//! The layout is in [`draw`], the pixels come from tiny-skia ([`raster`]) and the
//! SVG from the same scene ([`svg`]).
//!
//! Simplifications, documented in `docs/act-language.md`: mathtext (`$...$`) is
//! shown as plain text (`$` and braces removed, Greek-letter commands become the
//! letter, other commands lose their backslash, all upright); a log axis' `10^k`
//! is drawn as "10" and a raised exponent at 70% size, approximating mathtext;
//! tick labels never use an offset or a scientific multiplier; glyphs are drawn
//! from their outlines without FreeType's hinting.
//!
//! `savefig` renders into a temporary file beside the target and renames it
//! into place, so a failed save never leaves a partial figure behind.

use std::path::{Path, PathBuf};

mod axes;
mod draw;
mod legend;
mod raster;
mod scene;
mod svg;
mod text;
mod ticks;

use scene::Color;

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

/// matplotlib's default `figure.figsize` (6.4 x 4.8 in) at `figure.dpi` 100.
pub const WIDTH_PX: u32 = 640;
pub const HEIGHT_PX: u32 = 480;
const DEFAULT_FIGSIZE: (f64, f64) = (6.4, 4.8);
const DEFAULT_DPI: f64 = 100.0;

/// matplotlib's Agg renderer refuses images of 2^16 pixels or more in either
/// direction ("Image size of ... pixels is too large"); the compiler checks a
/// program's settings against [`canvas_size`] and this limit before it runs.
pub const MAX_SIDE_PX: u32 = 1 << 16;

/// The canvas in whole pixels for a figure size in inches at `dpi`: matplotlib's
/// Agg canvas truncates `figsize * dpi` (`int(width)`), so 7 in at 150 dpi is 1050.
/// `None` when a side is not below [`MAX_SIDE_PX`] or not at least one pixel.
pub fn canvas_size(figsize: (f64, f64), dpi: f64) -> Option<(u32, u32)> {
    let side = |inches: f64| {
        let px = (inches * dpi).trunc();
        (px >= 1.0 && px < MAX_SIDE_PX as f64).then_some(px as u32)
    };
    Some((side(figsize.0)?, side(figsize.1)?))
}

/// matplotlib's `tab10` colour cycle (`axes.prop_cycle`).
const COLOR_CYCLE: [Color; 10] = [
    Color::rgb(0x1f77b4),
    Color::rgb(0xff7f0e),
    Color::rgb(0x2ca02c),
    Color::rgb(0xd62728),
    Color::rgb(0x9467bd),
    Color::rgb(0x8c564b),
    Color::rgb(0xe377c2),
    Color::rgb(0x7f7f7f),
    Color::rgb(0xbcbd22),
    Color::rgb(0x17becf),
];

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mark {
    /// `plot`: a polyline.
    Line,
    /// `scatter`: a disc at each point.
    Points,
}

/// One `plot` or `scatter` call.
struct Series {
    x: Vec<f64>,
    y: Vec<f64>,
    label: Option<String>,
    alpha: f64,
    color: Color,
    mark: Mark,
}

/// The current figure.
pub struct Figure {
    series: Vec<Series>,
    /// matplotlib keeps separate colour cycles for lines and for scatter collections.
    lines_drawn: usize,
    scatters_drawn: usize,
    grid: bool,
    legend: bool,
    xlabel: Option<String>,
    ylabel: Option<String>,
    title: Option<String>,
    xlim: Option<(f64, f64)>,
    ylim: Option<(f64, f64)>,
    ylog: bool,
    /// `figure.figsize` in inches and `figure.dpi`: the canvas and the scale of every
    /// length given in points (fonts, line widths, ticks, paddings).
    figsize: (f64, f64),
    dpi: f64,
    /// `axes.unicode_minus`: linear tick labels write `−` (U+2212) when set, `-` when not.
    unicode_minus: bool,
}

impl Default for Figure {
    fn default() -> Figure {
        Figure {
            series: Vec::new(),
            lines_drawn: 0,
            scatters_drawn: 0,
            grid: false,
            legend: false,
            xlabel: None,
            ylabel: None,
            title: None,
            xlim: None,
            ylim: None,
            ylog: false,
            figsize: DEFAULT_FIGSIZE,
            dpi: DEFAULT_DPI,
            unicode_minus: true,
        }
    }
}

impl Figure {
    pub fn new() -> Figure {
        Figure::default()
    }
    /// `rc("figure", figsize=(w, h))`. The compiler passes only sizes that
    /// [`canvas_size`] accepts with the figure's dpi; a size it would refuse is
    /// ignored here, so that no setting can make the renderer allocate without bound.
    pub fn set_figsize(&mut self, width_in: f64, height_in: f64) {
        if canvas_size((width_in, height_in), self.dpi).is_some() {
            self.figsize = (width_in, height_in);
        }
    }
    /// `rc("figure", dpi=d)`, under the same guard as [`Figure::set_figsize`].
    pub fn set_dpi(&mut self, dpi: f64) {
        if canvas_size(self.figsize, dpi).is_some() {
            self.dpi = dpi;
        }
    }
    /// `figure()`: matplotlib's `plt.figure()` makes a new figure from the
    /// current `rcParams`, which are the settings `rc` gave this one.
    pub fn start_new(&mut self) {
        *self = Figure { figsize: self.figsize, dpi: self.dpi, unicode_minus: self.unicode_minus, ..Figure::default() };
    }
    /// `rc("axes", unicode_minus=b)`.
    pub fn set_unicode_minus(&mut self, on: bool) {
        self.unicode_minus = on;
    }
    /// The canvas in pixels: 640 x 480 unless `figure.figsize` or `figure.dpi` was set.
    pub fn size_px(&self) -> (u32, u32) {
        canvas_size(self.figsize, self.dpi).unwrap_or((WIDTH_PX, HEIGHT_PX))
    }
    /// Adds a line; like matplotlib, each line takes the next colour of the cycle.
    pub fn plot(&mut self, x: &[f64], y: &[f64], label: Option<&str>, alpha: f64) {
        let color = COLOR_CYCLE[self.lines_drawn % COLOR_CYCLE.len()];
        self.lines_drawn += 1;
        self.add(x, y, label, alpha, color, Mark::Line);
    }
    /// Adds a scatter of discs, coloured from the scatter cycle.
    pub fn scatter(&mut self, x: &[f64], y: &[f64], label: Option<&str>, alpha: f64) {
        let color = COLOR_CYCLE[self.scatters_drawn % COLOR_CYCLE.len()];
        self.scatters_drawn += 1;
        self.add(x, y, label, alpha, color, Mark::Points);
    }
    fn add(&mut self, x: &[f64], y: &[f64], label: Option<&str>, alpha: f64, color: Color, mark: Mark) {
        // The compiler checks that x and y have equal shapes; truncating keeps a
        // mismatch from ever panicking here.
        let n = x.len().min(y.len());
        let label = label.map(plain_text);
        self.series.push(Series { x: x[..n].to_vec(), y: y[..n].to_vec(), label, alpha: alpha.clamp(0.0, 1.0), color, mark });
    }
    /// `semilogy` and `yscale("log")`: the y axis becomes logarithmic.
    pub fn log_y(&mut self) {
        self.ylog = true;
    }
    /// `xlim(left, right)`; the compiler guarantees finite, distinct limits.
    pub fn xlim(&mut self, a: f64, b: f64) {
        self.xlim = Some((a, b));
    }
    /// `ylim(bottom, top)`.
    pub fn ylim(&mut self, a: f64, b: f64) {
        self.ylim = Some((a, b));
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
        let bytes = self.encode(format)?;
        // Through symbolic links, and into a device or FIFO rather than over it.
        crate::files::write_via(
            path,
            &format!(".{}", format.extension()),
            |tmp| std::fs::write(tmp, &bytes).map_err(|e| plot_error(format!("cannot create a file in `{}`: {e}", dir.display()))),
            plot_error,
        )
    }

    /// The figure's pixels as row-major RGB bytes with its width and height: exactly
    /// what `savefig` encodes into a PNG, for callers (and tests) that inspect the
    /// image without decoding a file.
    pub fn render_rgb(&self) -> Result<(u32, u32, Vec<u8>), PlotError> {
        let pixmap = self.rasterize()?;
        // The canvas is opaque white underneath, so premultiplied RGBA is plain RGB.
        let rgb = pixmap.data().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
        Ok((pixmap.width(), pixmap.height(), rgb))
    }

    /// The figure as SVG text: what `savefig("x.svg")` writes.
    pub fn render_svg(&self) -> Result<String, PlotError> {
        check_font()?;
        Ok(svg::render(&draw::draw(self)))
    }

    fn rasterize(&self) -> Result<tiny_skia::Pixmap, PlotError> {
        check_font()?;
        raster::render(&draw::draw(self)).ok_or_else(|| plot_error("cannot allocate the figure's pixels"))
    }

    fn encode(&self, format: ImageFormat) -> Result<Vec<u8>, PlotError> {
        match format {
            ImageFormat::Png => self.rasterize()?.encode_png().map_err(|_| plot_error("the PNG encoder failed on the figure's pixels")),
            ImageFormat::Svg => self.render_svg().map(String::into_bytes),
        }
    }
}

fn check_font() -> Result<(), PlotError> {
    if text::available() {
        Ok(())
    } else {
        Err(plot_error("the bundled DejaVu Sans font could not be loaded"))
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
