//! Python numbers known only at run time ([`Value::Host`]): `loss.item()`,
//! `float(t)`, and arithmetic, comparisons and builtins on them.
//!
//! A run-time int is a 0-d i64 node, a float a 0-d f64 node and a bool a 0-d
//! bool node, none of which requires grad; each computes exactly what CPython
//! computes for the same operands (true division to float, floor division and
//! modulo rounding toward negative infinity, ...). Where Python's result type
//! would depend on a value that is known only at run time (`n ** k` of ints, whose
//! type follows the sign of `k`), the program is refused (E0644). Ints wrap at
//! 64 bits where Python's would grow (documented in `docs/act-language.md`).
//! A run-time number meeting a tensor is a wrapped number, as a literal is.

use graphc_runtime::op::{Binary, Cmp, Logical, Unary};
use graphc_runtime::{DType, Op};

use super::{HostKind, Lowerer, Num, Value};
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{BinOp, Span};

/// One operand of host arithmetic: a run-time node or a compile-time number.
#[derive(Clone, Copy)]
enum Operand {
    Node(NodeId, HostKind),
    Const(Num, HostKind),
}

impl Operand {
    fn of(v: &Value) -> Option<Operand> {
        match v {
            Value::Host { node, kind } => Some(Operand::Node(*node, *kind)),
            Value::Number(n) => Some(Operand::Const(*n, if n.is_int() { HostKind::Int } else { HostKind::Float })),
            Value::Bool(b) => Some(Operand::Const(Num::Int(*b as i128), HostKind::Bool)),
            _ => None,
        }
    }

    /// Whether the operand is the compile-time number zero.
    fn is_zero(self) -> bool {
        matches!(self, Operand::Const(n, _) if n.f64() == 0.0)
    }

    fn kind(self) -> HostKind {
        match self {
            Operand::Node(_, k) | Operand::Const(_, k) => k,
        }
    }
}

/// The dtype of the node that holds a host value of `kind`.
pub(crate) fn host_dtype(kind: HostKind) -> DType {
    match kind {
        HostKind::Int => DType::I64,
        HostKind::Float => DType::F64,
        HostKind::Bool => DType::Bool,
    }
}

/// The constants of Python's `math` module that `.act` names without `math.`;
/// a binding of the same name shadows them.
pub(crate) fn constant(name: &str) -> Option<Value> {
    let value = match name {
        "pi" => std::f64::consts::PI,
        "e" => std::f64::consts::E,
        "inf" => f64::INFINITY,
        "nan" => f64::NAN,
        _ => return None,
    };
    Some(Value::Number(Num::Float(value)))
}

/// The most elements `.tolist()` converts: each becomes nodes of the graph.
const MAX_TOLIST: usize = 4096;

impl<'a> Lowerer<'a> {
    /// A 0-d node of `dt` holding the operand's value.
    fn operand_node(&mut self, o: Operand, dt: DType, span: Span) -> NodeId {
        match o {
            Operand::Node(n, _) => self.cast_to(n, dt, span),
            Operand::Const(v, _) => self.scalar_num(v, dt, span),
        }
    }

    /// A host op on 0-d nodes: never requires grad, since no operand does.
    fn host_node(&mut self, op: Op, kind: HostKind, args: &[NodeId], span: Span) -> Value {
        let node = self.node(op, host_dtype(kind), vec![], args, span);
        Value::Host { node, kind }
    }

    /// `t.item()`: the Python number a one-element tensor holds, as a run-time value
    /// (a float for f32 and f64, which holds the f32's exact value; an int for i64;
    /// a bool for bool). `to` converts it as `float(t)`, `int(t)`, `bool(t)` do.
    pub(crate) fn item(&mut self, t: NodeId, ts: Span, to: Option<HostKind>, span: Span) -> Value {
        let shape = self.shape_of(t);
        let n: usize = shape.iter().product();
        if n != 1 {
            let shown = crate::check::shapes::show(&shape);
            return self.error(
                Diagnostic::new(
                    Code::E0640,
                    format!("only a one-element tensor converts to a Python number, and this one has shape {shown}"),
                    ts,
                    format!("{n} elements"),
                )
                .with_help("select one element first (`t[0]`), or reduce the tensor (`t.sum()`, `t.mean()`)"),
            );
        }
        let dt = self.dtype_of(t);
        // The number is a copy: it never carries a gradient.
        let detached = if self.requires_grad(t) { self.node(Op::Unary(Unary::Detach), dt, shape.clone(), &[t], span) } else { t };
        let flat = if shape.is_empty() { detached } else { self.node(Op::Reshape, dt, vec![], &[detached], span) };
        let kind = match dt {
            DType::F32 | DType::F64 => HostKind::Float,
            DType::I64 => HostKind::Int,
            DType::Bool => HostKind::Bool,
        };
        let node = self.cast_to(flat, host_dtype(kind), span);
        let v = Value::Host { node, kind };
        match to {
            None => v,
            Some(k) => self.convert(v, k, span),
        }
    }

