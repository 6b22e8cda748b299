//! The axes' geometry: its box on the canvas, the view limits (autoscaled or set
//! by `xlim`/`ylim`), the y scale, and the ticks with their labels.

use super::draw::{axes_box, TickLabel, FONT_PT};
use super::ticks::{data_limits, log_ticks, ticks, MINUS};
use super::Figure;

/// matplotlib's `figure.subplot.{left, bottom, right, top}`.
pub(super) const AXES_BOX: (f64, f64, f64, f64) = (0.125, 0.11, 0.9, 0.88);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Scale {
    Linear,
    Log,
}

/// One axis' ticks: major ones (labelled, gridded) and unlabelled minor ones.
pub(super) struct Ticks {
    pub major: Vec<f64>,
    pub minor: Vec<f64>,
    pub labels: Vec<TickLabel>,
}

pub(super) struct Axes {
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    pub xlim: (f64, f64),
    pub ylim: (f64, f64),
    pub yscale: Scale,
    pub xticks: Ticks,
    pub yticks: Ticks,
    /// The figure's `figure.dpi`: pixels per inch, 72 points to the inch.
    pub dpi: f64,
}

impl Axes {
    pub(super) fn new(fig: &Figure) -> Axes {
        let (left, top, right, bottom) = axes_box(fig);
        let yscale = if fig.ylog { Scale::Log } else { Scale::Linear };
        // Autoscaling looks at the points that can be drawn: finite, and positive on a log axis.
        let drawable = |x: f64, y: f64| x.is_finite() && y.is_finite() && (yscale == Scale::Linear || y > 0.0);
        let points = || fig.series.iter().flat_map(|s| s.x.iter().zip(&s.y)).filter(|(&x, &y)| drawable(x, y));
        let xlim = fig.xlim.unwrap_or_else(|| data_limits(points().map(|(&x, _)| x)));
        // matplotlib ignores limits a log axis cannot show (with a warning).
        let user_ylim = fig.ylim.filter(|&(a, b)| yscale == Scale::Linear || (a > 0.0 && b > 0.0));
        let ylim = user_ylim.unwrap_or_else(|| match yscale {
            Scale::Linear => data_limits(points().map(|(_, &y)| y)),
            // On a log axis the 5% margins are taken in decades; no data shows 1 to 10.
            Scale::Log if points().next().is_none() => (1.0, 10.0),
            Scale::Log => {
                let (lo, hi) = data_limits(points().map(|(_, &y)| y.log10()));
                (10f64.powf(lo), 10f64.powf(hi))
            }
        });
        // `Axis.get_tick_space`: how many labels fit along each axis, assuming a tick
        // label is at most 3 font sizes wide (x) or 2 high (y); `MaxNLocator` asks for
        // that many bins, clipped to 1..9, and `LogLocator` for that many ticks, 2..9.
        let points = |px: f64| px / fig.dpi * 72.0;
        let x_space = (points(right - left) / (3.0 * FONT_PT)).floor();
        let y_space = (points(bottom - top) / (2.0 * FONT_PT)).floor();
        let minus = if fig.unicode_minus { MINUS } else { "-" };
        let xticks = linear_ticks(xlim, x_space.clamp(1.0, 9.0), minus);
        let yticks = match yscale {
            Scale::Linear => linear_ticks(ylim, y_space.clamp(1.0, 9.0), minus),
            Scale::Log => {
                let (major, minor, labels) = log_ticks(sorted(ylim), y_space.clamp(2.0, 9.0) as i64);
                Ticks { major, minor, labels }
            }
        };
        Axes { left, right, top, bottom, xlim, ylim, yscale, xticks, yticks, dpi: fig.dpi }
    }
    /// A length in typographic points, in pixels at the figure's dpi.
    pub(super) fn pt(&self, points: f64) -> f64 {
        points * self.dpi / 72.0
    }
    pub(super) fn x_px(&self, x: f64) -> f64 {
        self.left + (x - self.xlim.0) / (self.xlim.1 - self.xlim.0) * (self.right - self.left)
    }
    pub(super) fn y_px(&self, y: f64) -> f64 {
        let (lo, hi, v) = match self.yscale {
            Scale::Linear => (self.ylim.0, self.ylim.1, y),
            Scale::Log => (self.ylim.0.log10(), self.ylim.1.log10(), y.log10()),
        };
        self.bottom - (v - lo) / (hi - lo) * (self.bottom - self.top)
    }
}

/// Limits in increasing order: `xlim(5, 0)` inverts the axis, and its ticks are those of (0, 5).
fn sorted((a, b): (f64, f64)) -> (f64, f64) {
    (a.min(b), a.max(b))
}

fn linear_ticks(lim: (f64, f64), nbins: f64, minus: &str) -> Ticks {
    let (major, labels) = ticks(sorted(lim), nbins, minus);
    Ticks { major, minor: Vec::new(), labels: labels.into_iter().map(TickLabel::Plain).collect() }
}
