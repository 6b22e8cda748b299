//! Lowering of the reductions with `dim` and `keepdim` (`sum`, `mean`, `amax`,
//! `amin`, `var`, `std`, `var_mean`, `logsumexp`, `norm`), of `cumsum` and of
//! `softmax` / `log_softmax` (docs/act-language.md, section 5).
//!
//! A `dim` is an integer or a list of integers (`[0, 1]`), negative ones
//! counting from the end, as in PyTorch. `sum` and `mean` over everything or over
//! one dimension without keepdim keep the first release's `sum`/`mean` nodes; the
//! other forms become `Op::Reduce` nodes.

use graphc_runtime::op::{reduced_shape, F64Bits, ReduceKind, TypeRule};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Value};
use crate::check::builtins::{Bound, Builtin};
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

/// An optional argument of a bound call: `None` when absent or `none`.
fn given(bound: &Bound<Value>, i: usize) -> Option<(Value, Span)> {
    match bound.positional.get(i).cloned().flatten() {
        None | Some((Value::None, _)) => None,
        some => some,
    }
}

impl<'a> Lowerer<'a> {
    /// A call of one of this file's builtins.
    pub(crate) fn reduction_call(&mut self, b: Builtin, name: &str, bound: &mut Bound<Value>, span: Span) -> Value {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_tensor(v, vs, &format!("`{name}`'s input")) else { return Value::Poison };
        let Some(x) = self.reduction_input(b, name, x, vs) else { return Value::Poison };
        let shape = self.shape_of(x);
        match b {
            Builtin::Cumsum | Builtin::Cumprod | Builtin::Logcumsumexp | Builtin::Softmax | Builtin::LogSoftmax => {
                let Some((dv, ds)) = given(bound, 1) else {
                    return self.error(
                        Diagnostic::new(Code::E0241, format!("`{name}` needs `dim`"), span, "no dimension given")
                            .with_help(format!("name the dimension, as in `{name}(x, dim=-1)`")),
                    );
                };
                let Some(dim) = self.one_dim(dv, ds, &shape) else { return Value::Poison };
                let op = match b {
                    Builtin::Cumsum => Op::Cumsum { dim, reverse: false },
                    Builtin::Cumprod => Op::Cumprod { dim },
                    Builtin::Logcumsumexp => Op::Logcumsumexp { dim, reverse: false },
                    _ => Op::Softmax { dim, log: b == Builtin::LogSoftmax },
                };
                Value::Tensor(self.same_shape(op, x, span))
            }
            _ => self.dim_reduction(b, x, &shape, bound, span),
        }
    }

    /// `aminmax(input, *, dim=none, keepdim=false)`: `amin` and `amax` of the
    /// same arguments, whose values and gradients (ties sharing it evenly)
    /// `torch.aminmax`'s are, as its named tuple (`AminmaxBackward0`).
    pub(crate) fn aminmax_call(&mut self, bound: &mut Bound<Value>, span: Span) -> Value {
        let args = vec![bound.positional[0].clone(), bound.keyword("dim"), bound.keyword("keepdim")];
        let mut items = Vec::with_capacity(2);
        for (b, name) in [(Builtin::Amin, "amin"), (Builtin::Amax, "amax")] {
            let mut one = Bound { positional: args.clone(), keywords: Default::default() };
            match self.reduction_call(b, name, &mut one, span) {
                Value::Tensor(t) => {
                    let named = self.named_grad_fn(Value::Tensor(t), "AminmaxBackward0");
                    items.push((named, span));
                }
                other => return other,
            }
        }
        Value::Named { kind: "aminmax", fields: &["min", "max"], items }
    }