    /// `t.tolist()`: as PyTorch's, nested lists (one level per dimension) of the
    /// Python numbers [`Lowerer::item`] makes, each a run-time value; a 0-d
    /// tensor gives the number itself. Every element is a node of its own, so
    /// a tensor of more than [`MAX_TOLIST`] elements is refused.
    pub(crate) fn tolist(&mut self, t: NodeId, ts: Span, span: Span) -> Value {
        let shape = self.shape_of(t);
        let n: usize = shape.iter().product();
        if n > MAX_TOLIST {
            let shown = crate::check::shapes::show(&shape);
            return self.error(
                Diagnostic::new(Code::E0645, format!("`.tolist()` of a tensor of shape {shown} makes {n} Python numbers"), ts, "too many elements")
                    .with_help(format!(
                        "graphc makes each number when compiling, and takes at most {MAX_TOLIST}: print the tensor, or convert a slice of it"
                    )),
            );
        }
        if shape.is_empty() {
            return self.item(t, ts, None, span);
        }
        let mut items = Vec::with_capacity(shape[0]);
        for i in 0..shape[0] {
            let row = match self.select_row(t, i as i64, span) {
                Value::Tensor(row) => row,
                other => return other,
            };
            items.push((self.tolist(row, ts, span), span));
        }
        Value::List(items)
    }

    /// A Python number (a number, a bool or a run-time number) as a 0-d f64 node,
    /// `float(v)`: `Ok(None)` for a value already in error, `Err(v)` for a value
    /// that is not a number, for the caller to report in its own words.
    pub(crate) fn float_node(&mut self, v: Value, span: Span) -> Result<Option<NodeId>, Value> {
        match self.convert(v, HostKind::Float, span) {
            Value::Number(n) => Ok(Some(self.scalar(n.f64(), DType::F64, span))),
            Value::Host { node, .. } => Ok(Some(node)),
            Value::Poison => Ok(None),
            other => Err(other),
        }
    }

    /// `float(x)`, `int(x)` (toward zero), `bool(x)` of a host number.
    pub(crate) fn convert(&mut self, v: Value, to: HostKind, span: Span) -> Value {
        match (v, to) {
            (Value::Number(n), HostKind::Float) => Value::Number(Num::Float(n.f64())),
            (Value::Number(Num::Int(i)), HostKind::Int) => Value::Number(Num::Int(i)),
            (Value::Number(Num::Float(value)), HostKind::Int) => {
                if !value.is_finite() {
                    return self.error(
                        Diagnostic::new(Code::E0645, "`int` of an infinite or NaN number", span, "not finite")
                            .with_help("Python raises an error here: `int` needs a finite number"),
                    );
                }
                self.int_result(Some(value.trunc() as i128), span, &[])
            }
            (Value::Number(n), HostKind::Bool) => Value::Bool(n.f64() != 0.0),
            (Value::Bool(b), HostKind::Bool) => Value::Bool(b),
            (Value::Bool(b), HostKind::Int) => Value::Number(Num::Int(b as i128)),
            (Value::Bool(b), HostKind::Float) => Value::Number(Num::Float(if b { 1.0 } else { 0.0 })),
            (Value::Host { node, kind }, HostKind::Bool) => match self.truth(Value::Host { node, kind }, span) {
                Some(node) => Value::Host { node, kind: HostKind::Bool },
                None => Value::Poison,
            },
            (Value::Host { node, kind: HostKind::Float }, HostKind::Int) => {
                let t = self.node(Op::Unary(Unary::Trunc), DType::F64, vec![], &[node], span);
                Value::Host { node: self.cast_to(t, DType::I64, span), kind: HostKind::Int }
            }
            (Value::Host { node, .. }, k) => Value::Host { node: self.cast_to(node, host_dtype(k), span), kind: k },
            (other, _) => other,
        }
    }

