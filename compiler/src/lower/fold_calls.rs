//! Lowering of the sliding-window rearrangements: `unfold(input, kernel_size,
//! dilation=1, padding=0, stride=1)` (`F.unfold`, ATen's `im2col`),
//! `fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1)`
//! (`F.fold`, `col2im`) and the tensor method `x.unfold(dimension, size,
//! step)`.
//!
//! `unfold` pads the image with zeros (`pad`) and gathers, for each channel,
//! the positions each block reads in (kernel row, kernel column, block row,
//! block column) order: the values are copies, and the gradient adds into each
//! pixel in that order, the order of ATen's `col2im` loops (kernel offset
//! outermost), so its sums are PyTorch's bit for bit. `fold` is that gradient
//! as a forward: a `scatter_add` of the columns into a zero image at the same
//! positions, cropped back to `output_size`; its gradient is a gather, as
//! `im2col` of the gradient is. The positions are built when compiling,
//! bounded by [`MAX_POSITIONS`].
//!
//! `x.unfold(dimension, size, step)` is a view in PyTorch: a gather of the
//! flat tensor at constant positions (which `view_map.rs` follows, so that an
//! update of the base reads through), reshaped, with `UnfoldBackward0`; its
//! gradient adds the overlapping windows' gradients in window order, as
//! ATen's `unfold_backward` kernel does.

use graphc_runtime::op::{IndexOp, Scalar};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::Span;

/// The most positions a window rearrangement may list (its index is a
/// constant of the program).
const MAX_POSITIONS: usize = 1 << 22;

/// The four window sizes of `unfold`/`fold`, each (height, width).
struct Windows {
    kernel: [usize; 2],
    dilation: [usize; 2],
    padding: [usize; 2],
    stride: [usize; 2],
}

impl Windows {
    /// The blocks along each dimension of a `size` image: ATen's
    /// `(size + 2 * pad - (dilation * (kernel - 1) + 1)) / stride + 1`.
    fn blocks(&self, size: [usize; 2]) -> [i128; 2] {
        [0, 1].map(|d| {
            let reach = (self.dilation[d] * (self.kernel[d] - 1) + 1) as i128;
            let room = size[d] as i128 + 2 * self.padding[d] as i128 - reach;
            room.div_euclid(self.stride[d] as i128) + 1
        })
    }

    /// For each column element (kernel row, kernel column, block row, block
    /// column), the flat position it reads in the zero-padded image.
    fn positions(&self, size: [usize; 2], blocks: [usize; 2]) -> Vec<Scalar> {
        let width = size[1] + 2 * self.padding[1];
        let mut out = Vec::with_capacity(self.kernel[0] * self.kernel[1] * blocks[0] * blocks[1]);
        for ki in 0..self.kernel[0] {
            for kj in 0..self.kernel[1] {
                for bi in 0..blocks[0] {
                    for bj in 0..blocks[1] {
                        let row = bi * self.stride[0] + ki * self.dilation[0];
                        let col = bj * self.stride[1] + kj * self.dilation[1];
                        out.push(Scalar::Int((row * width + col) as i64));
                    }
                }
            }
        }
        out
    }

    /// PyTorch's `(h, w)` form of one size, as its messages print it.
    fn show(v: [usize; 2]) -> String {
        format!("({}, {})", v[0], v[1])
    }
}