    /// `sum`, `mean`, `amax`, `amin`, `var`, `std`, `var_mean`, `logsumexp`, `norm`.
    fn dim_reduction(&mut self, b: Builtin, x: NodeId, shape: &[usize], bound: &mut Bound<Value>, span: Span) -> Value {
        // Parameter positions: (dim, keepdim) for most; norm has `p` first, var and std `unbiased` between.
        let (dim_at, keep_at) = match b {
            Builtin::Norm => (2, 3),
            Builtin::Var | Builtin::Std | Builtin::VarMean | Builtin::StdMean => (1, 3),
            _ => (1, 2),
        };
        let dims = match given(bound, dim_at) {
            None if b == Builtin::LogSumExp => {
                return self.error(
                    Diagnostic::new(Code::E0241, "`logsumexp` needs `dim`", span, "no dimension given")
                        .with_help("name the dimensions, as in `logsumexp(x, dim=1)`"),
                )
            }
            None => None,
            Some((dv, ds)) => match self.dim_list(dv, ds, shape) {
                Some(d) => Some(d),
                None => return Value::Poison,
            },
        };
        let keepdim = match given(bound, keep_at) {
            None => false,
            Some((Value::Bool(k), _)) => k,
            Some((other, ks)) => return self.not_bool("keepdim", &other, ks),
        };
        let Some(kind) = self.reduce_kind(b, bound) else { return Value::Poison };
        // The first release's nodes for the forms it had.
        if matches!(kind, ReduceKind::Sum | ReduceKind::Mean) && !keepdim {
            let one = match &dims {
                None => Some(None),
                Some(d) if d.len() == 1 => Some(Some(d[0])),
                Some(_) => None,
            };
            if let Some(dim) = one {
                let out = shapes::reduce(shape, dim);
                let dt = self.dtype_of(x);
                let (op, grad_fn) = match (kind, dim) {
                    (ReduceKind::Sum, None) => (Op::Sum { dim }, "SumBackward0"),
                    (ReduceKind::Sum, Some(_)) => (Op::Sum { dim }, "SumBackward1"),
                    (_, None) => (Op::Mean { dim }, "MeanBackward0"),
                    (_, Some(_)) => (Op::Mean { dim }, "MeanBackward1"),
                };
                return Value::Tensor(self.op_node(op, dt, out, &[x], span, grad_fn));
            }
        }
        let dims = dims.unwrap_or_else(|| (0..shape.len()).collect());
        let out = reduced_shape(shape, &dims, keepdim);
        let dt = self.dtype_of(x);
        // The integer kernels sum over everything or one dimension; an integer
        // sum over several (or with `keepdim`) is one dimension at a time, the
        // last first so that the others keep their positions, exact in any
        // order as PyTorch's int64 sum is (wrapping on overflow).
        if !dt.is_float() && kind == ReduceKind::Sum {
            let mut sum = x;
            let mut now = shape.to_vec();
            for &d in dims.iter().rev() {
                now.remove(d);
                sum = self.node(Op::Sum { dim: Some(d) }, dt, now.clone(), &[sum], span);
            }
            if keepdim {
                sum = self.node(Op::Reshape, dt, out, &[sum], span);
            }
            return Value::Tensor(sum);
        }
        if !dt.is_float() && !matches!(kind, ReduceKind::Amax | ReduceKind::Amin) {
            self.rule_dtype(TypeRule::FloatOnly, dt, "`sum` with `keepdim` or several dimensions", span);
            return Value::Poison;
        }
        let node = |kind: ReduceKind| Op::Reduce { kind, dims: dims.clone(), keepdim };
        if let (ReduceKind::VarMeanVar(c), Builtin::StdMean) = (kind, b) {
            // `torch.std_mean`: one Welford pass gives both, the std its square
            // root; the backward is `std_backward` plus `mean_backward`, the
            // gradients of the two nodes added.
            let std = self.op_node(node(ReduceKind::Std(c)), dt, out.clone(), &[x], span, "StdMeanBackward0");
            let mean = self.op_node(node(ReduceKind::VarMeanMean), dt, out, &[x], span, "StdMeanBackward0");
            return Value::Tuple(vec![(Value::Tensor(std), span), (Value::Tensor(mean), span)]);
        }
        if let ReduceKind::VarMeanVar(c) = kind {
            let var = self.op_node(node(ReduceKind::VarMeanVar(c)), dt, out.clone(), &[x], span, kind.grad_fn());
            let mean = self.op_node(node(ReduceKind::VarMeanMean), dt, out, &[x], span, kind.grad_fn());
            // `torch.var_mean` gives a plain tuple, which prints in parentheses.
            return Value::Tuple(vec![(Value::Tensor(var), span), (Value::Tensor(mean), span)]);
        }
        Value::Tensor(self.op_node(node(kind), dt, out, &[x], span, kind.grad_fn()))
    }