    /// The bool node of Python's truth test of a run-time value (`bool(x)`:
    /// nonzero numbers are true, NaN included), for run-time conditions.
    pub(crate) fn truth(&mut self, v: Value, span: Span) -> Option<NodeId> {
        match v {
            Value::Host { node, kind: HostKind::Bool } => Some(node),
            Value::Host { node, kind } => {
                let zero = self.scalar(0.0, host_dtype(kind), span);
                Some(self.node(Op::Compare(Cmp::Ne), DType::Bool, vec![], &[node, zero], span))
            }
            _ => None,
        }
    }

    /// `not x` of a run-time value.
    pub(crate) fn host_not(&mut self, v: Value, span: Span) -> Value {
        match self.truth(v, span) {
            Some(b) => self.host_node(Op::Logical(Logical::Not), HostKind::Bool, &[b], span),
            None => Value::Poison,
        }
    }

    /// `a and b`, `a or b` where one side is a run-time bool: both are evaluated
    /// (expressions have no effects). Python returns one of the operands, so
    /// anything but two bools would have a type known only at run time.
    pub(crate) fn host_logic(&mut self, and: bool, (a, sa): (Value, Span), (b, sb): (Value, Span), span: Span) -> Value {
        let mut nodes = Vec::new();
        for (v, s) in [(a, sa), (b, sb)] {
            match v {
                Value::Host { node, kind: HostKind::Bool } => nodes.push(node),
                Value::Bool(c) => nodes.push(self.scalar(if c { 1.0 } else { 0.0 }, DType::Bool, s)),
                Value::Poison => return Value::Poison,
                other => {
                    let word = if and { "and" } else { "or" };
                    return self.error(
                        Diagnostic::new(Code::E0644, format!("`{word}` with a run-time value needs two bools, not {}", other.describe()), s, "not a bool")
                            .with_help(format!("Python's `{word}` returns one of its operands, whose type would be known only at run time; compare first (`x > 0`) or write `bool(x)`")),
                    );
                }
            }
        }
        let op = if and { Logical::And } else { Logical::Or };
        self.host_node(Op::Logical(op), HostKind::Bool, &nodes, span)
    }

    /// `-x` of a run-time value (`-True` is the int -1).
    pub(crate) fn host_neg(&mut self, node: NodeId, kind: HostKind, span: Span) -> Value {
        let kind = if kind == HostKind::Bool { HostKind::Int } else { kind };
        let x = self.cast_to(node, host_dtype(kind), span);
        self.host_node(Op::Unary(Unary::Neg), kind, &[x], span)
    }

