//! Elementwise kernels, written as PyTorch's CPU kernels compute them for one
//! element (`UnaryOpsKernel.cpp`, `BinaryOpsKernel.cpp`, `PowKernel.cpp`), in the
//! tensor's own precision.
//!
//! PyTorch computes some of these with SIMD code that graphc does not reproduce:
//! kernels built on `cpu_kernel_vec` (sigmoid, the arithmetic ones) use SIMD only
//! for whole 16-float / 8-double chunks and scalar libm code for the rest, while
//! `exp`, `log`, `sin`, `cos` and `tanh` go through `vml::v<op>`, i.e. Sleef, for
//! every element. graphc always uses the scalar form with libm. That is bit-exact
//! for arithmetic (+ - * / sqrt are correctly rounded either way) and for short
//! `cpu_kernel_vec` tensors; Sleef's `tanh` is 1 ulp away from libm's on some
//! inputs (see tests/kernels.rs), and `exp` agreed on every reference value.

use super::broadcast::expand;
use super::float::Float;
use crate::op::{Cmp, Op};

/// A one-operand elementwise op over `src`. Each arm is PyTorch's scalar lambda
/// for one element; `map1` is generic over it, so the loop is specialized per op
/// (a function pointer per element would keep the compiler from inlining it).
pub fn unary<T: Float>(op: &Op, src: &[T]) -> Vec<T> {
    match op {
        Op::PowScalar(c) => pow_scalar(src, c.get()),
        Op::Neg => map1(src, |a| -a),
        Op::Exp => map1(src, |a| a.exp()),
        Op::Log => map1(src, |a| a.ln()),
        Op::Sqrt => map1(src, |a| a.sqrt()),
        Op::Sin => map1(src, |a| a.sin()),
        Op::Cos => map1(src, |a| a.cos()),
        Op::Tanh => map1(src, |a| a.tanh()),
        // `1 / (1 + exp(-a))`, the scalar lambda of `sigmoid_kernel`.
        Op::Sigmoid => map1(src, |a| T::ONE / (T::ONE + (-a).exp())),
        // torch.relu is `clamp_min(x, 0)`, whose element is `std::max(a, 0)`,
        // i.e. `a < 0 ? 0 : a`: NaN and -0.0 come out unchanged.
        Op::Relu => map1(src, |a| if a < T::ZERO { T::ZERO } else { a }),
        Op::Abs => map1(src, |a| a.abs()),
        // `sign_kernel`: `(0 < a) - (a < 0)`, so NaN and both zeros give +0.
        Op::Sign => map1(src, |a| {
            if T::ZERO < a {
                T::ONE
            } else if a < T::ZERO {
                -T::ONE
            } else {
                T::ZERO
            }
        }),
        Op::Detach => src.to_vec(),
        _ => unreachable!("{} is not a one-operand elementwise op", op.name()),
    }
}

fn map1<T: Float>(src: &[T], f: impl Fn(T) -> T) -> Vec<T> {
    src.iter().map(|&a| f(a)).collect()
}

/// `x ** c` with PyTorch's special cases (`pow_tensor_scalar_kernel` and
/// `pow_tensor_scalar_optimized_kernel`): 0.5, -0.5 and -1 go to the sqrt, rsqrt
/// and reciprocal kernels; 2, 3 and -2 are multiplications; anything else is
/// `std::pow(x, double(c))`, which for float promotes to double and rounds back.
/// `c == 0` is `fill_(1)` and `c == 1` a copy, decided before any kernel runs.
pub fn pow_scalar<T: Float>(src: &[T], c: f64) -> Vec<T> {
    let map = |f: &dyn Fn(T) -> T| src.iter().map(|&x| f(x)).collect::<Vec<T>>();
    if c == 0.0 {
        map(&|_| T::ONE)
    } else if c == 1.0 {
        src.to_vec()
    } else if c == 0.5 {
        map(&|x| x.sqrt())
    } else if c == -0.5 {
        map(&|x| T::ONE / x.sqrt())
    } else if c == -1.0 {
        map(&|x| T::ONE / x)
    } else if c == 2.0 {
        map(&|x| x * x)
    } else if c == 3.0 {
        map(&|x| x * x * x)
    } else if c == -2.0 {
        // PyTorch divides `1.0` (double) by the product, then rounds to the dtype;
        // for float that equals float division, since double is wide enough that
        // the double rounding is innocuous for a quotient.
        map(&|x| T::from_f64(1.0 / (x * x).to_f64()))
    } else {
        map(&|x| T::from_f64(x.to_f64().powf(c)))
    }
}

