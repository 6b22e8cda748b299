//! Each op of graphc's table as ONNX operators (opset [`super::OPSET`]): one
//! match over [`Op`], exhaustive, with one arm per op or family. An op without
//! a mapping returns [`Unmapped`], which export reports as E0722 naming the op.
//!
//! Operands are converted to the node's dtype where graphc's kernels convert
//! them (PyTorch's type promotion) and ONNX would refuse mixed types, so each
//! mapping sees operands of the types its ONNX operators require.

use graphc_runtime::op::activation::{SELU_ALPHA, SELU_SCALE};
use graphc_runtime::op::{Activation, Binary, Cmp, FloatTest, IndexOp, Logical, ScatterReduce, Unary, GELU_TANH_BETA};
use graphc_runtime::{DType, Op};

use super::emit::{int, ints, string, Emitter};
use super::reduce;

/// An operand of the node being mapped: its ONNX value and static type.
#[derive(Clone, Debug)]
pub struct Operand {
    pub name: String,
    pub dtype: DType,
    pub shape: Vec<usize>,
}

/// The node being mapped: its result type and operands.
pub struct Site<'a> {
    pub dtype: DType,
    pub shape: &'a [usize],
    pub args: &'a [Operand],
}

impl Site<'_> {
    /// Operand `k` converted to the node's dtype.
    pub fn arg(&self, em: &mut Emitter, k: usize) -> String {
        self.arg_as(em, k, self.dtype)
    }

    /// Operand `k` converted to `dtype`.
    pub fn arg_as(&self, em: &mut Emitter, k: usize, dtype: DType) -> String {
        em.cast(&self.args[k].name, self.args[k].dtype, dtype)
    }

    /// A 0-d constant of the node's dtype.
    pub fn c(&self, em: &mut Emitter, v: f64) -> String {
        em.scalar(v, self.dtype)
    }
}

/// An op that has no ONNX mapping yet.
#[derive(Debug)]
pub struct Unmapped;

