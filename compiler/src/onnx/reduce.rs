//! The mappings of the ops that are not elementwise: reductions over dimensions,
//! `sum_to`, slices and their gradient, and the losses (elementwise formulas
//! followed by a reduction), for [`super::ops::map`].

use graphc_runtime::op::{LossKind, LossReduction, ReduceKind};
use graphc_runtime::Tensor;

use super::emit::{int, ints, Emitter};
use super::ops::{Site, Unmapped};

/// Reduction `op` of operand 0 over `dims`.
pub fn reduce(em: &mut Emitter, site: &Site, op: &str, dims: &[usize], keepdim: bool) -> String {
    let x = site.arg(em, 0);
    reduce_value(em, op, &x, dims, keepdim)
}

/// Reduction `op` of `x` over `dims` (`x` as it is when there are none: a 0-d
/// operand). `ReduceSum` takes its axes as an input from opset 13 on, the others
/// as an attribute until opset 18.
pub fn reduce_value(em: &mut Emitter, op: &str, x: &str, dims: &[usize], keepdim: bool) -> String {
    if dims.is_empty() {
        return em.node("Identity", &[x], vec![]);
    }
    let axes: Vec<i64> = dims.iter().map(|&d| d as i64).collect();
    if op == "ReduceSum" {
        let axes = em.ints(&axes);
        em.node(op, &[x, &axes], vec![int("keepdims", keepdim as i64)])
    } else {
        em.node(op, &[x], vec![ints("axes", &axes), int("keepdims", keepdim as i64)])
    }
}

/// An [`Op::Reduce`](graphc_runtime::Op::Reduce) of `kind`.
pub fn reduce_kind(em: &mut Emitter, site: &Site, kind: ReduceKind, dims: &[usize], keepdim: bool) -> Result<String, Unmapped> {
    let x = site.arg(em, 0);
    let shape = &site.args[0].shape;
    let count: usize = dims.iter().map(|&d| shape[d]).product();
    Ok(match kind {
        // ONNX fixes no order of the additions: nll_loss's cascade is a sum.
        ReduceKind::Sum | ReduceKind::SeqSum | ReduceKind::NllSum | ReduceKind::NllSumSkipping => reduce_value(em, "ReduceSum", &x, dims, keepdim),
        ReduceKind::Mean | ReduceKind::VarMeanMean | ReduceKind::BatchMean | ReduceKind::NllMean => reduce_value(em, "ReduceMean", &x, dims, keepdim),
        ReduceKind::BatchVarSum => {
            let mean = reduce_value(em, "ReduceMean", &x, dims, true);
            let d = em.node("Sub", &[&x, &mean], vec![]);
            let d2 = em.node("Mul", &[&d, &d], vec![]);
            reduce_value(em, "ReduceSum", &d2, dims, keepdim)
        }
        ReduceKind::Amax => reduce_value(em, "ReduceMax", &x, dims, keepdim),
        ReduceKind::Amin => reduce_value(em, "ReduceMin", &x, dims, keepdim),
        ReduceKind::Prod | ReduceKind::ProdAll => reduce_value(em, "ReduceProd", &x, dims, keepdim),
        ReduceKind::Var(c) | ReduceKind::VarMeanVar(c) | ReduceKind::Std(c) => {
            // The two-pass formula: squared deviations from the mean, over the
            // count less Bessel's correction (never below zero, as PyTorch's).
            let mean = reduce_value(em, "ReduceMean", &x, dims, true);
            let d = em.node("Sub", &[&x, &mean], vec![]);
            let d2 = em.node("Mul", &[&d, &d], vec![]);
            let ss = reduce_value(em, "ReduceSum", &d2, dims, keepdim);
            let n = site.c(em, (count as f64 - c.get()).max(0.0));
            let var = em.node("Div", &[&ss, &n], vec![]);
            match kind {
                ReduceKind::Std(_) => em.node("Sqrt", &[&var], vec![]),
                _ => var,
            }
        }
        ReduceKind::LogSumExp => {
            // Shifted by the largest element, as PyTorch's, so that exp cannot overflow.
            let m = reduce_value(em, "ReduceMax", &x, dims, true);
            let d = em.node("Sub", &[&x, &m], vec![]);
            let e = em.node("Exp", &[&d], vec![]);
            let s = reduce_value(em, "ReduceSum", &e, dims, keepdim);
            let l = em.node("Log", &[&s], vec![]);
            let m = if keepdim { m } else { em.reshape(&m, site.shape) };
            em.node("Add", &[&l, &m], vec![])
        }
        ReduceKind::Norm(p) => {
            let p = p.get();
            let a = em.node("Abs", &[&x], vec![]);
            if p == f64::INFINITY {
                reduce_value(em, "ReduceMax", &a, dims, keepdim)
            } else if p == 1.0 {
                reduce_value(em, "ReduceSum", &a, dims, keepdim)
            } else if p == 2.0 {
                let a2 = em.node("Mul", &[&a, &a], vec![]);
                let s = reduce_value(em, "ReduceSum", &a2, dims, keepdim);
                em.node("Sqrt", &[&s], vec![])
            } else {
                let (pe, inv) = (site.c(em, p), site.c(em, 1.0 / p));
                let ap = em.node("Pow", &[&a, &pe], vec![]);
                let s = reduce_value(em, "ReduceSum", &ap, dims, keepdim);
                em.node("Pow", &[&s, &inv], vec![])
            }
        }
    })
}

