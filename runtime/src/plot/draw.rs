//! The figure laid out as matplotlib 3.11 lays out one default axes (its `rcParams`
//! defaults, lengths in points scaled by the figure's dpi), drawn into a [`Scene`] in matplotlib's z-order: scatter
//! collections, then the grid, ticks and their labels, then lines, spines, title
//! and legend.

use super::axes::{Axes, Scale, AXES_BOX};
use super::legend::draw_legend;
use super::scene::{circle, polyline, snap, Cap, Color, Paint, Scene, Seg};
use super::text::{self, Direction, ASCENT_EM, DESCENT_EM};
use super::{Figure, Mark};

/// `grid.color`, `grid.linewidth` 0.8 pt.
const GRID: Color = Color::rgb(0xb0b0b0);
const BLACK: Color = Color::rgb(0x000000);
/// `font.size` 10 pt, used by tick labels, axis labels and the legend.
pub(super) const FONT_PT: f64 = 10.0;
/// `xtick.major.size` 3.5 pt and `xtick.major.pad` 3.5 pt; minor ticks are 2 pt.
const TICK_PT: f64 = 3.5;
const MINOR_TICK_PT: f64 = 2.0;
const TICK_PAD_PT: f64 = 3.5;
/// `lines.linewidth`, `axes.linewidth` (spines and ticks), `xtick.minor.width`.
const LINE_PT: f64 = 1.5;
const SPINE_PT: f64 = 0.8;
const MINOR_WIDTH_PT: f64 = 0.6;
/// `lines.markersize` 6 pt: scatter's default `s` is its square, a 6 pt disc,
/// with a 1 pt edge of the same colour (`lines.markeredgewidth`'s scatter default).
const MARKER_PT: f64 = 6.0;
const MARKER_EDGE_PT: f64 = 1.0;

pub(super) fn draw(fig: &Figure) -> Scene {
    let (w, h) = fig.size_px();
    let mut scene = Scene::new(w, h);
    let ax = Axes::new(fig);
    scene.clip = (ax.left as f32, ax.top as f32, ax.right as f32, ax.bottom as f32);

    for s in fig.series.iter().filter(|s| s.mark == Mark::Points) {
        let r = ax.pt(MARKER_PT) / 2.0;
        let color = s.color.with_alpha(s.alpha);
        for (&x, &y) in s.x.iter().zip(&s.y) {
            if let Some((px, py)) = ax.to_px(x, y) {
                scene.push(circle(px, py, r), color, Paint::Fill, true);
                scene.push(circle(px, py, r), color, Paint::Stroke { width: ax.pt(MARKER_EDGE_PT) as f32, cap: Cap::Butt }, true);
            }
        }
    }
    if fig.grid {
        draw_grid(&mut scene, &ax);
    }
    let tick_labels = draw_ticks(&mut scene, &ax);
    draw_axis_labels(&mut scene, fig, &ax, tick_labels);

    for s in fig.series.iter().filter(|s| s.mark == Mark::Line) {
        let color = s.color.with_alpha(s.alpha);
        // matplotlib breaks a line at points it cannot place instead of joining across them.
        let points: Vec<Option<(f64, f64)>> = s.x.iter().zip(&s.y).map(|(&x, &y)| ax.to_px(x, y)).collect();
        for run in points.split(Option::is_none) {
            let run: Vec<(f64, f64)> = run.iter().flatten().copied().collect();
            scene.push(polyline(&run), color, Paint::Stroke { width: ax.pt(LINE_PT) as f32, cap: Cap::Square }, true);
        }
    }

    // Spines: four snapped rules along the axes box.
    let w = ax.pt(SPINE_PT);
    let (l, r, t, b) = (snap(ax.left, w), snap(ax.right, w), snap(ax.top, w), snap(ax.bottom, w));
    for seg in [[(l, b), (l, t)], [(r, b), (r, t)], [(l, b), (r, b)], [(l, t), (r, t)]] {
        scene.stroke(polyline(&seg), BLACK, w, Cap::Square);
    }
    // The title is 'large' (12 pt), its baseline `axes.titlepad` (6 pt) above the axes.
    if let Some(title) = &fig.title {
        let size = ax.pt(12.0);
        let x = (ax.left + ax.right) / 2.0 - text::width(title, size) / 2.0;
        let y = ax.top - ax.pt(6.0);
        scene.text(title, text::outline(title, size, x, y, Direction::Right), BLACK);
    }
    if fig.legend {
        draw_legend(&mut scene, fig, &ax);
    }
    scene
}

