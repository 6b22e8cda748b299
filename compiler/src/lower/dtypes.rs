//! Dtypes in lowering: PyTorch's type promotion applied to operands (casts
//! inserted where operands meet in another dtype), each op's `TypeRule`, the
//! comparison operators, and the builtins of selection and conversion (`where`,
//! `masked_fill`, `logical_*`, `isnan`, `isfinite`, `nan_to_num`, casts).

use graphc_runtime::op::{Cmp, F64Bits, FloatTest, Logical, TypeRule};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::check::promotion::{self, Category};
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{BinOp, Span};

/// The runtime comparison of a comparison operator.
fn cmp_of(op: BinOp) -> Option<Cmp> {
    match op {
        BinOp::Lt => Some(Cmp::Lt),
        BinOp::Le => Some(Cmp::Le),
        BinOp::Gt => Some(Cmp::Gt),
        BinOp::Ge => Some(Cmp::Ge),
        BinOp::EqEq => Some(Cmp::Eq),
        BinOp::Ne => Some(Cmp::Ne),
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Pow | BinOp::MatMul | BinOp::FloorDiv | BinOp::Mod => None,
    }
}

/// A host value that meets tensors as a wrapped number: its value and category.
fn host_number(v: &Value) -> Option<(Num, Category)> {
    match v {
        Value::Number(n) => Some((*n, promotion::number_category(n.is_int()))),
        Value::Bool(b) => Some((Num::Int(*b as i128), Category::Bool)),
        _ => None,
    }
}

/// Python's `==` of two shapes, tuples or lists of host values (numbers,
/// bools, strings, `None`, and such sequences): a `torch.Size` equals a tuple
/// of the same ints, a list never equals a tuple. `None` when either side is
/// not such a sequence or holds another value (a tensor), which `==` refuses.
fn sequence_equal(a: &Value, b: &Value) -> Option<bool> {
    let items = |v: &Value| -> Option<(bool, Vec<Value>)> {
        match v {
            Value::Size(ds) => Some((false, ds.iter().map(|&d| Value::Number(Num::Int(d as i128))).collect())),
            Value::Tuple(items) => Some((false, items.iter().map(|(v, _)| v.clone()).collect())),
            Value::List(items) => Some((true, items.iter().map(|(v, _)| v.clone()).collect())),
            _ => None,
        }
    };
    let ((list_a, a), (list_b, b)) = (items(a)?, items(b)?);
    let mut equal = list_a == list_b && a.len() == b.len();
    for (x, y) in a.iter().zip(&b) {
        let same = match (x, y) {
            (Value::Str(p), Value::Str(q)) => p == q,
            (Value::None, Value::None) => true,
            (Value::None, _) | (_, Value::None) => false,
            _ => match (host_number(x), host_number(y)) {
                (Some((p, _)), Some((q, _))) => super::host_math::num_order(p, q) == Some(std::cmp::Ordering::Equal),
                _ => sequence_equal(x, y)?,
            },
        };
        equal &= same;
    }
    Some(equal)
}

impl<'a> Lowerer<'a> {
    /// `t` converted to `dt`: `t` itself if it has that dtype, else a cast.
    pub(crate) fn cast_to(&mut self, t: NodeId, dt: DType, span: Span) -> NodeId {
        if self.dtype_of(t) == dt {
            return t;
        }
        let sh = self.shape_of(t);
        self.op_node(Op::Cast, dt, sh, &[t], span, "ToCopyBackward0")
    }

    /// A tensor operand of an op that computes in floating point only (the losses,
    /// `linear`, `normalize`): an integer or bool tensor is E0204, never a silent conversion.
    pub(crate) fn expect_float_tensor(&mut self, v: Value, span: Span, what: &str) -> Option<NodeId> {
        let t = self.expect_tensor(v, span, what)?;
        let dt = self.dtype_of(t);
        self.rule_dtype(TypeRule::FloatOnly, dt, what, span)?;
        Some(t)
    }

    /// The dtype two tensors meet in; f32 with f64 is E0201 (reported by `meet`).
    pub(crate) fn promote_tensors(&mut self, x: NodeId, sx: Span, y: NodeId, sy: Span, what: &str) -> Option<DType> {
        let d = promotion::tensors(self.dtype_of(x), self.dtype_of(y));
        if d.is_none() {
            self.meet(x, sx, y, sy, what);
        }
        d
    }

