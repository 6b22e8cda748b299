//! The closed instruction set shared by the compiler's graph IR and the runtime.
//!
//! Every node of the IR carries one [`Op`]; the runtime evaluates exactly these.
//! Each variant's doc line gives its operands (in edge order) and its shape rule.
//! The result's dtype and shape are not stored here: they live on the IR node
//! (and on the plan's value table), because they are known statically.
//! Floating-point parameters are stored as `f64` bit patterns ([`F64Bits`]) so that
//! the enum can be `Eq + Hash`, which common-subexpression elimination needs.
//!
//! Numerics follow PyTorch's CPU kernels operation for operation (see
//! `kernels/`), so that graphc prints the same numbers PyTorch does.

use std::fmt;

/// An `f64` stored by its bits, so that ops holding constants are `Eq + Hash`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct F64Bits(pub u64);

impl F64Bits {
    pub fn new(v: f64) -> F64Bits {
        F64Bits(v.to_bits())
    }
    pub fn get(self) -> f64 {
        f64::from_bits(self.0)
    }
}

impl fmt::Debug for F64Bits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.get())
    }
}

impl fmt::Display for F64Bits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.get())
    }
}

/// A comparison used by [`Op::Where`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cmp {
    Lt,
    Le,
    Eq,
    Gt,
    Ge,
}

/// One instruction. Operands are the node's incoming edges, in order.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    // ---- sources: no operands ----
    /// `full`: every element is the value (rounded to the node's dtype); any shape.
    /// Number literals are 0-d `Full` nodes (PyTorch's wrapped numbers).
    Full(F64Bits),
    /// `tensor([...])`: the listed values in row-major order, rounded to the dtype.
    Literal(Vec<F64Bits>),
    /// `arange(start, end, step)`: element i is `start + step * i` computed in f64,
    /// then rounded to the dtype (PyTorch's CPU kernel accumulates in double). 1-D.
    Arange { start: F64Bits, step: F64Bits },
    /// `linspace(start, end, steps)`: PyTorch's two-sided formula
    /// (`start + step*i` for the first half, `end - step*(n-1-i)` for the rest,
    /// `step = (end - start) / (n - 1)`), computed in the dtype. 1-D.
    Linspace { start: F64Bits, end: F64Bits },
    /// `randn`: standard normals from the generator, PyTorch's CPU algorithm. Effectful:
    /// it advances the generator, so it is never merged, removed or reordered.
    Randn,
    /// `rand`: uniforms in [0, 1) from the generator, PyTorch's CPU algorithm. Effectful as `Randn`.
    Rand,
    /// A value bound from outside: parameter `k` of an op's backward template, or a
    /// gradient contribution that autodiff fills in. Never reaches the runtime.
    Param(u32),
    /// `input NAME: DTYPE[DIMS]`: the `k`-th declared program input, bound from
    /// outside before the run ([`crate::plan::Plan::inputs`]). Like a random draw it
    /// is never folded or merged: its value is unknown at compile time.
    Input(u32),

    // ---- elementwise, one operand, shape preserved ----
    /// `-x`.
    Neg,
    /// `exp(x)` (libm `exp`/`expf`).
    Exp,
    /// `log(x)` (libm).
    Log,
    /// `sqrt(x)` (IEEE, correctly rounded).
    Sqrt,
    /// `sin(x)` (libm).
    Sin,
    /// `cos(x)` (libm).
    Cos,
    /// `tanh(x)` (libm).
    Tanh,
    /// `sigmoid(x)` = `1 / (1 + exp(-x))` in the dtype, as PyTorch's CPU kernel.
    Sigmoid,
    /// `relu(x)` = `x < 0 ? 0 : x` (PyTorch's clamp_min kernel: NaN and -0.0 pass through).
    Relu,
    /// `abs(x)`.
    Abs,
    /// `sign(x)`: -1, 0 or 1 (0 for NaN's sign test failing both ways), PyTorch's `sgn` for reals.
    Sign,
    /// `x ** c` for a literal exponent `c`, with PyTorch's special cases:
    /// c = 0 gives ones, 1 a copy, 2 `x*x`, 3 `x*x*x`, 0.5 `sqrt`, -0.5 `1/sqrt`,
    /// -1 `1/x`, -2 `1/(x*x)`, otherwise `pow(x as f64, c) as dtype`.
    PowScalar(F64Bits),
    /// Identity. Autodiff stops at it (`detach`); passes replace it by its operand.
    Detach,

    // ---- elementwise, two operands, NumPy broadcasting to the node's shape ----
    /// `a + b`.
    Add,
    /// `a - b`.
    Sub,
    /// `a * b`.
    Mul,
    /// `a / b`.
    Div,
    /// `pow(a, b)` elementwise with a tensor exponent (libm `pow`/`powf`).
    Pow,
    /// `maximum(a, b)`; NaN if either is NaN.
    Maximum,
    /// `minimum(a, b)`; NaN if either is NaN.
    Minimum,
    /// `tanh_backward(grad, y)` = `grad * (1 - y*y)`, with `1 - y*y` as one fused
    /// multiply-add, as PyTorch's compiled CPU kernel rounds it (checked bit for bit
    /// against PyTorch's tutorial gradients). Operands: the gradient, tanh's output.
    TanhBackward,

    // ---- selection, four operands broadcast to the node's shape ----
    /// `where(a CMP b, x, y)`: operands `a, b, x, y`. Used by derivative rules
    /// (relu, maximum, minimum, pow) that PyTorch writes with `where`/`masked_fill`.
    Where(Cmp),

    // ---- shape ----
    /// Broadcast the operand to the node's shape (NumPy rules; a view in PyTorch).
    Expand,
    /// Sum the operand down to the node's shape, the inverse of broadcasting
    /// (PyTorch's `sum_to`): leading dimensions are summed away, then every
    /// dimension where the node has size 1 and the operand does not.
    SumTo,
    /// Same elements, the node's shape (element counts agree).
    Reshape,
    /// 2-D transpose.
    Transpose,

    // ---- reductions ----
    /// `sum(x)` (dim `None`, result 0-d) or `sum(x, dim=d)` (dimension d removed).
    Sum { dim: Option<usize> },
    /// `mean(x)` or `mean(x, dim=d)`: the sum divided by the count, as PyTorch's CPU `mean`.
    Mean { dim: Option<usize> },

    // ---- linear algebra ----
    /// `a @ b` with PyTorch's `matmul` rules for 1-D and 2-D operands:
    /// (n)@(n) -> (), (m,k)@(k) -> (m), (k)@(k,n) -> (n), (m,k)@(k,n) -> (m,n).
    MatMul,
}

