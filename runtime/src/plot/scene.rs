//! A figure as a list of filled and stroked paths in pixel coordinates (y down),
//! the one description that both the PNG rasterizer and the SVG writer draw, so
//! the two formats show the same picture.

/// One piece of a path.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Seg {
    Move(f32, f32),
    Line(f32, f32),
    Quad(f32, f32, f32, f32),
    Cubic(f32, f32, f32, f32, f32, f32),
    Close,
}

/// An sRGB colour with a straight (not premultiplied) alpha.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Color {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    pub a: f32,
}

impl Color {
    pub const fn rgb(hex: u32) -> Color {
        Color { r: (hex >> 16) as u8, g: (hex >> 8) as u8, b: hex as u8, a: 1.0 }
    }
    pub fn with_alpha(self, a: f64) -> Color {
        Color { a: a.clamp(0.0, 1.0) as f32, ..self }
    }
    /// `#rrggbb`, as SVG writes a colour.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }
}

/// matplotlib's cap styles: `projecting` (square) for lines, `butt` for patches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Cap {
    Butt,
    Square,
}

/// How a path is painted.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Paint {
    Fill,
    /// A stroke `width` pixels wide with round joins (matplotlib's `lines.solid_joinstyle`).
    Stroke {
        width: f32,
        cap: Cap,
    },
}

/// One drawn shape; `clipped` shapes are cut at the axes box, as matplotlib clips data.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Item {
    pub path: Vec<Seg>,
    pub color: Color,
    pub paint: Paint,
    pub clipped: bool,
    /// The text a glyph outline spells, which SVG keeps in a comment (as
    /// matplotlib's SVG does) so that the file stays searchable.
    pub text: Option<String>,
}

/// The whole picture, back to front.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Scene {
    pub width: u32,
    pub height: u32,
    /// The axes box (left, top, right, bottom) that clipped items stay inside.
    pub clip: (f32, f32, f32, f32),
    pub items: Vec<Item>,
}

impl Scene {
    pub fn new(width: u32, height: u32) -> Scene {
        Scene { width, height, clip: (0.0, 0.0, width as f32, height as f32), items: Vec::new() }
    }
    pub fn fill(&mut self, path: Vec<Seg>, color: Color) {
        self.push(path, color, Paint::Fill, false);
    }
    pub fn stroke(&mut self, path: Vec<Seg>, color: Color, width: f64, cap: Cap) {
        self.push(path, color, Paint::Stroke { width: width as f32, cap }, false);
    }
    pub fn push(&mut self, path: Vec<Seg>, color: Color, paint: Paint, clipped: bool) {
        // An empty path draws nothing in either format; leaving it out keeps both simple.
        if path.len() > 1 {
            self.items.push(Item { path, color, paint, clipped, text: None });
        }
    }
    /// Glyph outlines spelling `text`, filled.
    pub fn text(&mut self, text: &str, path: Vec<Seg>, color: Color) {
        if path.len() > 1 {
            self.items.push(Item { path, color, paint: Paint::Fill, clipped: false, text: Some(text.to_string()) });
        }
    }
}

/// A polyline through `points`.
pub(super) fn polyline(points: &[(f64, f64)]) -> Vec<Seg> {
    points.iter().enumerate().map(|(i, &(x, y))| if i == 0 { Seg::Move(x as f32, y as f32) } else { Seg::Line(x as f32, y as f32) }).collect()
}

/// A circle of radius `r` from four cubic arcs (the constant makes each arc's
/// midpoint lie on the circle, as matplotlib's unit circle path does).
pub(super) fn circle(cx: f64, cy: f64, r: f64) -> Vec<Seg> {
    let k = 0.552_284_75 * r;
    let (cx, cy, r, k) = (cx as f32, cy as f32, r as f32, k as f32);
    vec![
        Seg::Move(cx + r, cy),
        Seg::Cubic(cx + r, cy + k, cx + k, cy + r, cx, cy + r),
        Seg::Cubic(cx - k, cy + r, cx - r, cy + k, cx - r, cy),
        Seg::Cubic(cx - r, cy - k, cx - k, cy - r, cx, cy - r),
        Seg::Cubic(cx + k, cy - r, cx + r, cy - k, cx + r, cy),
        Seg::Close,
    ]
}

/// A rectangle with corners rounded by radius `r` (matplotlib's legend `fancybox`).
pub(super) fn rounded_rect(x0: f64, y0: f64, x1: f64, y1: f64, r: f64) -> Vec<Seg> {
    let k = 0.552_284_75 * r;
    let f = |v: f64| v as f32;
    vec![
        Seg::Move(f(x0 + r), f(y0)),
        Seg::Line(f(x1 - r), f(y0)),
        Seg::Cubic(f(x1 - r + k), f(y0), f(x1), f(y0 + r - k), f(x1), f(y0 + r)),
        Seg::Line(f(x1), f(y1 - r)),
        Seg::Cubic(f(x1), f(y1 - r + k), f(x1 - r + k), f(y1), f(x1 - r), f(y1)),
        Seg::Line(f(x0 + r), f(y1)),
        Seg::Cubic(f(x0 + r - k), f(y1), f(x0), f(y1 - r + k), f(x0), f(y1 - r)),
        Seg::Line(f(x0), f(y0 + r)),
        Seg::Cubic(f(x0), f(y0 + r - k), f(x0 + r - k), f(y0), f(x0 + r), f(y0)),
        Seg::Close,
    ]
}

/// matplotlib's pixel snapping of horizontal and vertical strokes: when the rounded
/// stroke width is odd a coordinate moves to the centre of the nearest pixel,
/// otherwise to the nearest pixel edge, so thin rules cover whole pixels instead
/// of two half-covered ones (Agg's `PathSnapper`; checked on matplotlib's PNGs).
pub(super) fn snap(v: f64, width: f64) -> f64 {
    let offset = if (width.round() as i64) % 2 == 1 { 0.5 } else { 0.0 };
    (v + 0.5).floor() + offset
}