fn draw_grid(scene: &mut Scene, ax: &Axes) {
    let w = ax.pt(SPINE_PT);
    for &t in &ax.xticks.major {
        let x = snap(ax.x_px(t), w);
        scene.stroke(polyline(&[(x, ax.bottom), (x, ax.top)]), GRID, w, Cap::Square);
    }
    for &t in &ax.yticks.major {
        let y = snap(ax.y_px(t), w);
        scene.stroke(polyline(&[(ax.left, y), (ax.right, y)]), GRID, w, Cap::Square);
    }
}

/// How far the tick labels reach beyond the axes: (below the x axis, left of the y axis).
struct TickLabelExtent {
    below: f64,
    left: f64,
}

/// Tick marks and labels. A tick is a rule from the (snapped) spine outwards;
/// matplotlib snaps its marker to whole pixels, so it is `round(length)` long
/// (measured on its PNGs).
fn draw_ticks(scene: &mut Scene, ax: &Axes) -> TickLabelExtent {
    let size = ax.pt(FONT_PT);
    let gap = ax.pt(TICK_PT) + ax.pt(TICK_PAD_PT);
    let mut extent = TickLabelExtent { below: ax.bottom, left: ax.left };
    for (ticks, major) in [(&ax.xticks.minor, false), (&ax.xticks.major, true)] {
        let (len, w) = if major { (ax.pt(TICK_PT), ax.pt(SPINE_PT)) } else { (ax.pt(MINOR_TICK_PT), ax.pt(MINOR_WIDTH_PT)) };
        for &t in ticks {
            let x = snap(ax.x_px(t), w);
            let y0 = snap(ax.bottom, ax.pt(SPINE_PT));
            scene.stroke(polyline(&[(x, y0), (x, y0 + len.round())]), BLACK, w, Cap::Butt);
        }
    }
    for (ticks, major) in [(&ax.yticks.minor, false), (&ax.yticks.major, true)] {
        let (len, w) = if major { (ax.pt(TICK_PT), ax.pt(SPINE_PT)) } else { (ax.pt(MINOR_TICK_PT), ax.pt(MINOR_WIDTH_PT)) };
        for &t in ticks {
            let y = snap(ax.y_px(t), w);
            let x0 = snap(ax.left, ax.pt(SPINE_PT));
            scene.stroke(polyline(&[(x0, y), (x0 - len.round(), y)]), BLACK, w, Cap::Butt);
        }
    }
    // x labels hang from `va="top"`; y labels are centred on their baseline's
    // half-height (`va="center_baseline"`), right-aligned.
    for (&t, label) in ax.xticks.major.iter().zip(&ax.xticks.labels) {
        let top = ax.bottom + gap;
        let w = label.width(size);
        let x = ax.x_px(t) - w / 2.0;
        label.draw(scene, size, x, top + ASCENT_EM * size);
        extent.below = extent.below.max(top + label.height(size));
    }
    for (&t, label) in ax.yticks.major.iter().zip(&ax.yticks.labels) {
        let right = ax.left - gap;
        let w = label.width(size);
        label.draw(scene, size, right - w, ax.y_px(t) + label.ascent(size) / 2.0);
        extent.left = extent.left.min(right - w);
    }
    extent
}

