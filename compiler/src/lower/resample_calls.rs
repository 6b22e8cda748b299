//! Lowering of the calls that move pixels without computing with them:
//!
//! - `pixel_shuffle(input, upscale_factor)` and `pixel_unshuffle(input,
//!   downscale_factor)`: ATen's reshape, permute and reshape (its CPU kernel
//!   copies the same elements to the same places), with PyTorch's
//!   `PixelShuffleBackward0` / `PixelUnshuffleBackward0` on the result.
//! - `interpolate(input, size=none, scale_factor=none, mode="nearest")`
//!   (`F.interpolate`, and `nn.Upsample`'s forward): each output pixel is the
//!   input pixel `nearest_idx` names, as ATen's `upsample_nearest{1,2,3}d`
//!   computes it in `float`. graphc gathers the flattened spatial plane at
//!   those positions in one `gather`, so that the gradient adds each output
//!   pixel's gradient into its source in the order of the output, the order of
//!   PyTorch's `cpu_upsample_nearest_backward`: the sums round alike.
//!   The interpolating modes (`"linear"`, `"bilinear"`, `"trilinear"`) are
//!   one `Op::Upsample` node, whose kernel computes as ATen's does.

use graphc_runtime::op::{IndexOp, Scalar};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::Span;

/// The input position `upsample_nearest` reads for output position `out_index`
/// (ATen's `nearest_idx`): the same position for an unchanged size, half of it
/// for a doubled one, else `floorf(out_index * scale)` in `float`, where the
/// scale is `1 / scale_factor` when one was given and `input / output` when not.
pub(crate) fn nearest_idx(out_index: usize, input: usize, output: usize, scale_factor: Option<f64>) -> usize {
    if output == input {
        return out_index;
    }
    if output == 2 * input {
        return out_index >> 1;
    }
    let scale = match scale_factor {
        Some(s) if s > 0.0 => (1.0 / s) as f32,
        _ => input as f32 / output as f32,
    };
    ((out_index as f32 * scale).floor() as usize).min(input - 1)
}