/// The ONNX value that computes `op` at `site`.
pub fn map(em: &mut Emitter, op: &Op, site: &Site) -> Result<String, Unmapped> {
    Ok(match op {
        // Sources are initializers or graph inputs, which export makes before any
        // node; a loop's output is refused before mapping starts (E0720).
        Op::Full(_)
        | Op::Literal(_)
        | Op::Arange { .. }
        | Op::Linspace { .. }
        | Op::Randn
        | Op::Rand
        | Op::Param(_)
        | Op::Input(_)
        | Op::Data(_)
        | Op::RegionOutput { .. } => return Err(Unmapped),
        Op::Unary(u) => unary(em, *u, site)?,
        Op::PowScalar(c) => pow_scalar(em, c.get(), site),
        Op::Activation(Activation::PyRound { .. }) => return Err(Unmapped),
        // ONNX has no gamma functions.
        Op::Activation(Activation::Polygamma { .. }) => return Err(Unmapped),
        // ONNX has no running log-sum-exp (CumSum of exp would overflow where
        // PyTorch's running maximum does not).
        Op::Logcumsumexp { .. } => return Err(Unmapped),
        Op::Activation(a) => activation(em, *a, site),
        Op::Binary(b) => binary(em, *b, site)?,
        Op::Where(cmp) => {
            let cond = compare(em, *cmp, &site.args[0].name, &site.args[1].name);
            let (x, y) = (site.arg(em, 2), site.arg(em, 3));
            em.node("Where", &[&cond, &x, &y], vec![])
        }
        Op::Cast => em.cast(&site.args[0].name, site.args[0].dtype, site.dtype),
        Op::Compare(cmp) => {
            // Operands share a dtype after promotion, except a bool compared with a number.
            let common = if site.args[0].dtype == site.args[1].dtype { site.args[0].dtype } else { DType::F64 };
            let (a, b) = (site.arg_as(em, 0, common), site.arg_as(em, 1, common));
            compare(em, *cmp, &a, &b)
        }
        Op::Select => {
            let cond = site.arg_as(em, 0, DType::Bool);
            let (x, y) = (site.arg(em, 1), site.arg(em, 2));
            em.node("Where", &[&cond, &x, &y], vec![])
        }
        Op::Logical(l) => {
            let a = site.arg_as(em, 0, DType::Bool);
            match l {
                Logical::Not => em.node("Not", &[&a], vec![]),
                Logical::And | Logical::Or => {
                    let b = site.arg_as(em, 1, DType::Bool);
                    em.node(if *l == Logical::And { "And" } else { "Or" }, &[&a, &b], vec![])
                }
            }
        }
        Op::FloatTest(t) => float_test(em, *t, site),
        Op::NanToNum { nan, posinf, neginf } => {
            let x = site.arg(em, 0);
            let is_nan = em.node("IsNaN", &[&x], vec![]);
            let is_pos = em.node("IsInf", &[&x], vec![int("detect_negative", 0)]);
            let is_neg = em.node("IsInf", &[&x], vec![int("detect_positive", 0)]);
            let (n, p, m) = (site.c(em, nan.get()), site.c(em, posinf.get()), site.c(em, neginf.get()));
            let v = em.node("Where", &[&is_neg, &m, &x], vec![]);
            let v = em.node("Where", &[&is_pos, &p, &v], vec![]);
            em.node("Where", &[&is_nan, &n, &v], vec![])
        }
        Op::Index(IndexOp::ScatterReduce { dim, reduce, include_self }) => scatter_reduce(em, site, *dim, *reduce, *include_self)?,
        // ONNX has no running maximum whose position it reports.
        // ONNX's `TopK` orders ties by position, not as ATen's quickselect leaves them.
        Op::Index(IndexOp::CumExtreme { .. } | IndexOp::Kth { .. }) => return Err(Unmapped),
        // ONNX has no binary search; a count of smaller boundaries would differ where they hold NaN.
        Op::Index(IndexOp::Search { .. }) => return Err(Unmapped),
        // Adaptive windows of one size are `MaxPool`'s; ONNX has no windows of several sizes.
        Op::Index(IndexOp::AdaptiveMaxPool) if (2..4).any(|a| !site.args[0].shape[a].is_multiple_of(site.shape[a])) => return Err(Unmapped),
        Op::Index(i) => index(em, *i, site),
        Op::Fma => {
            let (a, b, c) = (site.arg(em, 0), site.arg(em, 1), site.arg(em, 2));
            let ab = em.node("Mul", &[&a, &b], vec![]);
            em.node("Add", &[&ab, &c], vec![])
        }
        Op::Expand => {
            let x = site.arg(em, 0);
            let dims: Vec<i64> = site.shape.iter().map(|&d| d as i64).collect();
            let shape = em.ints(&dims);
            em.node("Expand", &[&x, &shape], vec![])
        }
        Op::Reshape => {
            let x = site.arg(em, 0);
            em.reshape(&x, site.shape)
        }
        Op::Transpose => {
            let x = site.arg(em, 0);
            em.node("Transpose", &[&x], vec![ints("perm", &[1, 0])])
        }
        Op::Permute(dims) => {
            let x = site.arg(em, 0);
            let perm: Vec<i64> = dims.iter().map(|&d| d as i64).collect();
            em.node("Transpose", &[&x], vec![ints("perm", &perm)])
        }
        Op::Slice { dim, start, step } => reduce::slice(em, site, *dim, *start, *step),
        Op::SliceBackward { dim, start, step } => reduce::slice_backward(em, site, *dim, *start, *step),
        Op::Cat { dim, .. } => {
            let parts: Vec<String> = (0..site.args.len()).map(|k| site.arg(em, k)).collect();
            let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
            em.node("Concat", &refs, vec![int("axis", *dim as i64)])
        }
        Op::SumTo => reduce::sum_to(em, site),
        Op::Sum { dim } => reduce::reduce(em, site, "ReduceSum", &dims_of(*dim, site), false),
        Op::Mean { dim } => reduce::reduce(em, site, "ReduceMean", &dims_of(*dim, site), false),
        Op::Reduce { kind, dims, keepdim } => reduce::reduce_kind(em, site, *kind, dims, *keepdim)?,
        Op::Cumsum { dim, reverse } => {
            let x = site.arg(em, 0);
            let axis = em.scalar(*dim as f64, DType::I64);
            em.node("CumSum", &[&x, &axis], vec![int("reverse", *reverse as i64)])
        }
        Op::Softmax { dim, log } => {
            let x = site.arg(em, 0);
            em.node(if *log { "LogSoftmax" } else { "Softmax" }, &[&x], vec![int("axis", *dim as i64)])
        }
        Op::SoftmaxBackward { dim, log } => {
            // ONNX has no softmax gradient operator: the composite of PyTorch's
            // formula, `grad - exp(out) * sum(grad)` or `(grad - sum(grad * out)) * out`.
            let (g, out) = (site.arg(em, 0), site.arg(em, 1));
            if *log {
                let s = reduce::reduce_value(em, "ReduceSum", &g, &[*dim], true);
                let e = em.node("Exp", &[&out], vec![]);
                let es = em.node("Mul", &[&e, &s], vec![]);
                em.node("Sub", &[&g, &es], vec![])
            } else {
                let go = em.node("Mul", &[&g, &out], vec![]);
                let s = reduce::reduce_value(em, "ReduceSum", &go, &[*dim], true);
                let d = em.node("Sub", &[&g, &s], vec![]);
                em.node("Mul", &[&d, &out], vec![])
            }
        }
        // A product of the others that stays exact where elements are zero needs
        // exclusive cumulative products, which ONNX has no operator for.
        // ONNX has a CumSum but no cumulative product.
        Op::Cumprod { .. } | Op::ProdOthers { .. } | Op::ProdOthersVjp { .. } => return Err(Unmapped),
        Op::Loss { kind, reduction } => reduce::loss(em, site, *kind, *reduction),
        Op::LayerNorm(ln) => super::layer_norm::layer_norm(em, site, ln),
        Op::GroupNorm(gn) => super::layer_norm::group_norm(em, site, gn),
        Op::Conv(c) => super::conv::conv(em, site, c)?,
        Op::AvgPool(p) => super::conv::avg_pool(em, site, p)?,
        Op::Upsample(u) => super::conv::upsample(em, site, u)?,
        Op::GridSample(g) => super::conv::grid_sample(em, site, g)?,
        Op::MatMul => {
            let (a, b) = (site.arg(em, 0), site.arg(em, 1));
            em.node("MatMul", &[&a, &b], vec![])
        }
    })
}