    /// The dtype an op with `rule` computes in, given its operands' promoted dtype
    /// (E0204 where the op does not take it).
    pub(crate) fn rule_dtype(&mut self, rule: TypeRule, dt: DType, what: &str, span: Span) -> Option<DType> {
        let reject = |this: &mut Self, help: &str| {
            this.error(Diagnostic::new(Code::E0204, format!("{what} does not take {dt} tensors"), span, format!("this is {dt}")).with_help(help));
            None
        };
        match rule {
            TypeRule::SameFloat if dt.is_float() => Some(dt),
            // PyTorch's float functions and true division make the default float dtype of integers.
            TypeRule::SameFloat => Some(DType::F32),
            TypeRule::SameNumber if dt == DType::Bool => {
                reject(self, "graphc does no arithmetic on bool tensors; convert first with `.long()`, or use `logical_and`/`logical_or`")
            }
            TypeRule::SameNumber => Some(dt),
            TypeRule::FloatOnly if dt.is_float() => Some(dt),
            TypeRule::FloatOnly => reject(self, "it computes in floating point only; convert first with `.float()` or `.double()`"),
            TypeRule::Bool => Some(DType::Bool),
        }
    }

    /// `x ** c` for an integer or bool tensor and an integer `c`: an i64 result
    /// (bools count as 0 and 1), as PyTorch's integer `pow`, which refuses a
    /// negative exponent ("Integers to negative integer powers are not allowed").
    pub(crate) fn integer_pow(&mut self, t: NodeId, st: Span, c: f64, sc: Span, span: Span) -> Value {
        if c < 0.0 || c > u32::MAX as f64 {
            return self.error(
                Diagnostic::new(Code::E0204, "integers to negative integer powers are not allowed", sc, "a negative exponent")
                    .with_help("convert the base first, such as `x.float() ** -1`"),
            );
        }
        let t = self.cast_to(t, DType::I64, st);
        let sh = self.shape_of(t);
        Value::Tensor(self.op_node(Op::PowScalar(F64Bits::new(c)), DType::I64, sh, &[t], span, "PowBackward0"))
    }

    /// E0203 unless `dt` is a float dtype: only those can require grad.
    pub(crate) fn check_requires_grad(&mut self, dt: DType, span: Span) -> bool {
        if dt.is_float() {
            return true;
        }
        self.error(
            Diagnostic::new(Code::E0203, format!("a tensor of dtype {dt} cannot require grad"), span, "requires grad")
                .with_help("only floating-point tensors can require gradients (as in PyTorch); use `dtype=f32` or `dtype=f64`"),
        );
        false
    }

    /// `a CMP b`: host numbers give a host bool; tensors give a bool tensor, after
    /// promoting the operands to one dtype (PyTorch's rule for comparisons).
    pub(crate) fn compare(&mut self, op: BinOp, (a, sa): (Value, Span), (b, sb): (Value, Span), span: Span) -> Value {
        let cmp = cmp_of(op).expect("`compare` is called for comparison operators");
        let what = format!("`{}`", op.symbol());
        if let Some(v) = self.host_binary(op, (&a, sa), (&b, sb), span) {
            return v;
        }
        match (a, b) {
            (Value::Poison, _) | (_, Value::Poison) => Value::Poison,
            (Value::Tensor(t), Value::Host { node, kind }) => self.host_tensor(op, (t, sa), (node, kind, sb), true, span),
            (Value::Host { node, kind }, Value::Tensor(t)) => self.host_tensor(op, (t, sb), (node, kind, sa), false, span),
            (Value::Tensor(x), Value::Tensor(y)) => {
                let Some(dt) = self.promote_tensors(x, sa, y, sb, &what) else { return Value::Poison };
                let (x, y) = (self.cast_to(x, dt, sa), self.cast_to(y, dt, sb));
                let Some(shape) = self.meet(x, sa, y, sb, &what) else { return Value::Poison };
                Value::Tensor(self.node(Op::Compare(cmp), DType::Bool, shape, &[x, y], span))
            }
            (Value::Tensor(t), other) if host_number(&other).is_some() => self.compare_number(cmp, (t, sa), &other, sb, true, span),
            (other, Value::Tensor(t)) if host_number(&other).is_some() => self.compare_number(cmp, (t, sb), &other, sa, false, span),
            // `x.dtype == f64` is a host bool, as `x.dtype == torch.float64` is in Python.
            (Value::DType(p), Value::DType(q)) if matches!(cmp, Cmp::Eq | Cmp::Ne) => Value::Bool((p == q) == (cmp == Cmp::Eq)),
            // Classes compare by identity: `type(m) == nn.Linear`, `type(x) == float`.
            (x @ Value::Func(..), y) | (y, x @ Value::Func(..))
                if matches!(cmp, Cmp::Eq | Cmp::Ne) && super::host_math::class_named(&y).is_some() =>
            {
                Value::Bool((super::host_math::class_named(&x) == super::host_math::class_named(&y)) == (cmp == Cmp::Eq))
            }
            // Strings compare as Python's do, by code points (`reduction == "sum"`).
            (Value::Str(p), Value::Str(q)) => Value::Bool(cmp.test(p, q)),
            // Shapes, tuples and lists are equal as Python's are, item by item
            // (`input.size() == target.size()`; a `torch.Size` is a tuple).
            (x, y) if matches!(cmp, Cmp::Eq | Cmp::Ne) && sequence_equal(&x, &y).is_some() => {
                Value::Bool(sequence_equal(&x, &y) == Some(cmp == Cmp::Eq))
            }
            (x, y) => match (host_number(&x), host_number(&y)) {
                // Exactly, as Python compares; NaN is unequal to everything and in no order.
                (Some((p, _)), Some((q, _))) => {
                    Value::Bool(super::host_math::num_order(p, q).map_or(cmp == Cmp::Ne, |o| cmp.test(o, std::cmp::Ordering::Equal)))
                }
                _ => {
                    let bad = if host_number(&x).is_some() || matches!(x, Value::Tensor(_)) { (y, sb) } else { (x, sa) };
                    self.error(
                        Diagnostic::new(Code::E0107, format!("{what} cannot compare {}", bad.0.describe()), bad.1, "not a number or tensor")
                            .with_help("comparisons apply to numbers, booleans and tensors"),
                    )
                }
            },
        }
    }
}