    /// `a OP b` where one operand is a run-time value and the other a host number
    /// or bool (`None` when neither is a run-time value, or a tensor is involved).
    pub(crate) fn host_binary(&mut self, op: BinOp, (a, sa): (&Value, Span), (b, sb): (&Value, Span), span: Span) -> Option<Value> {
        if !matches!(a, Value::Host { .. }) && !matches!(b, Value::Host { .. }) {
            return None;
        }
        let (Some(x), Some(y)) = (Operand::of(a), Operand::of(b)) else { return None };
        let float = x.kind() == HostKind::Float || y.kind() == HostKind::Float;
        if op.is_comparison() {
            let dt = if float { DType::F64 } else { DType::I64 };
            let (p, q) = (self.operand_node(x, dt, sa), self.operand_node(y, dt, sb));
            let cmp = match op {
                BinOp::Lt => Cmp::Lt,
                BinOp::Le => Cmp::Le,
                BinOp::Gt => Cmp::Gt,
                BinOp::Ge => Cmp::Ge,
                BinOp::EqEq => Cmp::Eq,
                _ => Cmp::Ne,
            };
            return Some(self.host_node(Op::Compare(cmp), HostKind::Bool, &[p, q], span));
        }
        if matches!(op, BinOp::Div | BinOp::FloorDiv | BinOp::Mod) && y.is_zero() {
            return Some(self.zero_divisor(op, sb));
        }
        let row = match op {
            BinOp::Add => Binary::Add,
            BinOp::Sub => Binary::Sub,
            BinOp::Mul => Binary::Mul,
            BinOp::Div => Binary::Div,
            BinOp::FloorDiv => Binary::FloorDivide,
            // Python's `%` of floats gives a zero result the divisor's sign.
            BinOp::Mod if float => Binary::PyRemainder,
            BinOp::Mod => Binary::Remainder,
            BinOp::Pow => return Some(self.host_pow(x, sa, y, sb, span)),
            BinOp::MatMul => {
                return Some(
                    self.error(Diagnostic::new(Code::E0107, "`@` needs tensors, not numbers", sa, "a number").with_help("use `*` for numbers")),
                )
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::EqEq | BinOp::Ne => unreachable!("comparisons return above"),
        };
        // True division gives a float; the rest keep ints (bools count as ints).
        let kind = if float || op == BinOp::Div { HostKind::Float } else { HostKind::Int };
        let dt = host_dtype(kind);
        let (p, q) = (self.operand_node(x, dt, sa), self.operand_node(y, dt, sb));
        if matches!((op, y), (BinOp::Div | BinOp::FloorDiv | BinOp::Mod, Operand::Node(..))) {
            self.zero_division_guard(op, float, q, span);
        }
        Some(self.host_node(Op::Binary(row), kind, &[p, q], span))
    }

    /// Python's ZeroDivisionError for `/`, `//` or `%` by a run-time number `q`
    /// that is zero, checked when the program runs, with Python's message
    /// (which names floats when either operand is one).
    fn zero_division_guard(&mut self, op: BinOp, float: bool, q: NodeId, span: Span) {
        use crate::ir::program::{Effect, PrintArg};
        let message = match (op, float) {
            (BinOp::Div, false) => "division by zero",
            (BinOp::Div, true) => "float division by zero",
            (BinOp::FloorDiv, false) => "integer division or modulo by zero",
            (BinOp::FloorDiv, true) => "float floor division by zero",
            (_, false) => "integer modulo by zero",
            (_, true) => "float modulo",
        };
        let dt = self.dtype_of(q);
        let zero = self.scalar(0.0, dt, span);
        let cond = self.node(Op::Compare(Cmp::Ne), DType::Bool, vec![], &[q, zero], span);
        let message = vec![PrintArg::Text(message.to_string())];
        self.prog.effects.push(Effect::Assert { cond, message, exception: "ZeroDivisionError".to_string(), span });
    }

    /// `x ** y` of host values: a float if either is one; for ints, an int when the
    /// exponent is a compile-time number >= 0 and a float when it is negative.
    fn host_pow(&mut self, x: Operand, sx: Span, y: Operand, sy: Span, span: Span) -> Value {
        let float = x.kind() == HostKind::Float || y.kind() == HostKind::Float;
        match (float, y) {
            (false, Operand::Const(Num::Int(k), _)) if (0..=u32::MAX as i128).contains(&k) => {
                let p = self.operand_node(x, DType::I64, sx);
                self.host_node(Op::PowScalar(graphc_runtime::op::F64Bits::new(k as f64)), HostKind::Int, &[p], span)
            }
            (false, Operand::Node(..)) => self
                .error(Diagnostic::new(Code::E0644, "`**` of two ints known only at run time", sy, "a run-time int").with_help(
                    "Python's result is an int for a positive exponent and a float for a negative one; write `float(x) ** y` for a float",
                )),
            _ => {
                let p = self.operand_node(x, DType::F64, sx);
                let q = self.operand_node(y, DType::F64, sy);
                self.host_node(Op::Binary(Binary::Pow), HostKind::Float, &[p, q], span)
            }
        }
    }

    /// `t OP c` (or `c OP t` when `!tensor_first`) for a tensor and a run-time
    /// number: the number is wrapped to the dtype they meet in, and the op and
    /// its `grad_fn` are those PyTorch uses with a Python number.
    pub(crate) fn host_tensor(
        &mut self,
        op: BinOp,
        (t, st): (NodeId, Span),
        (node, kind, sc): (NodeId, HostKind, Span),
        tensor_first: bool,
        span: Span,
    ) -> Value {
        let t = if op.is_comparison() {
            let cat = crate::check::promotion::number_category(kind != HostKind::Float);
            let dt = crate::check::promotion::with_number(self.dtype_of(t), cat);
            self.cast_to(t, dt, st)
        } else {
            match self.promote_with_number(op, t, st, kind != HostKind::Float) {
                Some(t) => t,
                None => return Value::Poison,
            }
        };
        let (dt, sh) = (self.dtype_of(t), self.shape_of(t));
        let c = self.cast_to(node, dt, sc);
        let (row, name) = match op {
            BinOp::Add => (Binary::Add, "AddBackward0"),
            BinOp::Sub if tensor_first => (Binary::Sub, "SubBackward0"),
            BinOp::Sub => (Binary::Sub, "RsubBackward1"),
            BinOp::Mul => (Binary::Mul, "MulBackward0"),
            // `c / x` is `x.reciprocal() * c` in torch/_tensor.py (`__rdiv__`).
            BinOp::Div if !tensor_first => {
                let r = self.op_node(Op::PowScalar(graphc_runtime::op::F64Bits::new(-1.0)), dt, sh.clone(), &[t], span, "ReciprocalBackward0");
                return Value::Tensor(self.op_node(Op::Binary(Binary::Mul), dt, sh, &[r, c], span, "MulBackward0"));
            }
            BinOp::Div => (Binary::Div, "DivBackward0"),
            BinOp::Pow if tensor_first => (Binary::Pow, "PowBackward0"),
            BinOp::Pow => (Binary::Pow, "PowBackward2"),
            BinOp::FloorDiv | BinOp::Mod => return self.integer_division(division_row(op), (t, st), (c, sc), tensor_first, true, span),
            BinOp::MatMul => {
                return self.error(Diagnostic::new(Code::E0107, "`@` needs two tensors", sc, "a number").with_help("use `*` to scale a tensor"))
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::EqEq | BinOp::Ne => {
                let cmp = match op {
                    BinOp::Lt => Cmp::Lt,
                    BinOp::Le => Cmp::Le,
                    BinOp::Gt => Cmp::Gt,
                    BinOp::Ge => Cmp::Ge,
                    BinOp::EqEq => Cmp::Eq,
                    _ => Cmp::Ne,
                };
                let args = if tensor_first { [t, c] } else { [c, t] };
                return Value::Tensor(self.node(Op::Compare(cmp), DType::Bool, sh, &args, span));
            }
        };
        let args = if tensor_first { [t, c] } else { [c, t] };
        Value::Tensor(self.op_node(Op::Binary(row), dt, sh, &args, span, name))
    }

    /// `x // y`, `x % y` and `fmod(x, y)` of a tensor and a tensor or number
    /// (`row`: FloorDivide, Remainder or Fmod; `x_first` false for the reflected
    /// `c % x`; `scalar` when the other operand is a Python number, which
    /// PyTorch's `.Scalar` overloads take: `RemainderBackward0`, not `1`).
    /// `//` has no gradient, and neither has a number `%` a tensor
    /// (`remainder.Scalar_Tensor`, PyTorch's `NotImplemented`), so a tensor
    /// that requires grad there is E0645.
    pub(crate) fn integer_division(
        &mut self,
        row: Binary,
        (x, sx): (NodeId, Span),
        (y, sy): (NodeId, Span),
        x_first: bool,
        scalar: bool,
        span: Span,
    ) -> Value {
        let symbol = match row {
            Binary::FloorDivide => "`//`",
            Binary::Fmod => "`fmod`",
            _ => "`%`",
        };
        let derived = row != Binary::FloorDivide && x_first;
        for (n, s) in [(x, sx), (y, sy)] {
            if !derived && self.requires_grad(n) {
                let help = if row == Binary::FloorDivide {
                    "PyTorch has no derivative for `//` (its `grad_fn` is `NotImplemented`); apply it to `x.detach()`"
                } else {
                    "PyTorch derives no gradient for a number `%` a tensor (`torch.remainder(Scalar, Tensor)`); apply it to `x.detach()`"
                };
                return self
                    .error(Diagnostic::new(Code::E0645, format!("{symbol} of a tensor that requires grad"), s, "requires grad").with_help(help));
            }
        }
        let dt = self.dtype_of(x);
        if dt == DType::Bool {
            return self.error(
                Diagnostic::new(Code::E0204, format!("{symbol} does not take bool tensors"), sx, "this is bool")
                    .with_help("convert first, for example with `.long()`"),
            );
        }
        let Some(shape) = self.meet(x, sx, y, sy, symbol) else { return Value::Poison };
        let args = if x_first { [x, y] } else { [y, x] };
        let grad_fn = match (row, scalar) {
            (Binary::Remainder, true) => "RemainderBackward0",
            (Binary::Fmod, true) => "FmodBackward0",
            _ => Op::Binary(row).grad_fn().unwrap_or(super::builtin_calls::CLONE_GRAD_FN),
        };
        Value::Tensor(self.op_node(Op::Binary(row), dt, shape, &args, span, grad_fn))
    }
}

/// The op-table row of the tensor operators `//` and `%`.
pub(crate) fn division_row(op: BinOp) -> Binary {
    if op == BinOp::FloorDiv {
        Binary::FloorDivide
    } else {
        Binary::Remainder
    }
}
