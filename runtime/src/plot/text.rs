//! Text as glyph outlines of the bundled DejaVu Sans (matplotlib's default family),
//! laid out with the font's advances and kerning as FreeType does for matplotlib,
//! and placed with matplotlib's line metrics.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, OutlineCurve};

use super::scene::Seg;

/// matplotlib's line box for DejaVu Sans, in ems: the height above the baseline and
/// the depth below it (`Text._get_layout` reports 10.5523 and 3.3366 pixels for a
/// 10 pt label at 100 dpi).
pub(super) const ASCENT_EM: f64 = 0.759_765_6;
pub(super) const DESCENT_EM: f64 = 0.240_234_4;

fn font() -> Option<&'static FontRef<'static>> {
    static FONT: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(dejavu::sans::regular()).ok()).as_ref()
}

/// Whether the bundled font loads; every text call draws nothing without it.
pub(super) fn available() -> bool {
    font().is_some()
}

/// The advance width of `s` in pixels at `size_px` pixels per em, kerning included.
pub(super) fn width(s: &str, size_px: f64) -> f64 {
    let Some(f) = font() else { return 0.0 };
    let scale = size_px / f.units_per_em().unwrap_or(2048.0) as f64;
    let mut w = 0.0;
    let mut prev = None;
    for c in s.chars() {
        let id = f.glyph_id(c);
        if let Some(p) = prev {
            w += f.kern_unscaled(p, id) as f64;
        }
        w += f.h_advance_unscaled(id) as f64;
        prev = Some(id);
    }
    w * scale
}

/// Which way a text line runs: left to right, or upwards (rotated 90 degrees, as a
/// y-axis label).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Direction {
    Right,
    Up,
}

/// The outlines of `s` at `size_px`, with the baseline's start at (`x`, `y`).
pub(super) fn outline(s: &str, size_px: f64, x: f64, y: f64, dir: Direction) -> Vec<Seg> {
    let Some(f) = font() else { return Vec::new() };
    let scale = size_px / f.units_per_em().unwrap_or(2048.0) as f64;
    // Font units (y up) along the line, to pixels (y down) on the canvas.
    let place = |pen: f64, p: ab_glyph::Point| -> (f32, f32) {
        let (u, v) = ((pen + p.x as f64) * scale, p.y as f64 * scale);
        match dir {
            Direction::Right => ((x + u) as f32, (y - v) as f32),
            Direction::Up => ((x - v) as f32, (y - u) as f32),
        }
    };
    let mut path = Vec::new();
    let mut pen = 0.0f64;
    let mut prev = None;
    for c in s.chars() {
        let id = f.glyph_id(c);
        if let Some(p) = prev {
            pen += f.kern_unscaled(p, id) as f64;
        }
        if let Some(glyph) = f.outline(id) {
            let mut last: Option<ab_glyph::Point> = None;
            for curve in &glyph.curves {
                let (start, end) = match *curve {
                    OutlineCurve::Line(a, b) => (a, b),
                    OutlineCurve::Quad(a, _, b) => (a, b),
                    OutlineCurve::Cubic(a, _, _, b) => (a, b),
                };
                // A curve that does not start where the last one ended begins a new contour.
                if last != Some(start) {
                    if last.is_some() {
                        path.push(Seg::Close);
                    }
                    let (px, py) = place(pen, start);
                    path.push(Seg::Move(px, py));
                }
                match *curve {
                    OutlineCurve::Line(_, b) => {
                        let (bx, by) = place(pen, b);
                        path.push(Seg::Line(bx, by));
                    }
                    OutlineCurve::Quad(_, c, b) => {
                        let ((cx, cy), (bx, by)) = (place(pen, c), place(pen, b));
                        path.push(Seg::Quad(cx, cy, bx, by));
                    }
                    OutlineCurve::Cubic(_, c1, c2, b) => {
                        let ((ax, ay), (cx, cy), (bx, by)) = (place(pen, c1), place(pen, c2), place(pen, b));
                        path.push(Seg::Cubic(ax, ay, cx, cy, bx, by));
                    }
                }
                last = Some(end);
            }
            if last.is_some() {
                path.push(Seg::Close);
            }
        }
        pen += f.h_advance_unscaled(id) as f64;
        prev = Some(id);
    }
    path
}