/// `sum_to`: leading dimensions summed away, then each where the result has 1.
pub fn sum_to(em: &mut Emitter, site: &Site) -> String {
    let x = site.arg(em, 0);
    let from = &site.args[0].shape;
    let lead = from.len() - site.shape.len();
    let dims: Vec<usize> = (0..from.len()).filter(|&d| d < lead || (site.shape[d - lead] == 1 && from[d] != 1)).collect();
    if dims.is_empty() {
        return em.reshape(&x, site.shape);
    }
    let s = reduce_value(em, "ReduceSum", &x, &dims, true);
    em.reshape(&s, site.shape)
}

/// Every `step`-th index of `dim` from `start`, as many as the result has.
pub fn slice(em: &mut Emitter, site: &Site, dim: usize, start: usize, step: usize) -> String {
    let x = site.arg(em, 0);
    let count = site.shape[dim];
    let end = if count == 0 { start } else { start + step * (count - 1) + 1 };
    let (starts, ends) = (em.ints(&[start as i64]), em.ints(&[end as i64]));
    let (axes, steps) = (em.ints(&[dim as i64]), em.ints(&[step as i64]));
    em.node("Slice", &[&x, &starts, &ends, &axes, &steps], vec![])
}

/// Zeros of the result's shape with operand 0 written where the slice read:
/// padding for a step of one, a scatter at the read positions otherwise.
pub fn slice_backward(em: &mut Emitter, site: &Site, dim: usize, start: usize, step: usize) -> String {
    let g = site.arg(em, 0);
    let from = &site.args[0].shape;
    let rank = site.shape.len();
    if step == 1 {
        let mut pads = vec![0i64; 2 * rank];
        pads[dim] = start as i64;
        pads[rank + dim] = (site.shape[dim] - start - from[dim]) as i64;
        let pads = em.ints(&pads);
        return em.node("Pad", &[&g, &pads], vec![]);
    }
    // The index of each operand element along `dim`: start + step * (its position).
    let inner: usize = from[dim + 1..].iter().product();
    let len = from[dim].max(1);
    let positions: Vec<i64> = (0..from.iter().product::<usize>()).map(|i| (start + step * ((i / inner.max(1)) % len)) as i64).collect();
    let index = em.tensor(&Tensor::from_i64(from.to_vec(), positions));
    let zeros = em.tensor(&Tensor::full(site.dtype, site.shape.to_vec(), 0.0));
    em.node("ScatterElements", &[&zeros, &index, &g], vec![int("axis", dim as i64)])
}

