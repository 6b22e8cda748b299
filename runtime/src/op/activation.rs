//! The elementwise ops with scalar parameters (`clamp`, `leaky_relu`, `elu`,
//! `softplus`, `hardtanh`, `round` with `decimals`), and the piecewise ones
//! with constants (`hardsigmoid`, `hardswish`): one closed family, [`Activation`], whose variants
//! hold their parameters as [`F64Bits`] so that [`super::Op`] stays `Eq + Hash`.
//!
//! Each variant's element formula is PyTorch's CPU kernel's, operation for
//! operation, with the parameters converted to the tensor's dtype first, as
//! the kernels do (`scalar.to<scalar_t>()`). The one-op kernel and the fused
//! executor both call [`Activation::apply`], so they agree bit for bit.

use super::F64Bits;
use crate::kernels::float::Float;

/// A one-operand elementwise op with scalar parameters; the result has the
/// operand's shape and float dtype.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Activation {
    /// `clamp(x, min, max)` with either bound optional (not both absent): NaN
    /// stays NaN, then `min(max(x, min), max)`.
    Clamp { min: Option<F64Bits>, max: Option<F64Bits> },
    /// `hardtanh(x, min_val, max_val)`: PyTorch computes it as `clamp`, but
    /// its backward node is `HardtanhBackward0`, which passes the gradient at
    /// NaN and zeroes it at the bounds themselves.
    Hardtanh { min: F64Bits, max: F64Bits },
    /// `leaky_relu(x, negative_slope)`: `x > 0 ? x : x * slope`.
    LeakyRelu { slope: F64Bits },
    /// `elu(x, alpha)`: `x <= 0 ? expm1(x) * alpha : x` (PyTorch's `elu_kernel`
    /// with `scale = input_scale = 1`).
    Elu { alpha: F64Bits },
    /// `softplus(x, beta, threshold)`: `x * beta > threshold ? x :
    /// log1p(exp(x * beta)) / beta`.
    Softplus { beta: F64Bits, threshold: F64Bits },
    /// `round(x, decimals=d)`: PyTorch's `round_decimals_kernel`, with
    /// `p = pow(10, |d|)` rounded to the dtype: `nearbyint(x * p) / p` for
    /// `d >= 0`, `nearbyint(x / p) * p` for `d < 0`. `decimals` is an integer
    /// held as a float, as the other parameters are.
    RoundDecimals { decimals: F64Bits },
    /// Python's `round(x, n)` of a float, for a run-time Python float (`n >=
    /// 0`, an integer held as a float): the exact binary value rounded to `n`
    /// decimals, ties to even, read back as the nearest float. CPython rounds
    /// through its correctly rounded decimal conversion, as Rust's `{:.n}`
    /// formatting does. It is not PyTorch's `round(decimals=)`, which scales.
    PyRound { digits: F64Bits },
    /// `selu(x)`: PyTorch's `elu_kernel` with SELU's alpha and scale,
    /// `x <= 0 ? expm1(x) * (alpha * scale) : x * scale`, both coefficients
    /// rounded to the dtype first and their product formed in it.
    Selu,
    /// `celu(x, alpha)`: `elu_kernel` with `input_scale = 1 / alpha` (formed
    /// in f64, then rounded to the dtype), `x <= 0 ? expm1(x * (1 / alpha)) *
    /// alpha : x`.
    Celu { alpha: F64Bits },
    /// `hardsigmoid(x)`: `min(max(x + 3, 0), 6) / 6` (NaN stays NaN).
    Hardsigmoid,
    /// `hardswish(x)`: `x * min(max(x + 3, 0), 6) / 6`, the product first.
    Hardswish,
    /// `softshrink(x, lambd)`: `x > lambd ? x - lambd : x < -lambd ? x + lambd
    /// : x * 0` (a zero with `x`'s sign; NaN stays NaN), `lambd >= 0`, in
    /// PyTorch's scalar tail; its vector body gives +0 inside the band
    /// ([`Activation::apply_vector`]).
    Softshrink { lambd: F64Bits },
    /// `hardshrink(x, lambd)`: `-lambd <= x <= lambd ? 0 : x` (NaN stays NaN).
    Hardshrink { lambd: F64Bits },
    /// `threshold(x, threshold, value)`: `x <= threshold ? value : x` (NaN stays NaN).
    Threshold { threshold: F64Bits, value: F64Bits },
    /// `polygamma(n, x)` for `n >= 2` (an integer held as a float; `n = 0` and
    /// `1` are the `digamma` and `trigamma` rows of the unary table): ATen's
    /// `calc_polygamma`, `(-1)^(n+1) * exp(lgamma(n + 1)) * zeta(n + 1, x)` with
    /// the C library's `exp` and `lgamma` of the dtype and Cephes' Hurwitz
    /// zeta summed in double ([`hurwitz_zeta`]).
    Polygamma { n: F64Bits },
}