/// Axis labels sit `axes.labelpad` (4 pt) beyond the tick labels.
fn draw_axis_labels(scene: &mut Scene, fig: &Figure, ax: &Axes, extent: TickLabelExtent) {
    let size = ax.pt(FONT_PT);
    if let Some(s) = &fig.xlabel {
        let top = extent.below + ax.pt(4.0);
        let x = (ax.left + ax.right) / 2.0 - text::width(s, size) / 2.0;
        scene.text(s, text::outline(s, size, x, top + ASCENT_EM * size, Direction::Right), BLACK);
    }
    if let Some(s) = &fig.ylabel {
        // Rotated upwards, its descent side (`va="bottom"`) towards the tick labels.
        let x = extent.left - ax.pt(4.0) - DESCENT_EM * size;
        let y = (ax.top + ax.bottom) / 2.0 + text::width(s, size) / 2.0;
        scene.text(s, text::outline(s, size, x, y, Direction::Up), BLACK);
    }
}

/// A tick label: plain text, or matplotlib's `10^{k}` of a log axis drawn as a
/// superscript (mathtext's layout approximated: the exponent at 70% size, raised).
#[derive(Clone, Debug, PartialEq)]
pub(super) enum TickLabel {
    Plain(String),
    Power { base: String, exponent: String },
}

/// mathtext's superscript size and rise, in ems of the base text.
const SUP_SCALE: f64 = 0.7;
const SUP_RISE_EM: f64 = 0.43;

impl TickLabel {
    pub(super) fn width(&self, size: f64) -> f64 {
        match self {
            TickLabel::Plain(s) => text::width(s, size),
            TickLabel::Power { base, exponent } => text::width(base, size) + text::width(exponent, size * SUP_SCALE),
        }
    }
    /// The height above the baseline that matplotlib's layout gives the label.
    fn ascent(&self, size: f64) -> f64 {
        match self {
            TickLabel::Plain(_) => ASCENT_EM * size,
            TickLabel::Power { .. } => (SUP_RISE_EM + SUP_SCALE * ASCENT_EM) * size,
        }
    }
    fn height(&self, size: f64) -> f64 {
        self.ascent(size) + DESCENT_EM * size
    }
    fn draw(&self, scene: &mut Scene, size: f64, x: f64, baseline: f64) {
        match self {
            TickLabel::Plain(s) => scene.text(s, text::outline(s, size, x, baseline, Direction::Right), BLACK),
            TickLabel::Power { base, exponent } => {
                scene.text(base, text::outline(base, size, x, baseline, Direction::Right), BLACK);
                let ex = x + text::width(base, size);
                scene.text(exponent, text::outline(exponent, size * SUP_SCALE, ex, baseline - SUP_RISE_EM * size, Direction::Right), BLACK);
            }
        }
    }
}

/// Where a series point lands, or `None` for a point matplotlib would not draw.
impl Axes {
    pub(super) fn to_px(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        let ok = x.is_finite() && y.is_finite() && (self.yscale == Scale::Linear || y > 0.0);
        ok.then(|| (self.x_px(x), self.y_px(y)))
    }
}

/// A marker path for the legend's scatter entries.
pub(super) fn marker(ax: &Axes, x: f64, y: f64) -> Vec<Seg> {
    circle(x, y, ax.pt(MARKER_PT) / 2.0)
}

/// The axes box in pixels (left, top, right, bottom): matplotlib's default
/// `figure.subplot` parameters (0.125, 0.88, 0.9, 0.11) on the figure's extent,
/// `figsize * dpi` before the canvas truncates it to whole pixels.
pub(super) fn axes_box(fig: &Figure) -> (f64, f64, f64, f64) {
    let (w, h) = (fig.figsize.0 * fig.dpi, fig.figsize.1 * fig.dpi);
    let (l, b, r, t) = AXES_BOX;
    (l * w, (1.0 - t) * h, r * w, (1.0 - b) * h)
}
