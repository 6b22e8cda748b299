//! The two-operand elementwise ops, declared by one table.
//!
//! Each row of [`binary_ops!`] holds what [`super::unary`]'s rows hold, with one
//! differentiability flag per operand. Operands broadcast (NumPy rules) to the
//! node's shape. `cost_ps` is measured as in [`super::unary`].

use super::{BinaryRange, ElementFn2, TypeRule};
use crate::kernels::float::Float;

/// Declares the [`Binary`] enum and everything derived from its rows.
macro_rules! binary_ops {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident {
            name: $name:literal,
            builtin: $builtin:expr,
            grad_fn: $grad_fn:expr,
            result: $result:expr,
            cost_ps: $cost:expr,
            range: $range:expr,
            differentiable: $diff:expr,
            element: |$a:ident, $b:ident| $body:expr $(,)?
        }
    )*) => {
        /// An elementwise op of two operands, broadcast to the node's shape.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Binary {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Binary {
            /// Every op of the table, in table order.
            pub const ALL: &'static [Binary] = &[$(Binary::$variant),*];

            /// The name the IR dump prints.
            pub fn name(self) -> &'static str {
                match self { $(Binary::$variant => $name,)* }
            }

            /// The builtin `.act` calls this op by (`None`: an operator such as `+`, or internal).
            pub fn builtin_name(self) -> Option<&'static str> {
                match self { $(Binary::$variant => $builtin,)* }
            }

            /// PyTorch's `grad_fn` name for a result of this op.
            pub fn grad_fn(self) -> Option<&'static str> {
                match self { $(Binary::$variant => $grad_fn,)* }
            }

            /// How the result's dtype follows from the operands'.
            pub fn result_type(self) -> TypeRule {
                match self { $(Binary::$variant => $result,)* }
            }

            /// Time per element in a fused kernel, in picoseconds (the remat cost model).
            pub fn cost_ps(self) -> u64 {
                match self { $(Binary::$variant => $cost,)* }
            }

            /// How the range analysis bounds the result.
            pub fn range_rule(self) -> BinaryRange {
                match self { $(Binary::$variant => $range,)* }
            }

            /// Whether a gradient flows to operand 0 or 1.
            pub fn differentiable(self, operand: usize) -> bool {
                let flags: [bool; 2] = match self { $(Binary::$variant => $diff,)* };
                flags.get(operand).copied().unwrap_or(false)
            }

            /// The op of `.act` builtin `name`, if the table has one.
            pub fn from_builtin_name(name: &str) -> Option<Binary> {
                Binary::ALL.iter().copied().find(|b| b.builtin_name() == Some(name))
            }

            /// Whether an element's bits depend on its position in the tensor:
            /// PyTorch's `pow` kernel runs SLEEF's `pow` over whole vector
            /// blocks and libm's over the rest (`elementwise::binary_at_into`).
            pub fn by_position(self) -> bool {
                matches!(self, Binary::Pow)
            }

            /// The element formula at one pair of values, in `T`'s precision.
            #[inline(always)]
            pub fn apply<T: Float>(self, a: T, b: T) -> T {
                match self { $(Binary::$variant => { let ($a, $b) = (a, b); $body })* }
            }

            /// Hands the element formula to `f` as a closure of its own type (see
            /// [`super::Unary::with_element`]).
            #[inline(always)]
            pub fn with_element<T: Float, F: ElementFn2<T>>(self, f: F) -> F::Output {
                match self { $(Binary::$variant => f.call(#[inline(always)] |$a: T, $b: T| $body),)* }
            }
        }
    };
}

