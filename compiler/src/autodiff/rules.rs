//! The derivative rules: one entry per op, PyTorch's formulas from
//! `tools/autograd/derivatives.yaml`, written with the same operations in the
//! same order so that gradients match PyTorch's bits. Rules reuse the forward
//! output where PyTorch's do (exp, tanh, sigmoid, sqrt, relu).
//!
//! `builtin` returns one optional gradient per operand, in operand order, each
//! already reduced to its operand's shape; it computes only the gradients of
//! operands that require grad (`needs`), as PyTorch does, which also decides
//! which forward values a backward keeps.

use graphc_runtime::op::Cmp;
use graphc_runtime::Op;

use super::builder::RuleCtx;
use crate::ir::graph::{Graph, NodeId};

/// The gradients of node `n`'s operands given the gradient `g` of its output.
pub fn builtin(c: &mut RuleCtx, gr: &mut Graph, n: NodeId, g: NodeId, needs: &[bool]) -> Vec<Option<NodeId>> {
    c.at(gr.meta(n).span);
    let node = gr.node(n).clone();
    let ops = gr.operands(n);
    let dt = node.dtype;
    let need = |i: usize| needs.get(i).copied().unwrap_or(false);
    let shape_of = |gr: &Graph, x: NodeId| gr.node(x).shape.clone();
    let grads: Vec<Option<NodeId>> = match &node.op {
        // Sources and opaque values have no operands to differentiate.
        Op::Full(_) | Op::Literal(_) | Op::Arange { .. } | Op::Linspace { .. } | Op::Randn | Op::Rand | Op::Param(_) | Op::Input(_) => vec![],
        // detach stops gradients; autodiff never walks through it.
        Op::Detach => vec![None],
        Op::Neg => vec![Some(c.neg(gr, g))],
        // exp: grad * result
        Op::Exp => {
            let y = c.fwd(n);
            vec![Some(c.mul(gr, g, y))]
        }
        // log: grad.div(self)
        Op::Log => {
            let x = c.fwd(ops[0]);
            vec![Some(c.div(gr, g, x))]
        }
        // sqrt: grad / (2 * result)
        Op::Sqrt => {
            let y = c.fwd(n);
            let two = c.scalar(gr, 2.0, dt);
            let d = c.mul(gr, two, y);
            vec![Some(c.div(gr, g, d))]
        }
        // sin: grad * self.cos()
        Op::Sin => {
            let x = c.fwd(ops[0]);
            let cos = c.unary(gr, Op::Cos, x);
            vec![Some(c.mul(gr, g, cos))]
        }
        // cos: grad * -self.sin()
        Op::Cos => {
            let x = c.fwd(ops[0]);
            let sin = c.unary(gr, Op::Sin, x);
            let ns = c.neg(gr, sin);
            vec![Some(c.mul(gr, g, ns))]
        }
        // tanh_backward(grad, result): grad * (1 - result * result), one PyTorch kernel.
        Op::Tanh => {
            let y = c.fwd(n);
            vec![Some(c.binary(gr, Op::TanhBackward, g, y))]
        }
        // tanh_backward(grad_output, output), for gradients of gradients:
        // grad_output: tanh_backward(grad, output); output: grad * (-2 * output * grad_output).
        Op::TanhBackward => {
            let (gv, y) = (c.fwd(ops[0]), c.fwd(ops[1]));
            vec![
                need(0).then(|| c.binary(gr, Op::TanhBackward, g, y)),
                need(1).then(|| {
                    let m2 = c.scalar(gr, -2.0, dt);
                    let m2y = c.mul(gr, m2, y);
                    let t = c.mul(gr, m2y, gv);
                    c.mul(gr, g, t)
                }),
            ]
        }
        // sigmoid_backward(grad, result): grad * (1 - result) * result
        Op::Sigmoid => {
            let y = c.fwd(n);
            let one = c.scalar(gr, 1.0, dt);
            let d = c.sub(gr, one, y);
            let gd = c.mul(gr, g, d);
            vec![Some(c.mul(gr, gd, y))]
        }
        // threshold_backward(grad, result, 0): result <= 0 ? 0 : grad
        Op::Relu => {
            let y = c.fwd(n);
            vec![Some(c.threshold_backward(gr, g, y))]
        }
        // abs: grad * self.sgn()
        Op::Abs => {
            let x = c.fwd(ops[0]);
            let s = c.unary(gr, Op::Sign, x);
            vec![Some(c.mul(gr, g, s))]
        }
        // sign: zero gradient almost everywhere.
        Op::Sign => vec![Some(c.full(gr, 0.0, dt, shape_of(gr, ops[0])))],
        // pow_backward(grad, self, e): e == 0 ? zeros : grad * (e * self.pow(e - 1))
        Op::PowScalar(e) => {
            let e = e.get();
            if e == 0.0 {
                vec![Some(c.full(gr, 0.0, dt, shape_of(gr, ops[0])))]
            } else {
                let x = c.fwd(ops[0]);
                let p = c.unary(gr, Op::PowScalar(graphc_runtime::op::F64Bits::new(e - 1.0)), x);
                let es = c.scalar(gr, e, dt);
                let ep = c.mul(gr, es, p);
                vec![Some(c.mul(gr, g, ep))]
            }
        }
        Op::Add => vec![need(0).then_some(g), need(1).then_some(g)],
        Op::Sub => vec![need(0).then_some(g), need(1).then(|| c.neg(gr, g))],
        // mul: self: grad * other; other: grad * self
        Op::Mul => vec![
            need(0).then(|| {
                let b = c.fwd(ops[1]);
                c.mul(gr, g, b)
            }),
            need(1).then(|| {
                let a = c.fwd(ops[0]);
                c.mul(gr, g, a)
            }),
        ],
        // div: self: grad / other; other: -grad * ((self / other) / other)
        Op::Div => vec![
            need(0).then(|| {
                let b = c.fwd(ops[1]);
                c.div(gr, g, b)
            }),
            need(1).then(|| {
                let (a, b) = (c.fwd(ops[0]), c.fwd(ops[1]));
                let q = c.div(gr, a, b);
                let q = c.div(gr, q, b);
                let ng = c.neg(gr, g);
                c.mul(gr, ng, q)
            }),
        ],
        // pow_backward_self: where(e == 0, 0, grad * (e * self.pow(e - 1)))
        // pow_backward_exponent: grad * where(self == 0 & e >= 0, 0, result * self.log())
        Op::Pow => vec![
            need(0).then(|| {
                let (a, e) = (c.fwd(ops[0]), c.fwd(ops[1]));
                let one = c.scalar(gr, 1.0, dt);
                let em1 = c.sub(gr, e, one);
                let p = c.binary(gr, Op::Pow, a, em1);
                let ep = c.mul(gr, e, p);
                let full = c.mul(gr, g, ep);
                let zero = c.scalar(gr, 0.0, dt);
                c.select(gr, Cmp::Eq, e, zero, zero, full)
            }),
            need(1).then(|| {
                let (a, e, y) = (c.fwd(ops[0]), c.fwd(ops[1]), c.fwd(n));
                let la = c.unary(gr, Op::Log, a);
                let rl = c.mul(gr, y, la);
                let zero = c.scalar(gr, 0.0, dt);
                let inner = c.select(gr, Cmp::Ge, e, zero, zero, rl);
                let w = c.select(gr, Cmp::Eq, a, zero, inner, rl);
                c.mul(gr, g, w)
            }),
        ],
        // maximum: where(self == other, grad / 2, grad).masked_fill_(self < other, 0) (other: self > other)
        // minimum: the same with the comparisons swapped.
        Op::Maximum | Op::Minimum => {
            let max = matches!(node.op, Op::Maximum);
            let (a, b) = (c.fwd(ops[0]), c.fwd(ops[1]));
            let two = c.scalar(gr, 2.0, dt);
            let zero = c.scalar(gr, 0.0, dt);
            let half = c.div(gr, g, two);
            let split = c.select(gr, Cmp::Eq, a, b, half, g);
            let (lose_a, lose_b) = if max { (Cmp::Lt, Cmp::Gt) } else { (Cmp::Gt, Cmp::Lt) };
            vec![need(0).then(|| c.select(gr, lose_a, a, b, zero, split)), need(1).then(|| c.select(gr, lose_b, a, b, zero, split))]
        }
        // where(cond, x, y): x gets the gradient where cond holds, y elsewhere.
        Op::Where(cmp) => {
            let (a, b) = (c.fwd(ops[0]), c.fwd(ops[1]));
            let zero = c.scalar(gr, 0.0, dt);
            vec![None, None, need(2).then(|| c.select(gr, *cmp, a, b, g, zero)), need(3).then(|| c.select(gr, *cmp, a, b, zero, g))]
        }
        Op::Expand => vec![Some(c.sum_to(gr, g, &shape_of(gr, ops[0])))],
        Op::SumTo => vec![Some(c.expand(gr, g, &shape_of(gr, ops[0])))],
        Op::Reshape => vec![Some(c.reshape(gr, g, &shape_of(gr, ops[0])))],
        Op::Transpose => vec![Some(c.unary_shape(gr, Op::Transpose, g))],
        // sum: grad expanded back (unsqueezed at dim first).
        Op::Sum { dim } => {
            let in_shape = shape_of(gr, ops[0]);
            let gk = keepdim(c, gr, g, &in_shape, *dim);
            vec![Some(c.expand(gr, gk, &in_shape))]
        }
        // mean: grad.expand(sizes) / count
        Op::Mean { dim } => {
            let in_shape = shape_of(gr, ops[0]);
            let count = match dim {
                None => in_shape.iter().product::<usize>(),
                Some(d) => in_shape[*d],
            };
            let gk = keepdim(c, gr, g, &in_shape, *dim);
            let ge = c.expand(gr, gk, &in_shape);
            let nn = c.scalar(gr, count as f64, dt);
            vec![Some(c.div(gr, ge, nn))]
        }
        Op::MatMul => matmul(c, gr, ops[0], ops[1], g, need(0), need(1)),
    };
    // Gradients of broadcast operands are summed back to the operand's shape.
    grads.into_iter().enumerate().map(|(i, gi)| gi.map(|gi| c.sum_to(gr, gi, &shape_of(gr, ops[i])))).collect()
}

