//! Lowering of the normalizations built from others, as PyTorch builds them:
//!
//! - `instance_norm(input, running_mean=none, running_var=none, weight=none,
//!   bias=none, use_input_stats=true, momentum=0.1, eps=1e-5)`
//!   (`F.instance_norm`, ATen's `instance_norm`): the input viewed as
//!   `[1, N * C, *]` and normalized by `batch_norm` with the affine
//!   parameters and running statistics repeated `N` times, then viewed back
//!   (`ViewBackward0`); the running statistics become the mean over the batch
//!   of the repeated ones `batch_norm` updated, as ATen copies them back;
//! - `local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0)`
//!   (`F.local_response_norm`, functional.py's composite): the squares
//!   averaged over `size` neighbouring channels (zero-padded, an `avg_pool2d`
//!   over the channels), `input / (k + alpha * that) ** beta`;
//! - `channel_shuffle(input, groups)` (`ChannelShuffleBackward0`): the
//!   channels `[N, g, C / g, *]` transposed to `[N, C / g, g, *]`.

use graphc_runtime::op::Binary;
use graphc_runtime::Op;

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// `instance_norm(input, running_mean, running_var, weight, bias,
    /// use_input_stats, momentum, eps)`.
    pub(crate) fn instance_norm_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional.get(i).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None));
        let (xv, xs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_float_tensor(xv, xs, "`instance_norm`'s input") else { return Value::Poison };
        let (dt, shape) = (self.dtype_of(x), self.shape_of(x));
        let use_input_stats = match arg(5) {
            None => true,
            Some((Value::Bool(b), _)) => b,
            Some((other, s)) => {
                return self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!("`use_input_stats` must be `true` or `false`, not {}", other.describe()),
                        s,
                        "not a boolean",
                    )
                    .with_help("write `use_input_stats=true`"),
                )
            }
        };
        // functional.py's `_verify_spatial_size`.
        if use_input_stats && (shape.len() < 2 || shape[2..].iter().product::<usize>() <= 1) {
            let message = format!(
                "Expected more than 1 spatial element when training, got input size torch.Size([{}])",
                shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")
            );
            return self.error(
                Diagnostic::new(Code::E0202, message, xs, "one element per channel")
                    .with_help("normalize images or sequences, `[N, C, L]` or `[N, C, H, W]`, of more than one element each"),
            );
        }
        let (running_mean, running_var) = (arg(1), arg(2));
        if !use_input_stats && (running_mean.is_none() || running_var.is_none()) {
            return self.error(
                Diagnostic::new(
                    Code::E0107,
                    "Expected running_mean and running_var to be defined when use_input_stats is false",
                    span,
                    "no statistics",
                )
                .with_help("pass `running_mean` and `running_var`, or normalize by the input's own statistics"),
            );
        }
        let (b, c) = (shape[0], shape[1]);
        // Each per-channel tensor repeated for every image of the batch.
        let mut repeated = Vec::with_capacity(4);
        for (i, what) in [(1, "running_mean"), (2, "running_var"), (3, "weight"), (4, "bias")] {
            let Some((v, s)) = arg(i) else {
                repeated.push((Value::None, span, None));
                continue;
            };
            let Some(t) = self.expect_float_tensor(v, s, &format!("`instance_norm`'s {what}")) else { return Value::Poison };
            if self.shape_of(t) != [c] {
                let message = format!("{what} should contain {c} elements not {}", self.shape_of(t).iter().product::<usize>());
                return self.error(
                    Diagnostic::new(Code::E0202, message, s, format!("of shape {}", shapes::show(&self.shape_of(t))))
                        .with_help(format!("give one value per channel (dimension 1 of the input, {c})")),
                );
            }
            let t = self.current(t);
            let Some(r) = self.tensor_call("repeat", vec![Value::Tensor(t), Value::Number(Num::Int(b as i128))], span) else { return Value::Poison };
            repeated.push((Value::Tensor(r), s, Some((t, r))));
        }
        let momentum = arg(6).map_or(Value::Number(Num::Float(0.1)), |(v, _)| v);
        let eps = arg(7).map_or(Value::Number(Num::Float(1e-5)), |(v, _)| v);
        let mut flat = shape.clone();
        flat[0] = 1;
        flat[1] = b * c;
        let viewed = self.node(Op::Reshape, dt, flat, &[x], span);
        let mut all = vec![(Value::Tensor(viewed), xs)];
        all.extend(repeated.iter().map(|(v, s, _)| (v.clone(), *s)));
        all.push((Value::Bool(use_input_stats), span));
        all.push((momentum, span));
        all.push((eps, span));
        let Value::Tensor(out) = self.call_builtin_values("batch_norm", all, span) else { return Value::Poison };
        // ATen copies the mean over the batch of the repeats back, updated
        // or not (`b` equal values need not average to the value).
        for (_, _, pair) in repeated.iter().take(2) {
            let Some((running, rep)) = *pair else { continue };
            let rep = self.current(rep);
            let rows = self.node(Op::Reshape, dt, vec![b, c], &[rep], span);
            let Some(mean) = self.tensor_call("mean", vec![Value::Tensor(rows), Value::Number(Num::Int(0))], span) else { return Value::Poison };
            let outer = std::mem::replace(&mut self.no_grad, true);
            let old = self.current(running);
            self.update_in_place(old, mean, "", span);
            self.no_grad = outer;
        }
        Value::Tensor(self.op_node(Op::Reshape, dt, shape, &[out], span, "ViewBackward0"))
    }

    /// `local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0)`.
    pub(crate) fn local_response_norm_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional.get(i).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None));
        let (xv, xs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_float_tensor(xv, xs, "`local_response_norm`'s input") else { return Value::Poison };
        let (dt, shape) = (self.dtype_of(x), self.shape_of(x));
        let Some((sv, ss)) = arg(1) else { return self.error(Diagnostic::new(Code::E0103, "`local_response_norm` needs `size`", span, "no size")) };
        let size = match sv {
            Value::Number(Num::Int(n)) if n >= 1 => n as usize,
            Value::Poison => return Value::Poison,
            other => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`size` must be a positive int, not {}", other.describe()), ss, "not a window")
                        .with_help("give the number of neighbouring channels, such as `size=5`"),
                )
            }
        };
        let number = |me: &mut Self, i: usize, what: &str, default: f64| match arg(i) {
            None => Some(default),
            Some((v, s)) => me.number(&v, s, what),
        };
        let (Some(alpha), Some(beta), Some(k)) = (number(self, 2, "`alpha`", 1e-4), number(self, 3, "`beta`", 0.75), number(self, 4, "`k`", 1.0))
        else {
            return Value::Poison;
        };
        if shape.len() < 3 {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("Expected 3D or higher dimensionality input (got {} dimensions)", shape.len()),
                    xs,
                    "too few dimensions",
                )
                .with_help("pass [N, C, L] or [N, C, H, W] activations"),
            );
        }
        if shape.contains(&0) {
            return Value::Tensor(x);
        }
        let Some(div) = self.tensor_call("mul", vec![Value::Tensor(x), Value::Tensor(x)], span) else { return Value::Poison };
        // functional.py pools a 3-D input as `[N, 1, C, L]` with `avg_pool2d`
        // and a larger one as `[N, 1, C, H, W*]` with `avg_pool3d`, whose
        // `(size, 1, 1)` windows sum the same elements in the same order as
        // `avg_pool2d`'s `(size, 1)` windows over `[N, 1, C, H * W*]`.
        let rest: usize = shape[2..].iter().product();
        let lined = self.node(Op::Reshape, dt, vec![shape[0], 1, shape[1], rest], &[div], span);
        let int = |n: usize| (Value::Number(Num::Int(n as i128)), span);
        let amounts = Value::Tuple(vec![int(0), int(0), int(size / 2), int((size - 1) / 2)]);
        let Some(padded) = self.tensor_call("pad", vec![Value::Tensor(lined), amounts], span) else { return Value::Poison };
        let window = Value::Tuple(vec![int(size), int(1)]);
        let pooled = self.call_builtin_values("avg_pool2d", vec![(Value::Tensor(padded), span), (window, span), int(1)], span);
        let Value::Tensor(pooled) = pooled else { return Value::Poison };
        let div = self.node(Op::Reshape, dt, shape.clone(), &[pooled], span);
        let scalar = |me: &mut Self, v: f64| me.scalar(v, dt, span);
        let a = scalar(self, alpha);
        let scaled = self.op_node(Op::Binary(Binary::Mul), dt, shape.clone(), &[div, a], span, "MulBackward0");
        let kk = scalar(self, k);
        let shifted = self.op_node(Op::Binary(Binary::Add), dt, shape.clone(), &[scaled, kk], span, "AddBackward0");
        let Some(powered) = self.tensor_call("pow", vec![Value::Tensor(shifted), Value::Number(Num::Float(beta))], span) else {
            return Value::Poison;
        };
        Value::Tensor(self.op_node(Op::Binary(Binary::Div), dt, shape, &[x, powered], span, "DivBackward0"))
    }

    /// `channel_shuffle(input, groups)`.
    pub(crate) fn channel_shuffle_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let (xv, xs) = bound.positional[0].clone().expect("bind guarantees input");
        let (gv, gs) = bound.positional[1].clone().expect("bind guarantees groups");
        let Some(x) = self.expect_tensor(xv, xs, "`channel_shuffle`'s input") else { return Value::Poison };
        let (dt, shape) = (self.dtype_of(x), self.shape_of(x));
        let groups = match gv {
            Value::Number(Num::Int(g)) if g >= 1 => g as usize,
            Value::Number(Num::Int(g)) => {
                return self.error(
                    Diagnostic::new(
                        Code::E0107,
                        format!("Number of groups to divide channels in must be positive. Value of groups:{g}"),
                        gs,
                        "not positive",
                    )
                    .with_help("use 1 or more groups"),
                )
            }
            Value::Poison => return Value::Poison,
            other => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`groups` must be an int, not {}", other.describe()), gs, "not an int")
                        .with_help("write `groups=2`"),
                )
            }
        };
        if shape.len() <= 2 {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("channel_shuffle expects input with > 2 dims, but got input with sizes {}", shapes::show(&shape)),
                    xs,
                    "too few dimensions",
                )
                .with_help("pass [N, C, *] activations"),
            );
        }
        if shape[1] % groups != 0 {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("Number of channels must be divisible by groups. Got {} channels and {groups} groups.", shape[1]),
                    gs,
                    "does not divide the channels",
                )
                .with_help("use a number of groups that divides the channels"),
            );
        }
        let mut split = vec![shape[0], groups, shape[1] / groups];
        split.extend_from_slice(&shape[2..]);
        let grouped = self.node(Op::Reshape, dt, split.clone(), &[x], span);
        let mut order: Vec<usize> = (0..split.len()).collect();
        order.swap(1, 2);
        let swapped: Vec<usize> = order.iter().map(|&d| split[d]).collect();
        let moved = self.node(Op::Permute(order), dt, swapped, &[grouped], span);
        Value::Tensor(self.op_node(Op::Reshape, dt, shape, &[moved], span, "ChannelShuffleBackward0"))
    }
}