/// The dimensions a `sum`/`mean` reduces: one, or every one of the operand.
fn dims_of(dim: Option<usize>, site: &Site) -> Vec<usize> {
    match dim {
        Some(d) => vec![d],
        None => (0..site.args[0].shape.len()).collect(),
    }
}

/// `a CMP b` as a bool value.
fn compare(em: &mut Emitter, cmp: Cmp, a: &str, b: &str) -> String {
    match cmp {
        Cmp::Lt => em.node("Less", &[a, b], vec![]),
        Cmp::Le => em.node("LessOrEqual", &[a, b], vec![]),
        Cmp::Eq => em.node("Equal", &[a, b], vec![]),
        Cmp::Gt => em.node("Greater", &[a, b], vec![]),
        Cmp::Ge => em.node("GreaterOrEqual", &[a, b], vec![]),
        Cmp::Ne => {
            let eq = em.node("Equal", &[a, b], vec![]);
            em.node("Not", &[&eq], vec![])
        }
    }
}

/// An op of the [`Unary`] table.
fn unary(em: &mut Emitter, u: Unary, site: &Site) -> Result<String, Unmapped> {
    let x = site.arg(em, 0);
    let one = |em: &mut Emitter| site.c(em, 1.0);
    let simple = |em: &mut Emitter, op: &str| em.node(op, &[&x], vec![]);
    let integral = !site.dtype.is_float();
    Ok(match u {
        Unary::Neg => simple(em, "Neg"),
        Unary::Exp | Unary::ExpBlocks => simple(em, "Exp"),
        Unary::Log => simple(em, "Log"),
        Unary::Sqrt => simple(em, "Sqrt"),
        Unary::Sin => simple(em, "Sin"),
        Unary::Cos => simple(em, "Cos"),
        Unary::Tanh => simple(em, "Tanh"),
        Unary::Sigmoid => simple(em, "Sigmoid"),
        Unary::Relu => simple(em, "Relu"),
        Unary::Abs => simple(em, "Abs"),
        Unary::Sign | Unary::Signum => simple(em, "Sign"),
        Unary::Detach => simple(em, "Identity"),
        Unary::Log1p | Unary::Log1pLibm => {
            let one = one(em);
            let y = em.node("Add", &[&x, &one], vec![]);
            em.node("Log", &[&y], vec![])
        }
        Unary::Expm1 => {
            let (e, one) = (simple(em, "Exp"), one(em));
            em.node("Sub", &[&e, &one], vec![])
        }
        Unary::Sinh => simple(em, "Sinh"),
        Unary::Cosh => simple(em, "Cosh"),
        Unary::Square => em.node("Mul", &[&x, &x], vec![]),
        Unary::Reciprocal => simple(em, "Reciprocal"),
        Unary::Rsqrt => {
            let s = simple(em, "Sqrt");
            em.node("Reciprocal", &[&s], vec![])
        }
        Unary::Exp2 => {
            let two = site.c(em, 2.0);
            em.node("Pow", &[&two, &x], vec![])
        }
        Unary::Log2 | Unary::Log10 => {
            let ln = simple(em, "Log");
            let base = site.c(em, if u == Unary::Log2 { std::f64::consts::LN_2 } else { std::f64::consts::LN_10 });
            em.node("Div", &[&ln, &base], vec![])
        }
        Unary::Tan => simple(em, "Tan"),
        Unary::Asin => simple(em, "Asin"),
        Unary::Acos => simple(em, "Acos"),
        Unary::Atan => simple(em, "Atan"),
        Unary::Asinh => simple(em, "Asinh"),
        Unary::Acosh => simple(em, "Acosh"),
        Unary::Atanh => simple(em, "Atanh"),
        // An integer is its own floor, ceiling, rounding and truncation.
        Unary::Floor | Unary::Ceil | Unary::Round | Unary::Trunc if integral => simple(em, "Identity"),
        Unary::Floor => simple(em, "Floor"),
        Unary::Ceil => simple(em, "Ceil"),
        // ONNX's Round rounds half to even, as `round_ties_even`.
        Unary::Round => simple(em, "Round"),
        Unary::Trunc => {
            let (s, a) = (simple(em, "Sign"), simple(em, "Abs"));
            let f = em.node("Floor", &[&a], vec![]);
            em.node("Mul", &[&s, &f], vec![])
        }
        Unary::Silu => {
            let s = simple(em, "Sigmoid");
            em.node("Mul", &[&x, &s], vec![])
        }
        // log(sigmoid(x)) = -softplus(-x).
        Unary::LogSigmoid => {
            let n = simple(em, "Neg");
            let sp = em.node("Softplus", &[&n], vec![]);
            em.node("Neg", &[&sp], vec![])
        }
        Unary::Mish => {
            let sp = simple(em, "Softplus");
            let t = em.node("Tanh", &[&sp], vec![]);
            em.node("Mul", &[&x, &t], vec![])
        }
        Unary::Erf => simple(em, "Erf"),
        // ONNX has no inverse error function.
        Unary::Erfinv => return Err(Unmapped),
        // Nor gamma functions.
        Unary::Lgamma | Unary::Digamma | Unary::Trigamma | Unary::Ndtri => return Err(Unmapped),
        // ONNX has no Bessel functions.
        Unary::I0 | Unary::I0e | Unary::I1 | Unary::I1e => return Err(Unmapped),
        // ONNX has no scaled complementary error function.
        Unary::Erfcx | Unary::LogNdtr => return Err(Unmapped),
        // `x == 0 ? 1 : sin(pi x) / (pi x)`, the kernel's formula.
        Unary::Sinc => {
            let pi = site.c(em, std::f64::consts::PI);
            let p = em.node("Mul", &[&pi, &x], vec![]);
            let s = em.node("Sin", &[&p], vec![]);
            let q = em.node("Div", &[&s, &p], vec![]);
            let zero = site.c(em, 0.0);
            let at_zero = em.node("Equal", &[&x, &zero], vec![]);
            let one = one(em);
            em.node("Where", &[&at_zero, &one, &q], vec![])
        }
        Unary::Erfc => {
            let (e, one) = (simple(em, "Erf"), one(em));
            em.node("Sub", &[&one, &e], vec![])
        }
        Unary::Gelu => {
            let k = site.c(em, std::f64::consts::FRAC_1_SQRT_2);
            let xk = em.node("Mul", &[&x, &k], vec![]);
            let e = em.node("Erf", &[&xk], vec![]);
            let one = one(em);
            let e1 = em.node("Add", &[&one, &e], vec![]);
            let half = site.c(em, 0.5);
            let xh = em.node("Mul", &[&x, &half], vec![]);
            em.node("Mul", &[&xh, &e1], vec![])
        }
        Unary::GeluTanh => {
            let x3 = em.node("Mul", &[&x, &x], vec![]);
            let x3 = em.node("Mul", &[&x3, &x], vec![]);
            let kappa = site.c(em, 0.044715);
            let kx3 = em.node("Mul", &[&kappa, &x3], vec![]);
            let sum = em.node("Add", &[&x, &kx3], vec![]);
            let beta = site.c(em, GELU_TANH_BETA);
            let inner = em.node("Mul", &[&beta, &sum], vec![]);
            let t = em.node("Tanh", &[&inner], vec![]);
            let one = one(em);
            let t1 = em.node("Add", &[&one, &t], vec![]);
            let half = site.c(em, 0.5);
            let hx = em.node("Mul", &[&half, &x], vec![]);
            em.node("Mul", &[&hx, &t1], vec![])
        }
    })
}

