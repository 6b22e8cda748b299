//! Lowering of the BLAS-style sums `beta * input + alpha * product`:
//! `addmm(input, mat1, mat2)`, `addmv(input, mat, vec)`, `addr(input, vec1,
//! vec2)`, `baddbmm(input, batch1, batch2)` and `addbmm(input, batch1,
//! batch2)`, each with keyword-only `beta=1` and `alpha=1`, with ATen's shape
//! checks and messages.
//!
//! The products are graphc's `matmul`; where `beta` is 0 the input is not
//! read (a NaN in it does not spread, as BLAS promises), and a factor of 1 is
//! left out, so `addmm(b, x, w)` is exactly `x @ w + b`, the computation of
//! `linear` (HuggingFace's GPT-2 `Conv1D`). PyTorch scales inside its BLAS
//! calls (MKL's, closed), so with other factors the last bits may differ, as
//! its matrix products' may (docs/NUMERICS.md). `addbmm` adds the batch's
//! products one at a time, as ATen's loop of `addmm_` does.
//!
//! `addr` is an elementwise kernel in ATen (`addr_kernel`), reproduced bit for
//! bit: its vector lambda `self * beta + alpha * vec1 * vec2` compiles to one
//! fused multiply-add of `alpha * vec1` and `vec2` onto `self * beta`, and its
//! scalar lambda, which runs on each row's elements past the last whole
//! vector block (16 f32s, 8 f64s), to one of `self` and `beta` onto the
//! product (measured against PyTorch 2.15).

use graphc_runtime::op::{Binary, Scalar};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Value};
use crate::check::builtins::{AddProduct, Bound};
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl AddProduct {
    /// The builtin's name, as messages give it.
    fn name(self) -> &'static str {
        match self {
            AddProduct::Mm => "addmm",
            AddProduct::Mv => "addmv",
            AddProduct::R => "addr",
            AddProduct::Baddbmm => "baddbmm",
            AddProduct::Addbmm => "addbmm",
        }
    }

    /// PyTorch's `grad_fn` of the result.
    fn grad_fn(self) -> &'static str {
        match self {
            AddProduct::Mm => "AddmmBackward0",
            AddProduct::Mv => "AddmvBackward0",
            AddProduct::R => "AddrBackward0",
            AddProduct::Baddbmm => "BaddbmmBackward0",
            AddProduct::Addbmm => "AddbmmBackward0",
        }
    }

    /// The two operands' names and ranks.
    fn operands(self) -> [(&'static str, usize); 2] {
        match self {
            AddProduct::Mm => [("mat1", 2), ("mat2", 2)],
            AddProduct::Mv => [("mat", 2), ("vec", 1)],
            AddProduct::R => [("vec1", 1), ("vec2", 1)],
            AddProduct::Baddbmm | AddProduct::Addbmm => [("batch1", 3), ("batch2", 3)],
        }
    }
}

