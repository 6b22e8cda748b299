//! `Op::LayerNorm` as ONNX operators: the forward and its gradients written
//! with elementwise operators and mean reductions over the normalized
//! dimensions, which every opset graphc emits has (ONNX's own
//! `LayerNormalization` needs opset 17 and a weight). ONNX runtimes compute
//! these sums in their own order, so the last bits may differ from graphc's.

use graphc_runtime::op::{GroupNorm, LayerNorm, LayerNormPart};

use super::emit::Emitter;
use super::ops::Site;
use super::reduce::reduce_value;

/// The row statistics of `x` (of rank `rank`) over its last `dims`
/// dimensions, kept as size 1: `x - mean` and `1 / sqrt(var + eps)`.
fn centered_and_rstd(em: &mut Emitter, site: &Site, x: &str, rank: usize, ln: &LayerNorm) -> (String, String) {
    let axes: Vec<usize> = (rank - ln.dims..rank).collect();
    let mean = reduce_value(em, "ReduceMean", x, &axes, true);
    let centered = em.node("Sub", &[x, &mean], vec![]);
    let sq = em.node("Mul", &[&centered, &centered], vec![]);
    let var = reduce_value(em, "ReduceMean", &sq, &axes, true);
    let eps = site.c(em, ln.eps.get());
    let shifted = em.node("Add", &[&var, &eps], vec![]);
    let std = em.node("Sqrt", &[&shifted], vec![]);
    let one = site.c(em, 1.0);
    let rstd = em.node("Div", &[&one, &std], vec![]);
    (centered, rstd)
}

/// One node of the family.
pub fn layer_norm(em: &mut Emitter, site: &Site, ln: &LayerNorm) -> String {
    match ln.part {
        LayerNormPart::Forward { weight, bias } => {
            let x = site.arg(em, 0);
            let rank = site.args[0].shape.len();
            let (centered, rstd) = centered_and_rstd(em, site, &x, rank, ln);
            let mut y = em.node("Mul", &[&centered, &rstd], vec![]);
            if weight {
                let w = site.arg(em, 1);
                y = em.node("Mul", &[&y, &w], vec![]);
            }
            if bias {
                let b = site.arg(em, 1 + weight as usize);
                y = em.node("Add", &[&y, &b], vec![]);
            }
            y
        }
        LayerNormPart::InputGrad { weight } => {
            // rstd * (gw - mean(gw) - xhat * mean(gw * xhat)), gw = grad * weight.
            let (g, x) = (site.arg(em, 0), site.arg(em, 1));
            let rank = site.args[1].shape.len();
            let axes: Vec<usize> = (rank - ln.dims..rank).collect();
            let (centered, rstd) = centered_and_rstd(em, site, &x, rank, ln);
            let xhat = em.node("Mul", &[&centered, &rstd], vec![]);
            let gw = if weight {
                let w = site.arg(em, 2);
                em.node("Mul", &[&g, &w], vec![])
            } else {
                g
            };
            let mean_gw = reduce_value(em, "ReduceMean", &gw, &axes, true);
            let gx = em.node("Mul", &[&gw, &xhat], vec![]);
            let mean_gx = reduce_value(em, "ReduceMean", &gx, &axes, true);
            let t = em.node("Mul", &[&xhat, &mean_gx], vec![]);
            let d = em.node("Sub", &[&gw, &mean_gw], vec![]);
            let d = em.node("Sub", &[&d, &t], vec![]);
            em.node("Mul", &[&d, &rstd], vec![])
        }
        LayerNormPart::WeightGrad => {
            let (g, x) = (site.arg(em, 0), site.arg(em, 1));
            let rank = site.args[1].shape.len();
            let (centered, rstd) = centered_and_rstd(em, site, &x, rank, ln);
            let xhat = em.node("Mul", &[&centered, &rstd], vec![]);
            let gx = em.node("Mul", &[&g, &xhat], vec![]);
            let leading: Vec<usize> = (0..rank - ln.dims).collect();
            reduce_value(em, "ReduceSum", &gx, &leading, false)
        }
        LayerNormPart::BiasGrad => {
            let g = site.arg(em, 0);
            let leading: Vec<usize> = (0..site.args[0].shape.len() - ln.dims).collect();
            reduce_value(em, "ReduceSum", &g, &leading, false)
        }
    }
}