/// `x ** c` with PyTorch's special cases, which are exact products and roots.
fn pow_scalar(em: &mut Emitter, c: f64, site: &Site) -> String {
    let x = site.arg(em, 0);
    let square = |em: &mut Emitter| em.node("Mul", &[&x, &x], vec![]);
    if c == 1.0 {
        em.node("Identity", &[&x], vec![])
    } else if c == 2.0 {
        square(em)
    } else if c == 3.0 {
        let x2 = square(em);
        em.node("Mul", &[&x2, &x], vec![])
    } else if c == 0.5 && site.dtype.is_float() {
        em.node("Sqrt", &[&x], vec![])
    } else if c == -0.5 && site.dtype.is_float() {
        let s = em.node("Sqrt", &[&x], vec![]);
        em.node("Reciprocal", &[&s], vec![])
    } else if c == -1.0 && site.dtype.is_float() {
        em.node("Reciprocal", &[&x], vec![])
    } else if c == -2.0 && site.dtype.is_float() {
        let x2 = square(em);
        em.node("Reciprocal", &[&x2], vec![])
    } else {
        let e = site.c(em, c);
        em.node("Pow", &[&x, &e], vec![])
    }
}

/// An op of the [`Activation`] family, with its parameters rounded to the dtype
/// as PyTorch's kernels round them.
fn activation(em: &mut Emitter, a: Activation, site: &Site) -> String {
    let x = site.arg(em, 0);
    match a {
        Activation::Clamp { min, max } => {
            let lo = min.map(|m| site.c(em, m.get())).unwrap_or_default();
            let hi = max.map(|m| site.c(em, m.get())).unwrap_or_default();
            em.node("Clip", &[&x, &lo, &hi], vec![])
        }
        Activation::Hardtanh { min, max } => {
            let (lo, hi) = (site.c(em, min.get()), site.c(em, max.get()));
            em.node("Clip", &[&x, &lo, &hi], vec![])
        }
        Activation::LeakyRelu { slope } => {
            let (zero, s) = (site.c(em, 0.0), site.c(em, slope.get()));
            let pos = em.node("Greater", &[&x, &zero], vec![]);
            let xs = em.node("Mul", &[&x, &s], vec![]);
            em.node("Where", &[&pos, &x, &xs], vec![])
        }
        Activation::Elu { alpha } => {
            let (zero, one, al) = (site.c(em, 0.0), site.c(em, 1.0), site.c(em, alpha.get()));
            let neg = em.node("LessOrEqual", &[&x, &zero], vec![]);
            let e = em.node("Exp", &[&x], vec![]);
            let m1 = em.node("Sub", &[&e, &one], vec![]);
            let scaled = em.node("Mul", &[&m1, &al], vec![]);
            em.node("Where", &[&neg, &scaled, &x], vec![])
        }
        Activation::Softplus { beta, threshold } => {
            let (b, t, one) = (site.c(em, beta.get()), site.c(em, threshold.get()), site.c(em, 1.0));
            let xb = em.node("Mul", &[&x, &b], vec![]);
            let linear = em.node("Greater", &[&xb, &t], vec![]);
            let e = em.node("Exp", &[&xb], vec![]);
            let e1 = em.node("Add", &[&e, &one], vec![]);
            let l = em.node("Log", &[&e1], vec![]);
            let soft = em.node("Div", &[&l, &b], vec![]);
            em.node("Where", &[&linear, &x, &soft], vec![])
        }
        // The kernel's formula, `expm1` as `exp - 1`, as for `elu`.
        Activation::Selu | Activation::Celu { .. } => {
            let (pos, neg, inv) = match a {
                Activation::Celu { alpha } => (1.0, alpha.get(), 1.0 / alpha.get()),
                _ => {
                    let (alpha, scale) = (SELU_ALPHA.get(), SELU_SCALE.get());
                    (scale, alpha * scale, 1.0)
                }
            };
            let (zero, one) = (site.c(em, 0.0), site.c(em, 1.0));
            let (p, n, i) = (site.c(em, pos), site.c(em, neg), site.c(em, inv));
            let le = em.node("LessOrEqual", &[&x, &zero], vec![]);
            let xi = em.node("Mul", &[&x, &i], vec![]);
            let e = em.node("Exp", &[&xi], vec![]);
            let m1 = em.node("Sub", &[&e, &one], vec![]);
            let negative = em.node("Mul", &[&m1, &n], vec![]);
            let positive = em.node("Mul", &[&x, &p], vec![]);
            em.node("Where", &[&le, &negative, &positive], vec![])
        }
        // ONNX's HardSigmoid multiplies by alpha = 1/6 where PyTorch divides
        // by 6; the clamp and the division keep PyTorch's operations.
        Activation::Hardsigmoid | Activation::Hardswish => {
            let (zero, three, six) = (site.c(em, 0.0), site.c(em, 3.0), site.c(em, 6.0));
            let shifted = em.node("Add", &[&x, &three], vec![]);
            let clipped = em.node("Clip", &[&shifted, &zero, &six], vec![]);
            if a == Activation::Hardswish {
                let product = em.node("Mul", &[&x, &clipped], vec![]);
                em.node("Div", &[&product, &six], vec![])
            } else {
                em.node("Div", &[&clipped, &six], vec![])
            }
        }
        // As PyTorch's kernels compare, so that NaN stays NaN (ONNX's Shrink
        // makes it 0).
        Activation::Softshrink { lambd } => {
            let (l, nl, zero) = (site.c(em, lambd.get()), site.c(em, -lambd.get()), site.c(em, 0.0));
            let above = em.node("Greater", &[&x, &l], vec![]);
            let below = em.node("Less", &[&x, &nl], vec![]);
            let (down, up, zeroed) = (em.node("Sub", &[&x, &l], vec![]), em.node("Add", &[&x, &l], vec![]), em.node("Mul", &[&x, &zero], vec![]));
            let inner = em.node("Where", &[&below, &up, &zeroed], vec![]);
            em.node("Where", &[&above, &down, &inner], vec![])
        }
        Activation::Hardshrink { lambd } => {
            let (l, zero) = (site.c(em, lambd.get()), site.c(em, 0.0));
            let magnitude = em.node("Abs", &[&x], vec![]);
            let inside = em.node("LessOrEqual", &[&magnitude, &l], vec![]);
            em.node("Where", &[&inside, &zero, &x], vec![])
        }
        Activation::Threshold { threshold, value } => {
            let (t, v) = (site.c(em, threshold.get()), site.c(em, value.get()));
            let at_most = em.node("LessOrEqual", &[&x, &t], vec![]);
            em.node("Where", &[&at_most, &v, &x], vec![])
        }
        // An ONNX model has no decimal conversion (`map` refuses it before this).
        Activation::PyRound { .. } => unreachable!("`map` refuses Python's round"),
        Activation::Polygamma { .. } => unreachable!("`map` refuses polygamma"),
        Activation::RoundDecimals { decimals } => {
            let d = decimals.get();
            let p = site.c(em, 10f64.powf(d.abs()));
            let (first, second) = if d >= 0.0 { ("Mul", "Div") } else { ("Div", "Mul") };
            let scaled = em.node(first, &[&x, &p], vec![]);
            let r = em.node("Round", &[&scaled], vec![]);
            em.node(second, &[&r, &p], vec![])
        }
    }
}

