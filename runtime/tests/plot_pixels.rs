//! The tutorial's figure checked pixel by pixel against where matplotlib 3.11 puts
//! things in its own PNG of the same plot (its defaults: 640 x 480 at 100 dpi).
//! The reference numbers were read from matplotlib's `savefig` output and its
//! artists' window extents (see docs/act-language.md, "Figures").

use std::collections::HashSet;

use graphc_runtime::plot::Figure;

/// tanh and its derivative over arange(-8, 8, 0.1) in float32, as the tutorial plots them.
fn tutorial_data() -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let x: Vec<f64> = (0..160).map(|i| (-8.0f32 + 0.1f32 * i as f32) as f64).collect();
    let tanh: Vec<f64> = x.iter().map(|v| v.tanh()).collect();
    let dtanh: Vec<f64> = tanh.iter().map(|t| 1.0 - t * t).collect();
    (x, tanh, dtanh)
}

fn tutorial_figure() -> Figure {
    let (x, tanh, dtanh) = tutorial_data();
    let mut fig = Figure::new();
    fig.plot(&x, &tanh, Some(r"$\tanh(x)$"), 0.7);
    fig.plot(&x, &dtanh, Some(r"$\tanh'(x)$"), 0.5);
    fig.grid();
    fig.legend();
    fig
}

struct Image {
    w: usize,
    h: usize,
    rgb: Vec<u8>,
}

impl Image {
    fn render(fig: &Figure) -> Image {
        let (w, h, rgb) = fig.render_rgb().unwrap();
        Image { w: w as usize, h: h as usize, rgb }
    }
    fn at(&self, col: usize, row: usize) -> [u8; 3] {
        let i = (row * self.w + col) * 3;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }
    /// The bounding box (cols, rows) of pixels darker than light grey inside a window.
    fn ink(&self, cols: std::ops::Range<usize>, rows: std::ops::Range<usize>) -> Option<((usize, usize), (usize, usize))> {
        let mut found: Option<((usize, usize), (usize, usize))> = None;
        for r in rows {
            for c in cols.clone() {
                if self.at(c, r)[0] < 200 {
                    let ((c0, c1), (r0, r1)) = found.unwrap_or(((c, c), (r, r)));
                    found = Some(((c0.min(c), c1.max(c)), (r0.min(r), r1.max(r))));
                }
            }
        }
        found
    }
}

/// A colour `c` at opacity `a` over white, as Agg blends.
fn over_white(c: [u8; 3], a: f64) -> [u8; 3] {
    c.map(|v| (v as f64 * a + 255.0 * (1.0 - a)).round() as u8)
}

fn distance(a: [u8; 3], b: [u8; 3]) -> i32 {
    a.iter().zip(b).map(|(&x, y)| (x as i32 - y as i32).abs()).max().unwrap()
}

/// matplotlib's axes box is (80, 57.6)-(576, 427.2) and its spines are snapped to
/// pixel columns 80 and 576 and rows 58 and 427; the canvas is 640 x 480.
#[test]
fn the_axes_frame_is_where_matplotlib_draws_it() {
    let img = Image::render(&tutorial_figure());
    assert_eq!((img.w, img.h), (640, 480));
    // Rows between the y ticks (which are at rows 73, 115, 158, 200, 242, ...).
    for row in [95, 180, 260, 390] {
        assert_eq!(img.at(80, row), [0, 0, 0], "left spine at column 80, row {row}");
        assert_eq!(img.at(576, row), [0, 0, 0], "right spine at column 576, row {row}");
        // A 0.8 pt (1.11 px) rule covers its neighbours by 5%: matplotlib's 241.
        assert!((235..=245).contains(&img.at(79, row)[0]), "antialiased spine edge {:?}", img.at(79, row));
        assert_eq!(img.at(82, row)[0], 255, "nothing right of the spine at row {row}");
    }
    for col in [150, 300, 450] {
        assert_eq!(img.at(col, 427), [0, 0, 0], "bottom spine at row 427, column {col}");
        assert_eq!(img.at(col, 58), [0, 0, 0], "top spine at row 58, column {col}");
    }
    // Outside the frame the canvas is white but for ticks and labels.
    assert_eq!(img.at(300, 20), [255, 255, 255]);
    assert_eq!(img.at(620, 240), [255, 255, 255]);
}

/// The grid: `#b0b0b0` rules through the major ticks, snapped as matplotlib snaps
/// them (x = 0 at column 329, y = 0 at row 242).
#[test]
fn grid_lines_and_ticks_are_at_matplotlibs_pixels() {
    let img = Image::render(&tutorial_figure());
    assert_eq!(img.at(329, 300), [0xb0, 0xb0, 0xb0], "vertical grid line at x = 0");
    assert_eq!(img.at(150, 158), [0xb0, 0xb0, 0xb0], "horizontal grid line at y = 0.5");
    // The tick marks: 5 pixels out from the spine, the last one half covered (matplotlib's 127).
    for row in 428..432 {
        assert_eq!(img.at(329, row), [0, 0, 0], "x tick at x = 0, row {row}");
    }
    assert!((120..=135).contains(&img.at(329, 432)[0]), "x tick end {:?}", img.at(329, 432));
    assert_eq!(img.at(329, 434), [255, 255, 255], "nothing between the tick and its label");
    for col in 76..80 {
        assert_eq!(img.at(col, 242), [0, 0, 0], "y tick at y = 0, column {col}");
    }
}