/// One node of the `group_norm` family, over `x` `(N, C, *)` viewed as `(N,
/// groups, rest)`: the layer norm's formulas over the last dimension, then
/// viewed back, with the weight and bias per channel.
pub fn group_norm(em: &mut Emitter, site: &Site, gn: &GroupNorm) -> String {
    let ln = LayerNorm { dims: 1, eps: gn.eps, part: gn.part };
    // `x`, or the gradient of `x`'s shape that comes first.
    let shape = site.args[0].shape.clone();
    let rest: usize = shape[1..].iter().product::<usize>() / gn.groups.max(1);
    let grouped = [shape[0], gn.groups, rest];
    let full = shape.clone();
    // A per-channel vector as `(C, 1, ...)`, broadcasting over `(N, C, *)`.
    let channel_shape: Vec<usize> = std::iter::once(shape[1]).chain(std::iter::repeat_n(1, shape.len() - 2)).collect();
    let per_channel = |em: &mut Emitter, v: &str| em.reshape(v, &channel_shape);
    match gn.part {
        LayerNormPart::Forward { weight, bias } => {
            let x = site.arg(em, 0);
            let xg = em.reshape(&x, &grouped);
            let (centered, rstd) = centered_and_rstd(em, site, &xg, 3, &ln);
            let yg = em.node("Mul", &[&centered, &rstd], vec![]);
            let mut y = em.reshape(&yg, &full);
            if weight {
                let w = site.arg(em, 1);
                let w = per_channel(em, &w);
                y = em.node("Mul", &[&y, &w], vec![]);
            }
            if bias {
                let b = site.arg(em, 1 + weight as usize);
                let b = per_channel(em, &b);
                y = em.node("Add", &[&y, &b], vec![]);
            }
            y
        }
        LayerNormPart::InputGrad { weight } => {
            // rstd * (gw - mean(gw) - xhat * mean(gw * xhat)) over each group.
            let (g, x) = (site.arg(em, 0), site.arg(em, 1));
            let gw = if weight {
                let w = site.arg(em, 2);
                let w = per_channel(em, &w);
                em.node("Mul", &[&g, &w], vec![])
            } else {
                g
            };
            let xg = em.reshape(&x, &grouped);
            let gwg = em.reshape(&gw, &grouped);
            let (centered, rstd) = centered_and_rstd(em, site, &xg, 3, &ln);
            let xhat = em.node("Mul", &[&centered, &rstd], vec![]);
            let mean_gw = reduce_value(em, "ReduceMean", &gwg, &[2], true);
            let gx = em.node("Mul", &[&gwg, &xhat], vec![]);
            let mean_gx = reduce_value(em, "ReduceMean", &gx, &[2], true);
            let t = em.node("Mul", &[&xhat, &mean_gx], vec![]);
            let d = em.node("Sub", &[&gwg, &mean_gw], vec![]);
            let d = em.node("Sub", &[&d, &t], vec![]);
            let dg = em.node("Mul", &[&d, &rstd], vec![]);
            em.reshape(&dg, &full)
        }
        LayerNormPart::WeightGrad => {
            let (g, x) = (site.arg(em, 0), site.arg(em, 1));
            let xg = em.reshape(&x, &grouped);
            let (centered, rstd) = centered_and_rstd(em, site, &xg, 3, &ln);
            let xhat = em.node("Mul", &[&centered, &rstd], vec![]);
            let xhat = em.reshape(&xhat, &full);
            let gx = em.node("Mul", &[&g, &xhat], vec![]);
            let others: Vec<usize> = std::iter::once(0).chain(2..shape.len()).collect();
            reduce_value(em, "ReduceSum", &gx, &others, false)
        }
        LayerNormPart::BiasGrad => {
            let g = site.arg(em, 0);
            let others: Vec<usize> = std::iter::once(0).chain(2..shape.len()).collect();
            reduce_value(em, "ReduceSum", &g, &others, false)
        }
    }
}