impl Lowerer<'_> {
    /// `kind(input, a, b, *, beta=1, alpha=1)`.
    pub(crate) fn add_product(&mut self, kind: AddProduct, bound: &mut Bound<Value>, span: Span) -> Value {
        let name = kind.name();
        let mut factor = |me: &mut Self, what: &str| match bound.keyword(what) {
            None => Some(1.0),
            Some((v, s)) => me.number(&v, s, &format!("`{what}`")),
        };
        let (Some(beta), Some(alpha)) = (factor(self, "beta"), factor(self, "alpha")) else { return Value::Poison };
        let arg = |i: usize| bound.positional[i].clone().expect("bind guarantees three operands");
        let ((iv, is), (av, sa), (bv, sb)) = (arg(0), arg(1), arg(2));
        let [(an, ar), (bn, br)] = kind.operands();
        let a = self.expect_float_tensor(av, sa, &format!("`{name}`'s {an}"));
        let b = self.expect_float_tensor(bv, sb, &format!("`{name}`'s {bn}"));
        let c = self.expect_float_tensor(iv, is, &format!("`{name}`'s input"));
        let (Some(a), Some(b), Some(c)) = (a, b, c) else { return Value::Poison };
        let (ash, bsh, csh) = (self.shape_of(a), self.shape_of(b), self.shape_of(c));
        for (sh, s, what, rank) in [(&ash, sa, an, ar), (&bsh, sb, bn, br)] {
            if sh.len() != rank {
                let message = match kind {
                    AddProduct::Mm => format!("{what} must be a matrix, got {}-D tensor", sh.len()),
                    AddProduct::Mv => format!("vector + matrix @ vector expected, got {}, {}, {}", csh.len(), ash.len(), bsh.len()),
                    AddProduct::R => format!("addr: Expected 1-D argument {what}, but got {}-D", sh.len()),
                    AddProduct::Baddbmm | AddProduct::Addbmm => format!("{what} must be a 3D tensor"),
                };
                return self.error(
                    Diagnostic::new(Code::E0202, message, s, format!("{}-D", sh.len())).with_help(format!("`{name}` takes a {rank}-D {what}")),
                );
            }
        }
        let mismatch = match kind {
            AddProduct::Mm if ash[1] != bsh[0] => {
                Some(format!("mat1 and mat2 shapes cannot be multiplied ({}x{} and {}x{})", ash[0], ash[1], bsh[0], bsh[1]))
            }
            AddProduct::Mv if ash[1] != bsh[0] || !broadcasts(&csh, &[ash[0]]) => Some(format!(
                "size mismatch, got input ({}), mat ({}x{}), vec ({})",
                csh.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("x"),
                ash[0],
                ash[1],
                bsh[0]
            )),
            AddProduct::Baddbmm | AddProduct::Addbmm if ash[0] != bsh[0] && kind == AddProduct::Addbmm => {
                Some(format!("batch1 and batch2 must have same number of batches, got {} and {}", ash[0], bsh[0]))
            }
            AddProduct::Baddbmm | AddProduct::Addbmm if bsh[..2] != [ash[0], ash[2]] => Some(format!(
                "Expected size for first two dimensions of batch2 tensor to be: [{}, {}] but got: [{}, {}].",
                ash[0], ash[2], bsh[0], bsh[1]
            )),
            _ => None,
        };
        if let Some(message) = mismatch {
            return self.error(
                Diagnostic::new(Code::E0202, message, sb, format!("of shape {}", shapes::show(&bsh)))
                    .with_secondary(sa, format!("of shape {}", shapes::show(&ash)))
                    .with_help("the operands' inner sizes must agree"),
            );
        }
        let out = match kind {
            AddProduct::Mm => vec![ash[0], bsh[1]],
            AddProduct::Mv => vec![ash[0]],
            AddProduct::R => vec![ash[0], bsh[0]],
            AddProduct::Baddbmm => vec![ash[0], ash[1], bsh[2]],
            AddProduct::Addbmm => vec![ash[1], bsh[2]],
        };
        if !broadcasts(&csh, &out) {
            let message = expand_message(&csh, &out);
            return self.error(
                Diagnostic::new(Code::E0202, message, is, format!("of shape {}", shapes::show(&csh)))
                    .with_help(format!("give `input` the result's shape, {}, or one that broadcasts to it", shapes::show(&out))),
            );
        }
        let dt = self.dtype_of(a);
        for (t, s) in [(b, sb), (c, is)] {
            if self.dtype_of(t) != dt {
                let other = self.dtype_of(t);
                return self.error(
                    Diagnostic::new(Code::E0201, format!("`{name}` mixes {dt} and {other}"), s, format!("this is {other}"))
                        .with_secondary(sa, format!("this is {dt}"))
                        .with_help("create the operands with the same `dtype=`"),
                );
            }
        }
        if kind == AddProduct::R {
            return Value::Tensor(self.addr_kernel(c, a, b, beta, alpha, out, span));
        }
        let scaled = |me: &mut Self, t: NodeId, f: f64| -> NodeId {
            if f == 1.0 {
                return t;
            }
            let k = me.scalar(f, dt, span);
            let sh = me.shape_of(t);
            me.node(Op::Binary(Binary::Mul), dt, sh, &[t, k], span)
        };
        let products: Vec<NodeId> = if kind == AddProduct::Addbmm {
            let mut each = Vec::with_capacity(ash[0]);
            for i in 0..ash[0] {
                let pick = |me: &mut Self, t: NodeId, s: Span| -> Option<NodeId> {
                    let sh = me.shape_of(t);
                    let row = me.node(Op::Slice { dim: 0, start: i, step: 1 }, dt, [&[1][..], &sh[1..]].concat(), &[t], s);
                    Some(me.node(Op::Reshape, dt, sh[1..].to_vec(), &[row], s))
                };
                let (Some(x), Some(y)) = (pick(self, a, sa), pick(self, b, sb)) else { return Value::Poison };
                let Value::Tensor(p) = self.matmul(x, sa, y, sb, span) else { return Value::Poison };
                each.push(p);
            }
            each
        } else {
            let Value::Tensor(p) = self.matmul(a, sa, b, sb, span) else { return Value::Poison };
            vec![p]
        };
        // ATen's `addbmm` of no batches leaves `beta * input`.
        let mut acc = if beta == 0.0 {
            None
        } else {
            let c = scaled(self, c, beta);
            Some(self.node(Op::Expand, dt, out.clone(), &[c], span))
        };
        for p in products {
            let p = scaled(self, p, alpha);
            acc = Some(match acc {
                None => p,
                Some(r) => self.node(Op::Binary(Binary::Add), dt, out.clone(), &[r, p], span),
            });
        }
        let result = match acc {
            Some(r) => r,
            None => self.node(Op::Full(Scalar::of(0.0, dt)), dt, out, &[], span),
        };
        // Every node above is new: the last one is the result PyTorch names.
        self.grad_fn.insert(result, kind.grad_fn().to_string());
        Value::Tensor(result)
    }

    /// ATen's `addr_kernel` on `[n, m]`: the vector lambda's fused
    /// multiply-add, and the scalar lambda's on each row's tail.
    #[allow(clippy::too_many_arguments)]
    fn addr_kernel(&mut self, c: NodeId, v1: NodeId, v2: NodeId, beta: f64, alpha: f64, out: Vec<usize>, span: Span) -> NodeId {
        let dt = self.dtype_of(v1);
        let (n, m) = (out[0], out[1]);
        let k = self.scalar(alpha, dt, span);
        let av1 = self.node(Op::Binary(Binary::Mul), dt, vec![n], &[k, v1], span);
        let column = self.node(Op::Reshape, dt, vec![n, 1], &[av1], span);
        let product = self.node(Op::Binary(Binary::Mul), dt, out.clone(), &[column, v2], span);
        let result = if beta == 0.0 {
            product
        } else {
            let b = self.scalar(beta, dt, span);
            let scaled = self.node(Op::Binary(Binary::Mul), dt, out.clone(), &[c, b], span);
            let vector = self.node(Op::Fma, dt, out.clone(), &[column, v2, scaled], span);
            let block = if dt == DType::F64 { 8 } else { 16 };
            let whole = m - m % block;
            if whole == m {
                vector
            } else {
                let scalar = self.node(Op::Fma, dt, out.clone(), &[c, b, product], span);
                let tail: Vec<Scalar> = (0..m).map(|j| Scalar::of(f64::from(u8::from(j >= whole)), DType::Bool)).collect();
                let tail = self.node(Op::Literal(tail), DType::Bool, vec![m], &[], span);
                let Some(picked) = self.tensor_call("where", vec![Value::Tensor(tail), Value::Tensor(scalar), Value::Tensor(vector)], span) else {
                    return vector;
                };
                picked
            }
        };
        self.grad_fn.insert(result, AddProduct::R.grad_fn().to_string());
        result
    }
}

/// Whether `shape` broadcasts to `to` (as `expand` takes it).
fn broadcasts(shape: &[usize], to: &[usize]) -> bool {
    shape.len() <= to.len() && shape.iter().rev().zip(to.iter().rev()).all(|(&s, &t)| s == t || s == 1)
}

/// ATen's `expand` message for an input that does not broadcast to `to`.
fn expand_message(shape: &[usize], to: &[usize]) -> String {
    let lead = to.len().saturating_sub(shape.len());
    let at = shape.iter().enumerate().rev().find(|&(i, &s)| s != 1 && to.get(i + lead) != Some(&s)).map_or(0, |(i, _)| i);
    let show = |v: &[usize]| format!("[{}]", v.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "));
    format!(
        "The expanded size of the tensor ({}) must match the existing size ({}) at non-singleton dimension {}.  Target sizes: {}.  Tensor sizes: {}",
        to.get(at + lead).copied().unwrap_or(0),
        shape.get(at).copied().unwrap_or(0),
        at + lead,
        show(to),
        show(shape)
    )
}
