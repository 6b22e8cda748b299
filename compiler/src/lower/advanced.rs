//! PyTorch's advanced indexing with i64 tensors among other subscript items:
//! `x[i, j]`, `x[:, ids]`, `x[0, ids]`, `x[rows, cols] = v`, `x[i, j] += v`.
//!
//! A subscript is lowered to the flat positions it picks (`dyn_index.rs`):
//! every item contributes, per dimension of `x`, the indices it picks times the
//! dimension's stride, summed on a grid of the selected shape. Integers,
//! slices, `none` and `...` contribute one axis each, as in basic indexing. The
//! index tensors broadcast together to one shape `B` (PyTorch's IndexError
//! "shape mismatch" otherwise), which takes the place of the first of them when
//! they stand next to each other and the front of the result when they do not
//! (`x[i, :, j]`), as in `aten/src/ATen/native/TensorAdvancedIndexing.cpp`.
//! PyTorch applies integers as `select` before it indexes with the tensors, so
//! an integer between two tensors does not separate them (`x[i, 0, j]` keeps
//! `B` in place), and neither placement is NumPy's.
//!
//! A read is a `gather` of the flattened tensor at those positions (gradient:
//! `scatter_add` into zeros, PyTorch's `IndexBackward0`), a store a `scatter`
//! of the value into it (gradient: zeros at the written positions for `x`, the
//! output gradient gathered there for the value, `IndexPutBackward0`).
//! Repeated positions follow PyTorch's CPU kernels: the last write in row-major
//! order of `B` wins, and reads add their gradients.
//!
//! A constant index tensor is checked when compiling (E0281 for a read, E0701
//! for a store); a computed one is checked when the program runs by a `gather`
//! from `arange(n)`, which stops the run with PyTorch's message at the index.
//! Negative entries count from the end in both, as in PyTorch: a computed one
//! is wrapped by a `where` before the check, which leaves an entry below `-n`
//! as it is so that the message names it.

use graphc_runtime::op::{Binary, Cmp, DataOp, IndexOp, Logical, Scalar};
use graphc_runtime::{kernels, DType, Op};

use super::dyn_index::Sub;
use super::{Lowerer, Value};
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{Ident, Span};

/// What one item of a subscript picks, after evaluation.
pub(super) enum Slot {
    /// Indices of dimension `dim` (a 1-D i64 node); `kept` false for an
    /// integer, whose dimension leaves the result.
    Pick { dim: usize, pick: NodeId, kept: bool },
    /// `none`: a dimension of size 1 in the result, picking nothing.
    NewAxis,
    /// An i64 index tensor of dimension `dim`, checked.
    Tensor { dim: usize, ids: NodeId, span: Span },
}

