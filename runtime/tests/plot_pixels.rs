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

/// The tutorial's figure with its `rcParams` (`figure.figsize` (7, 3.5),
/// `figure.dpi` 150, `axes.unicode_minus` False), as `examples/tanh_demo.act` sets
/// them with `rc`. The numbers below were read from matplotlib 3.11's PNG of the
/// same plot (`tests/programs/figures/tanh_demo.py`) and its artists' extents.
fn tutorial_figure_150dpi() -> Figure {
    let mut fig = Figure::new();
    fig.set_figsize(7.0, 3.5);
    fig.set_dpi(150.0);
    fig.set_unicode_minus(false);
    let (x, tanh, dtanh) = tutorial_data();
    fig.plot(&x, &tanh, Some(r"$\tanh(x)$"), 0.7);
    fig.plot(&x, &dtanh, Some(r"$\tanh'(x)$"), 0.5);
    fig.grid();
    fig.legend();
    fig
}

/// At 150 dpi the canvas is 1050 x 525 and a 0.8 pt rule is 1.67 pixels wide:
/// matplotlib snaps each spine to a pixel edge, so it covers two columns (or rows)
/// at 83% (value 42): columns 130-131 and 944-945, rows 62-63 and 466-467.
#[test]
fn at_150_dpi_the_frame_is_where_matplotlib_draws_it() {
    let img = Image::render(&tutorial_figure_150dpi());
    assert_eq!((img.w, img.h), (1050, 525));
    for row in [100, 200, 300, 400] {
        for col in [130, 131, 944, 945] {
            assert!(img.at(col, row)[0].abs_diff(42) <= 8, "spine at column {col}, row {row}: {:?}", img.at(col, row));
        }
        assert_eq!(img.at(128, row)[0], 255, "nothing left of the left spine at row {row}");
        assert_eq!(img.at(947, row)[0], 255, "nothing right of the right spine at row {row}");
    }
    for col in [200, 400, 800] {
        for row in [62, 63, 466, 467] {
            assert!(img.at(col, row)[0].abs_diff(42) <= 8, "spine at row {row}, column {col}: {:?}", img.at(col, row));
        }
    }
}

/// The grid line at x = 0 covers columns 539-540 (matplotlib's 189 each), its tick
/// rows 468-473 below the spine; the tick at y = 0 covers columns 124-129.
#[test]
fn at_150_dpi_grid_and_ticks_are_at_matplotlibs_pixels() {
    let img = Image::render(&tutorial_figure_150dpi());
    for col in [539, 540] {
        assert!(img.at(col, 100)[0].abs_diff(189) <= 8, "grid at x = 0, column {col}: {:?}", img.at(col, 100));
        for row in 468..474 {
            assert!(img.at(col, row)[0].abs_diff(42) <= 8, "x tick at column {col}, row {row}: {:?}", img.at(col, row));
        }
        assert_eq!(img.at(col, 475)[0], 255, "nothing below the x tick");
    }
    for col in 124..130 {
        assert!(img.at(col, 264)[0].abs_diff(42) <= 8 && img.at(col, 265)[0].abs_diff(42) <= 8, "y tick at y = 0, column {col}");
    }
    assert_eq!(img.at(122, 264)[0], 255, "nothing left of the y tick");
}

/// Tick labels at 15 pixels per em, with a hyphen for minus: matplotlib's ink of
/// "0" under x = 0 is columns 535-545, rows 482-497; of "-8" columns 158-177 (a
/// U+2212 minus would be 5 columns wider); of "0.00" columns 72-115, rows 258-272;
/// of "-1.00" columns 63-115.
#[test]
fn at_150_dpi_tick_labels_are_where_matplotlib_puts_them() {
    let img = Image::render(&tutorial_figure_150dpi());
    let near = |got: (usize, usize), want: (usize, usize)| got.0.abs_diff(want.0) <= 1 && got.1.abs_diff(want.1) <= 1;
    let (cols, rows) = img.ink(528..552, 476..505).expect("the x = 0 label");
    assert!(near(cols, (535, 545)) && near(rows, (482, 497)), "x 0 label at {cols:?} {rows:?}");
    let (cols, _) = img.ink(150..185, 476..505).expect("the x = -8 label");
    assert!(near(cols, (158, 177)), "x -8 label at {cols:?}");
    let (cols, rows) = img.ink(60..121, 252..278).expect("the y = 0.00 label");
    assert!(near(cols, (72, 115)) && near(rows, (258, 272)), "y 0.00 label at {cols:?} {rows:?}");
    let (cols, _) = img.ink(50..121, 438..460).expect("the y = -1.00 label");
    assert!(near(cols, (63, 115)), "y -1.00 label at {cols:?}");
}

/// Antialiasing at 150 dpi: matplotlib's PNG has 719 distinct colours inside the
/// axes (rows 64-465, columns 133-943).
#[test]
fn at_150_dpi_the_figure_is_antialiased() {
    let img = Image::render(&tutorial_figure_150dpi());
    let mut colours = HashSet::new();
    for r in 64..466 {
        for c in 133..944 {
            colours.insert(img.at(c, r));
        }
    }
    assert!((350..=1500).contains(&colours.len()), "{} distinct colours inside the axes", colours.len());
}

/// The curves pass through their data at 150 dpi as at 100: the axes box is
/// (131.25, 63) to (945, 467.25) in matplotlib's transform.
#[test]
fn at_150_dpi_curves_pass_through_their_data() {
    let img = Image::render(&tutorial_figure_150dpi());
    let (x, tanh, _) = tutorial_data();
    let (x0, x1) = (-8.0 - 0.05 * (x[159] + 8.0), x[159] + 0.05 * (x[159] + 8.0));
    let col = |v: f64| 131.25 + (v - x0) / (x1 - x0) * (945.0 - 131.25);
    let row = |v: f64| 467.25 - (v + 1.1) / 2.2 * (467.25 - 63.0);
    let want = over_white([0x1f, 0x77, 0xb4], 0.7);
    // Where the curve runs along a grid line it is blended over the grid's grey.
    let over_grid = [0x1f, 0x77, 0xb4].map(|v: u8| (v as f64 * 0.7 + 176.0 * 0.3).round() as u8);
    for i in (100..160).step_by(9) {
        let (c, r) = (col(x[i]).floor() as usize, row(tanh[i]).floor() as usize);
        let best = (c - 1..=c + 1)
            .flat_map(|cc| (r - 1..=r + 1).map(move |rr| (cc, rr)))
            .map(|(cc, rr)| distance(img.at(cc, rr), want).min(distance(img.at(cc, rr), over_grid)))
            .min()
            .unwrap();
        assert!(best <= 8, "tanh's colour not found near ({c}, {r}) for x = {}", x[i]);
    }
}

/// The legend's tanh handle is at rows 89-91 (column 170) and its frame's top edge
/// at rows 72-73, 0.5 em below the axes top, as matplotlib draws them at 150 dpi.
#[test]
fn at_150_dpi_the_legend_is_where_matplotlib_puts_it() {
    let img = Image::render(&tutorial_figure_150dpi());
    let want = over_white([0x1f, 0x77, 0xb4], 0.7);
    let handle: Vec<usize> = (80..100).filter(|&r| distance(img.at(170, r), want) <= 8).collect();
    assert!(!handle.is_empty() && handle[0].abs_diff(89) <= 1, "tanh legend handle rows {handle:?}");
    let frame_top = (65..80).find(|&r| img.at(250, r)[0] < 245).expect("legend frame top");
    assert!(frame_top.abs_diff(72) <= 1, "frame top at row {frame_top}");
}
