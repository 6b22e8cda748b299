//! `Op::Conv` as ONNX's `Conv` and `ConvTranspose`. The weight gradient has
//! no operator of its own; it is the convolution of the input with the
//! result's gradient, batch and channels swapped, stride and dilation swapped,
//! cut to the kernel's size, one group at a time. `Op::AvgPool`'s forward is
//! ONNX's `AveragePool`, and `Op::Upsample`'s its `Resize`.

use graphc_runtime::op::{Conv, ConvPart};
use graphc_runtime::{DType, Tensor};

use super::emit::{int, ints, string, Emitter};
use super::ops::{Site, Unmapped};

fn pair(v: [usize; 2]) -> Vec<i64> {
    v.iter().map(|&d| d as i64).collect()
}

/// ONNX's `pads`: the starts of both axes, then their ends.
fn pads(p: [usize; 2]) -> Vec<i64> {
    [p[0], p[1], p[0], p[1]].iter().map(|&d| d as i64).collect()
}

/// The attributes `Conv` and `ConvTranspose` share.
fn geometry(c: &Conv) -> Vec<super::proto::AttributeProto> {
    vec![ints("strides", &pair(c.stride)), ints("pads", &pads(c.padding)), ints("dilations", &pair(c.dilation)), int("group", c.groups as i64)]
}

/// One node of the family.
pub fn conv(em: &mut Emitter, site: &Site, c: &Conv) -> Result<String, Unmapped> {
    let (x, w) = (site.arg(em, 0), site.arg(em, 1));
    let mut inputs = vec![x, w];
    match c.part {
        ConvPart::Forward { bias } => {
            if bias {
                inputs.push(site.arg(em, 2));
            }
            let refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
            let attrs = vec![
                ints("strides", &pair(c.stride)),
                ints("pads", &pads(c.padding)),
                ints("dilations", &pair(c.dilation)),
                int("group", c.groups as i64),
            ];
            Ok(em.node("Conv", &refs, attrs))
        }
        ConvPart::Transposed { bias } => {
            if bias {
                inputs.push(site.arg(em, 2));
            }
            // The rows and columns beyond the smallest size whose convolution
            // gives the input (PyTorch's `output_padding`).
            let (kernel, input) = (&site.args[1].shape, &site.args[0].shape);
            let mut extra = [0i64; 2];
            for axis in 0..2 {
                let least = c.transposed_size(axis, input[2 + axis], kernel[2 + axis], 0).ok_or(Unmapped)?;
                extra[axis] = site.shape[2 + axis] as i64 - least as i64;
            }
            let refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
            let mut attrs = geometry(c);
            attrs.push(ints("output_padding", &extra));
            Ok(em.node("ConvTranspose", &refs, attrs))
        }
        ConvPart::WeightGrad => {
            let (grad, x) = (&inputs[0], &inputs[1]);
            let (og, cg) = (site.args[0].shape[1] / c.groups, site.args[1].shape[1] / c.groups);
            let channels = |em: &mut Emitter, t: &str, per: usize, g: usize| {
                if c.groups == 1 {
                    return t.to_string();
                }
                let (starts, ends, axes) = (em.ints(&[(g * per) as i64]), em.ints(&[((g + 1) * per) as i64]), em.ints(&[1]));
                em.node("Slice", &[t, &starts, &ends, &axes], vec![])
            };
            let swap = vec![ints("perm", &[1, 0, 2, 3])];
            let mut parts = Vec::with_capacity(c.groups);
            for g in 0..c.groups {
                let (xg, gg) = (channels(em, x, cg, g), channels(em, grad, og, g));
                let xt = em.node("Transpose", &[&xg], swap.clone());
                let gt = em.node("Transpose", &[&gg], swap.clone());
                let attrs =
                    vec![ints("strides", &pair(c.dilation)), ints("pads", &pads(c.padding)), ints("dilations", &pair(c.stride)), int("group", 1)];
                let full = em.node("Conv", &[&xt, &gt], attrs);
                let (starts, ends, axes) = (em.ints(&[0, 0]), em.ints(&[site.shape[2] as i64, site.shape[3] as i64]), em.ints(&[2, 3]));
                let cut = em.node("Slice", &[&full, &starts, &ends, &axes], vec![]);
                parts.push(em.node("Transpose", &[&cut], swap.clone()));
            }
            if parts.len() == 1 {
                return Ok(parts.swap_remove(0));
            }
            let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
            Ok(em.node("Concat", &refs, vec![int("axis", 0)]))
        }
    }
}

