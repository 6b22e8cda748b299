//! The scene rasterized by tiny-skia, antialiased as matplotlib's Agg renderer
//! antialiases: Agg computes each pixel's exact covered area (256 levels), while
//! tiny-skia's coverage has 4 x 4 subsamples (a 1.1 pixel rule's 5% bleed into its
//! neighbours would vanish). Drawing at 4 times the size and averaging each 4 x 4
//! block gives 256 levels as well, blended in sRGB as Agg blends.

use tiny_skia::{FillRule, LineCap, LineJoin, Mask, Paint, PathBuilder, Pixmap, Stroke, Transform};

use super::scene::{Cap, Item, Paint as How, Scene, Seg};

/// How many times larger than the figure the scene is drawn before averaging.
const SCALE: u32 = 4;

/// The scene's pixels, opaque (the figure's background is white).
pub(super) fn render(scene: &Scene) -> Option<Pixmap> {
    let (w, h) = (scene.width * SCALE, scene.height * SCALE);
    let mut big = Pixmap::new(w, h)?;
    big.fill(tiny_skia::Color::WHITE);
    let at = Transform::from_scale(SCALE as f32, SCALE as f32);
    let (l, t, r, b) = scene.clip;
    // matplotlib clips data to the axes box with a hard (not antialiased) edge.
    let mut clip = Mask::new(w, h)?;
    if let Some(rect) = tiny_skia::Rect::from_ltrb(l, t, r, b).map(PathBuilder::from_rect) {
        clip.fill_path(&rect, FillRule::Winding, false, at);
    }
    for item in &scene.items {
        draw(&mut big, item, if item.clipped { Some(&clip) } else { None }, at);
    }
    downsample(&big, scene.width, scene.height)
}

/// Each output pixel is the rounded mean of its `SCALE` x `SCALE` block. Rows are
/// summed whole, a slice at a time, which keeps unoptimized (test) builds fast.
fn downsample(big: &Pixmap, width: u32, height: u32) -> Option<Pixmap> {
    let mut out = Pixmap::new(width, height)?;
    let s = SCALE as usize;
    let (src, stride, n) = (big.data(), width as usize * s * 4, SCALE * SCALE);
    let mut acc = vec![0u32; width as usize * 4];
    for (oy, dst) in out.data_mut().chunks_exact_mut(width as usize * 4).enumerate() {
        acc.fill(0);
        for row in src[oy * s * stride..(oy + 1) * s * stride].chunks_exact(stride) {
            for (a, block) in acc.chunks_exact_mut(4).zip(row.chunks_exact(4 * s)) {
                for px in block.chunks_exact(4) {
                    a[0] += px[0] as u32;
                    a[1] += px[1] as u32;
                    a[2] += px[2] as u32;
                    a[3] += px[3] as u32;
                }
            }
        }
        for (d, &a) in dst.iter_mut().zip(&acc) {
            *d = ((a + n / 2) / n) as u8;
        }
    }
    Some(out)
}

fn draw(pixmap: &mut Pixmap, item: &Item, mask: Option<&Mask>, at: Transform) {
    let Some(path) = build(&item.path) else { return };
    let mut paint = Paint { anti_alias: true, ..Paint::default() };
    let c = item.color;
    match tiny_skia::Color::from_rgba(c.r as f32 / 255.0, c.g as f32 / 255.0, c.b as f32 / 255.0, c.a) {
        Some(color) => paint.set_color(color),
        None => return,
    }
    match item.paint {
        How::Fill => pixmap.fill_path(&path, &paint, FillRule::Winding, at, mask),
        How::Stroke { width, cap } => {
            let line_cap = match cap {
                Cap::Butt => LineCap::Butt,
                Cap::Square => LineCap::Square,
            };
            let stroke = Stroke { width, line_cap, line_join: LineJoin::Round, ..Stroke::default() };
            pixmap.stroke_path(&path, &paint, &stroke, at, mask);
        }
    }
}

fn build(segs: &[Seg]) -> Option<tiny_skia::Path> {
    let mut pb = PathBuilder::new();
    for &s in segs {
        match s {
            Seg::Move(x, y) => pb.move_to(x, y),
            Seg::Line(x, y) => pb.line_to(x, y),
            Seg::Quad(a, b, x, y) => pb.quad_to(a, b, x, y),
            Seg::Cubic(a, b, c, d, x, y) => pb.cubic_to(a, b, c, d, x, y),
            Seg::Close => pb.close(),
        }
    }
    pb.finish()
}
