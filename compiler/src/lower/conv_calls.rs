//! Lowering of `conv1d`, `conv2d`, `conv_transpose1d` and `conv_transpose2d`
//! (`torch.nn.functional`), after PyTorch's checks of the shapes and
//! arguments (`ConvUtils.h`), whose messages the errors repeat; and the size
//! arguments the pools share (`pool_calls.rs`).
//!
//! A convolution is one [`Op::Conv`] node on 4-D tensors: a 1-D one is a 2-D
//! one of height 1, and an unbatched input a batch of one, each a `reshape`
//! around the node.

use graphc_runtime::op::{Conv, ConvPart};
use graphc_runtime::Op;

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

/// A shape as PyTorch prints an `IntArrayRef`: `[3, 4]`.
fn brackets(shape: &[usize]) -> String {
    format!("[{}]", shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "))
}

/// What a pair argument may hold: strides and kernels at least 1, paddings at least 0.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Least {
    Zero,
    One,
}

impl Lowerer<'_> {
    /// `conv{dims}d(input, weight, bias, stride, padding, dilation, groups)` or,
    /// `transposed`, `conv_transpose{dims}d(input, weight, bias, stride,
    /// padding, output_padding, groups, dilation)`.
    pub(crate) fn conv(&mut self, name: &str, dims: usize, transposed: bool, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional.get(i).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None));
        let (xv, xs) = bound.positional[0].clone().expect("bind guarantees input");
        let (wv, ws) = bound.positional[1].clone().expect("bind guarantees weight");
        let Some(x) = self.expect_float_tensor(xv, xs, &format!("`{name}`'s input")) else { return Value::Poison };
        let Some(w) = self.expect_float_tensor(wv, ws, &format!("`{name}`'s weight")) else { return Value::Poison };
        let (output_padding_at, groups_at, dilation_at) = if transposed { (Some(5), 6, 7) } else { (None, 6, 5) };
        let Some(stride) = self.pair_arg(arg(3), name, "stride", dims, 1, Least::One) else { return Value::Poison };
        let Some(dilation) = self.pair_arg(arg(dilation_at), name, "dilation", dims, 1, Least::One) else { return Value::Poison };
        let output_padding = match output_padding_at {
            Some(i) => match self.pair_arg(arg(i), name, "output_padding", dims, 0, Least::Zero) {
                Some(p) => p,
                None => return Value::Poison,
            },
            None => [0, 0],
        };
        let groups = match arg(groups_at) {
            None => 1,
            Some((Value::Number(Num::Int(g)), _)) if g >= 1 => usize::try_from(g).unwrap_or(usize::MAX),
            Some((v, s)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`groups` must be a positive integer, not {}", v.describe()), s, "not a group count")
                        .with_help("write how many groups the channels split into, such as `groups=1`"),
                )
            }
        };
        let (xsh, wsh) = (self.shape_of(x), self.shape_of(w));
        // PyTorch's `batchify`: an unbatched input is a batch of one.
        let batched = xsh.len() == dims + 2;
        if xsh.len() != dims + 1 && !batched {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!(
                        "Expected {}D (unbatched) or {}D (batched) input to {name}, but got input of size: {}",
                        dims + 1,
                        dims + 2,
                        brackets(&xsh)
                    ),
                    xs,
                    format!("of shape {}", shapes::show(&xsh)),
                )
                .with_help(format!("give `{name}` a [batch, channels{}] tensor", if dims == 1 { ", length" } else { ", height, width" })),
            );
        }
        if wsh.len() != dims + 2 {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("Expected {}-dimensional weight for {}-dimensional input, but got weight of size {}", dims + 2, dims + 2, brackets(&wsh)),
                    ws,
                    format!("of shape {}", shapes::show(&wsh)),
                )
                .with_help(if transposed {
                    "the weight is [in_channels, out_channels / groups, kernel...], as nn.ConvTranspose makes it"
                } else {
                    "the weight is [out_channels, in_channels / groups, kernel...], as nn.Conv makes it"
                }),
            );
        }
        if self.dtype_of(x) != self.dtype_of(w) {
            let (xd, wd) = (self.dtype_of(x), self.dtype_of(w));
            return self.error(
                Diagnostic::new(Code::E0201, format!("Input type ({xd}) and weight type ({wd}) should be the same"), ws, format!("{wd}"))
                    .with_secondary(xs, format!("{xd}"))
                    .with_help(format!("convert one of them, such as `weight.to({xd})`")),
            );
        }
        // The 4-D shapes the op sees: a 1-D convolution has height 1.
        let as4 = |s: &[usize]| -> Vec<usize> {
            let mut s = s.to_vec();
            if !batched && s.len() == dims + 1 {
                s.insert(0, 1);
            }
            if dims == 1 {
                s.insert(2, 1);
            }
            s
        };
        let (x4, w4) = (as4(&xsh), {
            let mut s = wsh.clone();
            if dims == 1 {
                s.insert(2, 1);
            }
            s
        });
        let (padding, extra) = match self.conv_padding(arg(4), name, dims, transposed, stride, dilation, &w4) {
            Some(p) => p,
            None => return Value::Poison,
        };
        // `padding="same"` with an even span pads one more zero at the end, as
        // PyTorch does with `F.pad` before the convolution.
        let mut x4 = x4;
        for axis in 0..2 {
            x4[2 + axis] += extra[axis];
        }
        let channels = x4[1];
        let out_channels = if transposed { w4[1] * groups } else { w4[0] };
        let weight_fits = if transposed { w4[0] == channels && channels % groups == 0 } else { w4[1] * groups == channels && w4[0] % groups == 0 };
        if !weight_fits {
            let expected = if transposed { w4[0] } else { w4[1] * groups };
            let message = if transposed {
                format!(
                    "Given transposed=1, weight of size {}, expected input{} to have {expected} channels, but got {channels} channels instead",
                    brackets(&wsh),
                    brackets(&xsh)
                )
            } else if w4[0] % groups != 0 {
                format!(
                    "Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but got weight of size {} instead",
                    brackets(&wsh)
                )
            } else {
                format!(
                    "Given groups={groups}, weight of size {}, expected input{} to have {expected} channels, but got {channels} channels instead",
                    brackets(&wsh),
                    brackets(&xsh)
                )
            };
            return self.error(
                Diagnostic::new(Code::E0202, message, xs, format!("of shape {}", shapes::show(&xsh)))
                    .with_secondary(ws, format!("of shape {}", shapes::show(&wsh)))
                    .with_help("the input's channels (dimension 1) must match the weight's, times the groups"),
            );
        }
        let bias = match arg(2) {
            None => None,
            Some((bv, bs)) => {
                let Some(b) = self.expect_float_tensor(bv, bs, &format!("`{name}`'s bias")) else { return Value::Poison };
                let bsh = self.shape_of(b);
                if bsh != [out_channels] {
                    return self.error(
                        Diagnostic::new(
                            Code::E0202,
                            format!(
                                "Given weight of size {}, expected bias to be 1-dimensional with {out_channels} elements, but got bias of size {} instead",
                                brackets(&wsh),
                                brackets(&bsh)
                            ),
                            bs,
                            format!("of shape {}", shapes::show(&bsh)),
                        )
                        .with_help(format!("give one bias per output channel, of shape ({out_channels},)")),
                    );
                }
                if self.dtype_of(b) != self.dtype_of(x) {
                    let (bd, xd) = (self.dtype_of(b), self.dtype_of(x));
                    return self.error(
                        Diagnostic::new(Code::E0201, format!("Input type ({xd}) and bias type ({bd}) should be the same"), bs, format!("{bd}"))
                            .with_help(format!("convert one of them, such as `bias.to({xd})`")),
                    );
                }
                Some(b)
            }
        };
        let conv = Conv {
            stride,
            padding,
            dilation,
            groups,
            part: if transposed { ConvPart::Transposed { bias: bias.is_some() } } else { ConvPart::Forward { bias: bias.is_some() } },
        };
        let mut out4 = vec![x4[0], out_channels, 0, 0];
        for axis in 0..2 {
            let (size, kernel) = (x4[2 + axis], w4[2 + axis]);
            let out = if transposed {
                if output_padding[axis] >= stride[axis] && output_padding[axis] >= dilation[axis] {
                    let (_, s) = arg(output_padding_at.unwrap_or(5)).expect("a nonzero output_padding was given");
                    return self.error(
                        Diagnostic::new(
                            Code::E0107,
                            format!(
                                "output padding must be smaller than either stride or dilation, but got output_padding {} with stride {} and dilation {}",
                                output_padding[axis], stride[axis], dilation[axis]
                            ),
                            s,
                            "too much output padding",
                        )
                        .with_help("output_padding picks among the sizes whose convolution gives the input, which are fewer than the stride"),
                    );
                }
                conv.transposed_size(axis, size, kernel, output_padding[axis])
            } else {
                conv.output_size(axis, size, kernel)
            };
            match out {
                Some(o) => out4[2 + axis] = o,
                None => {
                    let padded: Vec<String> =
                        (0..2).skip(2 - dims).map(|a| x4[2 + a].saturating_add(padding[a].saturating_mul(2)).to_string()).collect();
                    let kernels: Vec<String> = (0..2)
                        .skip(2 - dims)
                        .map(|a| dilation[a].saturating_mul(w4[2 + a].saturating_sub(1)).saturating_add(1).to_string())
                        .collect();
                    let message = if transposed {
                        format!(
                            "Given input size per channel: ({}), the output size of {name} is too small (non-positive)",
                            x4[2..].iter().skip(2 - dims).map(|d| d.to_string()).collect::<Vec<_>>().join(" x ")
                        )
                    } else {
                        format!(
                            "Calculated padded input size per channel: ({}). Kernel size: ({}). Kernel size can't be greater than actual input size",
                            padded.join(" x "),
                            kernels.join(" x ")
                        )
                    };
                    return self.error(
                        Diagnostic::new(Code::E0202, message, xs, format!("of shape {}", shapes::show(&xsh)))
                            .with_secondary(ws, format!("of shape {}", shapes::show(&wsh)))
                            .with_help("use a smaller kernel or dilation, or more padding"),
                    );
                }
            }
        }
        let dt = self.dtype_of(x);
        let mut unpadded = x4.clone();
        for axis in 0..2 {
            unpadded[2 + axis] -= extra[axis];
        }
        let mut x4n = if unpadded == xsh { x } else { self.op_node(Op::Reshape, dt, unpadded.clone(), &[x], span, "UnsqueezeBackward0") };
        for axis in 0..2 {
            if extra[axis] > 0 {
                let mut grown = unpadded.clone();
                grown[2 + axis] = x4[2 + axis];
                // The axes padded before this one are already grown.
                grown[2..2 + axis].copy_from_slice(&x4[2..2 + axis]);
                x4n = self.op_node(Op::SliceBackward { dim: 2 + axis, start: 0, step: 1 }, dt, grown, &[x4n], span, "ConstantPadNdBackward0");
            }
        }
        let w4n = if w4 == wsh { w } else { self.op_node(Op::Reshape, dt, w4.clone(), &[w], span, "UnsqueezeBackward0") };
        let args: Vec<NodeId> = [Some(x4n), Some(w4n), bias].into_iter().flatten().collect();
        let y = self.op_node(Op::Conv(conv), dt, out4.clone(), &args, span, "ConvolutionBackward0");
        let mut shape = out4;
        if dims == 1 {
            shape.remove(2);
        }
        if !batched {
            shape.remove(0);
        }
        if shape.len() == 4 {
            return Value::Tensor(y);
        }
        // PyTorch squeezes the batch of an unbatched input away after the convolution.
        let label = if batched { "ConvolutionBackward0" } else { "SqueezeBackward1" };
        Value::Tensor(self.op_node(Op::Reshape, dt, shape, &[y], span, label))
    }

    /// `padding`: an int or pair, or for a convolution `"valid"` (none) or
    /// `"same"` (the output as large as the input, stride 1 only): the zeros
    /// on both sides, and the one more at the end of an axis whose kernel
    /// spans an even number of positions.
    #[allow(clippy::too_many_arguments)]
    fn conv_padding(
        &mut self,
        arg: Option<(Value, Span)>,
        name: &str,
        dims: usize,
        transposed: bool,
        stride: [usize; 2],
        dilation: [usize; 2],
        w4: &[usize],
    ) -> Option<([usize; 2], [usize; 2])> {
        let Some((Value::Str(mode), s)) = arg.clone() else {
            return self.pair_arg(arg, name, "padding", dims, 0, Least::Zero).map(|p| (p, [0, 0]));
        };
        let refuse = |this: &mut Self, message: String, help: &str| {
            this.error(Diagnostic::new(Code::E0107, message, s, "this padding").with_help(help));
            None
        };
        match (mode.as_str(), transposed) {
            ("valid", false) => Some(([0, 0], [0, 0])),
            ("same", false) => {
                if stride != [1, 1] {
                    return refuse(
                        self,
                        "padding='same' is not supported for strided convolutions".to_string(),
                        "use stride 1, or give the padding as a number",
                    );
                }
                let (mut pad, mut extra) = ([0, 0], [0, 0]);
                for axis in 0..2 {
                    let total = dilation[axis].saturating_mul(w4[2 + axis].saturating_sub(1));
                    pad[axis] = total / 2;
                    extra[axis] = total % 2;
                }
                Some((pad, extra))
            }
            _ => refuse(
                self,
                format!("`{name}`'s padding must be a number, a tuple{}, not \"{mode}\"", if transposed { "" } else { ", \"valid\" or \"same\"" }),
                "write the zeros added on each side, such as `padding=1`",
            ),
        }
    }

    /// A size argument of a convolution or pool: an int or a tuple of `dims`
    /// ints (`None` gives `default`), as (height, width); a 1-D one has height
    /// 1 for kernels and strides and 0 for paddings.
    pub(super) fn pair_arg(
        &mut self,
        arg: Option<(Value, Span)>,
        name: &str,
        what: &str,
        dims: usize,
        default: usize,
        least: Least,
    ) -> Option<[usize; 2]> {
        let flat = if least == Least::One { 1 } else { 0 };
        let Some((v, s)) = arg else { return Some([if dims == 1 { flat } else { default }, default]) };
        let items: Vec<Value> = match v {
            Value::Number(_) => vec![v; dims],
            Value::Tuple(items) | Value::List(items) => items.into_iter().map(|(v, _)| v).collect(),
            Value::Size(ds) => ds.into_iter().map(|d| Value::Number(Num::Int(d as i128))).collect(),
            Value::Poison => return None,
            other => {
                self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!("`{name}`'s {what} must be an int or a tuple of {dims} ints, not {}", other.describe()),
                        s,
                        "not a size",
                    )
                    .with_help(format!("write `{what}=1` or `{what}=(1, 1)`")),
                );
                return None;
            }
        };
        if items.len() != dims {
            self.error(
                Diagnostic::new(Code::E0107, format!("expected {what} to be a single integer value or a list of {dims} values to match the convolution dimensions, but got {what}={}", items.len()), s, format!("{} values", items.len()))
                    .with_help(format!("give one value, or {dims}")),
            );
            return None;
        }
        let mut out = Vec::with_capacity(dims);
        for item in items {
            match item {
                Value::Number(Num::Int(d)) if d >= (least == Least::One) as i128 => out.push(usize::try_from(d).unwrap_or(usize::MAX)),
                Value::Number(Num::Int(d)) => {
                    let message = if least == Least::One {
                        format!("non-positive {what} is not supported, and it is {d}")
                    } else {
                        format!("negative {what} is not supported, and it is {d}")
                    };
                    self.error(Diagnostic::new(Code::E0107, message, s, "out of range").with_help(if least == Least::One {
                        "use 1 or more"
                    } else {
                        "use 0 or more"
                    }));
                    return None;
                }
                other => {
                    self.error(
                        Diagnostic::new(Code::E0107, format!("`{name}`'s {what} must hold integers, not {}", other.describe()), s, "not an integer")
                            .with_help(format!("write `{what}=1`")),
                    );
                    return None;
                }
            }
        }
        Some(if dims == 1 { [flat, out[0]] } else { [out[0], out[1]] })
    }
}