impl Op {
    /// The number of operands this op takes.
    pub fn arity(&self) -> usize {
        match self {
            Op::Full(_) | Op::Literal(_) | Op::Arange { .. } | Op::Linspace { .. } | Op::Randn | Op::Rand | Op::Param(_) | Op::Input(_) => 0,
            Op::Neg
            | Op::Exp
            | Op::Log
            | Op::Sqrt
            | Op::Sin
            | Op::Cos
            | Op::Tanh
            | Op::Sigmoid
            | Op::Relu
            | Op::Abs
            | Op::Sign
            | Op::PowScalar(_)
            | Op::Detach
            | Op::Expand
            | Op::SumTo
            | Op::Reshape
            | Op::Transpose
            | Op::Sum { .. }
            | Op::Mean { .. } => 1,
            Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Pow | Op::Maximum | Op::Minimum | Op::TanhBackward | Op::MatMul => 2,
            Op::Where(_) => 4,
        }
    }

    /// True for ops that read or advance the random generator: they must run
    /// exactly once, in program order, and passes never merge or drop them.
    pub fn is_random(&self) -> bool {
        matches!(self, Op::Randn | Op::Rand)
    }

    /// True for elementwise ops (the output element i depends only on input elements at i,
    /// after broadcasting). Fusion and constant folding rely on this.
    pub fn is_elementwise(&self) -> bool {
        match self {
            Op::Neg
            | Op::Exp
            | Op::Log
            | Op::Sqrt
            | Op::Sin
            | Op::Cos
            | Op::Tanh
            | Op::Sigmoid
            | Op::Relu
            | Op::Abs
            | Op::Sign
            | Op::PowScalar(_)
            | Op::Detach
            | Op::Add
            | Op::Sub
            | Op::Mul
            | Op::Div
            | Op::Pow
            | Op::Maximum
            | Op::Minimum
            | Op::TanhBackward
            | Op::Where(_) => true,
            Op::Full(_)
            | Op::Literal(_)
            | Op::Arange { .. }
            | Op::Linspace { .. }
            | Op::Randn
            | Op::Rand
            | Op::Param(_)
            | Op::Input(_)
            | Op::Expand
            | Op::SumTo
            | Op::Reshape
            | Op::Transpose
            | Op::Sum { .. }
            | Op::Mean { .. }
            | Op::MatMul => false,
        }
    }

    /// The short lowercase name the IR dump prints.
    pub fn name(&self) -> &'static str {
        match self {
            Op::Full(_) => "full",
            Op::Literal(_) => "literal",
            Op::Arange { .. } => "arange",
            Op::Linspace { .. } => "linspace",
            Op::Randn => "randn",
            Op::Rand => "rand",
            Op::Param(_) => "param",
            Op::Input(_) => "input",
            Op::Neg => "neg",
            Op::Exp => "exp",
            Op::Log => "log",
            Op::Sqrt => "sqrt",
            Op::Sin => "sin",
            Op::Cos => "cos",
            Op::Tanh => "tanh",
            Op::Sigmoid => "sigmoid",
            Op::Relu => "relu",
            Op::Abs => "abs",
            Op::Sign => "sign",
            Op::PowScalar(_) => "pow_scalar",
            Op::Detach => "detach",
            Op::Add => "add",
            Op::Sub => "sub",
            Op::Mul => "mul",
            Op::Div => "div",
            Op::Pow => "pow",
            Op::Maximum => "maximum",
            Op::Minimum => "minimum",
            Op::TanhBackward => "tanh_backward",
            Op::Where(_) => "where",
            Op::Expand => "expand",
            Op::SumTo => "sum_to",
            Op::Reshape => "reshape",
            Op::Transpose => "transpose",
            Op::Sum { .. } => "sum",
            Op::Mean { .. } => "mean",
            Op::MatMul => "matmul",
        }
    }
}