/// Each curve passes, within a pixel, through the point matplotlib's transform
/// gives each data point, in its `tab10` colour at its alpha over white.
#[test]
fn curves_pass_through_their_data_in_their_colours() {
    let img = Image::render(&tutorial_figure());
    let (x, tanh, dtanh) = tutorial_data();
    // matplotlib's view: the data range plus 5% margins.
    let (x0, x1) = (-8.0 - 0.05 * (x[159] + 8.0), x[159] + 0.05 * (x[159] + 8.0));
    let (y0, y1) = (-1.1, 1.1);
    let col = |v: f64| 80.0 + (v - x0) / (x1 - x0) * 496.0;
    let row = |v: f64| 427.2 - (v - y0) / (y1 - y0) * 369.6;
    for (ys, colour, alpha) in [(&tanh, [0x1f, 0x77, 0xb4], 0.7), (&dtanh, [0xff, 0x7f, 0x0e], 0.5)] {
        // Where a curve runs along a grid line (y = 0 and y = ±1) it is blended over the grid's grey.
        let want = over_white(colour, alpha);
        let over_grid = colour.map(|v| (v as f64 * alpha + 176.0 * (1.0 - alpha)).round() as u8);
        let mut missed = Vec::new();
        for i in (0..160).step_by(7) {
            let (c, r) = (col(x[i]), row(ys[i]));
            // The legend covers the upper left corner; the curves cross near x = 0.6.
            if (c < 200.0 && r < 120.0) || (x[i] - 0.6).abs() < 0.5 {
                continue;
            }
            let (c, r) = (c.floor() as usize, r.floor() as usize);
            let near = (c - 1..=c + 1)
                .flat_map(|cc| (r - 1..=r + 1).map(move |rr| (cc, rr)))
                .map(|(cc, rr)| distance(img.at(cc, rr), want).min(distance(img.at(cc, rr), over_grid)))
                .min()
                .unwrap();
            if near > 8 {
                missed.push((x[i], ys[i], c, r, near));
            }
        }
        assert!(missed.is_empty(), "curve colour {want:?} not found near {missed:?}");
    }
}

/// Antialiasing: matplotlib's own PNG of this figure has 913 distinct colours inside
/// the axes (a renderer without antialiasing has a few dozen). Ours must be in the hundreds.
#[test]
fn the_figure_is_antialiased() {
    let img = Image::render(&tutorial_figure());
    let mut colours = HashSet::new();
    for r in 59..427 {
        for c in 81..576 {
            colours.insert(img.at(c, r));
        }
    }
    assert!((400..=2000).contains(&colours.len()), "{} distinct colours inside the axes", colours.len());
}

/// Tick labels sit where matplotlib's text layout puts them: "0" under x = 0 with
/// its ink in rows 437-447 and columns 325-332, "0.00" right-aligned at column 70
/// with its ink in rows 237-247 and columns 40-69 (matplotlib's PNG, to a pixel).
#[test]
fn tick_labels_are_where_matplotlib_puts_them() {
    let img = Image::render(&tutorial_figure());
    let ((c0, c1), (r0, r1)) = img.ink(318..340, 434..460).expect("the x = 0 label");
    assert!(c0.abs_diff(325) <= 1 && c1.abs_diff(332) <= 1, "x label columns {c0}-{c1}");
    assert!(r0.abs_diff(437) <= 1 && r1.abs_diff(447) <= 1, "x label rows {r0}-{r1}");
    let ((c0, c1), (r0, r1)) = img.ink(20..75, 235..252).expect("the y = 0.00 label");
    assert!(c0.abs_diff(40) <= 1 && c1.abs_diff(69) <= 1, "y label columns {c0}-{c1}");
    assert!(r0.abs_diff(237) <= 1 && r1.abs_diff(247) <= 1, "y label rows {r0}-{r1}");
    // "−8" uses the Unicode minus (0.84 em wide; a hyphen is 0.36 em): matplotlib's
    // ink spans columns 93-111; with a hyphen it would span about 12 columns.
    let ((c0, c1), _) = img.ink(85..120, 434..460).expect("the x = -8 label");
    assert!(c0.abs_diff(93) <= 1 && c1.abs_diff(111) <= 1, "−8 spans columns {c0}-{c1}");
}

/// The legend sits in the upper left (matplotlib's `best` here), its frame's top
/// edge 0.5 em below the axes top, in matplotlib's light grey.
#[test]
fn legend_is_in_the_upper_left() {
    let img = Image::render(&tutorial_figure());
    // The first handle: a 20 em long stroke in tanh's colour around row 75.
    let want = over_white([0x1f, 0x77, 0xb4], 0.7);
    let hit = (70..80).any(|r| distance(img.at(105, r), want) <= 8);
    assert!(hit, "no tanh legend handle at column 105");
    let frame_top = (60..70).find(|&r| img.at(150, r)[0] < 245).expect("legend frame top");
    assert!(frame_top.abs_diff(64) <= 1, "frame top at row {frame_top}");
}

/// The same figure renders to the same bytes every time.
#[test]
fn rendering_is_deterministic() {
    let a = Image::render(&tutorial_figure()).rgb;
    let b = Image::render(&tutorial_figure()).rgb;
    assert!(a == b, "two renders differ");
    let svg = tutorial_figure().render_svg().unwrap();
    assert_eq!(svg, tutorial_figure().render_svg().unwrap());
    assert!(svg.contains("<!-- \u{2212}8 -->"), "the SVG names the tick label with a Unicode minus");
}
