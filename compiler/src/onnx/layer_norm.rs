//! `Op::LayerNorm` as ONNX operators: the forward and its gradients written
//! with elementwise operators and mean reductions over the normalized
//! dimensions, which every opset graphc emits has (ONNX's own
//! `LayerNormalization` needs opset 17 and a weight). ONNX runtimes compute
//! these sums in their own order, so the last bits may differ from graphc's.

use graphc_runtime::op::{LayerNorm, LayerNormPart};

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
