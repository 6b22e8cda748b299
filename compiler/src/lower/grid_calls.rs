//! Lowering of the spatial transformer's two calls:
//!
//! - `grid_sample(input, grid, mode="bilinear", padding_mode="zeros",
//!   align_corners=none)` (`F.grid_sample`) of a 4-D input: one
//!   `Op::GridSample` node, whose kernel computes as ATen's does, and whose
//!   gradients are the family's other two members.
//! - `affine_grid(theta, size, align_corners=none)` (`F.affine_grid`) for a
//!   4-D size: ATen's base grid (`linspace(-1, 1, n)`, scaled by
//!   `(n - 1) / n` without `align_corners`) times each `theta`, which rounds as
//!   `x * t0 + y * t1 + t2` in PyTorch (measured for f32: every element of
//!   grids up to 28x28), with PyTorch's gradient, `base^T @ grad` as one
//!   batched product (`affine_grid_generator_backward`).
//!
//! `align_corners=none` is PyTorch's default and means false (PyTorch warns
//! that the default changed in 1.3.0; graphc does not repeat the warning).

use graphc_runtime::op::{Binary, GridMode, GridPadding, GridSample, GridSamplePart};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// `align_corners` of both calls: a bool, or none for false.
    fn align_corners_arg(&mut self, arg: Option<(Value, Span)>) -> Option<bool> {
        match arg {
            None | Some((Value::None, _)) => Some(false),
            Some((Value::Bool(b), _)) => Some(b),
            Some((Value::Poison, _)) => None,
            Some((other, s)) => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("`align_corners` must be a bool, not {}", other.describe()), s, "not a bool")
                        .with_help("write align_corners=true or align_corners=false"),
                );
                None
            }
        }
    }

    /// `grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=none)`.
    pub(super) fn grid_sample_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional.get(i).cloned().flatten();
        let (v, vs) = arg(0).expect("bind guarantees input");
        let Some(x) = self.expect_float_tensor(v, vs, "`grid_sample`'s input") else { return Value::Poison };
        let (v, gs) = arg(1).expect("bind guarantees grid");
        let Some(grid) = self.expect_float_tensor(v, gs, "`grid_sample`'s grid") else { return Value::Poison };
        let mode = match arg(2) {
            None => GridMode::Bilinear,
            Some((Value::Str(m), _)) if m == "bilinear" => GridMode::Bilinear,
            Some((Value::Str(m), _)) if m == "nearest" => GridMode::Nearest,
            Some((Value::Str(m), ms)) if m == "bicubic" => {
                return self.error(
                    Diagnostic::new(Code::E0107, "`grid_sample`'s mode \"bicubic\" is not supported", ms, "not supported")
                        .with_help("use mode=\"bilinear\" (the default) or \"nearest\", which graphc computes as PyTorch does"),
                )
            }
            Some((Value::Str(m), ms)) => {
                return self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!("nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: '{m}'"),
                        ms,
                        "not a mode",
                    )
                    .with_help("write mode=\"bilinear\" or mode=\"nearest\""),
                )
            }
            Some((Value::Poison, _)) => return Value::Poison,
            Some((other, ms)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`mode` must be a string, not {}", other.describe()), ms, "not a string")
                        .with_help("write mode=\"bilinear\" or mode=\"nearest\""),
                )
            }
        };
        let padding = match arg(3) {
            None => GridPadding::Zeros,
            Some((Value::Str(p), ps)) => match p.as_str() {
                "zeros" => GridPadding::Zeros,
                "border" => GridPadding::Border,
                "reflection" => GridPadding::Reflection,
                _ => {
                    return self.error(
                        Diagnostic::new(
                            Code::E0107,
                            format!("nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or 'reflection', but got: '{p}'"),
                            ps,
                            "not a padding mode",
                        )
                        .with_help("write padding_mode=\"zeros\", \"border\" or \"reflection\""),
                    )
                }
            },
            Some((Value::Poison, _)) => return Value::Poison,
            Some((other, ps)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`padding_mode` must be a string, not {}", other.describe()), ps, "not a string")
                        .with_help("write padding_mode=\"zeros\", \"border\" or \"reflection\""),
                )
            }
        };
        let Some(align_corners) = self.align_corners_arg(arg(4)) else { return Value::Poison };
        let (xsh, gsh) = (self.shape_of(x), self.shape_of(grid));
        let (xdt, gdt) = (self.dtype_of(x), self.dtype_of(grid));
        if xdt != gdt {
            return self.error(
                Diagnostic::new(
                    Code::E0201,
                    format!("grid_sampler(): expected input and grid to have same dtype, but input has {xdt} and grid has {gdt}"),
                    gs,
                    format!("this is {gdt}"),
                )
                .with_secondary(vs, format!("this is {xdt}"))
                .with_help(format!("convert one of them, as in `grid.to({xdt})`")),
            );
        }
        let sizes = |s: &[usize]| format!("{s:?}");
        if xsh.len() == 5 && gsh.len() == 5 {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    "`grid_sample` of a 5-D input (volumes) is not supported",
                    vs,
                    format!("of shape {}", shapes::show(&xsh)),
                )
                .with_help("graphc samples 4-D inputs (N, C, H, W) at grids (N, H_out, W_out, 2)"),
            );
        }
        if xsh.len() != 4 || gsh.len() != 4 {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!(
                        "grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, but got input with sizes {} and grid with sizes {}",
                        sizes(&xsh),
                        sizes(&gsh)
                    ),
                    if xsh.len() != 4 { vs } else { gs },
                    format!("of shape {}", shapes::show(if xsh.len() != 4 { &xsh } else { &gsh })),
                )
                .with_help("pass an input (N, C, H, W) and a grid (N, H_out, W_out, 2)"),
            );
        }
        if gsh[3] != 2 {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("grid_sampler(): expected grid to have size 2 in last dimension, but got grid with sizes {}", sizes(&gsh)),
                    gs,
                    format!("of shape {}", shapes::show(&gsh)),
                )
                .with_help("the grid's last dimension holds each position's (x, y)"),
            );
        }
        if gsh[0] != xsh[0] {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!(
                        "grid_sampler(): expected grid and input to have same batch size, but got input with sizes {} and grid with sizes {}",
                        sizes(&xsh),
                        sizes(&gsh)
                    ),
                    gs,
                    format!("a batch of {}", gsh[0]),
                )
                .with_secondary(vs, format!("a batch of {}", xsh[0]))
                .with_help("give one grid per image"),
            );
        }
        if let Some(d) = (2..4).find(|&d| xsh[d] == 0) {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!(
                        "grid_sampler(): expected input to have non-empty spatial dimensions, but input has sizes {} with dimension {d} being empty",
                        sizes(&xsh)
                    ),
                    vs,
                    format!("of shape {}", shapes::show(&xsh)),
                )
                .with_help("sample an image with at least one pixel"),
            );
        }
        let op = GridSample { mode, padding, align_corners, part: GridSamplePart::Forward };
        let shape = vec![xsh[0], xsh[1], gsh[1], gsh[2]];
        Value::Tensor(self.op_node(Op::GridSample(op), xdt, shape, &[x, grid], span, op.grad_fn()))
    }

    /// `affine_grid(theta, size, align_corners=none)`.
    pub(super) fn affine_grid_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional.get(i).cloned().flatten();
        let (v, ts) = arg(0).expect("bind guarantees theta");
        let theta = match v {
            Value::Tensor(t) if !self.dtype_of(t).is_float() => {
                let dt = self.dtype_of(t);
                return self.error(
                    Diagnostic::new(
                        Code::E0204,
                        format!("Expected theta to have floating point type, but got {}", dt.torch_name()),
                        ts,
                        format!("this is {dt}"),
                    )
                    .with_help("convert theta first, as in `theta.float()`"),
                );
            }
            v => match self.expect_tensor(v, ts, "`affine_grid`'s theta") {
                Some(t) => t,
                None => return Value::Poison,
            },
        };
        let (v, ss) = arg(1).expect("bind guarantees size");
        let items: Vec<(Value, Span)> = match v {
            Value::Tuple(items) | Value::List(items) => items,
            Value::Size(ds) => ds.into_iter().map(|d| (Value::Number(Num::Int(d as i128)), ss)).collect(),
            Value::Poison => return Value::Poison,
            other => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`affine_grid`'s size must be a list of ints, not {}", other.describe()), ss, "not a size")
                        .with_help("give the output's (N, C, H, W), as in `affine_grid(theta, x.size())`"),
                )
            }
        };
        let mut size: Vec<i128> = Vec::with_capacity(items.len());
        for (v, s) in items {
            match v {
                Value::Number(Num::Int(d)) => size.push(d),
                Value::Poison => return Value::Poison,
                other => {
                    return self.error(
                        Diagnostic::new(Code::E0107, format!("a size must be an int, not {}", other.describe()), s, "not an int")
                            .with_help("give the output's (N, C, H, W) as ints"),
                    )
                }
            }
        }
        if size.iter().any(|&d| d <= 0) {
            return self.error(
                Diagnostic::new(Code::E0107, format!("Expected non-zero, positive output size. Got {size:?}"), ss, "not positive")
                    .with_help("give positive sizes"),
            );
        }
        if size.iter().any(|&d| d > 1 << 24) {
            return self.error(
                Diagnostic::new(Code::E0107, format!("the size {size:?} is too large for a grid"), ss, "too large")
                    .with_help("give sizes below 2^24"),
            );
        }
        let size: Vec<usize> = size.into_iter().map(|d| d as usize).collect();
        let Some(align_corners) = self.align_corners_arg(arg(2)) else { return Value::Poison };
        let tsh = self.shape_of(theta);
        if size.len() == 5 {
            return self.error(
                Diagnostic::new(Code::E0202, "`affine_grid` for a 5-D size (volumes) is not supported", ss, "5 sizes")
                    .with_help("graphc makes 2-D grids: give theta (N, 2, 3) and size (N, C, H, W)"),
            );
        }
        if size.len() != 4 {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, respectively. Got size {size:?}."),
                    ss,
                    format!("{} sizes", size.len()),
                )
                .with_help("give the output's (N, C, H, W)"),
            );
        }
        if tsh.len() != 3 || tsh[1] != 2 || tsh[2] != 3 || tsh[0] != size[0] {
            let msg = if tsh.len() != 3 || tsh[1] != 2 || tsh[2] != 3 {
                format!("Expected a batch of 2D affine matrices of shape Nx2x3 for size {size:?}. Got {}.", shapes::show(&tsh))
            } else {
                format!("affine_grid: theta is a batch of {} matrices, but size asks for a batch of {}", tsh[0], size[0])
            };
            return self.error(
                Diagnostic::new(Code::E0202, msg, ts, format!("of shape {}", shapes::show(&tsh)))
                    .with_help("give one 2x3 matrix per image: theta (N, 2, 3)"),
            );
        }
        let (n, h, w) = (size[0], size[2], size[3]);
        let dt = self.dtype_of(theta);
        let out_shape = vec![n, h, w, 2];
        // PyTorch's sum `x * t0 + y * t1 + 1 * t2`, each term broadcast.
        let xs = self.base_axis(w, align_corners, dt, vec![1, 1, w, 1], span);
        let ys = self.base_axis(h, align_corners, dt, vec![1, h, 1, 1], span);
        let column = |l: &mut Self, k: usize| {
            let c = l.node(Op::Slice { dim: 2, start: k, step: 1 }, dt, vec![n, 2, 1], &[theta], span);
            l.node(Op::Reshape, dt, vec![n, 1, 1, 2], &[c], span)
        };
        let (t0, t1, t2) = (column(self, 0), column(self, 1), column(self, 2));
        let xt = self.node(Op::Binary(Binary::Mul), dt, vec![n, 1, w, 2], &[xs, t0], span);
        let yt = self.node(Op::Binary(Binary::Mul), dt, vec![n, h, 1, 2], &[ys, t1], span);
        let sum = self.node(Op::Binary(Binary::Add), dt, out_shape.clone(), &[xt, yt], span);
        let out = self.node(Op::Binary(Binary::Add), dt, out_shape, &[sum, t2], span);
        let out = self.with_backward("AffineGridGeneratorBackward0", &[theta], out, span, |l, grad, _| {
            // base (1, 3, H*W) @ grad (N, H*W, 2) -> (N, 3, 2), transposed to theta's (N, 2, 3).
            let x = l.base_axis(w, align_corners, dt, vec![1, w, 1], span);
            let x = l.node(Op::Expand, dt, vec![h, w, 1], &[x], span);
            let y = l.base_axis(h, align_corners, dt, vec![h, 1, 1], span);
            let y = l.node(Op::Expand, dt, vec![h, w, 1], &[y], span);
            let one = l.scalar(1.0, dt, span);
            let ones = l.node(Op::Expand, dt, vec![h, w, 1], &[one], span);
            let base = l.node(Op::Cat { dim: 2, n: 3 }, dt, vec![h, w, 3], &[x, y, ones], span);
            let base = l.node(Op::Reshape, dt, vec![1, h * w, 3], &[base], span);
            let base_t = l.node(Op::Permute(vec![0, 2, 1]), dt, vec![1, 3, h * w], &[base], span);
            let g = l.node(Op::Reshape, dt, vec![n, h * w, 2], &[grad], span);
            let product = l.node(Op::MatMul, dt, vec![n, 3, 2], &[base_t, g], span);
            vec![Some(l.node(Op::Permute(vec![0, 2, 1]), dt, vec![n, 2, 3], &[product], span))]
        });
        Value::Tensor(out)
    }

    /// ATen's `linspace_from_neg_one` for an axis of `steps` pixels, shaped
    /// `shape`: `linspace(-1, 1, steps)`, times `steps - 1` and divided by
    /// `steps` without `align_corners`; 0 for one pixel.
    fn base_axis(&mut self, steps: usize, align_corners: bool, dt: DType, shape: Vec<usize>, span: Span) -> NodeId {
        if steps <= 1 {
            let zero = self.scalar(0.0, dt, span);
            return self.node(Op::Expand, dt, shape, &[zero], span);
        }
        let op = Op::Linspace { start: graphc_runtime::op::F64Bits::new(-1.0), end: graphc_runtime::op::F64Bits::new(1.0) };
        let mut range = self.node(op, dt, vec![steps], &[], span);
        if !align_corners {
            let (k, s) = (self.scalar((steps - 1) as f64, dt, span), self.scalar(steps as f64, dt, span));
            let scaled = self.node(Op::Binary(Binary::Mul), dt, vec![steps], &[range, k], span);
            range = self.node(Op::Binary(Binary::Div), dt, vec![steps], &[scaled, s], span);
        }
        self.node(Op::Reshape, dt, shape, &[range], span)
    }
}