impl Lowerer<'_> {
    /// An int or a pair of ints of `unfold`/`fold` (ATen's `_pair`), at least
    /// `least`, as (height, width).
    fn window_pair(&mut self, arg: Option<(Value, Span)>, what: &str, default: usize, least: usize) -> Option<[usize; 2]> {
        let Some((v, s)) = arg else { return Some([default; 2]) };
        let items: Vec<Value> = match v {
            Value::Number(_) => vec![v.clone(), v],
            Value::Tuple(items) | Value::List(items) => items.into_iter().map(|(v, _)| v).collect(),
            Value::Size(ds) => ds.into_iter().map(|d| Value::Number(Num::Int(d as i128))).collect(),
            Value::Poison => return None,
            other => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("{what} must be an int or a pair of ints, not {}", other.describe()), s, "not a size")
                        .with_help(format!("write `{what}=2` or `{what}=(2, 3)`")),
                );
                return None;
            }
        };
        if items.len() != 2 {
            self.error(
                Diagnostic::new(Code::E0107, format!("It is expected {what} equals to 2, but got size {}", items.len()), s, "not a pair")
                    .with_help("give one int for both dimensions, or (height, width)"),
            );
            return None;
        }
        let mut out = [0usize; 2];
        for (o, item) in out.iter_mut().zip(items) {
            match item {
                Value::Number(Num::Int(d)) if d >= least as i128 => *o = usize::try_from(d).unwrap_or(usize::MAX).min(1 << 40),
                Value::Number(Num::Int(d)) => {
                    // ATen's wording; ATen names both dimensions' values,
                    // graphc the value the program gave.
                    let message = match what {
                        "kernel_size" => format!("kernel size should be greater than zero, but got {what}={d}"),
                        "padding" => format!("padding should be non-negative, but got padding={d}"),
                        _ => format!("{what} should be greater than zero, but got {what}={d}"),
                    };
                    self.error(Diagnostic::new(Code::E0107, message, s, "out of range").with_help(if least == 1 {
                        "use 1 or more"
                    } else {
                        "use 0 or more"
                    }));
                    return None;
                }
                Value::Poison => return None,
                other => {
                    self.error(
                        Diagnostic::new(Code::E0107, format!("{what} must hold ints, not {}", other.describe()), s, "not an int")
                            .with_help(format!("write `{what}=2`")),
                    );
                    return None;
                }
            }
        }
        Some(out)
    }

    /// The kernel, dilation, padding and stride arguments at `first..first + 4`.
    fn windows(&mut self, bound: &Bound<Value>, first: usize) -> Option<Windows> {
        let arg = |i: usize| bound.positional.get(first + i).cloned().flatten();
        let kernel = self.window_pair(arg(0), "kernel_size", 1, 1);
        let dilation = self.window_pair(arg(1), "dilation", 1, 1);
        let padding = self.window_pair(arg(2), "padding", 0, 0);
        let stride = self.window_pair(arg(3), "stride", 1, 1);
        Some(Windows { kernel: kernel?, dilation: dilation?, padding: padding?, stride: stride? })
    }

    /// E0501 when a rearrangement would list more than [`MAX_POSITIONS`].
    fn positions_fit(&mut self, count: u128, what: &str, at: Span) -> bool {
        if count <= MAX_POSITIONS as u128 {
            return true;
        }
        self.error(
            Diagnostic::new(
                Code::E0501,
                format!("`{what}` would list {count} positions; graphc builds them when compiling, at most {MAX_POSITIONS}"),
                at,
                "too many positions",
            )
            .with_help("use fewer or smaller windows"),
        );
        false
    }

    /// `unfold(input, kernel_size, dilation=1, padding=0, stride=1)`: the
    /// sliding blocks of a `[N, C, H, W]` (or `[C, H, W]`) image as columns,
    /// `[N, C * kh * kw, L]`.
    pub(crate) fn unfold_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let (xv, xs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_tensor(xv, xs, "`unfold`'s input") else { return Value::Poison };
        let Some(w) = self.windows(bound, 1) else { return Value::Poison };
        let (dt, shape) = (self.dtype_of(x), self.shape_of(x));
        let batched = shape.len() == 4;
        if !(shape.len() == 3 || batched) || shape[usize::from(batched)..].contains(&0) {
            let message = format!(
                "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: {}",
                shapes::show(&shape)
            );
            return self
                .error(Diagnostic::new(Code::E0202, message, xs, "not an image").with_help("pass [N, C, H, W] images, or one [C, H, W] image"));
        }
        let r = shape.len();
        let size = [shape[r - 2], shape[r - 1]];
        let blocks = w.blocks(size);
        if blocks.iter().any(|&b| b < 1) {
            let message = format!(
                "Given input with spatial size {}, kernel_size={}, dilation={}, padding={}, calculated shape of the array of sliding blocks as ({}, {}), but its components must be at least one.",
                Windows::show(size),
                Windows::show(w.kernel),
                Windows::show(w.dilation),
                Windows::show(w.padding),
                blocks[0],
                blocks[1]
            );
            return self
                .error(Diagnostic::new(Code::E0202, message, span, "no whole block").with_help("use a smaller kernel or dilation, or more padding"));
        }
        let blocks = blocks.map(|b| b as usize);
        let k = w.kernel[0] * w.kernel[1];
        let count = (k as u128) * (blocks[0] * blocks[1]) as u128;
        if !self.positions_fit(count, "unfold", span) {
            return Value::Poison;
        }
        let x4 = if batched { x } else { self.node(Op::Reshape, dt, [&[1][..], &shape].concat(), &[x], span) };
        let (n, c) = (self.shape_of(x4)[0], self.shape_of(x4)[1]);
        let padded = if w.padding == [0, 0] {
            x4
        } else {
            let (ph, pw) = (w.padding[0] as i128, w.padding[1] as i128);
            let amounts = Value::Tuple([pw, pw, ph, ph].into_iter().map(|p| (Value::Number(Num::Int(p)), span)).collect());
            let Some(p) = self.tensor_call("pad", vec![Value::Tensor(x4), amounts], span) else { return Value::Poison };
            p
        };
        let plane = (size[0] + 2 * w.padding[0]) * (size[1] + 2 * w.padding[1]);
        let flat = self.node(Op::Reshape, dt, vec![n, c, plane], &[padded], span);
        let count = count as usize;
        let index = self.node(Op::Literal(w.positions(size, blocks)), DType::I64, vec![count], &[], span);
        let lined = self.node(Op::Reshape, DType::I64, vec![1, 1, count], &[index], span);
        let spread = self.node(Op::Expand, DType::I64, vec![n, c, count], &[lined], span);
        let columns = self.node(Op::Index(IndexOp::Gather { dim: 2 }), dt, vec![n, c, count], &[flat, spread], span);
        let blocks = blocks[0] * blocks[1];
        let out = if batched { vec![n, c * k, blocks] } else { vec![c * k, blocks] };
        Value::Tensor(self.op_node(Op::Reshape, dt, out, &[columns], span, "Im2ColBackward0"))
    }

    /// `fold(input, output_size, kernel_size, dilation=1, padding=0,
    /// stride=1)`: columns `[N, C * kh * kw, L]` (or `[C * kh * kw, L]`)
    /// summed into `[N, C, H, W]` images.
    pub(crate) fn fold_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let (xv, xs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_tensor(xv, xs, "`fold`'s input") else { return Value::Poison };
        let size = self.window_pair(bound.positional[1].clone(), "output_size", 1, 1);
        let w = self.windows(bound, 2);
        let (Some(size), Some(w)) = (size, w) else { return Value::Poison };
        let (dt, shape) = (self.dtype_of(x), self.shape_of(x));
        let batched = shape.len() == 3;
        if !(shape.len() == 2 || batched) || shape[usize::from(batched)..].contains(&0) {
            let message = format!(
                "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero dimensions for input, but got: {}",
                shapes::show(&shape)
            );
            return self.error(
                Diagnostic::new(Code::E0202, message, xs, "not columns").with_help("pass [N, C * kh * kw, L] columns, as `unfold` makes them"),
            );
        }
        let r = shape.len();
        let k = w.kernel[0] * w.kernel[1];
        if shape[r - 2] % k != 0 {
            let message = format!(
                "Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)={} and kernel_size={}.",
                shape[r - 2],
                Windows::show(w.kernel)
            );
            return self.error(Diagnostic::new(Code::E0202, message, xs, "not whole kernels").with_help("give C * kh * kw rows per image"));
        }
        let blocks = w.blocks(size);
        let expected = blocks[0].max(0) * blocks[1].max(0);
        if blocks.iter().any(|&b| b < 1) || shape[r - 1] as i128 != expected {
            let message = format!(
                "Given output_size={}, kernel_size={}, dilation={}, padding={}, stride={}, expected size of input's dimension 2 to match the calculated number of sliding blocks {} * {} = {expected}, but got input.size(2)={}.",
                Windows::show(size),
                Windows::show(w.kernel),
                Windows::show(w.dilation),
                Windows::show(w.padding),
                Windows::show(w.stride),
                blocks[0].max(0),
                blocks[1].max(0),
                shape[r - 1]
            );
            return self.error(
                Diagnostic::new(Code::E0202, message, xs, "another number of blocks").with_help("give one column per sliding block of the output"),
            );
        }
        let blocks = blocks.map(|b| b as usize);
        let count = (k as u128) * (blocks[0] * blocks[1]) as u128;
        let plane = (size[0] + 2 * w.padding[0]) * (size[1] + 2 * w.padding[1]);
        if !self.positions_fit(count, "fold", span) || !self.fits(&[plane], span) {
            return Value::Poison;
        }
        let count = count as usize;
        let (n, c) = if batched { (shape[0], shape[1] / k) } else { (1, shape[0] / k) };
        let columns = self.node(Op::Reshape, dt, vec![n, c, count], &[x], span);
        let index = self.node(Op::Literal(w.positions(size, blocks)), DType::I64, vec![count], &[], span);
        let lined = self.node(Op::Reshape, DType::I64, vec![1, 1, count], &[index], span);
        let spread = self.node(Op::Expand, DType::I64, vec![n, c, count], &[lined], span);
        let zeros = self.node(Op::Full(Scalar::of(0.0, dt)), dt, vec![n, c, plane], &[], span);
        let two = Value::Number(Num::Int(2));
        let Some(summed) = self.tensor_call("scatter_add", vec![Value::Tensor(zeros), two, Value::Tensor(spread), Value::Tensor(columns)], span)
        else {
            return Value::Poison;
        };
        let (ph, pw) = (w.padding[0], w.padding[1]);
        let image = self.node(Op::Reshape, dt, vec![n, c, size[0] + 2 * ph, size[1] + 2 * pw], &[summed], span);
        let cropped = if w.padding == [0, 0] {
            image
        } else {
            let amounts = Value::Tuple([pw, pw, ph, ph].into_iter().map(|p| (Value::Number(Num::Int(-(p as i128))), span)).collect());
            let Some(t) = self.tensor_call("pad", vec![Value::Tensor(image), amounts], span) else { return Value::Poison };
            t
        };
        let out = if batched { vec![n, c, size[0], size[1]] } else { vec![c, size[0], size[1]] };
        Value::Tensor(self.op_node(Op::Reshape, dt, out, &[cropped], span, "Col2ImBackward0"))
    }

    /// `x.unfold(dimension, size, step)`: every `size`-long window of
    /// dimension `dimension`, `step` apart, as a new last dimension.
    pub(crate) fn tensor_unfold(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional[i].clone().expect("bind guarantees four arguments");
        let ((xv, xs), (dv, ds)) = (arg(0), arg(1));
        let Some(x) = self.expect_tensor(xv, xs, "the receiver of `unfold`") else { return Value::Poison };
        let (dt, shape) = (self.dtype_of(x), self.shape_of(x));
        // A 0-d tensor unfolds as one of one element, as PyTorch's.
        let dims = if shape.is_empty() { vec![1] } else { shape.clone() };
        let Some(dim) = self.one_dim(dv, ds, &dims) else { return Value::Poison };
        let Some(ints) = self.int_args(vec![arg(2), arg(3)], span, "`unfold`'s size and step") else { return Value::Poison };
        let ((size, ss), (step, st)) = (ints[0], ints[1]);
        let extent = dims[dim] as i64;
        if size < 0 || size > extent {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("maximum size for tensor at dimension {dim} is {extent} but size is {size}"),
                    ss,
                    "too large a window",
                )
                .with_help("use a window no longer than the dimension"),
            );
        }
        if step <= 0 {
            return self.error(
                Diagnostic::new(Code::E0202, format!("step is {step} but must be > 0"), st, "not a step forward")
                    .with_help("use a step of 1 or more"),
            );
        }
        let (size, step) = (size as usize, step as usize);
        let windows = (dims[dim] - size) / step + 1;
        let mut out: Vec<usize> = if shape.is_empty() { vec![] } else { shape.clone() };
        if !out.is_empty() {
            out[dim] = windows;
        }
        out.push(size);
        let count = out.iter().try_fold(1u128, |n, &d| n.checked_mul(d as u128)).unwrap_or(u128::MAX);
        if !self.positions_fit(count, "unfold", span) {
            return Value::Poison;
        }
        // Row-major over the result: the element each reads of the flat input.
        let strides: Vec<usize> = (0..dims.len()).map(|d| dims[d + 1..].iter().product()).collect();
        let mut positions = Vec::with_capacity(count as usize);
        let mut at = vec![0usize; out.len()];
        for _ in 0..count {
            let mut flat = 0;
            for d in 0..dims.len() {
                let i = if d == dim { at[d] * step + at[out.len() - 1] } else { at[d] };
                flat += i * strides[d];
            }
            positions.push(Scalar::Int(flat as i64));
            for d in (0..out.len()).rev() {
                at[d] += 1;
                if at[d] < out[d] {
                    break;
                }
                at[d] = 0;
            }
        }
        let total: usize = dims.iter().product();
        let flat = self.node(Op::Reshape, dt, vec![total], &[x], span);
        let index = self.node(Op::Literal(positions), DType::I64, vec![count as usize], &[], span);
        let picked = self.node(Op::Index(IndexOp::Gather { dim: 0 }), dt, vec![count as usize], &[flat, index], span);
        Value::Tensor(self.op_node(Op::Reshape, dt, out, &[picked], span, "UnfoldBackward0"))
    }
}

#[cfg(test)]
mod tests {
    use super::Windows;
    use graphc_runtime::op::Scalar;

    /// A 2x2 kernel over a 3x3 image, stride 1: four blocks, the kernel offset outermost.
    #[test]
    fn positions_run_kernel_offset_first() {
        let w = Windows { kernel: [2, 2], dilation: [1, 1], padding: [0, 0], stride: [1, 1] };
        assert_eq!(w.blocks([3, 3]), [2, 2]);
        let got: Vec<i64> = w.positions([3, 3], [2, 2]).into_iter().map(|s| if let Scalar::Int(i) = s { i } else { -1 }).collect();
        assert_eq!(got, [0, 1, 3, 4, 1, 2, 4, 5, 3, 4, 6, 7, 4, 5, 7, 8]);
    }
}