/// Average pooling's forward as ONNX's `AveragePool` (fixed windows, no
/// divisor override) or, for adaptive windows that tile the input evenly, an
/// `AveragePool` whose kernel is the tile; other adaptive windows, the
/// divisor override and the gradient are not mapped.
pub fn avg_pool(em: &mut Emitter, site: &Site, p: &graphc_runtime::op::AvgPool) -> Result<String, Unmapped> {
    use graphc_runtime::op::{AvgPoolPart, PoolWindows};
    if p.part != AvgPoolPart::Forward {
        return Err(Unmapped);
    }
    let x = site.arg(em, 0);
    let (input, output) = (&site.args[0].shape, site.shape);
    let attrs = match p.windows {
        PoolWindows::Fixed { kernel, stride, padding, count_include_pad, divisor: None } => {
            let ceil = (0..2)
                .any(|a| graphc_runtime::op::AvgPool::output_size(kernel[a], stride[a], padding[a], input[2 + a], false) != Some(output[2 + a]));
            vec![
                ints("kernel_shape", &pair(kernel)),
                ints("strides", &pair(stride)),
                ints("pads", &pads(padding)),
                int("count_include_pad", count_include_pad as i64),
                int("ceil_mode", ceil as i64),
            ]
        }
        PoolWindows::Adaptive if (0..2).all(|a| output[2 + a] > 0 && input[2 + a] % output[2 + a] == 0) => {
            let tile = [input[2] / output[2], input[3] / output[3]];
            vec![ints("kernel_shape", &pair(tile)), ints("strides", &pair(tile))]
        }
        PoolWindows::Fixed { .. } | PoolWindows::Adaptive => return Err(Unmapped),
    };
    Ok(em.node("AveragePool", &[&x], attrs))
}

/// Linear interpolation's forward as ONNX's `Resize` (mode "linear"): aligned
/// corners as "align_corners", else "half_pixel", whose source positions are
/// ATen's (both clamp a position before the first pixel to it). Scale factors
/// the user gave go in as `scales`, since ATen then moves by their inverses
/// rather than by input / output; otherwise the output's `sizes`. The
/// gradient, which ONNX has no operator for, is a product with each spatial
/// axis's interpolation matrix, transposed (`MatMul` over the last axis,
/// the axis moved there and back by `Transpose`), and so is an f64 forward
/// (with the matrix itself), since ONNX Runtime has no f64 `Resize`.
pub fn upsample(em: &mut Emitter, site: &Site, u: &graphc_runtime::op::Upsample) -> Result<String, Unmapped> {
    let x = site.arg(em, 0);
    let backward = u.part == graphc_runtime::op::UpsamplePart::Backward;
    // ONNX Runtime has no f64 `Resize`: an f64 forward is the products too.
    if backward || site.dtype == DType::F64 {
        let (output, input) =
            if backward { (site.args[0].shape.clone(), site.shape.to_vec()) } else { (site.shape.to_vec(), site.args[0].shape.clone()) };
        let rank = input.len();
        let mut g = x;
        for d in 0..u.spatial {
            let axis = 2 + d;
            // (output, input) as the product's right operand maps a row of
            // output gradients to the input's; its transpose maps a row of
            // the input to the output's.
            let m = graphc_runtime::kernels::upsample::axis_matrix(u, d, input[axis], output[axis]);
            let (rows, cols, m) = if backward {
                (output[axis], input[axis], m)
            } else {
                let t = (0..input[axis] * output[axis]).map(|k| m[(k % output[axis]) * input[axis] + k / output[axis]]).collect();
                (input[axis], output[axis], t)
            };
            let m = em.tensor(&Tensor::from_f64_values(site.dtype, vec![rows, cols], m));
            let mut perm: Vec<i64> = (0..rank as i64).collect();
            perm.swap(axis, rank - 1);
            let moved = if axis == rank - 1 { g } else { em.node("Transpose", &[&g], vec![ints("perm", &perm)]) };
            let product = em.node("MatMul", &[&moved, &m], vec![]);
            g = if axis == rank - 1 { product } else { em.node("Transpose", &[&product], vec![ints("perm", &perm)]) };
        }
        return Ok(g);
    }
    let placement = if u.align_corners { "align_corners" } else { "half_pixel" };
    let attrs = vec![string("mode", "linear"), string("coordinate_transformation_mode", placement)];
    let factors: Option<Vec<f64>> = u.scales[..u.spatial].iter().map(|f| f.map(|f| f.get())).collect();
    match factors {
        Some(factors) if !u.align_corners => {
            let all: Vec<f64> = [1.0, 1.0].into_iter().chain(factors).collect();
            let scales = em.tensor(&Tensor::from_f64_values(DType::F32, vec![all.len()], all));
            Ok(em.node("Resize", &[&x, "", &scales], attrs))
        }
        _ => {
            let sizes: Vec<i64> = site.shape.iter().map(|&d| d as i64).collect();
            let sizes = em.ints(&sizes);
            Ok(em.node("Resize", &[&x, "", "", &sizes], attrs))
        }
    }
}

/// `grid_sample`'s forward: ONNX's `GridSample` (opset 16) with the same modes.
/// Its gradients have no ONNX operator.
pub fn grid_sample(em: &mut Emitter, site: &Site, g: &graphc_runtime::op::GridSample) -> Result<String, Unmapped> {
    if g.part != graphc_runtime::op::GridSamplePart::Forward {
        return Err(Unmapped);
    }
    let (x, grid) = (site.arg(em, 0), site.arg(em, 1));
    let attrs = vec![int("align_corners", i64::from(g.align_corners)), string("mode", g.mode.name()), string("padding_mode", g.padding.name())];
    Ok(em.node("GridSample", &[&x, &grid], attrs))
}