/// The gradient of a reduction, reshaped so that it broadcasts over the input.
fn keepdim(c: &mut RuleCtx, gr: &mut Graph, g: NodeId, in_shape: &[usize], dim: Option<usize>) -> NodeId {
    match dim {
        None => g,
        Some(d) => {
            let mut s = in_shape.to_vec();
            s[d] = 1;
            c.reshape(gr, g, &s)
        }
    }
}

/// matmul by rank, as PyTorch dispatches it: mm, mv, dot, or a vector times a matrix.
fn matmul(c: &mut RuleCtx, gr: &mut Graph, a: NodeId, b: NodeId, g: NodeId, need_a: bool, need_b: bool) -> Vec<Option<NodeId>> {
    let (ra, rb) = (gr.node(a).shape.len(), gr.node(b).shape.len());
    let ga = need_a.then(|| {
        let b = c.fwd(b);
        match (ra, rb) {
            (1, 1) => c.mul(gr, g, b),
            // grad.ger(vec)
            (2, 1) => outer(c, gr, g, b),
            // mm(grad, mat2.t()); for a vector on the left, the same with grad as a vector.
            _ => {
                let bt = c.unary_shape(gr, Op::Transpose, b);
                c.matmul(gr, g, bt)
            }
        }
    });
    let gb = need_b.then(|| {
        let a = c.fwd(a);
        match (ra, rb) {
            (1, 1) => c.mul(gr, g, a),
            // vector @ matrix is unsqueeze(0).mm(): its matrix gradient is an outer product.
            (1, 2) => outer(c, gr, a, g),
            // self.t().mv(grad), and mat1.t().mm(grad) for two matrices.
            _ => {
                let at = c.unary_shape(gr, Op::Transpose, a);
                c.matmul(gr, at, g)
            }
        }
    });
    vec![ga, gb]
}

/// The outer product of two vectors, `u[:, None] @ v[None, :]`, as a matmul.
fn outer(c: &mut RuleCtx, gr: &mut Graph, u: NodeId, v: NodeId) -> NodeId {
    let (m, n) = (gr.node(u).shape[0], gr.node(v).shape[0]);
    let uc = c.reshape(gr, u, &[m, 1]);
    let vr = c.reshape(gr, v, &[1, n]);
    c.matmul(gr, uc, vr)
}

impl RuleCtx {
    /// A shape-changing unary op whose result shape follows from its operand (transpose).
    pub fn unary_shape(&mut self, g: &mut Graph, op: Op, x: NodeId) -> NodeId {
        let n = g.node(x);
        let dt = n.dtype;
        let sh = match op {
            Op::Transpose => crate::check::shapes::transpose(&n.shape).expect("transpose of a 2-D gradient"),
            _ => n.shape.clone(),
        };
        self.add_node(g, op, dt, sh, &[x])
    }
}