impl Activation {
    /// The builtin `.act` calls it by, which the IR dump also prints.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Clamp { .. } => "clamp",
            Activation::Hardtanh { .. } => "hardtanh",
            Activation::LeakyRelu { .. } => "leaky_relu",
            Activation::Elu { .. } => "elu",
            Activation::Softplus { .. } => "softplus",
            Activation::RoundDecimals { .. } => "round_decimals",
            Activation::PyRound { .. } => "py_round",
            Activation::Selu => "selu",
            Activation::Celu { .. } => "celu",
            Activation::Hardsigmoid => "hardsigmoid",
            Activation::Hardswish => "hardswish",
            Activation::Softshrink { .. } => "softshrink",
            Activation::Hardshrink { .. } => "hardshrink",
            Activation::Threshold { .. } => "threshold",
            Activation::Polygamma { .. } => "polygamma",
        }
    }

    /// PyTorch's `grad_fn` name for a result. `torch.clamp` with scalar bounds
    /// is the `clamp.Scalar` overload whichever bounds are given, so it is
    /// `ClampBackward1` for all three (`ClampMinBackward0` is `clamp_min`'s).
    pub fn grad_fn(self) -> &'static str {
        match self {
            Activation::Clamp { .. } => "ClampBackward1",
            Activation::Hardtanh { .. } => "HardtanhBackward0",
            Activation::LeakyRelu { .. } => "LeakyReluBackward0",
            Activation::Elu { .. } => "EluBackward0",
            Activation::Softplus { .. } => "SoftplusBackward0",
            // `round.decimals` is the second overload of `round`.
            Activation::RoundDecimals { .. } => "RoundBackward1",
            // A Python float has no grad_fn; it never requires grad.
            Activation::PyRound { .. } => "RoundBackward1",
            // `selu` is `elu` in PyTorch's autograd; `celu` has its own entry.
            Activation::Selu => "EluBackward0",
            Activation::Celu { .. } => "CeluBackward0",
            Activation::Hardsigmoid => "HardsigmoidBackward0",
            Activation::Hardswish => "HardswishBackward0",
            Activation::Softshrink { .. } => "SoftshrinkBackward0",
            Activation::Hardshrink { .. } => "HardshrinkBackward0",
            Activation::Threshold { .. } => "ThresholdBackward0",
            Activation::Polygamma { .. } => "PolygammaBackward0",
        }
    }

    /// The parameters in the order the IR dump prints them (`None`: an absent
    /// clamp bound).
    pub fn params(self) -> Vec<(&'static str, Option<F64Bits>)> {
        match self {
            Activation::Clamp { min, max } => vec![("min", min), ("max", max)],
            Activation::Hardtanh { min, max } => vec![("min_val", Some(min)), ("max_val", Some(max))],
            Activation::LeakyRelu { slope } => vec![("negative_slope", Some(slope))],
            Activation::Elu { alpha } => vec![("alpha", Some(alpha))],
            Activation::Softplus { beta, threshold } => vec![("beta", Some(beta)), ("threshold", Some(threshold))],
            Activation::RoundDecimals { decimals } => vec![("decimals", Some(decimals))],
            Activation::PyRound { digits } => vec![("digits", Some(digits))],
            Activation::Celu { alpha } => vec![("alpha", Some(alpha))],
            Activation::Softshrink { lambd } | Activation::Hardshrink { lambd } => vec![("lambd", Some(lambd))],
            Activation::Threshold { threshold, value } => vec![("threshold", Some(threshold)), ("value", Some(value))],
            Activation::Polygamma { n } => vec![("n", Some(n))],
            Activation::Selu | Activation::Hardsigmoid | Activation::Hardswish => Vec::new(),
        }
    }

    /// Time per element in a fused kernel, in picoseconds: a compare and select
    /// for the piecewise-linear ones, plus `expm1` (elu) or `exp` and `log1p`
    /// and a division (softplus). Not measured yet.
    pub fn cost_ps(self) -> u64 {
        match self {
            Activation::Clamp { .. } | Activation::Hardtanh { .. } | Activation::LeakyRelu { .. } => 200,
            Activation::Softshrink { .. } | Activation::Hardshrink { .. } | Activation::Threshold { .. } => 200,
            // An addition, a clamp and a division (and a product).
            Activation::Hardsigmoid | Activation::Hardswish => 400,
            Activation::Elu { .. } | Activation::Selu | Activation::Celu { .. } => 3200,
            Activation::Softplus { .. } => 6800,
            // A multiply, a rounding instruction and a division.
            Activation::RoundDecimals { .. } => 400,
            // A decimal conversion there and back; it runs on one host number.
            Activation::PyRound { .. } => 200_000,
            // At least ten `pow` calls and a dozen divisions in double.
            Activation::Polygamma { .. } => 40_000,
        }
    }

    /// Whether PyTorch computes this op with `cpu_kernel_vec` and a vector
    /// lambda whose bits differ from its scalar one ([`Activation::apply_vector`]),
    /// so that an element's result depends on where it sits in the tensor
    /// (`kernels::elementwise::activation_at_into`).
    pub fn by_position(self) -> bool {
        matches!(
            self,
            Activation::Elu { .. } | Activation::Selu | Activation::Celu { .. } | Activation::Softplus { .. } | Activation::Softshrink { .. }
        )
    }

    /// How many bytes of elements one step of the op's vector loop takes, for
    /// the ops [`Activation::by_position`]: two 64-byte vectors in
    /// `cpu_kernel_vec`'s loop, one for `softshrink` (measured with PyTorch
    /// 2.15 on this machine: of 12 f64 elements the first 8 take the vector
    /// lambda, of 20 f32 the first 16).
    pub fn vector_bytes(self) -> usize {
        match self {
            Activation::Softshrink { .. } => 64,
            _ => 128,
        }
    }

    /// The vector lambda of a [`Activation::by_position`] op at one value:
    /// `elu_kernel`'s `blendv((x * input_scale).expm1() * (alpha * scale),
    /// x * scale, x > 0)`, with SLEEF's `expm1` (a NaN takes the `expm1` side);
    /// `softplus_kernel`'s `blendv((x * beta).exp().log1p() / beta, x, x * beta >
    /// threshold)` with SLEEF's `exp` and `log1p`. Other ops: [`Activation::apply`].
    #[inline(always)]
    pub fn apply_vector<T: Float>(self, a: T) -> T {
        let p = |v: F64Bits| T::from_f64(v.get());
        if let Activation::Softplus { beta, threshold } = self {
            let (b, t) = (p(beta), p(threshold));
            return if a * b > t { a } else { (a * b).exp_sleef().log1p_torch() / b };
        }
        // `softshrink_kernel`'s vector lambda gives +0 inside [-lambd, lambd]
        // (measured: PyTorch 2.15 on this machine), where its scalar one
        // gives `a * 0`, a zero with `a`'s sign; NaN stays NaN in both.
        if let Activation::Softshrink { lambd } = self {
            let l = p(lambd);
            return if a > l {
                a - l
            } else if a < -l {
                a + l
            } else if a.is_nan() {
                a
            } else {
                T::ZERO
            };
        }
        let (input_scale, scale, negcoef) = match self {
            Activation::Elu { alpha } => (T::ONE, T::ONE, p(alpha)),
            Activation::Selu => (T::ONE, p(SELU_SCALE), p(SELU_ALPHA) * p(SELU_SCALE)),
            Activation::Celu { alpha } => (T::from_f64(1.0 / alpha.get()), T::ONE, p(alpha)),
            _ => return self.apply(a),
        };
        if a > T::ZERO {
            a * scale
        } else {
            (a * input_scale).expm1_sleef() * negcoef
        }
    }

    /// The element formula at one value, in `T`'s precision (for the ops
    /// [`Activation::by_position`], the scalar lambda PyTorch runs on the
    /// elements after the last whole vector block).
    #[inline(always)]
    pub fn apply<T: Float>(self, a: T) -> T {
        let p = |v: F64Bits| T::from_f64(v.get());
        let (p3, p6) = (|| T::from_f64(3.0), || T::from_f64(6.0));
        match self {
            Activation::Clamp { min, max } => clamp(a, min.map(p), max.map(p)),
            Activation::Hardtanh { min, max } => clamp(a, Some(p(min)), Some(p(max))),
            Activation::LeakyRelu { slope } => {
                if a > T::ZERO {
                    a
                } else {
                    a * p(slope)
                }
            }
            // The scalar lambda of PyTorch's `elu_kernel`
            // (`get_scalar_elu_elementwise_func`; the vector one is
            // [`Activation::apply_vector`]): libm's `expm1(x * input_scale)`
            // times `alpha * scale`; `x * scale` above zero.
            Activation::Elu { alpha } => {
                if a <= T::ZERO {
                    a.exp_m1() * p(alpha)
                } else {
                    a
                }
            }
            Activation::Softplus { beta, threshold } => {
                let (b, t) = (p(beta), p(threshold));
                if a * b > t {
                    a
                } else {
                    (a * b).exp().ln_1p() / b
                }
            }
            Activation::PyRound { digits } => {
                let x = a.to_f64();
                if !x.is_finite() {
                    return a;
                }
                let n = digits.get() as usize;
                T::from_f64(format!("{x:.n$}").parse().unwrap_or(x))
            }
            Activation::Selu => {
                if a <= T::ZERO {
                    a.exp_m1() * (p(SELU_ALPHA) * p(SELU_SCALE))
                } else {
                    a * p(SELU_SCALE)
                }
            }
            Activation::Celu { alpha } => {
                if a <= T::ZERO {
                    (a * T::from_f64(1.0 / alpha.get())).exp_m1() * p(alpha)
                } else {
                    a
                }
            }
            // PyTorch's `hardsigmoid_kernel` and `hardswish_kernel`:
            // `std::min(std::max(x + three, zero), six) / six`, whose
            // comparisons keep a NaN, as `clamp` does.
            Activation::Hardsigmoid => clamp(a + p3(), Some(T::ZERO), Some(p6())) / p6(),
            Activation::Hardswish => a * clamp(a + p3(), Some(T::ZERO), Some(p6())) / p6(),
            // PyTorch's `softshrink_kernel`, `shrink_kernel` (hardshrink) and
            // `threshold_kernel`, with the parameters in the dtype.
            Activation::Softshrink { lambd } => {
                let l = p(lambd);
                if a > l {
                    a - l
                } else if a < -l {
                    a + l
                } else {
                    a * T::ZERO
                }
            }
            Activation::Hardshrink { lambd } => {
                let l = p(lambd);
                if a >= -l && a <= l {
                    T::ZERO
                } else {
                    a
                }
            }
            Activation::Threshold { threshold, value } => {
                if a <= p(threshold) {
                    p(value)
                } else {
                    a
                }
            }
            Activation::Polygamma { n } => {
                let n = n.get();
                let sign = if n % 2.0 == 1.0 { T::ONE } else { -T::ONE };
                sign * (T::from_f64(n) + T::ONE).lgamma_libm().exp() * hurwitz_zeta(T::from_f64(n + 1.0), a)
            }
            Activation::RoundDecimals { decimals } => {
                let d = decimals.get();
                let p = T::from_f64(10f64.powf(d.abs()));
                if d < 0.0 {
                    (a / p).round_ties_even() * p
                } else {
                    (a * p).round_ties_even() / p
                }
            }
        }
    }
}