/// An op of the [`Binary`] table.
fn binary(em: &mut Emitter, b: Binary, site: &Site) -> Result<String, Unmapped> {
    let (x, y) = (site.arg(em, 0), site.arg(em, 1));
    let simple = |em: &mut Emitter, op: &str| em.node(op, &[&x, &y], vec![]);
    let integral = !site.dtype.is_float();
    Ok(match b {
        Binary::Add => simple(em, "Add"),
        Binary::Sub => simple(em, "Sub"),
        Binary::Mul => simple(em, "Mul"),
        Binary::Div => simple(em, "Div"),
        Binary::Pow | Binary::PowLibm | Binary::PowSleef => simple(em, "Pow"),
        Binary::Maximum => simple(em, "Max"),
        Binary::Minimum => simple(em, "Min"),
        // grad * (1 - sigmoid(x)).
        Binary::LogSigmoidBackward => {
            let (s, one) = (em.node("Sigmoid", &[&y], vec![]), site.c(em, 1.0));
            let d = em.node("Sub", &[&one, &s], vec![]);
            em.node("Mul", &[&x, &d], vec![])
        }
        // The values are the second operand's; ONNX has no autograd to keep.
        Binary::KeepGraph => em.node("Identity", &[&y], vec![]),
        Binary::TanhBackward => {
            let (yy, one) = (em.node("Mul", &[&y, &y], vec![]), site.c(em, 1.0));
            let d = em.node("Sub", &[&one, &yy], vec![]);
            em.node("Mul", &[&x, &d], vec![])
        }
        // ONNX has no two-argument arctangent.
        Binary::Atan2 => return Err(Unmapped),
        // max * sqrt(1 + (min / max)^2), the largest magnitude where it is 0 or
        // infinite, so that no square overflows (ONNX has no hypot: the last
        // bits may differ from SLEEF's).
        Binary::Hypot => {
            let (a, b) = (em.node("Abs", &[&x], vec![]), em.node("Abs", &[&y], vec![]));
            let (m, s) = (em.node("Max", &[&a, &b], vec![]), em.node("Min", &[&a, &b], vec![]));
            let q = em.node("Div", &[&s, &m], vec![]);
            let qq = em.node("Mul", &[&q, &q], vec![]);
            let one = site.c(em, 1.0);
            let p = em.node("Add", &[&one, &qq], vec![]);
            let root = em.node("Sqrt", &[&p], vec![]);
            let r = em.node("Mul", &[&m, &root], vec![]);
            let zero = site.c(em, 0.0);
            let none = em.node("Equal", &[&m, &zero], vec![]);
            let inf = em.node("IsInf", &[&m], vec![]);
            let edge = em.node("Or", &[&none, &inf], vec![]);
            em.node("Where", &[&edge, &m, &r], vec![])
        }
        // `values` where the input is zero, else 1 where it is positive and 0.
        Binary::Heaviside => {
            let (zero, one) = (site.c(em, 0.0), site.c(em, 1.0));
            let positive = em.node("Greater", &[&x, &zero], vec![]);
            let step = em.node("Where", &[&positive, &one, &zero], vec![]);
            let at_zero = em.node("Equal", &[&x, &zero], vec![]);
            em.node("Where", &[&at_zero, &y, &step], vec![])
        }
        // max(a, b) + log(1 + 2^-|a - b|) / ln 2, and `a` where both are the
        // same infinity (ONNX has no log1p: the last bits may differ).
        Binary::Logaddexp2 => {
            let m = simple(em, "Max");
            let d = simple(em, "Sub");
            let a = em.node("Abs", &[&d], vec![]);
            let n = em.node("Neg", &[&a], vec![]);
            let two = site.c(em, 2.0);
            let e = em.node("Pow", &[&two, &n], vec![]);
            let one = site.c(em, 1.0);
            let p = em.node("Add", &[&one, &e], vec![]);
            let l = em.node("Log", &[&p], vec![]);
            let inv_ln2 = site.c(em, 1.0 / std::f64::consts::LN_2);
            let l2 = em.node("Mul", &[&l, &inv_ln2], vec![]);
            let sum = em.node("Add", &[&m, &l2], vec![]);
            let same = em.node("Equal", &[&x, &y], vec![]);
            let inf = em.node("IsInf", &[&x], vec![]);
            let both = em.node("And", &[&same, &inf], vec![]);
            em.node("Where", &[&both, &x, &sum], vec![])
        }
        // ONNX has no copysign; a `Where` on the sign would miss -0.0's and NaN's sign bits.
        Binary::Copysign => return Err(Unmapped),
        // max(a, b) + log(1 + exp(-|a - b|)), and `a` where both are the same
        // infinity (ONNX has no log1p: its values may differ in the last bits).
        Binary::Logaddexp => {
            let m = simple(em, "Max");
            let d = simple(em, "Sub");
            let a = em.node("Abs", &[&d], vec![]);
            let n = em.node("Neg", &[&a], vec![]);
            let e = em.node("Exp", &[&n], vec![]);
            let one = site.c(em, 1.0);
            let p = em.node("Add", &[&one, &e], vec![]);
            let l = em.node("Log", &[&p], vec![]);
            let sum = em.node("Add", &[&m, &l], vec![]);
            let same = em.node("Equal", &[&x, &y], vec![]);
            let inf = em.node("IsInf", &[&x], vec![]);
            let both = em.node("And", &[&same, &inf], vec![]);
            em.node("Where", &[&both, &x, &sum], vec![])
        }
        // Python's floor division: for integers exact through the remainder with
        // the divisor's sign (ONNX `Mod`, fmod=0); for floats the floor of the quotient.
        Binary::FloorDivide if integral => {
            let r = em.node("Mod", &[&x, &y], vec![int("fmod", 0)]);
            let d = em.node("Sub", &[&x, &r], vec![]);
            em.node("Div", &[&d, &y], vec![])
        }
        Binary::FloorDivide => {
            let q = simple(em, "Div");
            em.node("Floor", &[&q], vec![])
        }
        Binary::Fmod => em.node("Mod", &[&x, &y], vec![int("fmod", 1)]),
        Binary::Remainder | Binary::PyRemainder if integral => em.node("Mod", &[&x, &y], vec![int("fmod", 0)]),
        // A zero result keeps fmod's sign here, torch.remainder's; Python's `%`
        // of host floats gives it the divisor's, which ONNX graphs need not tell apart.
        Binary::Remainder | Binary::PyRemainder => {
            // C's fmod has the dividend's sign; Python's remainder the divisor's.
            let r = em.node("Mod", &[&x, &y], vec![int("fmod", 1)]);
            let zero = site.c(em, 0.0);
            let r_neg = em.node("Less", &[&r, &zero], vec![]);
            let y_neg = em.node("Less", &[&y, &zero], vec![]);
            let differ = em.node("Xor", &[&r_neg, &y_neg], vec![]);
            let r_zero = em.node("Equal", &[&r, &zero], vec![]);
            let r_nonzero = em.node("Not", &[&r_zero], vec![]);
            let fix = em.node("And", &[&differ, &r_nonzero], vec![]);
            let shifted = em.node("Add", &[&r, &y], vec![]);
            em.node("Where", &[&fix, &shifted, &r], vec![])
        }
    })
}