impl<'a> Lowerer<'a> {
    /// A tensor compared with a host number, which is wrapped to the dtype they
    /// meet in; the operands keep their source order (`2 < x`).
    fn compare_number(&mut self, cmp: Cmp, (t, ts): (NodeId, Span), c: &Value, cs: Span, tensor_first: bool, span: Span) -> Value {
        let (value, cat) = host_number(c).expect("the caller checked for a host number");
        let dt = promotion::with_number(self.dtype_of(t), cat);
        let tc = self.cast_to(t, dt, ts);
        let cn = self.scalar_num(value, dt, cs);
        let shape = self.shape_of(t);
        let args = if tensor_first { [tc, cn] } else { [cn, tc] };
        Value::Tensor(self.node(Op::Compare(cmp), DType::Bool, shape, &args, span))
    }

    /// A tensor argument of a bound call (E0107 for anything else).
    fn tensor_arg(&mut self, bound: &Bound<Value>, i: usize, what: &str) -> Option<(NodeId, Span)> {
        let (v, s) = bound.positional.get(i).cloned().flatten()?;
        self.expect_tensor(v, s, what).map(|t| (t, s))
    }

    /// A bool mask or condition (E0205 for another dtype).
    fn mask_arg(&mut self, bound: &Bound<Value>, i: usize, what: &str) -> Option<NodeId> {
        let (t, s) = self.tensor_arg(bound, i, what)?;
        let dt = self.dtype_of(t);
        if dt != DType::Bool {
            self.error(
                Diagnostic::new(Code::E0205, format!("{what} must be a bool tensor, not {dt}"), s, format!("this is {dt}"))
                    .with_help("make a mask with a comparison such as `x > 0`, or convert with `.bool()`"),
            );
            return None;
        }
        Some(t)
    }

    /// The broadcast shape of several operands (E0202 at the call otherwise).
    fn broadcast_all(&mut self, ids: &[NodeId], span: Span, what: &str) -> Option<Vec<usize>> {
        let mut shape = Vec::new();
        for &n in ids {
            match shapes::broadcast(&shape, &self.shape_of(n)) {
                Ok(s) => shape = s,
                Err(msg) => {
                    self.error(
                        Diagnostic::new(Code::E0202, format!("{what}: {msg}"), span, "shapes do not broadcast")
                            .with_help("make the shapes equal, or 1 where one side should be repeated (NumPy broadcasting)"),
                    );
                    return None;
                }
            }
        }
        Some(shape)
    }