binary_ops! {
    /// `a + b`.
    Add { name: "add", builtin: None, grad_fn: Some("AddBackward0"), result: TypeRule::SameNumber, cost_ps: 100,
          range: BinaryRange::Add, differentiable: [true, true], element: |x, y| x + y }
    /// `a - b`.
    Sub { name: "sub", builtin: None, grad_fn: Some("SubBackward0"), result: TypeRule::SameNumber, cost_ps: 100,
          range: BinaryRange::Sub, differentiable: [true, true], element: |x, y| x - y }
    /// `a * b`.
    Mul { name: "mul", builtin: None, grad_fn: Some("MulBackward0"), result: TypeRule::SameNumber, cost_ps: 100,
          range: BinaryRange::Mul, differentiable: [true, true], element: |x, y| x * y }
    /// `a / b` (0.1-0.2 ns measured for a division).
    Div { name: "div", builtin: None, grad_fn: Some("DivBackward0"), result: TypeRule::SameFloat, cost_ps: 200,
          range: BinaryRange::Div, differentiable: [true, true], element: |x, y| x / y }
    /// `pow(a, b)` elementwise with a tensor exponent: the C library's
    /// `pow`/`powf` here, SLEEF's over whole vector blocks ([`Binary::by_position`]).
    /// `pow` with a number exponent lowers to `pow_scalar` instead, so the
    /// builtin is handled by lowering, not looked up here.
    Pow { name: "pow", builtin: None, grad_fn: Some("PowBackward1"), result: TypeRule::FloatOnly, cost_ps: 6500,
          range: BinaryRange::Pow, differentiable: [true, true], element: |x, y| x.powf(y) }
    /// `pow` with the C library's function on every element, wherever it
    /// sits: the scalar per-pair loop of ATen's `cdist` kernel (`std::pow`).
    PowLibm { name: "pow_libm", builtin: None, grad_fn: None, result: TypeRule::FloatOnly, cost_ps: 6500,
              range: BinaryRange::Pow, differentiable: [true, true], element: |x, y| x.powf(y) }
    /// `pow` with SLEEF's function on every element: ATen's loops that apply
    /// `Vectorized::pow` to partial vectors too (`pdist`'s forward kernel, the
    /// backward kernels of `cdist` and `pdist`).
    PowSleef { name: "pow_sleef", builtin: None, grad_fn: None, result: TypeRule::FloatOnly, cost_ps: 6500,
               range: BinaryRange::Pow, differentiable: [true, true], element: |x, y| x.pow_sleef(y) }
    /// `maximum(a, b)`: `max_elementwise_kernel`, NaN if either is NaN, else
    /// `std::max(a, b)`, which is `a < b ? b : a` (so `maximum(0.0, -0.0)` is `0.0`, the first).
    Maximum { name: "maximum", builtin: Some("maximum"), grad_fn: Some("MaximumBackward0"), result: TypeRule::SameNumber, cost_ps: 100,
              range: BinaryRange::Maximum, differentiable: [true, true],
              element: |x, y| if x.is_nan() || y.is_nan() { T::NAN } else if x < y { y } else { x } }
    /// `minimum(a, b)`: NaN if either is NaN, else `std::min(a, b)`, which is `b < a ? b : a`.
    Minimum { name: "minimum", builtin: Some("minimum"), grad_fn: Some("MinimumBackward0"), result: TypeRule::SameNumber, cost_ps: 100,
              range: BinaryRange::Minimum, differentiable: [true, true],
              element: |x, y| if x.is_nan() || y.is_nan() { T::NAN } else if y < x { y } else { x } }
    /// `tanh_backward(grad, y)` = `grad * (1 - y*y)`, with `1 - y*y` as one fused
    /// multiply-add, as PyTorch's compiled CPU kernel rounds it (checked bit for bit
    /// against PyTorch's tutorial gradients). Operands: the gradient, tanh's output.
    /// A multiply and a fused multiply-add per element.
    TanhBackward { name: "tanh_backward", builtin: None, grad_fn: Some("TanhBackwardBackward0"), result: TypeRule::FloatOnly, cost_ps: 200,
                   range: BinaryRange::TanhBackward, differentiable: [true, true], element: |g, y| g * (-y).mul_add(y, T::ONE) }
    /// `atan2(input, other)`: the angle of the point (other, input), in [-pi, pi]
    /// (libm `atan2`). Its cost is not measured yet: atan's.
    Atan2 { name: "atan2", builtin: Some("atan2"), grad_fn: Some("Atan2Backward0"), result: TypeRule::SameFloat, cost_ps: 5000,
            range: BinaryRange::Atan2, differentiable: [true, true], element: |y, x| y.atan2(x) }
    /// `logaddexp(a, b)`: `max(a, b) + log1p(exp(-|a - b|))`, and `a` where both
    /// are the same infinity, as the vector lambda of ATen's `logaddexp_kernel`
    /// computes it, with SLEEF's `exp` and `log1p`. PyTorch runs its scalar
    /// lambda, with glibc's functions, on the elements past a row's last whole
    /// vector block; graphc computes those with SLEEF's too (docs/NUMERICS.md).
    /// Its cost is not measured yet: exp's and log1p's.
    Logaddexp { name: "logaddexp", builtin: Some("logaddexp"), grad_fn: Some("LogaddexpBackward0"), result: TypeRule::FloatOnly, cost_ps: 7000,
                range: BinaryRange::Logaddexp, differentiable: [true, true],
                element: |a, b| if a == b && -a.abs() == T::NEG_INFINITY {
                    a
                } else {
                    let m = if a.is_nan() || b.is_nan() { T::NAN } else if a < b { b } else { a };
                    m + (-(a - b).abs()).exp_sleef().log1p_torch()
                } }
    /// `logaddexp2(a, b)`: `max(a, b) + log1p(exp2(-|a - b|)) / ln 2`, and `a`
    /// where both are the same infinity, as the vector lambda of ATen's
    /// `logaddexp2_kernel` computes it: SLEEF's `exp2` and `log1p`, the
    /// reciprocal of ln 2 rounded to the type, and the multiply and add fused
    /// as GCC contracts them. The elements past a row's last whole vector
    /// block are computed the same way (PyTorch's scalar lambda uses glibc's:
    /// docs/NUMERICS.md). Its cost is not measured yet: logaddexp's.
    Logaddexp2 { name: "logaddexp2", builtin: Some("logaddexp2"), grad_fn: Some("Logaddexp2Backward0"), result: TypeRule::FloatOnly, cost_ps: 7000,
                 range: BinaryRange::Logaddexp2, differentiable: [true, true],
                 element: |a, b| if a == b && -a.abs() == T::NEG_INFINITY {
                     a
                 } else {
                     let m = if a.is_nan() || b.is_nan() { T::NAN } else if a < b { b } else { a };
                     (-(a - b).abs()).exp2_sleef().log1p_torch().mul_add(T::from_f64(1.0 / std::f64::consts::LN_2), m)
                 } }
    /// `hypot(a, b)`: `sqrt(a^2 + b^2)` without overflow, as SLEEF's u05
    /// `hypot` (PyTorch's vector lambda) computes it; the elements past a
    /// row's last whole vector block too, where PyTorch calls glibc's `hypot`
    /// (docs/NUMERICS.md). Gradients as derivatives.yaml's: `grad * self /
    /// result` for each operand. Its cost is not measured yet.
    Hypot { name: "hypot", builtin: Some("hypot"), grad_fn: Some("HypotBackward0"), result: TypeRule::FloatOnly, cost_ps: 3000,
            range: BinaryRange::Hypot, differentiable: [true, true], element: |a, b| a.hypot_sleef(b) }
    /// `heaviside(input, values)`: `values` where `input` is zero, else 1 where
    /// it is positive and 0 elsewhere (NaN too), as ATen's `heaviside_kernel`.
    /// PyTorch defines no derivative (`grad_fn=<NotImplemented>`): a backward
    /// through it is E0410.
    Heaviside { name: "heaviside", builtin: Some("heaviside"), grad_fn: Some("NotImplemented"), result: TypeRule::SameNumber, cost_ps: 100,
                range: BinaryRange::Heaviside, differentiable: [false, false],
                element: |a, b| if a == T::ZERO { b } else if a > T::ZERO { T::ONE } else { T::ZERO } }
    /// `a // b`: division rounded toward negative infinity, as Python's `float.__floordiv__`
    /// and PyTorch's `div_floor_floating` compute it (from the exact `fmod`). It has
    /// no gradient (PyTorch's is zero almost everywhere). Its cost is not measured yet.
    FloorDivide { name: "floor_divide", builtin: None, grad_fn: None, result: TypeRule::SameNumber, cost_ps: 3000,
                  range: BinaryRange::FloorDivide, differentiable: [false, false], element: |a, b| floor_divide(a, b) }
    /// `torch.remainder(a, b)` and `a % b` of tensors: `fmod`, moved into the
    /// divisor's sign where it is nonzero, as ATen's `remainder_kernel`
    /// computes it (a zero result keeps `fmod`'s sign, the dividend's).
    /// Gradients as derivatives.yaml's `remainder.Tensor`. Its cost is not measured yet.
    Remainder { name: "remainder", builtin: Some("remainder"), grad_fn: Some("RemainderBackward1"), result: TypeRule::SameNumber, cost_ps: 3000,
                range: BinaryRange::Remainder, differentiable: [true, true], element: |a, b| remainder(a, b) }
    /// `torch.fmod(a, b)`: C's `fmod`, the remainder with the dividend's sign
    /// (exact, as ATen's `fmod_kernel`). Gradients as derivatives.yaml's
    /// `fmod.Tensor`. Its cost is not measured yet: remainder's.
    Fmod { name: "fmod", builtin: Some("fmod"), grad_fn: Some("FmodBackward1"), result: TypeRule::SameNumber, cost_ps: 3000,
           range: BinaryRange::Remainder, differentiable: [true, true], element: |a, b| a.fmod(b) }
    /// `a % b` of Python numbers (host values): the remainder with the sign of
    /// `b`, a zero result too, as Python's `float.__mod__`. No gradient.
    PyRemainder { name: "py_remainder", builtin: None, grad_fn: None, result: TypeRule::SameNumber, cost_ps: 3000,
                  range: BinaryRange::Remainder, differentiable: [false, false], element: |a, b| py_remainder(a, b) }
    /// `log_sigmoid_backward(grad, x)`: PyTorch's `log_sigmoid_backward` kernel,
    /// `(max_deriv - sign * (b / (1 + b))) * grad` with `b = exp(-|x|)` (SLEEF's,
    /// the forward's buffer recomputed), `max_deriv, sign` = `1, 1` where
    /// `x < 0` and `0, -1` elsewhere. Its cost is not measured yet: exp's.
    LogSigmoidBackward { name: "log_sigmoid_backward", builtin: None, grad_fn: Some("LogSigmoidBackwardBackward0"), result: TypeRule::FloatOnly,
                         cost_ps: 4000, range: BinaryRange::UnitFactorOfFirst, differentiable: [true, true],
                         element: |g, x| {
                             let b = (-x.abs()).exp_sleef();
                             let (max_deriv, sign) = if x < T::ZERO { (T::ONE, T::ONE) } else { (T::ZERO, -T::ONE) };
                             (max_deriv - sign * (b / (T::ONE + b))) * g
                         } }
    /// `copysign(input, other)`: `input`'s magnitude with `other`'s sign bit
    /// (C's `copysign`, which ATen's kernel and its vector lambda both are:
    /// exact, so `-0.0` and a NaN's sign count). Gradients as derivatives.yaml's
    /// `copysign.Tensor`: `grad * (result / self)`, zero where `self == 0`, and
    /// zeros for `other`.
    Copysign { name: "copysign", builtin: None, grad_fn: Some("CopysignBackward0"), result: TypeRule::SameFloat, cost_ps: 100,
               range: BinaryRange::MagnitudeOfFirst, differentiable: [true, true], element: |a, b| a.copysign(b) }
    /// `keep_graph(old, new)`: the values of `new` with the autograd history of
    /// `old`, which receives the gradient unchanged: a tensor that requires grad
    /// updated in place inside `no_grad` (PyTorch changes its values and keeps
    /// its graph), as `cosine_similarity` clamps its norms. Lowering gives the
    /// node `old`'s `grad_fn`.
    KeepGraph { name: "keep_graph", builtin: None, grad_fn: None, result: TypeRule::SameNumber, cost_ps: 100,
                range: BinaryRange::Second, differentiable: [true, false], element: |_old, new| new }
}