/// `isnan`, `isfinite`, `isinf`, ...: of an integer or bool operand, constant.
fn float_test(em: &mut Emitter, t: FloatTest, site: &Site) -> String {
    let x = &site.args[0].name;
    if !site.args[0].dtype.is_float() {
        let value = matches!(t, FloatTest::IsFinite);
        let shape = graphc_runtime::tensor::numel(site.shape);
        return em.tensor(&graphc_runtime::Tensor::from_bool(site.shape.to_vec(), vec![value; shape]));
    }
    // `IsInf`'s two attributes pick the signs it detects.
    let inf = |em: &mut Emitter, negative: i64, positive: i64| {
        em.node("IsInf", &[x], vec![int("detect_negative", negative), int("detect_positive", positive)])
    };
    match t {
        FloatTest::IsNan => em.node("IsNaN", &[x], vec![]),
        FloatTest::IsFinite => {
            let nan = em.node("IsNaN", &[x], vec![]);
            let inf = inf(em, 1, 1);
            let bad = em.node("Or", &[&nan, &inf], vec![]);
            em.node("Not", &[&bad], vec![])
        }
        FloatTest::IsInf => inf(em, 1, 1),
        FloatTest::IsPosInf => inf(em, 0, 1),
        FloatTest::IsNegInf => inf(em, 1, 0),
    }
}