    /// The input converted to the dtype the reduction computes in, as PyTorch's:
    /// `sum`, `cumsum` and `cumprod` of a bool tensor count in i64; an i64 `sum`,
    /// `amax`, `amin`, `cumsum` or `cumprod` stays i64; every other reduction here
    /// takes floating-point tensors only (E0204), as `mean` does in PyTorch.
    fn reduction_input(&mut self, b: Builtin, name: &str, x: NodeId, span: Span) -> Option<NodeId> {
        let dt = match (b, self.dtype_of(x)) {
            (_, dt) if dt.is_float() => dt,
            (Builtin::Sum, _) => DType::I64,
            // PyTorch computes these in int64, and so do the i64 kernels.
            (Builtin::Amax | Builtin::Amin | Builtin::Cumsum | Builtin::Cumprod, DType::I64) => DType::I64,
            // A scan of a bool tensor counts in int64, as PyTorch's does.
            (Builtin::Cumsum | Builtin::Cumprod, DType::Bool) => DType::I64,
            (_, dt) => self.rule_dtype(TypeRule::FloatOnly, dt, &format!("`{name}`"), span)?,
        };
        Some(self.cast_to(x, dt, span))
    }

    /// The kind of a reduction builtin with its `correction` or `p`.
    fn reduce_kind(&mut self, b: Builtin, bound: &mut Bound<Value>) -> Option<ReduceKind> {
        let correction = |me: &mut Self, bound: &mut Bound<Value>| -> Option<F64Bits> {
            let unbiased = match given(bound, 2) {
                None => None,
                Some((Value::Bool(u), _)) => Some(u),
                Some((other, us)) => {
                    me.not_bool("unbiased", &other, us);
                    return None;
                }
            };
            let c = match (bound.keyword("correction"), unbiased) {
                (Some((Value::Number(n), _)), None) => n.f64(),
                (Some((Value::None, _)) | None, u) => f64::from(u8::from(u.unwrap_or(true))),
                (Some((_, cs)), Some(_)) => {
                    me.error(
                        Diagnostic::new(Code::E0242, "`unbiased` and `correction` cannot both be given", cs, "second way to say it")
                            .with_help("keep `correction=` (`unbiased=false` is `correction=0`)"),
                    );
                    return None;
                }
                (Some((other, cs)), None) => {
                    me.error(
                        Diagnostic::new(Code::E0107, format!("`correction` must be a number, not {}", other.describe()), cs, "not a number")
                            .with_help("write `correction=0` or `correction=1`"),
                    );
                    return None;
                }
            };
            Some(F64Bits::new(c))
        };
        Some(match b {
            Builtin::Sum => ReduceKind::Sum,
            Builtin::Mean => ReduceKind::Mean,
            Builtin::Amax => ReduceKind::Amax,
            Builtin::Amin => ReduceKind::Amin,
            Builtin::LogSumExp => ReduceKind::LogSumExp,
            Builtin::Var => ReduceKind::Var(correction(self, bound)?),
            Builtin::Std => ReduceKind::Std(correction(self, bound)?),
            Builtin::VarMean | Builtin::StdMean => ReduceKind::VarMeanVar(correction(self, bound)?),
            Builtin::Norm => {
                let p = match given(bound, 1) {
                    None => 2.0,
                    Some((Value::Number(n), ps)) if n.f64() != 1.0 && n.f64() != 2.0 => {
                        self.error(
                            Diagnostic::new(Code::E0243, format!("`norm` supports p=1 and p=2, not p={}", n.f64()), ps, "unsupported order")
                                .with_help(
                                "write `norm(x)` for the 2-norm or `norm(x, p=1)`; other orders can be written as `(x.abs() ** p).sum() ** (1 / p)`",
                            ),
                        );
                        return None;
                    }
                    Some((Value::Number(n), _)) => n.f64(),
                    Some((other, ps)) => {
                        self.error(
                            Diagnostic::new(Code::E0107, format!("`p` must be a number, not {}", other.describe()), ps, "not a number")
                                .with_help("write `p=2`"),
                        );
                        return None;
                    }
                };
                ReduceKind::Norm(F64Bits::new(p))
            }
            Builtin::Cumsum | Builtin::Cumprod | Builtin::Logcumsumexp | Builtin::Softmax | Builtin::LogSoftmax => {
                unreachable!("`reduction_call` sends only the reductions here")
            }
            _ => unreachable!("`call_builtin` sends only reduction builtins to `reduction_call`"),
        })
    }

