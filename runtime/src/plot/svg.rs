//! The scene as SVG. Text is written as glyph outlines, as matplotlib's own SVG
//! output does by default (`svg.fonttype: path`), so the file looks the same on
//! machines without DejaVu Sans. Numbers are printed with two decimals, which
//! keeps the output deterministic and small.

use std::fmt::Write;

use super::scene::{Cap, Paint, Scene, Seg};

pub(super) fn render(scene: &Scene) -> String {
    let mut out = String::new();
    let (w, h) = (scene.width, scene.height);
    let _ = writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(out, r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">"#);
    let (l, t, r, b) = scene.clip;
    let _ =
        writeln!(out, r#"<defs><clipPath id="axes"><rect x="{}" y="{}" width="{}" height="{}"/></clipPath></defs>"#, n(l), n(t), n(r - l), n(b - t));
    let _ = writeln!(out, r##"<rect width="{w}" height="{h}" fill="#ffffff"/>"##);
    for item in &scene.items {
        let c = item.color;
        let paint = match item.paint {
            Paint::Fill => format!(r#"fill="{}""#, c.hex()) + &opacity("fill-opacity", c.a),
            Paint::Stroke { width, cap } => {
                let cap = match cap {
                    Cap::Butt => "butt",
                    Cap::Square => "square",
                };
                format!(r#"fill="none" stroke="{}" stroke-width="{}" stroke-linecap="{cap}" stroke-linejoin="round""#, c.hex(), n(width))
                    + &opacity("stroke-opacity", c.a)
            }
        };
        if let Some(text) = &item.text {
            // A comment may not contain `--`; the text is a label, so a dash pair is rare.
            let _ = writeln!(out, "<!-- {} -->", text.replace("--", "- -"));
        }
        let clip = if item.clipped { r#" clip-path="url(#axes)""# } else { "" };
        let _ = writeln!(out, r#"<path d="{}" {paint}{clip}/>"#, path_data(&item.path));
    }
    out.push_str("</svg>\n");
    out
}

fn opacity(attr: &str, a: f32) -> String {
    if a < 1.0 {
        format!(r#" {attr}="{}""#, n(a))
    } else {
        String::new()
    }
}

fn path_data(segs: &[Seg]) -> String {
    let mut d = String::new();
    for &s in segs {
        let _ = match s {
            Seg::Move(x, y) => write!(d, "M{} {}", n(x), n(y)),
            Seg::Line(x, y) => write!(d, "L{} {}", n(x), n(y)),
            Seg::Quad(a, b, x, y) => write!(d, "Q{} {} {} {}", n(a), n(b), n(x), n(y)),
            Seg::Cubic(a, b, c, e, x, y) => write!(d, "C{} {} {} {} {} {}", n(a), n(b), n(c), n(e), n(x), n(y)),
            Seg::Close => write!(d, "Z"),
        };
    }
    d
}

/// A coordinate with at most two decimals and no trailing zeros.
fn n(v: f32) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}