/// `scatter_reduce` as `ScatterElements`: `sum` and `prod` are its `add` and
/// `mul` reductions (opset 16), which combine the updates in order; without
/// `include_self` the positions the index names are first overwritten with the
/// identity. `amax`/`amin` need opset 18's `max`/`min` and `mean` has no
/// reduction at all, so those are not exported (E0722).
fn scatter_reduce(em: &mut Emitter, site: &Site, dim: usize, reduce: ScatterReduce, include_self: bool) -> Result<String, Unmapped> {
    let (reduction, identity) = match reduce {
        ScatterReduce::Sum => ("add", 0.0),
        ScatterReduce::Prod => ("mul", 1.0),
        ScatterReduce::Mean | ScatterReduce::Amax | ScatterReduce::Amin => return Err(Unmapped),
    };
    let (mut x, src) = (site.arg(em, 0), site.arg(em, 2));
    let index = site.args[1].name.clone();
    if !include_self {
        let ids = em.tensor(&graphc_runtime::Tensor::full(site.dtype, site.args[1].shape.to_vec(), identity));
        x = em.node("ScatterElements", &[&x, &index, &ids], vec![int("axis", dim as i64), string("reduction", "none")]);
    }
    Ok(em.node("ScatterElements", &[&x, &index, &src], vec![int("axis", dim as i64), string("reduction", reduction)]))
}

