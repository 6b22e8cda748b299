//! Figures written by `savefig`: the tutorial's visualization cell as PNG and SVG,
//! and the failures that must come back as errors without leaving files behind.

use std::path::{Path, PathBuf};

use graphc_runtime::plot::Figure;

/// A fresh, empty directory for one test, under the target directory.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("plot-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The tutorial's figure: tanh and its derivative over arange(-8, 8, 0.1) in float32,
/// labelled with mathtext, alphas 0.7 and 0.5, with grid and legend.
fn tutorial_figure() -> Figure {
    let x: Vec<f64> = (0..160).map(|i| (-8.0f32 + 0.1f32 * i as f32) as f64).collect();
    let tanh: Vec<f64> = x.iter().map(|v| v.tanh()).collect();
    let dtanh: Vec<f64> = tanh.iter().map(|t| 1.0 - t * t).collect();
    let mut fig = Figure::new();
    fig.plot(&x, &tanh, Some(r"$\tanh(x)$"), 0.7);
    fig.plot(&x, &dtanh, Some(r"$\tanh'(x)$"), 0.5);
    fig.grid();
    fig.legend();
    fig
}

/// The files in `dir`, so tests can see that nothing (not even a temporary file) was left.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// The PNG is 640 x 480 (matplotlib's default 6.4 x 4.8 in at 100 dpi, read from the IHDR chunk), the
/// temporary file is gone, and the image is not blank: it holds white, the two
/// line colours and more (grid, text, blends).
#[test]
fn png_of_two_curves() {
    let dir = scratch("png");
    let path = dir.join("tanh_demo.png");
    tutorial_figure().savefig(&path).unwrap();
    assert_eq!(listing(&dir), vec!["tanh_demo.png".to_string()]);
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), (640, 480));
    // Compressed image data of a blank canvas is tiny; curves, grid and text are not.
    assert!(bytes.len() > 20_000, "PNG is suspiciously small ({} bytes)", bytes.len());
    // The same figure written as SVG lists its colours in plain text.
    let svg_path = dir.join("tanh_demo.svg");
    tutorial_figure().savefig(&svg_path).unwrap();
    let svg = std::fs::read_to_string(&svg_path).unwrap().to_ascii_uppercase();
    for colour in ["#1F77B4", "#FF7F0E", "#B0B0B0", "#FFFFFF", "#000000"] {
        assert!(svg.contains(colour), "figure lacks {colour}");
    }
}

/// The pixels the PNG is encoded from are not blank: besides white there are the
/// two line colours blended at their alphas (0.7 and 0.5 over white), the grid grey,
/// black text and spines, and many anti-aliased text shades.
#[test]
fn rendered_pixels_hold_the_figure() {
    let (w, h, rgb) = tutorial_figure().render_rgb().unwrap();
    assert_eq!((w, h, rgb.len()), (640, 480, 640 * 480 * 3));
    let pixels: std::collections::HashSet<[u8; 3]> = rgb.chunks(3).map(|p| [p[0], p[1], p[2]]).collect();
    assert!(pixels.len() > 20, "only {} distinct colours", pixels.len());
    let blend = |c: [u8; 3], a: f64| c.map(|v| (v as f64 * a + 255.0 * (1.0 - a)).round() as u8);
    let near = |want: [u8; 3]| pixels.iter().any(|p| p.iter().zip(want).all(|(&a, b)| (a as i32 - b as i32).abs() <= 2));
    for (name, colour) in [
        ("white background", [255, 255, 255]),
        ("black spines", [0, 0, 0]),
        ("grid grey", [0xb0, 0xb0, 0xb0]),
        ("tanh in #1f77b4 at alpha 0.7", blend([0x1f, 0x77, 0xb4], 0.7)),
        ("tanh' in #ff7f0e at alpha 0.5", blend([0xff, 0x7f, 0x0e], 0.5)),
    ] {
        assert!(near(colour), "no {name} pixel {colour:?}");
    }
    // Most of the canvas is background, as in matplotlib's figure.
    let white = rgb.chunks(3).filter(|p| p == &[255, 255, 255]).count();
    assert!(white > 640 * 480 / 2 && white < 640 * 480 * 98 / 100, "{white} white pixels");
}

/// The SVG has the canvas size and names both legend labels (text is drawn as
/// glyph outlines, each preceded by a comment with its text, as matplotlib's SVG
/// does), with the mathtext reduced to plain text.
#[test]
fn svg_contains_legend_labels() {
    let dir = scratch("svg");
    let path = dir.join("figure.SVG");
    let mut fig = tutorial_figure();
    fig.xlabel("x");
    fig.ylabel(r"$\sigma(x)$");
    fig.title("Tanh");
    fig.savefig(&path).unwrap();
    // The same labelled figure as PNG exercises rotated and title text in the rasterizer.
    fig.savefig(&dir.join("figure.png")).unwrap();
    assert_eq!(listing(&dir), vec!["figure.SVG".to_string(), "figure.png".to_string()]);
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(svg.contains(r#"width="640""#) && svg.contains(r#"height="480""#), "canvas size");
    assert!(svg.contains("tanh(x)"), "first legend label");
    assert!(svg.contains("tanh'(x)") || svg.contains("tanh&apos;(x)") || svg.contains("tanh&#39;(x)"), "second legend label");
    assert!(!svg.contains('$') && !svg.contains(r"\tanh"), "mathtext markup must not be shown");
    assert!(svg.contains("σ(x)") && svg.contains("Tanh"), "axis label and title");
}

/// A path in a directory that does not exist is an error naming the directory, and
/// nothing is created.
#[test]
fn missing_directory_is_an_error() {
    let dir = scratch("missing");
    let path = dir.join("no/such/dir/out.png");
    let err = tutorial_figure().savefig(&path).unwrap_err();
    assert!(err.message.contains("does not exist"), "{}", err.message);
    assert!(!path.exists());
    assert!(listing(&dir).is_empty());
}

/// An unwritable target (here a directory standing where the file should go) fails
/// with an error and leaves no temporary file behind.
#[test]
fn unwritable_target_leaves_nothing() {
    let dir = scratch("unwritable");
    let path = dir.join("taken.png");
    std::fs::create_dir(&path).unwrap();
    assert!(tutorial_figure().savefig(&path).is_err());
    assert_eq!(listing(&dir), vec!["taken.png".to_string()]);
    assert!(path.is_dir());
}

/// Only .png and .svg are written; anything else is refused before any file is made.
#[test]
fn unknown_extension_is_an_error() {
    let dir = scratch("ext");
    for name in ["figure.jpg", "figure", "figure.png.txt"] {
        let err = tutorial_figure().savefig(&dir.join(name)).unwrap_err();
        assert!(err.message.contains(".png") && err.message.contains(".svg"), "{}", err.message);
    }
    assert!(listing(&dir).is_empty());
}

/// An empty figure, and lines with nan or a single point, still render.
#[test]
fn degenerate_figures_render() {
    let dir = scratch("degenerate");
    Figure::new().savefig(&dir.join("empty.png")).unwrap();
    let mut fig = Figure::new();
    fig.plot(&[0.0, 1.0, 2.0, 3.0], &[1.0, f64::NAN, 2.0, 3.0], Some("gap"), 1.0);
    fig.plot(&[5.0], &[5.0], None, 1.0);
    fig.legend();
    fig.savefig(&dir.join("gap.png")).unwrap();
    assert_eq!(listing(&dir), vec!["empty.png".to_string(), "gap.png".to_string()]);
}
