//! `cross(input, other, dim=none)` and `linalg.cross(input, other, dim=-1)`
//! (docs/act-language.md, section 5): the cross product of the 3-vectors
//! along `dim`, the operands broadcast as ATen's `linalg_cross` does (the same
//! rank and dtype, size 3 along `dim` in both). `cross` without `dim` takes
//! the first dimension of size 3 of `input`, PyTorch's deprecated default.
//!
//! Each component is ATen's `cross_kernel` line, `a[1] * b[2] - a[2] * b[1]`
//! and its rotations, which GCC contracts into `fma(a[1], b[2], -(a[2] *
//! b[1]))` in PyTorch's build (every element of 100,000 random f32 triples
//! agrees with that form, about 75% with the unfused one); integers compute
//! the same products and difference, wrapping. The gradients are
//! derivatives.yaml's, `cross(other, grad)` for `input` and `cross(grad,
//! input)` for `other`, each summed to its operand's shape where it was
//! broadcast (`LinalgCrossBackward0`).

use graphc_runtime::op::{Binary, Op, Unary};
use graphc_runtime::DType;

use super::{Lowerer, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// `cross(input, other, dim)`, or `linalg.cross` (`linalg`: `dim` defaults to -1).
    pub(super) fn cross_call(&mut self, linalg: bool, name: &str, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional[i].clone().expect("bind guarantees two operands");
        let ((av, as_), (bv, bs)) = (arg(0), arg(1));
        let Some(a) = self.expect_tensor(av, as_, &format!("`{name}`'s input")) else { return Value::Poison };
        let Some(b) = self.expect_tensor(bv, bs, &format!("`{name}`'s other")) else { return Value::Poison };
        let (adt, bdt) = (self.dtype_of(a), self.dtype_of(b));
        if adt == DType::Bool {
            return self.error(
                Diagnostic::new(Code::E0204, format!("\"{name}\" not implemented for 'Bool'"), as_, "this is bool")
                    .with_help("convert the operands first, as in `cross(a.long(), b.long())`"),
            );
        }
        if adt != bdt {
            // f32 meeting f64 is E0201 everywhere; an integer meeting a float is refused as a dtype the op does not take.
            let code = if adt.is_float() && bdt.is_float() { Code::E0201 } else { Code::E0204 };
            return self.error(
                Diagnostic::new(code, format!("`{name}` expected scalar type {adt} but found {bdt}"), bs, format!("this is {bdt}"))
                    .with_secondary(as_, format!("this is {adt}"))
                    .with_help(format!("convert one operand, as in `{name}(a, b.to({adt}))`")),
            );
        }
        let (ash, bsh) = (self.shape_of(a), self.shape_of(b));
        if ash.len() != bsh.len() {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("`{name}`: inputs must have the same number of dimensions"),
                    bs,
                    format!("shape {}", shapes::show(&bsh)),
                )
                .with_secondary(as_, format!("shape {}", shapes::show(&ash)))
                .with_help("add the missing dimensions with `unsqueeze`, as in `b.unsqueeze(0)`"),
            );
        }
        let shape = match shapes::broadcast(&ash, &bsh) {
            Ok(s) => s,
            Err(message) => {
                return self.error(
                    Diagnostic::new(Code::E0202, format!("`{name}`: {message}"), bs, format!("shape {}", shapes::show(&bsh)))
                        .with_secondary(as_, format!("shape {}", shapes::show(&ash)))
                        .with_help("make the shapes equal, or 1 where one side should be repeated (NumPy broadcasting)"),
                )
            }
        };
        let dim = match bound.positional.get(2).cloned().flatten() {
            Some((dv, ds)) if !matches!(dv, Value::None) => self.one_dim(dv, ds, &ash),
            _ if linalg => self.one_dim(Value::Number(super::Num::Int(-1)), span, &ash),
            _ => match ash.iter().position(|s| *s == 3) {
                Some(d) => Some(d),
                None => {
                    self.error(
                        Diagnostic::new(
                            Code::E0202,
                            format!("`{name}`: no dimension of size 3 in input"),
                            as_,
                            format!("shape {}", shapes::show(&ash)),
                        )
                        .with_help("give the dimension of the 3-vectors, as in `cross(a, b, dim=1)`"),
                    );
                    None
                }
            },
        };
        let Some(dim) = dim else { return Value::Poison };
        if ash[dim] != 3 || bsh[dim] != 3 {
            let msg = format!("`{name}`: inputs dimension {dim} must have length 3. Got {} and {}", ash[dim], bsh[dim]);
            return self.error(
                Diagnostic::new(Code::E0202, msg, span, "not 3-vectors").with_help("the cross product is of 3-vectors: give the dimension of size 3"),
            );
        }
        let out = self.cross_nodes(a, b, dim, &shape, span);
        let out = self.with_backward("LinalgCrossBackward0", &[a, b], out, span, |l, grad, p| {
            let (a, b) = (p[0], p[1]);
            let gsh = l.shape_of(grad);
            let bg = l.cross_nodes(b, grad, dim, &gsh, span);
            let ga = l.sum_to_shape_of(bg, a, span);
            let ga2 = l.cross_nodes(grad, a, dim, &gsh, span);
            let gb = l.sum_to_shape_of(ga2, b, span);
            vec![Some(ga), Some(gb)]
        });
        Value::Tensor(out)
    }

    /// ATen's `cross_kernel` at `shape` (the operands' broadcast shape):
    /// component `k` of the result is `fma(a[i], b[j], -(a[j] * b[i]))` with
    /// `(i, j)` the next two components, as a float; integers without the fma.
    fn cross_nodes(&mut self, a: NodeId, b: NodeId, dim: usize, shape: &[usize], span: Span) -> NodeId {
        let dt = self.dtype_of(a);
        let component = |l: &mut Self, t: NodeId, c: usize| {
            let mut sh = l.shape_of(t);
            sh[dim] = 1;
            l.node(Op::Slice { dim, start: c, step: 1 }, dt, sh, &[t], span)
        };
        let mut piece_shape = shape.to_vec();
        piece_shape[dim] = 1;
        let mut pieces = Vec::with_capacity(3);
        for (i, j) in [(1, 2), (2, 0), (0, 1)] {
            let (ai, bj, aj, bi) = (component(self, a, i), component(self, b, j), component(self, a, j), component(self, b, i));
            let second = self.node(Op::Binary(Binary::Mul), dt, piece_shape.clone(), &[aj, bi], span);
            let piece = if dt.is_float() {
                let negated = self.node(Op::Unary(Unary::Neg), dt, piece_shape.clone(), &[second], span);
                self.node(Op::Fma, dt, piece_shape.clone(), &[ai, bj, negated], span)
            } else {
                let first = self.node(Op::Binary(Binary::Mul), dt, piece_shape.clone(), &[ai, bj], span);
                self.node(Op::Binary(Binary::Sub), dt, piece_shape.clone(), &[first, second], span)
            };
            pieces.push(piece);
        }
        self.node(Op::Cat { dim, n: 3 }, dt, shape.to_vec(), &pieces, span)
    }
}
