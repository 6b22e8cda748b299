//! Lowering of `scatter(input, dim, index, src)`, `scatter_add` and
//! `index_add(input, dim, index, source)`: one [`IndexOp::ScatterInto`] node
//! each, with PyTorch's `grad_fn` (`ScatterBackward0`, `ScatterBackward1` for a
//! number `src`, `ScatterAddBackward0`, `IndexAddBackward0`); and of
//! `scatter_reduce(input, dim, index, src, reduce, include_self=true)` and
//! `scatter(..., reduce="add"|"multiply")`: one [`IndexOp::ScatterReduce`]
//! (`ScatterReduceBackward0`; `scatter(reduce=)` prints PyTorch's
//! `NotImplemented`, and a backward through it is E0410, as PyTorch has no
//! derivative for it).
//!
//! The index is checked as `gather`'s (E0281): an i64 tensor of the input's
//! rank, no larger than the input outside `dim`; a constant one's values here,
//! any other's by the machine when it runs. The source must have the index's
//! shape and the input's dtype (E0285), or be larger in every dimension and
//! need no gradient: then its leading part is read, as PyTorch reads it (whose
//! backward fails for a larger source that needs a gradient). `index_add`'s `alpha=`
//! scales the source first.

use graphc_runtime::op::{Binary, IndexOp, Op, ScatterReduce};
use graphc_runtime::DType;

use super::{Lowerer, Value};
use crate::check::builtins::{Bound, Builtin};
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

/// The `grad_fn` PyTorch 2.15 prints for `scatter(..., reduce=)`, which has no
/// derivative: a backward through it is E0410.
pub(super) const NOT_IMPLEMENTED: &str = "NotImplemented";