/// Python's `float.__floordiv__` (CPython's `float_floor_div`, PyTorch's
/// `div_floor_floating`): the quotient of the exact remainder's complement,
/// rounded to the nearest integer toward negative infinity.
fn floor_divide<T: Float>(a: T, b: T) -> T {
    if b == T::ZERO {
        return a / b;
    }
    let m = a.fmod(b);
    let mut div = (a - m) / b;
    if m != T::ZERO && ((b < T::ZERO) != (m < T::ZERO)) {
        div = div - T::ONE;
    }
    if div == T::ZERO {
        return T::ZERO.copysign(a / b);
    }
    let floor = div.floor();
    if div - floor > T::from_f64(0.5) {
        floor + T::ONE
    } else {
        floor
    }
}

/// ATen's `remainder_kernel` for floats: `fmod`, plus the divisor where the
/// nonzero result's sign differs from the divisor's.
fn remainder<T: Float>(a: T, b: T) -> T {
    let m = a.fmod(b);
    if m != T::ZERO && ((b < T::ZERO) != (m < T::ZERO)) {
        m + b
    } else {
        m
    }
}

/// Python's `float.__mod__`: `fmod`, moved into the divisor's sign; a zero
/// result takes the divisor's sign.
fn py_remainder<T: Float>(a: T, b: T) -> T {
    let m = a.fmod(b);
    if m == T::ZERO {
        return T::ZERO.copysign(b);
    }
    remainder(a, b)
}