impl Lowerer<'_> {
    /// `pixel_shuffle(input, upscale_factor)` (`shuffle`) or
    /// `pixel_unshuffle(input, downscale_factor)`.
    pub(super) fn pixel_shuffle_call(&mut self, name: &str, shuffle: bool, bound: &Bound<Value>, span: Span) -> Value {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_tensor(v, vs, &format!("`{name}`'s input")) else { return Value::Poison };
        let (fv, fs) = bound.positional[1].clone().expect("bind guarantees the factor");
        let what = if shuffle { "upscale_factor" } else { "downscale_factor" };
        let r = match fv {
            Value::Number(Num::Int(r)) if r > 0 && r <= 1 << 20 => r as usize,
            Value::Number(Num::Int(r)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("{name} expects a positive {what}, but got {r}"), fs, "not positive")
                        .with_help(format!("give the factor by which the height and the width {}", if shuffle { "grow" } else { "shrink" })),
                )
            }
            Value::Poison => return Value::Poison,
            other => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`{what}` must be an int, not {}", other.describe()), fs, "not an int")
                        .with_help(format!("write `{name}(x, 2)`")),
                )
            }
        };
        let sh = self.shape_of(x);
        if sh.len() < 3 {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("{name} expects input to have at least 3 dimensions, but got input with {} dimension(s)", sh.len()),
                    vs,
                    format!("of shape {}", shapes::show(&sh)),
                )
                .with_help("pass (*, C, H, W): channels, then height and width"),
            );
        }
        let k = sh.len();
        let (c, h, w) = (sh[k - 3], sh[k - 2], sh[k - 1]);
        let batch = &sh[..k - 3];
        let dt = self.dtype_of(x);
        let with = |tail: &[usize]| -> Vec<usize> { batch.iter().chain(tail).copied().collect() };
        let b = batch.len();
        // The dimensions after the batch, as ATen names them: (c, r, r, h, w)
        // and (c, h, r, w, r), in one order or the other.
        let (split, order, out, grad_fn) = if shuffle {
            if c % (r * r) != 0 {
                return self.error(
                    Diagnostic::new(
                        Code::E0202,
                        format!(
                            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)={c} is not divisible by {}",
                            r * r
                        ),
                        vs,
                        format!("{c} channels"),
                    )
                    .with_help(format!("give the input a multiple of {} channels", r * r)),
                );
            }
            let oc = c / (r * r);
            (with(&[oc, r, r, h, w]), [0, 3, 1, 4, 2], with(&[oc, h * r, w * r]), "PixelShuffleBackward0")
        } else {
            for (size, which) in [(h, "height"), (w, "width")] {
                if size % r != 0 {
                    return self.error(
                        Diagnostic::new(
                            Code::E0202,
                            format!("pixel_unshuffle expects {which} to be divisible by downscale_factor, but input.size({})={size} is not divisible by {r}", if which == "height" { -2 } else { -1 }),
                            vs,
                            format!("{which} {size}"),
                        )
                        .with_help(format!("give the input a {which} that is a multiple of {r}")),
                    );
                }
            }
            (with(&[c, h / r, r, w / r, r]), [0, 2, 4, 1, 3], with(&[c * r * r, h / r, w / r]), "PixelUnshuffleBackward0")
        };
        let perm: Vec<usize> = (0..b).chain(order.iter().map(|&d| b + d)).collect();
        let split_node = self.op_node(Op::Reshape, dt, split.clone(), &[x], span, "ViewBackward0");
        let moved = self.op_node(Op::Permute(perm.clone()), dt, shapes::permuted(&split, &perm), &[split_node], span, "PermuteBackward0");
        Value::Tensor(self.op_node(Op::Reshape, dt, out, &[moved], span, grad_fn))
    }

    /// `interpolate(input, size=none, scale_factor=none, mode="nearest",
    /// align_corners=none, recompute_scale_factor=none, antialias=false)`.
    pub(super) fn interpolate_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional.get(i).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None));
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_float_tensor(v, vs, "`interpolate`'s input") else { return Value::Poison };
        let sh = self.shape_of(x);
        let mode = match arg(3) {
            None => "nearest".to_string(),
            Some((Value::Str(m), _)) if ["nearest", "linear", "bilinear", "trilinear"].contains(&m.as_str()) => m,
            Some((Value::Str(m), ms)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`interpolate`'s mode {m:?} is not supported"), ms, "not supported").with_help(
                        "use mode=\"nearest\" (the default), \"linear\", \"bilinear\" or \"trilinear\", which graphc computes as PyTorch does",
                    ),
                )
            }
            Some((other, ms)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`mode` must be a string, not {}", other.describe()), ms, "not a string")
                        .with_help("write mode=\"nearest\" or mode=\"bilinear\""),
                )
            }
        };
        if !(3..=5).contains(&sh.len()) {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("Input Error: Only 3D, 4D and 5D input Tensors supported (got {}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact (got {mode})", sh.len()),
                    vs,
                    format!("of shape {}", shapes::show(&sh)),
                )
                .with_help("pass (N, C, *spatial): a batch, channels, then 1 to 3 spatial dimensions"),
            );
        }
        let spatial = sh.len() - 2;
        let linear = mode != "nearest";
        if linear && graphc_runtime::op::Upsample::mode(spatial) != mode {
            let needs = match mode.as_str() {
                "linear" => "3D",
                "bilinear" => "4D",
                _ => "5D",
            };
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("Got {}D input, but {mode} mode needs {needs} input", sh.len()),
                    vs,
                    format!("of shape {}", shapes::show(&sh)),
                )
                .with_help(format!(
                    "use mode=\"{}\" for {} spatial dimension{}",
                    graphc_runtime::op::Upsample::mode(spatial),
                    spatial,
                    if spatial == 1 { "" } else { "s" }
                )),
            );
        }
        let align_corners = match arg(4) {
            Some((_, s)) if !linear => {
                return self.error(
                    Diagnostic::new(
                        Code::E0107,
                        "align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear",
                        s,
                        "not with nearest",
                    )
                    .with_help("leave `align_corners` out for mode=\"nearest\""),
                );
            }
            None => false,
            Some((Value::Bool(b), _)) => b,
            Some((other, s)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`align_corners` must be a bool, not {}", other.describe()), s, "not a bool")
                        .with_help("write align_corners=true or align_corners=false"),
                )
            }
        };
        if let Some((Value::Bool(true), s)) = arg(6) {
            let diag = if mode == "bilinear" {
                Diagnostic::new(Code::E0107, "`interpolate`'s antialias=True is not supported", s, "not supported")
                    .with_help("leave `antialias` out: graphc interpolates bilinearly without the antialiasing filter")
            } else {
                Diagnostic::new(
                    Code::E0107,
                    "Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires a 4-D tensor as input",
                    s,
                    format!("not with {mode}"),
                )
                .with_help(format!("leave `antialias` out for mode=\"{mode}\""))
            };
            return self.error(diag);
        }
        let recompute = matches!(arg(5), Some((Value::Bool(true), _)));
        let Some((out, scales)) = self.interpolate_sizes(&sh[2..], arg(1), arg(2), recompute, span) else { return Value::Poison };
        let scales = if recompute { vec![None; spatial] } else { scales };
        if linear {
            let mut factors = [None; 3];
            for (slot, f) in factors.iter_mut().zip(&scales) {
                *slot = f.map(graphc_runtime::op::F64Bits::new);
            }
            let op = graphc_runtime::op::Upsample { spatial, align_corners, scales: factors, part: graphc_runtime::op::UpsamplePart::Forward };
            let mut shape = sh[..2].to_vec();
            shape.extend(&out);
            let dt = self.dtype_of(x);
            return Value::Tensor(self.op_node(Op::Upsample(op), dt, shape, &[x], span, op.grad_fn()));
        }
        // Each output pixel's position in the flattened input plane, in the order of the output.
        let index: Vec<Vec<usize>> = (0..spatial).map(|d| (0..out[d]).map(|o| nearest_idx(o, sh[2 + d], out[d], scales[d])).collect()).collect();
        let mut flat = vec![0usize];
        for (d, ids) in index.iter().enumerate() {
            let size = sh[2 + d];
            flat = flat.iter().flat_map(|&f| ids.iter().map(move |&i| f * size + i)).collect();
        }
        let (n, c) = (sh[0], sh[1]);
        let plane: usize = sh[2..].iter().product();
        let dt = self.dtype_of(x);
        let lit = Op::Literal(flat.iter().map(|&i| Scalar::Int(i as i64)).collect());
        let ids = self.node(lit, DType::I64, vec![1, 1, flat.len()], &[], span);
        let spread = self.node(Op::Expand, DType::I64, vec![n, c, flat.len()], &[ids], span);
        let grad_fn = format!("UpsampleNearest{spatial}DBackward0");
        let lined = self.op_node(Op::Reshape, dt, vec![n, c, plane], &[x], span, "ViewBackward0");
        let gathered = self.op_node(Op::Index(IndexOp::Gather { dim: 2 }), dt, vec![n, c, flat.len()], &[lined, spread], span, &grad_fn);
        let mut shape = vec![n, c];
        shape.extend(&out);
        Value::Tensor(self.op_node(Op::Reshape, dt, shape, &[gathered], span, &grad_fn))
    }

    /// The output's spatial sizes, and the scale factors ATen is handed, from
    /// `size` or `scale_factor` (exactly one of them): a scale factor gives
    /// `int(input * scale)`, as ATen's `compute_output_size`.
    fn interpolate_sizes(
        &mut self,
        input: &[usize],
        size: Option<(Value, Span)>,
        scale: Option<(Value, Span)>,
        recompute: bool,
        span: Span,
    ) -> Option<(Vec<usize>, Vec<Option<f64>>)> {
        let dims = input.len();
        let listed = |v: Value| -> Vec<(Value, Span)> {
            match v {
                Value::Tuple(items) | Value::List(items) => items,
                Value::Size(ds) => ds.into_iter().map(|d| (Value::Number(Num::Int(d as i128)), span)).collect(),
                one => vec![(one, span); dims],
            }
        };
        match (size, scale) {
            (None, None) => {
                self.error(
                    Diagnostic::new(Code::E0107, "either size or scale_factor should be defined", span, "neither given")
                        .with_help("give the output's size (`size=(8, 8)`) or a factor (`scale_factor=2`)"),
                );
                None
            }
            (Some(_), Some((_, s))) => {
                self.error(
                    Diagnostic::new(Code::E0107, "only one of size or scale_factor should be defined", s, "both given")
                        .with_help("give the size or the factor, not both"),
                );
                None
            }
            (Some((v, s)), None) => {
                if recompute {
                    self.error(
                        Diagnostic::new(Code::E0107, "recompute_scale_factor is not meaningful with an explicit size.", s, "a size")
                            .with_help("leave `recompute_scale_factor` out when you give `size`"),
                    );
                    return None;
                }
                let items = listed(v);
                if items.len() != dims {
                    self.error(
                        Diagnostic::new(
                            Code::E0107,
                            format!("Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of {:?} and output size of {}.", input, items.len()),
                            s,
                            format!("{} sizes", items.len()),
                        )
                        .with_help(format!("give {dims} sizes, or one for all")),
                    );
                    return None;
                }
                let mut out = Vec::new();
                for (v, vs) in items {
                    match v {
                        Value::Number(Num::Int(d)) if d > 0 && d <= 1 << 24 => out.push(d as usize),
                        other => {
                            self.error(
                                Diagnostic::new(
                                    Code::E0107,
                                    format!("an output size must be a positive int, not {}", other.describe()),
                                    vs,
                                    "not a size",
                                )
                                .with_help("write sizes such as `size=(8, 8)`"),
                            );
                            return None;
                        }
                    }
                }
                Some((out, vec![None; dims]))
            }
            (None, Some((v, s))) => {
                let items = listed(v);
                if items.len() != dims {
                    self.error(
                        Diagnostic::new(
                            Code::E0107,
                            format!("Input and scale_factor must have the same number of spatial dimensions, but got input with spatial dimensions of {:?} and scale_factor of shape {}.", input, items.len()),
                            s,
                            format!("{} factors", items.len()),
                        )
                        .with_help(format!("give {dims} factors, or one for all")),
                    );
                    return None;
                }
                let (mut out, mut scales) = (Vec::new(), Vec::new());
                for ((v, vs), &i) in items.into_iter().zip(input) {
                    let f = self.number(&v, vs, "a scale factor")?;
                    // `recompute_scale_factor` computes the size in Python's floats; ATen in C++ doubles, truncated.
                    let o = (i as f64 * f).floor();
                    if !(o >= 1.0 && o <= (1u64 << 24) as f64) {
                        self.error(
                            Diagnostic::new(
                                Code::E0107,
                                format!(
                                    "Input and output sizes should be greater than 0, but got input (spatial size {i}) and output (spatial size {o})"
                                ),
                                vs,
                                "too small a size",
                            )
                            .with_help("use a scale factor that leaves at least one pixel"),
                        );
                        return None;
                    }
                    out.push(o as usize);
                    scales.push(Some(f));
                }
                Some((out, scales))
            }
        }
    }
}