/// A loss of input and target: PyTorch's elementwise formula, then the reduction.
pub fn loss(em: &mut Emitter, site: &Site, kind: LossKind, reduction: LossReduction) -> String {
    let (x, t) = (site.arg(em, 0), site.arg(em, 1));
    let elementwise = match kind {
        LossKind::Mse => {
            let d = em.node("Sub", &[&x, &t], vec![]);
            em.node("Mul", &[&d, &d], vec![])
        }
        LossKind::Bce => {
            // (t - 1) * max(log(1 - x), -100) - t * max(log(x), -100)
            let (one, floor) = (site.c(em, 1.0), site.c(em, -100.0));
            let omx = em.node("Sub", &[&one, &x], vec![]);
            let l1 = em.node("Log", &[&omx], vec![]);
            let l1 = em.node("Max", &[&l1, &floor], vec![]);
            let l0 = em.node("Log", &[&x], vec![]);
            let l0 = em.node("Max", &[&l0, &floor], vec![]);
            let tm1 = em.node("Sub", &[&t, &one], vec![]);
            let a = em.node("Mul", &[&tm1, &l1], vec![]);
            let b = em.node("Mul", &[&t, &l0], vec![]);
            em.node("Sub", &[&a, &b], vec![])
        }
        LossKind::BceWithLogits => {
            // (1 - t) * x - log_sigmoid(x), log_sigmoid(x) = min(x, 0) - log(1 + exp(-|x|))
            let (one, zero) = (site.c(em, 1.0), site.c(em, 0.0));
            let omt = em.node("Sub", &[&one, &t], vec![]);
            let a = em.node("Mul", &[&omt, &x], vec![]);
            let m = em.node("Min", &[&x, &zero], vec![]);
            let ax = em.node("Abs", &[&x], vec![]);
            let nax = em.node("Neg", &[&ax], vec![]);
            let e = em.node("Exp", &[&nax], vec![]);
            let e1 = em.node("Add", &[&one, &e], vec![]);
            let l = em.node("Log", &[&e1], vec![]);
            let ls = em.node("Sub", &[&m, &l], vec![]);
            em.node("Sub", &[&a, &ls], vec![])
        }
        LossKind::SoftMargin => {
            // log(1 + exp(-x * t))
            let one = site.c(em, 1.0);
            let nx = em.node("Neg", &[&x], vec![]);
            let p = em.node("Mul", &[&nx, &t], vec![]);
            let e = em.node("Exp", &[&p], vec![]);
            let e1 = em.node("Add", &[&one, &e], vec![]);
            em.node("Log", &[&e1], vec![])
        }
        LossKind::SmoothL1(beta) | LossKind::Huber(beta) => {
            let d = em.node("Sub", &[&x, &t], vec![]);
            let z = em.node("Abs", &[&d], vec![]);
            let (b, half) = (site.c(em, beta.get()), site.c(em, 0.5));
            let small = em.node("Less", &[&z, &b], vec![]);
            let zz = em.node("Mul", &[&z, &z], vec![]);
            let q = em.node("Mul", &[&half, &zz], vec![]);
            let hb = em.node("Mul", &[&half, &b], vec![]);
            let lin = em.node("Sub", &[&z, &hb], vec![]);
            let (q, lin) = match kind {
                LossKind::SmoothL1(_) => (em.node("Div", &[&q, &b], vec![]), lin),
                _ => (q, em.node("Mul", &[&b, &lin], vec![])),
            };
            em.node("Where", &[&small, &q, &lin], vec![])
        }
    };
    let all: Vec<usize> = (0..site.args[0].shape.len()).collect();
    match reduction {
        LossReduction::None => elementwise,
        LossReduction::Mean => reduce_value(em, "ReduceMean", &elementwise, &all, false),
        LossReduction::Sum => reduce_value(em, "ReduceSum", &elementwise, &all, false),
    }
}
