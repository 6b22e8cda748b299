//! The derivative rules: one entry per op, PyTorch's formulas from
//! `tools/autograd/derivatives.yaml`, written with the same operations in the
//! same order so that gradients match PyTorch's bits. Rules reuse the forward
//! output where PyTorch's do (exp, tanh, sigmoid, sqrt, relu).
//!
//! `builtin` returns one optional gradient per operand, in operand order, each
//! already reduced to its operand's shape; it computes only the gradients of
//! operands that require grad (`needs`), as PyTorch does, which also decides
//! which forward values a backward keeps.
//!
//! The elementwise families have a file each ([`unary`], [`binary`]), with one
//! exhaustive arm per row of the op table; the other ops are here.

use graphc_runtime::op::{GroupNorm, LayerNorm};
use graphc_runtime::Op;

use super::builder::RuleCtx;
use crate::ir::graph::{Graph, NodeId};

mod activation;
mod bessel;
mod binary;
mod conv;
mod cumprod;
mod gelu;
mod index;
mod layer_norm;
mod loss;
mod prod;
mod reduce;
mod shape;
mod unary;
mod unary_more;

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
        Op::Full(_) | Op::Literal(_) | Op::Arange { .. } | Op::Linspace { .. } | Op::Randn | Op::Rand | Op::Param(_) | Op::Input(_) | Op::Data(_) => {
            vec![]
        }
        Op::RegionOutput { .. } => vec![],
        Op::Unary(u) => vec![unary::rule(c, gr, *u, n, ops[0], g)],
        Op::PowScalar(e) => vec![Some(unary::pow_scalar(c, gr, e.get(), ops[0], g))],
        Op::Activation(f) => vec![Some(activation::rule(c, gr, *f, ops[0], g))],
        Op::Binary(b) => binary::rule(c, gr, *b, n, &ops, g, need),
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
        Op::Permute(dims) => vec![Some(shape::permute(c, gr, dims, g))],
        Op::Slice { dim, start, step } => {
            let op = Op::SliceBackward { dim: *dim, start: *start, step: *step };
            vec![Some(c.add_node(gr, op, dt, shape_of(gr, ops[0]), &[g]))]
        }
        Op::SliceBackward { dim, start, step } => {
            let op = Op::Slice { dim: *dim, start: *start, step: *step };
            vec![Some(c.add_node(gr, op, dt, shape_of(gr, ops[0]), &[g]))]
        }
        Op::Cat { dim, .. } => shape::cat(c, gr, *dim, &ops, g, need),
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
        // ToCopyBackward0: `grad.to(self.options())`; only float-to-float casts get here.
        Op::Cast => {
            let (dx, sx) = (gr.node(ops[0]).dtype, shape_of(gr, ops[0]));
            vec![Some(c.add_node(gr, Op::Cast, dx, sx, &[g]))]
        }
        // where(condition, self, other): `where(condition, grad, 0)` and `where(condition, 0, grad)`.
        Op::Select => {
            let cond = c.fwd(ops[0]);
            let zero = c.scalar(gr, 0.0, dt);
            let sh = node.shape.clone();
            let gx = need(1).then(|| c.add_node(gr, Op::Select, dt, sh.clone(), &[cond, g, zero]));
            let gy = need(2).then(|| c.add_node(gr, Op::Select, dt, sh, &[cond, zero, g]));
            vec![None, gx, gy]
        }
        // nan_to_num: `grad * at::isfinite(self)`, the bool mask promoted to the gradient's dtype.
        Op::NanToNum { .. } => {
            let x = c.fwd(ops[0]);
            let sh = shape_of(gr, ops[0]);
            let finite = c.add_node(gr, Op::FloatTest(graphc_runtime::op::FloatTest::IsFinite), graphc_runtime::DType::Bool, sh.clone(), &[x]);
            let mask = c.add_node(gr, Op::Cast, dt, sh, &[finite]);
            vec![Some(c.mul(gr, g, mask))]
        }
        // Comparisons, logical ops and float tests are not differentiable.
        Op::Compare(_) | Op::Logical(_) | Op::FloatTest(_) => vec![],
        // a * b + c rounded once: the gradients of the product and the sum.
        Op::Fma => {
            let shapes: Vec<Vec<usize>> = ops.iter().map(|&o| shape_of(gr, o)).collect();
            let (a, b) = (c.fwd(ops[0]), c.fwd(ops[1]));
            let ga = need(0).then(|| {
                let p = c.mul(gr, g, b);
                c.sum_to(gr, p, &shapes[0])
            });
            let gb = need(1).then(|| {
                let p = c.mul(gr, g, a);
                c.sum_to(gr, p, &shapes[1])
            });
            let gc = need(2).then(|| c.sum_to(gr, g, &shapes[2]));
            vec![ga, gb, gc]
        }
        // A factor of prod's gradient where the input has zeros: its vector-Jacobian product.
        Op::ProdOthers { dim } => {
            let x = c.fwd(ops[0]);
            vec![Some(c.add_node(gr, Op::ProdOthersVjp { dim: *dim, order: 1 }, dt, shape_of(gr, ops[0]), &[x, g]))]
        }
        // prod's third and later derivatives where the input has zeros: for `x`
        // the incoming gradient is one more direction, for a direction it takes
        // that direction's place (`kernels/prod.rs`).
        Op::ProdOthersVjp { dim, order } if *order < Op::PROD_OTHERS_MAX_ORDER => {
            let xs: Vec<NodeId> = ops.iter().map(|&o| c.fwd(o)).collect();
            let shape = shape_of(gr, ops[0]);
            let mut grads = vec![need(0)
                .then(|| c.add_node(gr, Op::ProdOthersVjp { dim: *dim, order: order + 1 }, dt, shape.clone(), &[xs.as_slice(), &[g]].concat()))];
            for a in 1..xs.len() {
                let mut operands = xs.clone();
                operands[a] = g;
                grads.push(need(a).then(|| c.add_node(gr, Op::ProdOthersVjp { dim: *dim, order: *order }, dt, shape.clone(), &operands)));
            }
            grads
        }
        // Past the largest order (prod's eighth derivative at zeros) no gradient is built.
        Op::ProdOthersVjp { .. } => vec![],
        Op::Reduce { kind, dims, .. } => vec![Some(reduce::reduce(c, gr, *kind, dims, n, ops[0], g))],
        Op::Cumsum { dim, reverse } => vec![Some(reduce::cumsum(c, gr, *dim, *reverse, g))],
        Op::Cumprod { dim } => vec![Some(cumprod::cumprod(c, gr, *dim, n, ops[0], g))],
        Op::Logcumsumexp { dim, reverse } => vec![Some(reduce::logcumsumexp(c, gr, *dim, *reverse, n, ops[0], g))],
        Op::Softmax { dim, log } => vec![Some(reduce::softmax(c, gr, *dim, *log, n, g))],
        Op::SoftmaxBackward { dim, log } => reduce::softmax_backward(c, gr, *dim, *log, &ops, g, [need(0), need(1)]),
        Op::Loss { kind, reduction } => loss::rule(c, gr, *kind, *reduction, &ops, g, need),
        Op::LayerNorm(ln) => layer_norm::rule(c, gr, ln.part, |part| Op::LayerNorm(LayerNorm { part, ..*ln }), &ops, g, need),
        Op::GroupNorm(gn) => layer_norm::rule(c, gr, gn.part, |part| Op::GroupNorm(GroupNorm { part, ..*gn }), &ops, g, need),
        Op::Conv(conv) => conv::rule(c, gr, *conv, &ops, g, need),
        // Average pooling and its gradient are linear and each other's adjoint.
        Op::AvgPool(p) => {
            let part = match p.part {
                graphc_runtime::op::AvgPoolPart::Forward => graphc_runtime::op::AvgPoolPart::Backward,
                graphc_runtime::op::AvgPoolPart::Backward => graphc_runtime::op::AvgPoolPart::Forward,
            };
            let op = Op::AvgPool(graphc_runtime::op::AvgPool { part, ..*p });
            vec![Some(c.add_node(gr, op, dt, shape_of(gr, ops[0]), &[g]))]
        }
        // So are linear interpolation and its gradient.
        Op::Upsample(u) => {
            let part = match u.part {
                graphc_runtime::op::UpsamplePart::Forward => graphc_runtime::op::UpsamplePart::Backward,
                graphc_runtime::op::UpsamplePart::Backward => graphc_runtime::op::UpsamplePart::Forward,
            };
            let op = Op::Upsample(graphc_runtime::op::Upsample { part, ..*u });
            vec![Some(c.add_node(gr, op, dt, shape_of(gr, ops[0]), &[g]))]
        }
        // grid_sample: the input's gradient scatters `g` back along the grid,
        // the grid's reads the input around each position. PyTorch has no
        // derivative of these two, and the lowering refuses a gradient through them.
        Op::GridSample(gs) => match gs.part {
            graphc_runtime::op::GridSamplePart::Forward => {
                let grid = c.fwd(ops[1]);
                let gi = need(0).then(|| {
                    let op = Op::GridSample(graphc_runtime::op::GridSample { part: graphc_runtime::op::GridSamplePart::InputGrad, ..*gs });
                    c.add_node(gr, op, dt, shape_of(gr, ops[0]), &[g, grid])
                });
                let gg = need(1).then(|| {
                    let x = c.fwd(ops[0]);
                    let op = Op::GridSample(graphc_runtime::op::GridSample { part: graphc_runtime::op::GridSamplePart::GridGrad, ..*gs });
                    c.add_node(gr, op, dt, shape_of(gr, ops[1]), &[g, x, grid])
                });
                vec![gi, gg]
            }
            graphc_runtime::op::GridSamplePart::InputGrad | graphc_runtime::op::GridSamplePart::GridGrad => vec![],
        },
        Op::Index(graphc_runtime::op::IndexOp::ScatterInto { dim, add }) => index::scatter_into(c, gr, (*dim, *add), &ops, g, [need(0), need(2)]),
        Op::Index(graphc_runtime::op::IndexOp::ScatterFma { dim }) => index::scatter_fma(c, gr, *dim, &ops, g, [need(0), need(2), need(3)]),
        Op::Index(graphc_runtime::op::IndexOp::ScatterReduce { dim, reduce, include_self }) => {
            index::scatter_reduce(c, gr, (*dim, *reduce, *include_self), n, &ops, g, [need(0), need(2)])
        }
        Op::Index(i) => index::rule(c, gr, *i, &ops, g, need(0)),
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
    if ra > 2 || rb > 2 {
        return shape::batched_matmul(c, gr, a, b, g, need_a, need_b);
    }
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