impl Lowerer<'_> {
    /// `scatter_reduce`'s `reduce` (`sum`, `prod`, `mean`, `amax`, `amin`) or
    /// `scatter`'s `reduce=` (`add`, `multiply`): E0287 for any other string.
    fn scatter_reduction(&mut self, b: Builtin, (v, s): (Value, Span)) -> Option<ScatterReduce> {
        let found = match &v {
            Value::Str(name) if b == Builtin::ScatterReduce => ScatterReduce::from_name(name),
            Value::Str(name) => match name.as_str() {
                "add" => Some(ScatterReduce::Sum),
                "multiply" => Some(ScatterReduce::Prod),
                _ => None,
            },
            Value::Poison => return None,
            other => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("`reduce` must be a string, not {}", other.describe()), s, "not a string")
                        .with_help("write `reduce=\"sum\"`"),
                );
                return None;
            }
        };
        if found.is_none() {
            let got = match v {
                Value::Str(name) => name,
                _ => String::new(),
            };
            // PyTorch's own messages for the two functions.
            let (msg, help) = if b == Builtin::ScatterReduce {
                (
                    format!("reduce argument must be either sum, prod, mean, amax or amin, got {got}"),
                    "write one of \"sum\", \"prod\", \"mean\", \"amax\", \"amin\"",
                )
            } else {
                (
                    format!("reduce argument must be either add or multiply, not \"{got}\""),
                    "write `reduce=\"add\"` or `reduce=\"multiply\"`, or use `scatter_reduce` for \"mean\", \"amax\" and \"amin\"",
                )
            };
            self.error(Diagnostic::new(Code::E0287, msg, s, "unknown reduction").with_help(help));
        }
        found
    }

    /// `scatter`, `scatter_add`, `index_add` or `scatter_reduce`.
    pub(super) fn scatter_call(&mut self, b: Builtin, name: &str, bound: &mut Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional.get(i).cloned().flatten();
        let ((xv, xs), (dv, ds), (iv, is)) = (arg(0).expect("bound"), arg(1).expect("bound"), arg(2).expect("bound"));
        let src = match (arg(3), bound.keyword("value")) {
            (Some(s), None) | (None, Some(s)) => s,
            (Some(_), Some((_, vs))) => {
                return self.error(
                    Diagnostic::new(Code::E0104, format!("`{name}` got both `src` and `value`"), vs, "given twice")
                        .with_help("pass the source once, as a tensor `src` or a number `value`"),
                );
            }
            (None, None) => {
                return self.error(
                    Diagnostic::new(Code::E0103, format!("`{name}` is missing its source"), span, "no source")
                        .with_help(format!("write `{name}(input, dim, index, src)`")),
                );
            }
        };
        let reduce_arg = bound.positional.get(4).cloned().flatten();
        let reduce = match (b, reduce_arg, bound.keyword("reduce")) {
            (Builtin::ScatterReduce, Some(r), _) | (Builtin::Scatter, _, Some(r)) => match self.scatter_reduction(b, r) {
                Some(r) => Some(r),
                None => return Value::Poison,
            },
            _ => None,
        };
        let include_self = if b == Builtin::ScatterReduce {
            match self.flag(bound, "include_self", true) {
                Some(f) => f,
                None => return Value::Poison,
            }
        } else {
            true
        };
        let Some(x) = self.expect_tensor(xv, xs, &format!("`{name}`'s input")) else { return Value::Poison };
        let Some(index) = self.expect_tensor(iv, is, &format!("`{name}`'s index")) else { return Value::Poison };
        let (dt, xshape) = (self.dtype_of(x), self.shape_of(x));
        let Some(dim) = self.one_dim(dv, ds, &xshape) else { return Value::Poison };
        if dt == DType::Bool {
            return self.error(
                Diagnostic::new(Code::E0204, format!("`{name}` does not take bool tensors"), xs, "this is bool")
                    .with_help(format!("convert the input first, as in `{name}(x.long(), ...)`")),
            );
        }
        // index_add's index is 1-D, spread over the source's other dimensions.
        let index = if b == Builtin::IndexAdd {
            match self.index_add_index(index, is, dim, &xshape, &src, span) {
                Some(i) => i,
                None => return Value::Poison,
            }
        } else {
            index
        };
        if !self.scatter_index_fits(name, index, is, dim, &xshape) {
            return Value::Poison;
        }
        let ishape = self.shape_of(index);
        let (src, grad_fn) = match src {
            (Value::Number(n), _) if b == Builtin::Scatter => {
                let grad_fn = if reduce.is_some() { NOT_IMPLEMENTED } else { "ScatterBackward1" };
                (self.node(Op::Full(n.scalar().for_dtype(dt)), dt, ishape.clone(), &[], span), grad_fn)
            }
            (v, s) => {
                let Some(t) = self.expect_tensor(v, s, &format!("`{name}`'s source")) else { return Value::Poison };
                let (sdt, sshape) = (self.dtype_of(t), self.shape_of(t));
                // PyTorch reads the leading part of a larger source, which a
                // slice of it is here. Its backward gives such a source a
                // gradient of the index's shape and fails, so only a source
                // that needs no gradient is taken.
                let larger = b != Builtin::IndexAdd
                    && sdt == dt
                    && sshape.len() == ishape.len()
                    && sshape.iter().zip(&ishape).all(|(s, i)| s >= i)
                    && !self.requires_grad(t);
                let (t, sshape) = if larger && sshape != ishape { (self.leading_part(t, &ishape, s), ishape.clone()) } else { (t, sshape) };
                if sdt != dt || sshape != ishape {
                    let msg = format!(
                        "`{name}`'s source is a {sdt} tensor of shape {}, not a {dt} tensor of shape {}",
                        shapes::show(&sshape),
                        shapes::show(&ishape)
                    );
                    let help = "give the source the index's shape and the input's dtype (a larger source that needs no gradient is read in its leading part, as PyTorch reads it)";
                    return self.error(Diagnostic::new(Code::E0285, msg, s, "source does not fit").with_help(help));
                }
                let grad_fn = match b {
                    Builtin::Scatter if reduce.is_some() => NOT_IMPLEMENTED,
                    Builtin::Scatter => "ScatterBackward0",
                    Builtin::ScatterReduce => "ScatterReduceBackward0",
                    Builtin::ScatterAdd => "ScatterAddBackward0",
                    _ => "IndexAddBackward0",
                };
                (t, grad_fn)
            }
        };
        let src = match bound.keyword("alpha") {
            Some(alpha) => match self.index_add_alpha(src, alpha, dt) {
                Some(s) => s,
                None => return Value::Poison,
            },
            None => src,
        };
        let op = match reduce {
            Some(reduce) => Op::Index(IndexOp::ScatterReduce { dim, reduce, include_self }),
            None => Op::Index(IndexOp::ScatterInto { dim, add: b != Builtin::Scatter }),
        };
        Value::Tensor(self.op_node(op, dt, xshape, &[x, index, src], span, grad_fn))
    }

    /// `index_add`'s source times `alpha=` (a number, truncated for an i64
    /// input as PyTorch converts it). The
    /// product rounds once before the add, as PyTorch's CPU kernel computes
    /// `self[i] += alpha * source[j]`.
    fn index_add_alpha(&mut self, src: NodeId, (av, as_): (Value, Span), dt: DType) -> Option<NodeId> {
        let value = match av {
            // An integer input takes alpha truncated to an integer, as PyTorch's
            // kernel converts it (`alpha=1.7` adds the source once).
            Value::Number(n) if dt.is_float() => n.f64(),
            Value::Number(n) => n.f64().trunc(),
            Value::Poison => return None,
            other => {
                self.error(
                    Diagnostic::new(Code::E0107, format!("`alpha` must be a number, not {}", other.describe()), as_, "not a number")
                        .with_help("write `alpha=0.5`"),
                );
                return None;
            }
        };
        if value == 1.0 {
            return Some(src);
        }
        let a = self.scalar(value, dt, as_);
        let shape = self.shape_of(src);
        Some(self.node(Op::Binary(Binary::Mul), dt, shape, &[src, a], as_))
    }

    /// `index_add`'s 1-D i64 index, reshaped to lie along `dim` and expanded to
    /// the source's shape, which must be the input's except along `dim`, where it
    /// has the index's length.
    fn index_add_index(&mut self, index: NodeId, is: Span, dim: usize, xshape: &[usize], src: &(Value, Span), span: Span) -> Option<NodeId> {
        let ishape = self.shape_of(index);
        if self.dtype_of(index) != DType::I64 || ishape.len() > 1 {
            let what =
                format!("`index_add`'s index must be a 1-D i64 tensor, not a {} tensor of shape {}", self.dtype_of(index), shapes::show(&ishape));
            self.error(Diagnostic::new(Code::E0281, what, is, "not a 1-D i64 index").with_help("pass a list of positions, as in `tensor([2, 0])`"));
            return None;
        }
        let k = ishape.iter().product::<usize>();
        let mut want = xshape.to_vec();
        want[dim] = k;
        let (sv, ss) = src;
        let sshape = match sv {
            Value::Tensor(t) => self.shape_of(*t),
            _ => vec![],
        };
        if sshape != want {
            let msg = format!("`index_add`'s source has shape {}, not {}", shapes::show(&sshape), shapes::show(&want));
            let help = "the source has the input's shape, with the index's length along `dim`";
            self.error(Diagnostic::new(Code::E0285, msg, *ss, "source does not fit").with_help(help));
            return None;
        }
        // The constant check reads the index itself, before it is spread.
        if !self.constant_index_fits(index, is, dim, xshape[dim]) {
            return None;
        }
        let mut column = vec![1; xshape.len()];
        column[dim] = k;
        let lined = self.node(Op::Reshape, DType::I64, column, &[index], span);
        Some(self.node(Op::Expand, DType::I64, want, &[lined], span))
    }

    /// E0281 unless `index` is i64, of the input's rank, no larger outside
    /// `dim`, and (if constant) within `0..size` along `dim`.
    fn scatter_index_fits(&mut self, name: &str, index: NodeId, is: Span, dim: usize, xshape: &[usize]) -> bool {
        let ishape = self.shape_of(index);
        if self.dtype_of(index) != DType::I64 {
            let found = self.dtype_of(index);
            self.error(
                Diagnostic::new(Code::E0281, format!("`{name}`'s index must be i64, not {found}"), is, "not i64")
                    .with_help("convert it with `.long()`"),
            );
            return false;
        }
        let fits = ishape.len() == xshape.len() && (0..xshape.len()).all(|k| k == dim || ishape[k] <= xshape[k]);
        if !fits {
            let msg =
                format!("an index of shape {} does not fit an input of shape {} along dimension {dim}", shapes::show(&ishape), shapes::show(xshape));
            self.error(
                Diagnostic::new(Code::E0281, msg, is, "index of another shape")
                    .with_help("the index needs the input's rank and no larger size in any other dimension"),
            );
            return false;
        }
        self.constant_index_fits(index, is, dim, xshape[dim])
    }

    /// The leading `shape` part of `t` (`t[:shape[0], :shape[1], ...]`).
    fn leading_part(&mut self, t: NodeId, shape: &[usize], span: Span) -> NodeId {
        let dt = self.dtype_of(t);
        let mut cur = t;
        for (d, &n) in shape.iter().enumerate() {
            let mut sh = self.shape_of(cur);
            if sh[d] != n {
                sh[d] = n;
                cur = self.node(Op::Slice { dim: d, start: 0, step: 1 }, dt, sh, &[cur], span);
            }
        }
        cur
    }
}