    /// A `dim` that names one dimension.
    pub(super) fn one_dim(&mut self, v: Value, span: Span, shape: &[usize]) -> Option<usize> {
        match v {
            Value::Number(super::Num::Int(i)) => self.checked_dim(i.clamp(i64::MIN as i128, i64::MAX as i128) as i64, span, shape),
            Value::Poison => None,
            other => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("`dim` must be an integer, not {}", other.describe()), span, "not a dimension")
                        .with_help("write `dim=0`"),
                );
                None
            }
        }
    }

    /// A `dim` that is an integer or a tuple or list of integers: the
    /// dimensions, sorted. An empty one means every dimension, as in PyTorch.
    pub(super) fn dim_list(&mut self, v: Value, span: Span, shape: &[usize]) -> Option<Vec<usize>> {
        let items = match v {
            Value::List(items) | Value::Tuple(items) => items,
            other => return self.one_dim(other, span, shape).map(|d| vec![d]),
        };
        if items.is_empty() {
            return Some((0..shape.len()).collect());
        }
        let mut dims: Vec<usize> = Vec::new();
        for (item, is) in items {
            let d = self.one_dim(item, is, shape)?;
            if dims.contains(&d) {
                self.error(
                    Diagnostic::new(Code::E0240, format!("dimension {d} appears more than once in `dim`"), is, "repeated dimension")
                        .with_help("list each dimension once (negative dims count from the end)"),
                );
                return None;
            }
            dims.push(d);
        }
        dims.sort_unstable();
        Some(dims)
    }

    /// `d` counted from the end when negative, or E0202 at `span`.
    pub(super) fn checked_dim(&mut self, d: i64, span: Span, shape: &[usize]) -> Option<usize> {
        match shapes::normalize_dim(d, shape.len()) {
            Ok(d) => Some(d),
            Err(msg) => {
                self.error(
                    Diagnostic::new(Code::E0202, msg, span, "no such dimension").with_help(format!("the input has shape {}", shapes::show(shape))),
                );
                None
            }
        }
    }

    pub(super) fn not_bool(&mut self, name: &str, v: &Value, span: Span) -> Value {
        self.error(
            Diagnostic::new(Code::E0107, format!("`{name}` must be `true` or `false`, not {}", v.describe()), span, "not a boolean")
                .with_help(format!("write `{name}=true`")),
        )
    }

    /// A node of `x`'s dtype and shape.
    pub(super) fn same_shape(&mut self, op: Op, x: NodeId, span: Span) -> NodeId {
        let (dt, sh) = (self.dtype_of(x), self.shape_of(x));
        let grad_fn = op.grad_fn().unwrap_or(super::builtin_calls::CLONE_GRAD_FN);
        self.op_node(op, dt, sh, &[x], span, grad_fn)
    }
}