/// The indices of ONNX's `TopK` of the operand along `dim` (a bool operand as
/// i64, which `TopK` takes).
fn top_k(em: &mut Emitter, site: &Site, dim: usize, k: usize, largest: bool, sorted: bool) -> String {
    let mut x = site.args[0].name.clone();
    if site.args[0].dtype == DType::Bool {
        x = em.cast(&x, DType::Bool, DType::I64);
    }
    let k = em.ints(&[k as i64]);
    let attrs = vec![int("axis", dim as i64), int("largest", largest as i64), int("sorted", sorted as i64)];
    em.node_multi("TopK", &[&x, &k], attrs, 2).swap_remove(1)
}

/// An op of [`IndexOp`].
fn index(em: &mut Emitter, i: IndexOp, site: &Site) -> String {
    match i {
        IndexOp::Arg { dim, keepdim, min } => {
            let op = if min { "ArgMin" } else { "ArgMax" };
            let x = site.args[0].name.clone();
            let (x, axis) = match dim {
                Some(d) => (x, d),
                None => (em.reshape(&x, &[site.args[0].shape.iter().product()]), 0),
            };
            let r = em.node(op, &[&x], vec![int("axis", axis as i64), int("keepdims", keepdim as i64)]);
            em.reshape(&r, site.shape)
        }
        // ONNX's `TopK` (indices, its second output) orders equal values by
        // position, as PyTorch's stable sort does; `sort` takes all of them.
        IndexOp::Sort { dim, descending, .. } => top_k(em, site, dim, site.shape[dim], descending, true),
        IndexOp::TopK { dim, k, largest, sorted } => top_k(em, site, dim, k, largest, sorted),
        IndexOp::CumExtreme { .. } | IndexOp::Kth { .. } | IndexOp::Search { .. } => {
            unreachable!("`map` reports cummax's indices, kthvalue's and searches as unmapped")
        }
        // ONNX's indices count over the whole tensor; graphc's (PyTorch's) within each plane.
        IndexOp::MaxPool(_) | IndexOp::AdaptiveMaxPool => {
            let p = match i {
                IndexOp::MaxPool(p) => p,
                // `map` lets through only windows of one size: `H / Ho` rows, as many apart.
                _ => {
                    let k = [0, 1].map(|a| site.args[0].shape[2 + a] / site.shape[2 + a]);
                    graphc_runtime::op::MaxPool { kernel: k, stride: k, padding: [0, 0], dilation: [1, 1] }
                }
            };
            let x = site.args[0].name.clone();
            let (h, w) = (site.args[0].shape[2], site.args[0].shape[3]);
            let ceil = (0..2).any(|a| p.output_size(a, site.args[0].shape[2 + a], false) != Some(site.shape[2 + a]));
            let v = |a: [usize; 2]| a.iter().map(|&d| d as i64).collect::<Vec<_>>();
            let pads = [p.padding[0], p.padding[1], p.padding[0], p.padding[1]].map(|d| d as i64);
            let attrs = vec![
                ints("kernel_shape", &v(p.kernel)),
                ints("strides", &v(p.stride)),
                ints("pads", &pads),
                ints("dilations", &v(p.dilation)),
                int("ceil_mode", ceil as i64),
            ];
            let flat = em.node_multi("MaxPool", &[&x], attrs, 2).swap_remove(1);
            let plane = em.scalar((h * w) as f64, DType::I64);
            em.node("Mod", &[&flat, &plane], vec![])
        }
        IndexOp::Gather { dim } => {
            let x = site.arg(em, 0);
            em.node("GatherElements", &[&x, &site.args[1].name], vec![int("axis", dim as i64)])
        }
        IndexOp::ScatterAdd { dim } => {
            let g = site.arg(em, 0);
            let zeros = em.tensor(&graphc_runtime::Tensor::full(site.dtype, site.shape.to_vec(), 0.0));
            em.node("ScatterElements", &[&zeros, &site.args[1].name, &g], vec![int("axis", dim as i64), string("reduction", "add")])
        }
        IndexOp::ScatterInto { dim, add } => {
            let (x, src) = (site.arg(em, 0), site.arg(em, 2));
            let reduction = if add { "add" } else { "none" };
            em.node("ScatterElements", &[&x, &site.args[1].name, &src], vec![int("axis", dim as i64), string("reduction", reduction)])
        }
        // ONNX has no fused multiply-add: the products, then a scatter that
        // adds them (ONNX Runtime rounds each product, within an ulp of one rounding).
        IndexOp::ScatterFma { dim } => {
            let (x, src, scale) = (site.arg(em, 0), site.arg(em, 2), site.arg(em, 3));
            let product = em.node("Mul", &[&scale, &src], vec![]);
            em.node("ScatterElements", &[&x, &site.args[1].name, &product], vec![int("axis", dim as i64), string("reduction", "add")])
        }
        IndexOp::ScatterReduce { .. } => unreachable!("`map` exports `scatter_reduce` through `scatter_reduce`"),
    }
}