    /// `where(condition, input, other)`: `input` where the condition holds, else `other`.
    /// `input` and `other` may be tensors or numbers, and meet in their promoted dtype.
    pub(super) fn where_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let Some(cond) = self.mask_arg(bound, 0, "where's condition") else { return Value::Poison };
        let [(x, sx), (y, sy)] = [1, 2].map(|i| bound.positional[i].clone().expect("bind guarantees three arguments"));
        let dt = match (&x, &y) {
            (Value::Tensor(a), Value::Tensor(b)) => self.promote_tensors(*a, sx, *b, sy, "`where`"),
            (Value::Tensor(t), v) | (v, Value::Tensor(t)) if host_number(v).is_some() => {
                Some(promotion::with_number(self.dtype_of(*t), host_number(v).expect("guarded").1))
            }
            (a, b) => match (host_number(a), host_number(b)) {
                (Some((_, p)), Some((_, q))) => Some(promotion::default_dtype(p.max(q))),
                _ => {
                    let (bad, s) = if host_number(a).is_some() { (b, sy) } else { (a, sx) };
                    self.expect_tensor(bad.clone(), s, "a value of `where`");
                    None
                }
            },
        };
        let Some(dt) = dt else { return Value::Poison };
        let mut operands = vec![cond];
        for (v, s) in [(x, sx), (y, sy)] {
            let n = match v {
                Value::Tensor(t) => self.cast_to(t, dt, s),
                other => self.scalar_num(host_number(&other).expect("checked above").0, dt, s),
            };
            operands.push(n);
        }
        let Some(shape) = self.broadcast_all(&operands, span, "`where`") else { return Value::Poison };
        Value::Tensor(self.op_node(Op::Select, dt, shape, &operands, span, "WhereBackward0"))
    }

    /// `masked_fill(input, mask, value)`: `value` where the mask holds, else `input`;
    /// the mask broadcasts to the input's shape, and the result keeps its dtype.
    pub(super) fn masked_fill(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let Some((x, _)) = self.tensor_arg(bound, 0, "masked_fill's input") else { return Value::Poison };
        let Some(mask) = self.mask_arg(bound, 1, "masked_fill's mask") else { return Value::Poison };
        let (v, vs) = bound.positional[2].clone().expect("bind guarantees three arguments");
        let Some((value, _)) = host_number(&v) else {
            return self.error(
                Diagnostic::new(Code::E0107, format!("masked_fill's value must be a number, not {}", v.describe()), vs, "not a number")
                    .with_help("write the fill value as a number, such as `masked_fill(x, mask, 0.0)`"),
            );
        };
        let (dt, sh) = (self.dtype_of(x), self.shape_of(x));
        if shapes::broadcast(&self.shape_of(mask), &sh).ok().as_deref() != Some(&sh[..]) {
            let ms = shapes::show(&self.shape_of(mask));
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("the mask of shape {ms} does not broadcast to the input's shape {}", shapes::show(&sh)),
                    span,
                    "shapes do not fit",
                )
                .with_help("give the mask the input's shape, or 1 where it should be repeated"),
            );
        }
        let fill = self.scalar_num(value, dt, vs);
        Value::Tensor(self.op_node(Op::Select, dt, sh, &[mask, fill, x], span, "MaskedFillBackward0"))
    }

    /// `logical_and`, `logical_or` (operands broadcast) and `logical_not`: any
    /// dtype, nonzero counting as true, as in PyTorch.
    pub(super) fn logical(&mut self, l: Logical, name: &str, bound: &Bound<Value>, span: Span) -> Value {
        let arity = if l == Logical::Not { 1 } else { 2 };
        let mut operands = Vec::new();
        for i in 0..arity {
            let Some((t, s)) = self.tensor_arg(bound, i, &format!("`{name}`'s argument")) else { return Value::Poison };
            operands.push(self.cast_to(t, DType::Bool, s));
        }
        let Some(shape) = self.broadcast_all(&operands, span, &format!("`{name}`")) else { return Value::Poison };
        Value::Tensor(self.node(Op::Logical(l), DType::Bool, shape, &operands, span))
    }

    /// `isnan`, `isfinite`: a bool tensor of the input's shape.
    pub(super) fn float_test(&mut self, test: FloatTest, name: &str, bound: &Bound<Value>, span: Span) -> Value {
        let Some((t, _)) = self.tensor_arg(bound, 0, &format!("`{name}`'s argument")) else { return Value::Poison };
        let sh = self.shape_of(t);
        Value::Tensor(self.node(Op::FloatTest(test), DType::Bool, sh, &[t], span))
    }

    /// `nan_to_num(input, nan=0.0, posinf=none, neginf=none)`: `none` is the dtype's
    /// largest or lowest finite value. An integer or bool input has nothing to
    /// replace and is returned as it is.
    pub(super) fn nan_to_num(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let Some((t, _)) = self.tensor_arg(bound, 0, "nan_to_num's input") else { return Value::Poison };
        let dt = self.dtype_of(t);
        let max = match dt {
            DType::F32 => f32::MAX as f64,
            DType::F64 | DType::I64 | DType::Bool => f64::MAX,
        };
        let mut values = [0.0, max, -max];
        for (i, slot) in values.iter_mut().enumerate() {
            match bound.positional.get(i + 1).cloned().flatten() {
                None | Some((Value::None, _)) => {}
                Some((v, s)) => match self.number(&v, s, "a replacement of `nan_to_num`") {
                    Some(x) => *slot = x,
                    None => return Value::Poison,
                },
            }
        }
        if !dt.is_float() {
            return Value::Tensor(t);
        }
        let [nan, posinf, neginf] = values.map(F64Bits::new);
        let sh = self.shape_of(t);
        Value::Tensor(self.op_node(Op::NanToNum { nan, posinf, neginf }, dt, sh, &[t], span, "NanToNumBackward0"))
    }

    /// `x.to(dtype)`, `x.to(device)`, `x.type(dtype)`, and `x.type()`, which names
    /// the tensor's type as PyTorch's legacy classes do (`torch.FloatTensor`).
    /// graphc runs on the CPU: moving a tensor there returns it, as PyTorch
    /// returns `self` for a tensor on the device already.
    pub(super) fn convert_or_move(&mut self, name: &str, bound: &Bound<Value>, span: Span) -> Value {
        let Some((t, _)) = self.tensor_arg(bound, 0, "the tensor to convert") else { return Value::Poison };
        if let Some((Value::Str(device), s)) = bound.positional.get(1).cloned().flatten() {
            if !self.cpu_device(&device, s) {
                return Value::Poison;
            }
        }
        if name == "cpu" {
            if let Some((_, s)) = bound.positional.get(1).cloned().flatten() {
                return self.error(Diagnostic::new(Code::E0103, "`cpu` takes no arguments", s, "not an argument").with_help("write `x.cpu()`"));
            }
            return Value::Tensor(t);
        }
        match bound.positional.get(1).cloned().flatten() {
            Some((Value::Str(_), _)) | None if name == "to" => Value::Tensor(t),
            None => Value::Str(
                match self.dtype_of(t) {
                    DType::F32 => "torch.FloatTensor",
                    DType::F64 => "torch.DoubleTensor",
                    DType::I64 => "torch.LongTensor",
                    DType::Bool => "torch.BoolTensor",
                }
                .to_string(),
            ),
            Some(_) => self.cast_call(None, bound, span),
        }
    }

    /// Whether `device` names the CPU (`"cpu"`, `"cpu:0"`); E0107 otherwise.
    pub(super) fn cpu_device(&mut self, device: &str, s: Span) -> bool {
        if device == "cpu" || device == "cpu:0" {
            return true;
        }
        self.error(
            Diagnostic::new(Code::E0107, format!("graphc runs on the CPU, not on `{device}`"), s, "not the CPU")
                .with_help("write `device = \"cpu\"` (PyTorch's `'cuda' if torch.cuda.is_available() else 'cpu'` is `\"cpu\"` here)"),
        );
        false
    }

    /// `.long()`, `.double()`, `.float()`, `.bool()` and `.to(dtype)`: the input
    /// itself when it has the dtype already (PyTorch returns `self`), else a cast.
    pub(super) fn cast_call(&mut self, target: Option<DType>, bound: &Bound<Value>, span: Span) -> Value {
        let Some((t, _)) = self.tensor_arg(bound, 0, "the tensor to convert") else { return Value::Poison };
        let dt = match target {
            Some(d) => d,
            None => match bound.positional[1].clone().expect("to_call passes a dtype") {
                (Value::DType(d), _) => d,
                (Value::Poison, _) => return Value::Poison,
                (other, s) => {
                    return self.error(
                        Diagnostic::new(Code::E0107, format!("`to` takes a dtype, not {}", other.describe()), s, "not a dtype")
                            .with_help("write `x.to(f64)`; the dtypes are f32, f64, i64 and bool"),
                    )
                }
            },
        };
        Value::Tensor(self.cast_to(t, dt, span))
    }
}