impl Lowerer<'_> {
    /// `x.index_put_(indices, values, accumulate=false)`: `indices` a tuple or
    /// list of i64 tensors, one per leading dimension of `x`, and `values` a
    /// tensor of `x`'s dtype that broadcasts to what they select (PyTorch
    /// refuses a number and another dtype). With `accumulate` the values are
    /// added, repeated positions adding up (PyTorch's `put_` with accumulation).
    pub(super) fn index_put_method(&mut self, t: NodeId, args: Vec<(Option<Ident>, Value, Span)>, span: Span) -> Value {
        let usage = "write `x.index_put_((rows, cols), values)`, with `accumulate=true` to add";
        let (mut positional, mut accumulate) = (Vec::new(), false);
        for (k, v, s) in args {
            match (k, v) {
                (Some(k), Value::Bool(b)) if k.name == "accumulate" => accumulate = b,
                (Some(k), _) if k.name == "accumulate" => {
                    return self.error(Diagnostic::new(Code::E0103, "`accumulate` must be `true` or `false`", s, "not a bool").with_help(usage));
                }
                (Some(k), _) => {
                    return self.error(
                        Diagnostic::new(Code::E0103, format!("`index_put_` takes no argument `{}`", k.name), k.span, "unknown keyword")
                            .with_help(usage),
                    );
                }
                (None, v) => positional.push((v, s)),
            }
        }
        if positional.len() != 2 {
            let n = positional.len();
            return self.error(
                Diagnostic::new(Code::E0103, format!("`index_put_` takes 2 positional arguments, not {n}"), span, "wrong arguments").with_help(usage),
            );
        }
        let mut positional = positional.into_iter();
        let (indices, is) = positional.next().expect("two arguments, checked above");
        let (values, vs) = positional.next().expect("two arguments, checked above");
        let items = match indices {
            Value::Tuple(items) | Value::List(items) => items,
            Value::Poison => return Value::Poison,
            other => {
                return self.error(
                    Diagnostic::new(Code::E0700, format!("`index_put_` takes a tuple of index tensors, not {}", other.describe()), is, "not a tuple")
                        .with_help(usage),
                )
            }
        };
        let mut subs = Vec::new();
        for (v, s) in items {
            match v {
                Value::Tensor(ids) if self.dtype_of(ids) == DType::I64 => subs.push(Sub::Tensor { ids, span: s }),
                Value::Poison => return Value::Poison,
                other => {
                    let what = match other {
                        Value::Tensor(n) => format!("a {} tensor", self.dtype_of(n)),
                        o => o.describe().to_string(),
                    };
                    return self.error(
                        Diagnostic::new(Code::E0700, format!("an index of `index_put_` must be an i64 tensor, not {what}"), s, "not an i64 tensor")
                            .with_help("give one i64 tensor of positions per indexed dimension"),
                    );
                }
            }
        }
        match values {
            Value::Tensor(v) => self.store_dynamic(t, subs, (Value::Tensor(v), vs), accumulate, span),
            Value::Poison => Value::Poison,
            other => self.error(
                Diagnostic::new(Code::E0700, format!("`index_put_` takes a tensor of values, not {}", other.describe()), vs, "not a tensor")
                    .with_help(format!("pass a {} tensor (`tensor(1.0)` rather than `1.0`), as PyTorch requires", self.dtype_of(t))),
            ),
        }
    }

    /// The index tensor `ids` of dimension `d` (of size `n`) as the subscript
    /// uses it: a constant one checked now and its negative entries counted from
    /// the end, a computed one wrapped when negative (`wrap_computed_ids`) and
    /// passed through a `gather` from `arange(n)` that checks it when the
    /// program runs. `shown` is the dimension PyTorch's message names: the
    /// index tensor's place among the index tensors when PyTorch's index kernel
    /// checks it, the dimension of the (viewed) tensor when `index_fill_` does.
    pub(super) fn checked_ids(&mut self, ids: NodeId, (d, n): (usize, usize), shown: usize, store: bool, at: Span) -> Option<NodeId> {
        let node = self.prog.graph.node(ids).clone();
        if matches!(node.op, Op::Full(_) | Op::Literal(_)) {
            let values = kernels::eval(&node.op, &[], node.dtype, &node.shape);
            let size = n as i64;
            if let Some(bad) = values.as_i64().expect("an i64 constant holds i64 values").iter().find(|&&i| i < -size || i >= size) {
                let code = if store { Code::E0701 } else { Code::E0281 };
                self.error(
                    Diagnostic::new(code, format!("index {bad} is out of bounds for dimension {shown} with size {n}"), at, "out of bounds")
                        .with_help(format!("indices along dimension {d} lie in -{n}..{n} (a negative one counts from the end)")),
                );
                return None;
            }
            return Some(self.negative_ids_wrapped(ids, n));
        }
        let ids = self.wrap_computed_ids(ids, n, at);
        let ishape = node.shape.clone();
        let k: usize = ishape.iter().product();
        let lead = vec![1; shown];
        let table = self.node(Op::Arange { start: Scalar::Int(0), step: Scalar::Int(1) }, DType::I64, vec![n], &[], at);
        let table = self.node(Op::Reshape, DType::I64, [lead.clone(), vec![n]].concat(), &[table], at);
        let index = self.node(Op::Reshape, DType::I64, [lead.clone(), vec![k]].concat(), &[ids], at);
        let checked = self.node(Op::Index(IndexOp::Gather { dim: shown }), DType::I64, [lead, vec![k]].concat(), &[table, index], at);
        Some(self.node(Op::Reshape, DType::I64, ishape, &[checked], at))
    }

    /// A computed index tensor for a dimension of size `n` with its entries in
    /// `-n..0` counted from the end, as PyTorch's indexing reads them:
    /// `where(ids < 0 and ids >= -n, ids + n, ids)`. An entry below `-n` stays
    /// as it is, so the check after it names the index the program computed,
    /// as PyTorch's message does.
    pub(super) fn wrap_computed_ids(&mut self, ids: NodeId, n: usize, at: Span) -> NodeId {
        if self.never_negative(ids) {
            return ids;
        }
        let shape = self.shape_of(ids);
        let zero = self.scalar(0.0, DType::I64, at);
        let low = self.scalar(-(n as f64), DType::I64, at);
        let size = self.scalar(n as f64, DType::I64, at);
        let negative = self.node(Op::Compare(Cmp::Lt), DType::Bool, shape.clone(), &[ids, zero], at);
        let inside = self.node(Op::Compare(Cmp::Ge), DType::Bool, shape.clone(), &[ids, low], at);
        let wrap = self.node(Op::Logical(Logical::And), DType::Bool, shape.clone(), &[negative, inside], at);
        let from_end = self.node(Op::Binary(Binary::Add), DType::I64, shape.clone(), &[ids, size], at);
        self.node(Op::Select, DType::I64, shape, &[wrap, from_end, ids], at)
    }

    /// Whether every value of the i64 node `ids` is known to be at least 0 by
    /// where it comes from (`randperm`, `argmax`, a non-negative constant or
    /// `arange`, and picks or reshapes of those, such as `perm[0:64]`), so that
    /// wrapping it would change nothing and only lengthen the IR.
    fn never_negative(&self, mut ids: NodeId) -> bool {
        loop {
            let node = self.prog.graph.node(ids);
            match &node.op {
                Op::Reshape | Op::Expand | Op::Transpose | Op::Permute(_) | Op::Slice { .. } | Op::Index(IndexOp::Gather { .. }) => {
                    ids = self.prog.graph.operands(ids)[0];
                }
                Op::Full(_) | Op::Literal(_) => {
                    let values = kernels::eval(&node.op, &[], node.dtype, &node.shape);
                    return values.as_i64().is_some_and(|v| v.iter().all(|&i| i >= 0));
                }
                Op::Arange { start, step } => return start.get() >= 0.0 && step.get() >= 0.0,
                Op::Data(DataOp::Randperm | DataOp::LoaderOrder { .. })
                | Op::Index(
                    IndexOp::Arg { .. }
                    | IndexOp::Sort { .. }
                    | IndexOp::TopK { .. }
                    | IndexOp::Kth { .. }
                    | IndexOp::CumExtreme { .. }
                    | IndexOp::MaxPool(_)
                    | IndexOp::AdaptiveMaxPool,
                ) => return true,
                Op::Data(DataOp::Randint { low, .. }) => return *low >= 0,
                _ => return false,
            }
        }
    }

    /// `Σ_d index[d] * stride[d]` on the grid of the selection, flattened, and
    /// the selection's shape (`x[...]`'s). Each pick has an axis of its own, the
    /// index tensors share the block of their broadcast shape.
    /// Also returns where the block of the index tensors starts in that shape.
    pub(super) fn flat_positions(&mut self, shape: &[usize], slots: &[Slot], store: bool, span: Span) -> Option<(NodeId, Vec<usize>, usize)> {
        let mut block: Vec<usize> = Vec::new();
        let mut seen: Vec<(Vec<usize>, Span)> = Vec::new();
        for slot in slots {
            let Slot::Tensor { ids, span: at, .. } = slot else { continue };
            let s = self.shape_of(*ids);
            match shapes::broadcast(&block, &s) {
                Ok(b) => block = b,
                Err(_) => {
                    let all: Vec<String> = seen.iter().map(|(s, _)| shapes::show(s)).chain([shapes::show(&s)]).collect();
                    let code = if store { Code::E0700 } else { Code::E0281 };
                    let mut diag = Diagnostic::new(
                        code,
                        format!("shape mismatch: indexing tensors could not be broadcast together with shapes {}", all.join(", ")),
                        *at,
                        format!("shape {}", shapes::show(&s)),
                    );
                    for (s, at) in &seen {
                        diag = diag.with_secondary(*at, format!("shape {}", shapes::show(s)));
                    }
                    self.error(diag.with_help("give the index tensors one shape, or shapes that broadcast together (`rows[:, none]` with `cols`)"));
                    return None;
                }
            }
            seen.push((s, *at));
        }
        // The tensors stand next to each other when no kept item lies between
        // them (integers are applied first, and so do not count).
        let visible: Vec<bool> =
            slots.iter().filter(|s| !matches!(s, Slot::Pick { kept: false, .. })).map(|s| matches!(s, Slot::Tensor { .. })).collect();
        let first = visible.iter().position(|&t| t);
        let last = visible.iter().rposition(|&t| t);
        let adjacent = match (first, last) {
            (Some(a), Some(b)) => visible[a..=b].iter().all(|&t| t),
            _ => true,
        };
        // The grid's axes (a pick's own, the tensors' block) and the selection's shape.
        let (mut axes, mut result, mut axis_of, mut block_at) = (Vec::new(), Vec::new(), Vec::new(), None);
        let mut block_in_result = 0;
        if !adjacent {
            block_at = Some(0);
            axes.extend_from_slice(&block);
            result.extend_from_slice(&block);
        }
        for slot in slots {
            match slot {
                Slot::Pick { pick, kept, .. } => {
                    let len = self.shape_of(*pick)[0];
                    axis_of.push(axes.len());
                    axes.push(len);
                    if *kept {
                        result.push(len);
                    }
                }
                Slot::NewAxis => {
                    axis_of.push(usize::MAX);
                    result.push(1);
                }
                Slot::Tensor { .. } => {
                    axis_of.push(usize::MAX);
                    if block_at.is_none() {
                        block_at = Some(axes.len());
                        block_in_result = result.len();
                        axes.extend_from_slice(&block);
                        result.extend_from_slice(&block);
                    }
                }
            }
        }
        let strides = super::views::contiguous(shape);
        let rank = axes.len();
        let mut acc: Option<NodeId> = None;
        for (k, slot) in slots.iter().enumerate() {
            let (dim, index, along) = match slot {
                Slot::Pick { dim, pick, .. } => {
                    let mut along = vec![1; rank];
                    along[axis_of[k]] = axes[axis_of[k]];
                    (*dim, *pick, along)
                }
                Slot::Tensor { dim, ids, .. } => {
                    // Right-aligned in the block, as broadcasting aligns shapes.
                    let s = self.shape_of(*ids);
                    let end = block_at.unwrap_or(0) + block.len();
                    let mut along = vec![1; rank];
                    along[end - s.len()..end].copy_from_slice(&s);
                    (*dim, *ids, along)
                }
                Slot::NewAxis => continue,
            };
            let laid = self.node(Op::Reshape, DType::I64, along.clone(), &[index], span);
            let stride = self.scalar(strides[dim] as f64, DType::I64, span);
            let term = self.node(Op::Binary(Binary::Mul), DType::I64, along.clone(), &[laid, stride], span);
            acc = Some(match acc {
                None => term,
                Some(a) => {
                    let sh = shapes::broadcast(&self.shape_of(a), &along).unwrap_or_else(|_| axes.clone());
                    self.node(Op::Binary(Binary::Add), DType::I64, sh, &[a, term], span)
                }
            });
        }
        let count: usize = axes.iter().product();
        let flat = match acc {
            Some(a) => {
                // Every axis has a term of its length, so the sum spans the grid;
                // spread it where an axis has none, to be sure of the count.
                let a = if self.shape_of(a) == axes { a } else { self.node(Op::Expand, DType::I64, axes.clone(), &[a], span) };
                self.node(Op::Reshape, DType::I64, vec![count], &[a], span)
            }
            // A 0-d tensor has no dimension to pick from; `grid` refused any item that consumes one.
            None => {
                let zero = vec![Scalar::Int(0)];
                self.node(Op::Literal(zero), DType::I64, vec![1], &[], span)
            }
        };
        Some((flat, result, block_in_result))
    }
}
