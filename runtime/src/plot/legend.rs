//! The legend with matplotlib's defaults: paddings in units of the 10 pt font
//! size, a white frame at `legend.framealpha` 0.8 with a light-grey rounded edge,
//! placed by `loc="best"`.

use super::axes::Axes;
use super::draw::{marker, FONT_PT};
use super::scene::{polyline, rounded_rect, Cap, Color, Paint, Scene};
use super::text::{self, Direction, ASCENT_EM};
use super::{Figure, Mark, Series};

/// `legend.edgecolor` "0.8" grey; the frame's edge is `patch.linewidth` (1 pt).
const EDGE: Color = Color::rgb(0xcccccc);
const FRAME_ALPHA: f64 = 0.8;

pub(super) fn draw_legend(scene: &mut Scene, fig: &Figure, ax: &Axes) {
    let entries: Vec<&Series> = fig.series.iter().filter(|s| s.label.as_deref().is_some_and(|l| !l.is_empty())).collect();
    if entries.is_empty() {
        // matplotlib only warns that there is nothing to put in a legend.
        return;
    }
    let fs = ax.pt(FONT_PT);
    let (pad, spacing, handle_len, handle_pad, axes_pad) = (0.4 * fs, 0.5 * fs, 2.0 * fs, 0.8 * fs, 0.5 * fs);
    let text_w = entries.iter().map(|s| text::width(s.label.as_deref().unwrap_or(""), fs)).fold(0.0, f64::max);
    // A row is one line of text: its ascent and descent add up to the font size.
    let row_h = fs;
    let w = 2.0 * pad + handle_len + handle_pad + text_w;
    let h = 2.0 * pad + entries.len() as f64 * row_h + (entries.len() - 1) as f64 * spacing;
    let (x0, y0) = best_corner(ax, &fig.series, w, h, axes_pad);

    let frame = rounded_rect(x0, y0, x0 + w, y0 + h, 0.2 * fs);
    scene.fill(frame.clone(), Color::rgb(0xffffff).with_alpha(FRAME_ALPHA));
    scene.stroke(frame, EDGE.with_alpha(FRAME_ALPHA), ax.pt(1.0), Cap::Butt);

    for (i, s) in entries.iter().enumerate() {
        let baseline = y0 + pad + i as f64 * (row_h + spacing) + ASCENT_EM * fs;
        // The handle box (0.7 em high) stands on the text's baseline; its line is at half its height.
        let cy = baseline - 0.35 * fs;
        let hx = x0 + pad;
        let color = s.color.with_alpha(s.alpha);
        match s.mark {
            Mark::Line => {
                scene.push(polyline(&[(hx, cy), (hx + handle_len, cy)]), color, Paint::Stroke { width: ax.pt(1.5) as f32, cap: Cap::Square }, false)
            }
            Mark::Points => {
                scene.fill(marker(ax, hx + handle_len / 2.0, cy), color);
                scene.stroke(marker(ax, hx + handle_len / 2.0, cy), color, ax.pt(1.0), Cap::Butt);
            }
        }
        let label = s.label.as_deref().unwrap_or("");
        scene.text(label, text::outline(label, fs, hx + handle_len + handle_pad, baseline, Direction::Right), Color::rgb(0x000000));
    }
}

/// The legend's top-left corner: the first of matplotlib's `best` candidates (upper
/// right, upper left, lower left, lower right, right, center left, center right,
/// lower center, upper center, center) with the least badness: the data points
/// inside the box plus one for each line that crosses it.
fn best_corner(ax: &Axes, series: &[Series], w: f64, h: f64, inset: f64) -> (f64, f64) {
    let (l, r, t, b) = (ax.left + inset, ax.right - inset - w, ax.top + inset, ax.bottom - inset - h);
    let (cx, cy) = ((ax.left + ax.right - w) / 2.0, (ax.top + ax.bottom - h) / 2.0);
    let candidates = [(r, t), (l, t), (l, b), (r, b), (r, cy), (l, cy), (r, cy), (cx, b), (cx, t), (cx, cy)];
    let pixels: Vec<(Mark, Vec<(f64, f64)>)> =
        series.iter().map(|s| (s.mark, s.x.iter().zip(&s.y).filter_map(|(&x, &y)| ax.to_px(x, y)).collect())).collect();
    let mut best = candidates[0];
    let mut best_badness = usize::MAX;
    for &(x0, y0) in &candidates {
        let inside = |(x, y): (f64, f64)| x >= x0 && x <= x0 + w && y >= y0 && y <= y0 + h;
        let mut badness = 0;
        for (mark, pts) in &pixels {
            badness += pts.iter().filter(|&&p| inside(p)).count();
            // A line crossing the box between two vertices still counts, checked at
            // segment midpoints, which is enough for sampled curves.
            if *mark == Mark::Line && pts.windows(2).any(|s| inside(((s[0].0 + s[1].0) / 2.0, (s[0].1 + s[1].1) / 2.0)) || inside(s[0])) {
                badness += 1;
            }
        }
        if badness < best_badness {
            best_badness = badness;
            best = (x0, y0);
        }
        if badness == 0 {
            break;
        }
    }
    best
}