/// A two-operand elementwise op, both operands broadcast to `out`. Each arm is
/// PyTorch's scalar lambda for one element, specialized per op by `map2`.
pub fn binary<T: Float>(op: &Op, a: &[T], a_shape: &[usize], b: &[T], b_shape: &[usize], out: &[usize]) -> Vec<T> {
    let (a, b) = ((a, a_shape), (b, b_shape));
    match op {
        Op::Add => map2(a, b, out, |x, y| x + y),
        Op::Sub => map2(a, b, out, |x, y| x - y),
        Op::Mul => map2(a, b, out, |x, y| x * y),
        Op::Div => map2(a, b, out, |x, y| x / y),
        Op::Pow => map2(a, b, out, |x, y| x.powf(y)),
        // `max_elementwise_kernel`: NaN if either is NaN, else `std::max(a, b)`,
        // which is `a < b ? b : a` (so `maximum(0.0, -0.0)` is `0.0`, the first).
        Op::Maximum => map2(a, b, out, |x, y| {
            if x.is_nan() || y.is_nan() {
                T::NAN
            } else if x < y {
                y
            } else {
                x
            }
        }),
        // `std::min(a, b)` is `b < a ? b : a`.
        Op::Minimum => map2(a, b, out, |x, y| {
            if x.is_nan() || y.is_nan() {
                T::NAN
            } else if y < x {
                y
            } else {
                x
            }
        }),
        // PyTorch's `tanh_backward` kernel `a * (1 - b * b)`, compiled with FMA contraction.
        Op::TanhBackward => map2(a, b, out, |g, y| g * (-y).mul_add(y, T::ONE)),
        _ => unreachable!("{} is not a two-operand elementwise op", op.name()),
    }
}

/// Applies `f` elementwise. A one-element operand (a wrapped number) is read
/// directly instead of being expanded to the output's size first.
fn map2<T: Float>((a, a_shape): (&[T], &[usize]), (b, b_shape): (&[T], &[usize]), out: &[usize], f: impl Fn(T, T) -> T) -> Vec<T> {
    if a_shape == out && b_shape == out {
        return a.iter().zip(b).map(|(&x, &y)| f(x, y)).collect();
    }
    if a_shape == out && b.len() == 1 {
        let y = b[0];
        return a.iter().map(|&x| f(x, y)).collect();
    }
    if b_shape == out && a.len() == 1 {
        let x = a[0];
        return b.iter().map(|&y| f(x, y)).collect();
    }
    let a = expand(a, a_shape, out);
    let b = expand(b, b_shape, out);
    a.iter().zip(b.iter()).map(|(&x, &y)| f(x, y)).collect()
}

/// `where(a CMP b, x, y)` with all four operands broadcast to `out`. A comparison
/// with NaN is false, so NaN selects `y`.
pub fn select<T: Float>(cmp: Cmp, ops: [(&[T], &[usize]); 4], out: &[usize]) -> Vec<T> {
    let [a, b, x, y] = ops.map(|(data, shape)| expand(data, shape, out));
    let test: fn(T, T) -> bool = match cmp {
        Cmp::Lt => |p, q| p < q,
        Cmp::Le => |p, q| p <= q,
        Cmp::Eq => |p, q| p == q,
        Cmp::Gt => |p, q| p > q,
        Cmp::Ge => |p, q| p >= q,
    };
    (0..a.len()).map(|i| if test(a[i], b[i]) { x[i] } else { y[i] }).collect()
}
