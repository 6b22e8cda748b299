//! Lowering of the builtins that change shapes and ranks: `permute`,
//! `transpose(x, d0, d1)`, `x.mT` and `bmm`, and the `grad_fn` that PyTorch's
//! `matmul` shows for each combination of ranks.
//!
//! Dimensions and sizes are given as PyTorch takes them: one integer per
//! positional argument (`x.permute(2, 0, 1)`) or one list (`x.permute([2, 0, 1])`).

use graphc_runtime::Op;

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::check::shape_builtins::ShapeBuiltin;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl<'a> Lowerer<'a> {
    pub(super) fn shape_call(&mut self, b: ShapeBuiltin, name: &str, bound: &Bound<Value>, span: Span) -> Value {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let arg = |i: usize| bound.positional.get(i).cloned().flatten();
        if matches!(b, ShapeBuiltin::Cat | ShapeBuiltin::Stack) {
            return self.join_call((v, vs), arg(1), span, b == ShapeBuiltin::Stack);
        }
        // The stacking helpers take a list of tensors (`lower/numpy_shapes.rs`).
        match b {
            ShapeBuiltin::Hstack | ShapeBuiltin::Vstack | ShapeBuiltin::Dstack | ShapeBuiltin::ColumnStack => {
                return self.stack_variant_call(b, (v, vs), span)
            }
            ShapeBuiltin::Atleast1d | ShapeBuiltin::Atleast2d | ShapeBuiltin::Atleast3d => {
                return self.atleast_call(b, bound.positional.iter().flatten().cloned().collect())
            }
            _ => {}
        }
        let Some(t) = self.expect_tensor(v, vs, &format!("`{name}`'s input")) else { return Value::Poison };
        let rest: Vec<(Value, Span)> = bound.positional[1..].iter().flatten().cloned().collect();
        let required = |i: usize| arg(i).expect("bind guarantees required arguments");
        match b {
            ShapeBuiltin::Cat
            | ShapeBuiltin::Stack
            | ShapeBuiltin::Hstack
            | ShapeBuiltin::Vstack
            | ShapeBuiltin::Dstack
            | ShapeBuiltin::ColumnStack
            | ShapeBuiltin::Atleast1d
            | ShapeBuiltin::Atleast2d
            | ShapeBuiltin::Atleast3d => unreachable!("joined above"),
            ShapeBuiltin::Movedim => self.movedim_call(t, required(1), required(2), span),
            ShapeBuiltin::Swapaxes | ShapeBuiltin::Swapdims => self.swap_call(t, required(1), required(2), span),
            ShapeBuiltin::Fliplr | ShapeBuiltin::Flipud => {
                let (least, dim) = if b == ShapeBuiltin::Fliplr { (2, 1) } else { (1, 0) };
                if self.shape_of(t).len() < least {
                    return self.error(
                        Diagnostic::new(Code::E0202, format!("Input must be >= {least}-d."), vs, format!("{}-d", self.shape_of(t).len()))
                            .with_help(format!("`{name}` flips dimension {dim}; `flip(x, dims)` flips any")),
                    );
                }
                self.flip_call(t, vec![(Value::Number(Num::Int(dim)), span)], span)
            }
            ShapeBuiltin::Select => self.select_call(t, required(1), required(2), span),
            ShapeBuiltin::Tile => self.tile_call(t, rest, span),
            ShapeBuiltin::Unflatten => self.unflatten_call(t, required(1), required(2), span),
            ShapeBuiltin::Bmm => self.bmm(t, vs, required(1), span),
            ShapeBuiltin::Reshape => self.reshape_call(t, rest, span, false),
            ShapeBuiltin::View => self.reshape_call(t, rest, span, true),
            ShapeBuiltin::Flatten => self.flatten_call(t, arg(1), arg(2), span),
            ShapeBuiltin::Squeeze => self.squeeze_call(t, arg(1), span),
            ShapeBuiltin::Unsqueeze => self.unsqueeze_call(t, arg(1), span),
            ShapeBuiltin::Expand => self.expand_call(t, rest, span),
            ShapeBuiltin::ExpandAs => self.expand_as_call(t, required(1), span),
            ShapeBuiltin::ViewAs | ShapeBuiltin::ReshapeAs => {
                let (v, os) = required(1);
                let what = if b == ShapeBuiltin::ViewAs { "view_as's `other`" } else { "reshape_as's `other`" };
                let Some(o) = self.expect_tensor(v, os, what) else { return Value::Poison };
                let size = Value::Size(self.shape_of(o));
                self.reshape_call(t, vec![(size, os)], span, b == ShapeBuiltin::ViewAs)
            }
            ShapeBuiltin::Repeat => self.repeat_call(t, rest, span),
            ShapeBuiltin::Split => self.split_call(t, required(1), arg(2), span),
            ShapeBuiltin::Chunk => self.chunk_call(t, required(1), arg(2), span),
            ShapeBuiltin::Unbind => self.unbind_call(t, arg(1), span),
            ShapeBuiltin::Flip => self.flip_call(t, rest, span),
            ShapeBuiltin::Roll => self.roll_call(t, required(1), arg(2), span),
            ShapeBuiltin::Permute => {
                let Some(dims) = self.int_args(rest, span, "permute's dimensions") else { return Value::Poison };
                let rank = self.shape_of(t).len();
                let values: Vec<i64> = dims.iter().map(|(d, _)| *d).collect();
                match shapes::permutation(&values, rank) {
                    Ok(p) => self.permute_node(t, p, span, "PermuteBackward0"),
                    Err(msg) => self.bad_dims(msg, &dims, span, t),
                }
            }
        }
    }

    /// `flip(x, dims)`: PyTorch's `torch.flip`, a copy with each listed dimension
    /// in reverse order (`FlipBackward0`, whose gradient is the flipped gradient).
    /// It is a gather at flat positions that the run computes from one `arange`
    /// per dimension (counting down along the flipped ones), so that the
    /// program holds no table of the tensor's size.
    fn flip_call(&mut self, t: NodeId, rest: Vec<(Value, Span)>, span: Span) -> Value {
        let Some(dims) = self.int_args(rest, span, "flip's dimensions") else { return Value::Poison };
        let shape = self.shape_of(t);
        let mut flipped = vec![false; shape.len()];
        for &(d, ds) in &dims {
            // PyTorch wraps a dimension of a 0-d tensor as of a 1-d one: its one element stays.
            if shape.is_empty() && (d == 0 || d == -1) {
                continue;
            }
            let Some(d) = self.checked_dim(d, ds, &shape) else { return Value::Poison };
            // Not `dim_list`: an empty list flips nothing here, where a reduction's means every dimension.
            if std::mem::replace(&mut flipped[d], true) {
                return self.error(
                    Diagnostic::new(Code::E0240, format!("dimension {d} appears more than once in `dims`"), ds, "repeated dimension")
                        .with_help("list each dimension once (negative dims count from the end)"),
                );
            }
        }
        let dt = self.dtype_of(t);
        let numel: usize = shape.iter().product();
        let mut positions: Option<NodeId> = None;
        let mut stride = 1usize;
        for d in (0..shape.len()).rev() {
            let n = shape[d];
            let (start, step) = if flipped[d] { ((n as i64 - 1) * stride as i64, -(stride as i64)) } else { (0, stride as i64) };
            let along = Op::Arange { start: graphc_runtime::op::Scalar::Int(start), step: graphc_runtime::op::Scalar::Int(step) };
            let along = self.node(along, graphc_runtime::DType::I64, vec![n], &[], span);
            let mut laid = vec![1; shape.len()];
            laid[d] = n;
            let along = self.node(Op::Reshape, graphc_runtime::DType::I64, laid, &[along], span);
            positions = Some(match positions {
                None => along,
                Some(p) => {
                    let both = shapes::broadcast(&self.shape_of(p), &self.shape_of(along)).expect("one dimension each, of the input's sizes");
                    self.node(Op::Binary(graphc_runtime::op::Binary::Add), graphc_runtime::DType::I64, both, &[p, along], span)
                }
            });
            stride *= n;
        }
        let flat_x = self.node(Op::Reshape, dt, vec![numel], &[t], span);
        let picked = match positions {
            // A 0-d tensor has one element, in its place.
            None => flat_x,
            Some(p) => {
                let p = self.node(Op::Reshape, graphc_runtime::DType::I64, vec![numel], &[p], span);
                self.node(Op::Index(graphc_runtime::op::IndexOp::Gather { dim: 0 }), dt, vec![numel], &[flat_x, p], span)
            }
        };
        Value::Tensor(self.op_node(Op::Reshape, dt, shape, &[picked], span, "FlipBackward0"))
    }

    /// `roll(x, shifts, dims=none)`: PyTorch's `roll_common`, one dimension at a
    /// time (the first shift along the first dimension, then the rest), each
    /// the slice from `(size - shift) mod size` to the end joined with the
    /// slice before it; without `dims`, the flattened tensor rolled and shaped
    /// back. Only elements move, so the values and the gradient (rolled back,
    /// through the slices) are PyTorch's; the result shows `RollBackward0`.
    fn roll_call(&mut self, t: NodeId, shifts: (Value, Span), dims: Option<(Value, Span)>, span: Span) -> Value {
        let Some(shifts) = self.int_args(vec![shifts], span, "roll's shifts") else { return Value::Poison };
        let dims = match dims {
            None | Some((Value::None, _)) => Vec::new(),
            Some(d) => match self.int_args(vec![d], span, "roll's dims") {
                Some(d) => d,
                None => return Value::Poison,
            },
        };
        let shape = self.shape_of(t);
        let dt = self.dtype_of(t);
        let aligned = if dims.is_empty() { shifts.len() == 1 } else { shifts.len() == dims.len() };
        if !aligned {
            let at = shifts.first().map_or(span, |s| s.1);
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("shifts and dimensions must align. shifts: {}, dims:{}", shifts.len(), dims.len()),
                    at,
                    "one shift per dimension",
                )
                .with_help("give one shift per listed dimension, or one shift and no `dims` to roll the flattened tensor"),
            );
        }
        if dims.is_empty() {
            let numel: usize = shape.iter().product();
            let flat = self.node(Op::Reshape, dt, vec![numel], &[t], span);
            let rolled = self.roll_dim(flat, shifts[0].0, 0, span);
            return Value::Tensor(self.op_node(Op::Reshape, dt, shape, &[rolled], span, "RollBackward0"));
        }
        let mut x = t;
        for (&(shift, _), &(d, ds)) in shifts.iter().zip(&dims) {
            let Some(d) = self.checked_dim(d, ds, &shape) else { return Value::Poison };
            x = self.roll_dim(x, shift, d, span);
        }
        // The last node carries PyTorch's `grad_fn` (a copy when nothing moved).
        let x = if x == t { self.node(Op::Reshape, dt, shape.clone(), &[t], span) } else { x };
        self.grad_fn.insert(x, "RollBackward0".to_string());
        Value::Tensor(x)
    }

    /// `x` rolled by `shift` along `dim`: `cat(x[start:], x[:start])` with
    /// `start = (size - shift) mod size`, Python's modulo; `x` itself when no
    /// element moves (an empty dimension, or a shift of whole turns).
    fn roll_dim(&mut self, x: NodeId, shift: i64, dim: usize, span: Span) -> NodeId {
        let shape = self.shape_of(x);
        let size = shape[dim] as i64;
        if size == 0 {
            return x;
        }
        let start = (size - shift.rem_euclid(size)).rem_euclid(size) as usize;
        if start == 0 {
            return x;
        }
        let dt = self.dtype_of(x);
        let with = |n: usize| {
            let mut s = shape.clone();
            s[dim] = n;
            s
        };
        let tail = self.node(Op::Slice { dim, start, step: 1 }, dt, with(size as usize - start), &[x], span);
        let head = self.node(Op::Slice { dim, start: 0, step: 1 }, dt, with(start), &[x], span);
        self.node(Op::Cat { dim, n: 2 }, dt, shape, &[tail, head], span)
    }

    /// `transpose(x, dim0, dim1)`: the two dimensions swapped, for any rank.
    pub(super) fn transpose_dims(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(t) = self.expect_tensor(v, vs, "transpose's input") else { return Value::Poison };
        let rest: Vec<(Value, Span)> = bound.positional[1..].iter().flatten().cloned().collect();
        if rest.len() != 2 {
            return self.error(
                Diagnostic::new(Code::E0103, "`transpose` takes both `dim0` and `dim1`, or neither", span, "one dimension given")
                    .with_help("write `transpose(x, 0, 1)`, or `transpose(x)` for a 2-D tensor"),
            );
        }
        let Some(dims) = self.int_args(rest, span, "transpose's dimensions") else { return Value::Poison };
        match shapes::swap_dims(dims[0].0, dims[1].0, self.shape_of(t).len()) {
            Ok(p) => self.permute_node(t, p, span, "TransposeBackward0"),
            Err(msg) => self.bad_dims(msg, &dims, span, t),
        }
    }

    /// `x.mT`: the last two dimensions swapped (PyTorch's `TransposeBackward0`).
    pub(super) fn mt_field(&mut self, recv: Value, span: Span) -> Value {
        let Some(t) = self.expect_tensor(recv, span, "the receiver of `.mT`") else { return Value::Poison };
        let shape = self.shape_of(t);
        if shape.len() < 2 {
            return self.error(
                Diagnostic::new(
                    Code::E0221,
                    format!("`.mT` needs at least 2 dimensions, but this tensor has shape {}", shapes::show(&shape)),
                    span,
                    "fewer than 2 dimensions",
                )
                .with_help("`.mT` transposes the last two dimensions of a matrix or a batch of matrices"),
            );
        }
        let r = shape.len() as i64;
        let dims = shapes::swap_dims(r - 2, r - 1, shape.len()).expect("the last two dimensions exist");
        self.permute_node(t, dims, span, "TransposeBackward0")
    }

    /// `bmm(input, mat2)`: two 3-D tensors with the same batch, no broadcasting.
    fn bmm(&mut self, a: NodeId, sa: Span, other: (Value, Span), span: Span) -> Value {
        let (v, sb) = other;
        let Some(b) = self.expect_tensor(v, sb, "bmm's `mat2`") else { return Value::Poison };
        let (sha, shb) = (self.shape_of(a), self.shape_of(b));
        let why = if sha.len() != 3 || shb.len() != 3 {
            Some(format!("bmm takes two 3-D tensors, got {} and {}", shapes::show(&sha), shapes::show(&shb)))
        } else if sha[0] != shb[0] {
            Some(format!("bmm needs one batch size, got {} and {}", sha[0], shb[0]))
        } else {
            None
        };
        if let Some(msg) = why {
            return self.error(
                Diagnostic::new(Code::E0221, msg, sa, format!("shape {}", shapes::show(&sha)))
                    .with_secondary(sb, format!("shape {}", shapes::show(&shb)))
                    .with_help("bmm multiplies [b, n, m] by [b, m, p]; `@` also broadcasts batches and takes other ranks"),
            );
        }
        let (da, db) = (self.dtype_of(a), self.dtype_of(b));
        if da != db {
            return self.error(
                Diagnostic::new(Code::E0201, format!("bmm mixes {da} and {db}"), sa, format!("this is {da}"))
                    .with_secondary(sb, format!("this is {db}"))
                    .with_help("create both tensors with the same `dtype=`"),
            );
        }
        match shapes::matmul(&sha, &shb) {
            Ok(shape) => Value::Tensor(self.op_node(Op::MatMul, da, shape, &[a, b], span, "BmmBackward0")),
            Err(msg) => self.error(
                Diagnostic::new(Code::E0202, msg, sa, format!("shape {}", shapes::show(&sha)))
                    .with_secondary(sb, format!("shape {}", shapes::show(&shb)))
                    .with_help("the last dimension of `input` must equal the middle one of `mat2`"),
            ),
        }
    }

    /// The `grad_fn` PyTorch 2.15 shows for `a @ b`, which names the kernel its
    /// `matmul` dispatched to (`aten/src/ATen/native/LinearAlgebra.cpp`,
    /// `_matmul_impl` and `should_fold`): `dot`, `mv`, `mm`, a vector times a
    /// matrix (`squeeze_`), a folded or batched product (`_unsafe_view`), or,
    /// when a batched right operand meets a matrix that requires grad, the fold
    /// through `b.mT` whose result is made contiguous (`clone`).
    pub(super) fn matmul_grad_fn(&self, a: NodeId, b: NodeId) -> &'static str {
        let (sa, sb) = (self.shape_of(a), self.shape_of(b));
        match (sa.len(), sb.len()) {
            (1, 1) => "DotBackward0",
            (2, 1) => "MvBackward0",
            (1, 2) => "SqueezeBackward4",
            (2, 2) => "MmBackward0",
            (2, rb) if rb > 2 && self.requires_grad(a) => "CloneBackward0",
            // Two 3-D operands whose batches differ, the left one of batch 1 and
            // requiring grad: PyTorch squeezes it to a matrix, as in the arm above.
            (3, 3) if sa[0] != sb[0] && sa[0] == 1 && self.requires_grad(a) => "CloneBackward0",
            _ => "UnsafeViewBackward0",
        }
    }

    /// A permutation node; the identity permutation is still a node, as PyTorch's
    /// `permute` is (it shows its `grad_fn`).
    fn permute_node(&mut self, t: NodeId, dims: Vec<usize>, span: Span, grad_fn: &str) -> Value {
        let shape = shapes::permuted(&self.shape_of(t), &dims);
        let dt = self.dtype_of(t);
        Value::Tensor(self.op_node(Op::Permute(dims), dt, shape, &[t], span, grad_fn))
    }

    /// Integer arguments: one per positional argument, or one list of them (which
    /// may be empty, as `x.reshape([])` for a 0-d result).
    pub(super) fn int_args(&mut self, args: Vec<(Value, Span)>, span: Span, what: &str) -> Option<Vec<(i64, Span)>> {
        if args.is_empty() {
            self.error(
                Diagnostic::new(Code::E0103, format!("{what} are missing"), span, "no sizes")
                    .with_help("write one integer per dimension, or `[]` for none"),
            );
            return None;
        }
        let items = match args.as_slice() {
            // A tuple is Python's other way to write sizes: `x.reshape(())`, `x.view((2, 3))`.
            [(Value::List(items) | Value::Tuple(items), _)] => items.clone(),
            // A shape: `y.reshape(y_hat.shape)`.
            [(Value::Size(dims), s)] => dims.iter().map(|&d| (Value::Number(super::Num::Int(d as i128)), *s)).collect(),
            _ => args,
        };
        let mut out = Vec::with_capacity(items.len());
        for (v, s) in items {
            match v {
                Value::Number(super::Num::Int(i)) if i.abs() < 1_000_000_000_000_000 => out.push((i as i64, s)),
                Value::Poison => return None,
                other => {
                    self.error(
                        Diagnostic::new(Code::E0107, format!("{what} must be integers, not {}", other.describe()), s, "not an integer")
                            .with_help("write integers, one per argument or as one list"),
                    );
                    return None;
                }
            }
        }
        Some(out)
    }

    /// E0220 for dimensions that do not fit the tensor, pointing at them.
    fn bad_dims(&mut self, msg: String, dims: &[(i64, Span)], span: Span, t: NodeId) -> Value {
        let at = match (dims.first(), dims.last()) {
            (Some((_, a)), Some((_, b))) => a.to(*b),
            _ => span,
        };
        let shape = self.shape_of(t);
        self.error(Diagnostic::new(Code::E0220, msg, at, "dimensions do not fit").with_help(format!(
            "the tensor has shape {} (rank {}): dimensions run from {} to {}",
            shapes::show(&shape),
            shape.len(),
            -(shape.len().max(1) as i64),
            shape.len().max(1) as i64 - 1
        )))
    }
}