/// ATen's `zeta(x, q)` (`ATen/native/Math.h`, from Cephes), the Hurwitz zeta
/// function `sum over k >= 0 of (q + k)^-x`, for `T` with a double accumulator
/// (ATen's `acc_type` of both float types on the CPU): the first term is the
/// dtype's `pow` (`powf` for f32, measured: 1,800 of 1,800 inputs identical,
/// 1,709 with `pow`), then at least nine more terms and on until `q + k`
/// passes 9, stopping early where a term falls below the sum's precision, then
/// an Euler-Maclaurin tail.
// Cephes' decimal literals, kept as written.
#[allow(clippy::excessive_precision)]
fn hurwitz_zeta<T: Float>(x: T, q: T) -> T {
    const MACHEP: f64 = 1.110_223_024_625_156_540_42E-16;
    const A: [f64; 12] = [
        12.0,
        -720.0,
        30240.0,
        -1209600.0,
        47900160.0,
        -1.892_437_580_318_379_160_6e9,
        7.472_424_96e10,
        -2.950_130_727_918_164_224e12,
        1.164_678_281_435_006_724_9e14,
        -4.597_978_722_407_472_610_5e15,
        1.815_210_540_194_354_677_3e17,
        -7.166_165_256_175_667_011_3e18,
    ];
    if x == T::ONE {
        return T::from_f64(f64::INFINITY);
    }
    if x < T::ONE {
        return T::NAN;
    }
    if q <= T::ZERO {
        if q == q.floor() {
            return T::from_f64(f64::INFINITY);
        }
        if x != x.floor() {
            return T::NAN;
        }
    }
    let xd = x.to_f64();
    let mut s = q.powf(-x).to_f64();
    let (mut a, mut b, mut i) = (q.to_f64(), 0.0f64, 0);
    while i < 9 || a <= 9.0 {
        i += 1;
        a += 1.0;
        b = a.powf(-xd);
        s += b;
        if -MACHEP * s < b && b < MACHEP * s {
            return T::from_f64(s);
        }
    }
    let w = a;
    s += b * w / (xd - 1.0);
    // GCC fuses `s -= half * b` in PyTorch's build (no input measured tells).
    s = (-0.5f64).mul_add(b, s);
    a = 1.0;
    let mut k = 0.0;
    for coefficient in A {
        a *= xd + k;
        b /= w;
        let t = a * b / coefficient;
        s += t;
        if (t / s).abs() < MACHEP {
            return T::from_f64(s);
        }
        k += 1.0;
        a *= xd + k;
        b /= w;
        k += 1.0;
    }
    T::from_f64(s)
}

/// SELU's constants as PyTorch's `selu` passes them to `elu` (`Activation.cpp`).
/// 1.6732632423543772848170429916717 and 1.0507009873554804934193349852946.
pub const SELU_ALPHA: F64Bits = F64Bits(0x3ffa_c5af_ad78_2cf1);
pub const SELU_SCALE: F64Bits = F64Bits(0x3ff0_cfab_d6a9_1132);

/// PyTorch's `clamp_scalar_kernel_impl`: a NaN operand comes out unchanged,
/// otherwise `std::min(std::max(a, min), max)`.
#[inline(always)]
fn clamp<T: Float>(a: T, min: Option<T>, max: Option<T>) -> T {
    if a.is_nan() {
        return a;
    }
    let a = match min {
        Some(lo) if a < lo => lo,
        _ => a,
    };
    match max {
        Some(hi) if hi < a => hi,
        _ => a,
    }
}
