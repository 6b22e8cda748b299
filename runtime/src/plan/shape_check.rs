//! The result shapes of the ops that move elements between positions (`permute`,
//! `slice`, `slice_backward`, `cat`, the index ops) and of `matmul`, as [`Plan::verify`]
//! checks them: the kernels index by these shapes, so a plan that breaks them
//! is refused before it runs instead of stopping a kernel on an assertion.
//!
//! [`Plan::verify`]: crate::plan::Plan::verify

use crate::kernels::matmul::matmul_shape;
use crate::op::{IndexOp, Op};

/// `None` for ops whose shapes this does not check; otherwise whether `result`
/// is the shape the op gives `operands`, with what is wrong.
pub fn check(op: &Op, operands: &[&[usize]], result: &[usize]) -> Option<Result<(), String>> {
    let ok = |good: bool, why: &str| if good { Ok(()) } else { Err(why.to_string()) };
    let check = match op {
        Op::Permute(dims) => {
            let x = operands[0];
            let mut seen = vec![false; x.len()];
            let is_perm = dims.len() == x.len() && dims.iter().all(|&d| d < x.len() && !std::mem::replace(&mut seen[d], true));
            if !is_perm {
                Err(format!("{dims:?} is not a permutation of {} dimensions", x.len()))
            } else {
                let out: Vec<usize> = dims.iter().map(|&d| x[d]).collect();
                ok(out == result, "the result is not the permuted operand")
            }
        }
        Op::Slice { dim, start, step } => strided(operands[0], result, *dim, *start, *step),
        Op::SliceBackward { dim, start, step } => strided(result, operands[0], *dim, *start, *step),
        Op::Cat { dim, .. } => {
            let agree =
                result.len() > *dim && operands.iter().all(|s| s.len() == result.len() && (0..s.len()).all(|k| k == *dim || s[k] == result[k]));
            let total: usize = operands.iter().map(|s| s.get(*dim).copied().unwrap_or(0)).sum();
            ok(agree && result.get(*dim) == Some(&total), "the operands do not join to the result")
        }
        Op::MatMul => match matmul_shape(operands[0], operands[1]) {
            Ok(s) => ok(s.out == result, "the result is not the product's shape"),
            Err(e) => Err(e),
        },
        Op::Index(i) => index_shapes(*i, operands, result),
        Op::Conv(c) => c.check_shapes(operands, result),
        Op::AvgPool(p) => p.check_shapes(operands, result),
        Op::Upsample(u) => u.check_shapes(operands, result),
        Op::GridSample(g) => g.check_shapes(operands, result),
        // The batch-norm statistics' kernel reads an [N, C, *] layout.
        Op::Reduce { kind, dims, keepdim } if kind.channel_statistic() => {
            let x = operands[0];
            let all_but_channels: Vec<usize> = (0..x.len()).filter(|&d| d != 1).collect();
            ok(
                x.len() >= 2 && *dims == all_but_channels && crate::op::reduced_shape(x, dims, *keepdim) == result,
                "batch_norm's statistics reduce an [N, C, *] tensor over every dimension but 1",
            )
        }
        _ => return None,
    };
    Some(check)
}

/// An index op's shapes: `argmax` removes (or keeps as 1) its dimension;
/// `gather`'s index has the input's rank, is no larger outside `dim`, and is
/// the result's shape; `scatter_add` is the same with result and input swapped.
fn index_shapes(op: IndexOp, operands: &[&[usize]], result: &[usize]) -> Result<(), String> {
    let (whole, index, part) = match op {
        IndexOp::Arg { dim: None, .. } => return if result.is_empty() { Ok(()) } else { Err("an argmax over every element is 0-d".to_string()) },
        IndexOp::Arg { dim: Some(d), keepdim, .. } => {
            let good = d < operands[0].len() && crate::op::reduced_shape(operands[0], &[d], keepdim) == result;
            return if good { Ok(()) } else { Err(format!("the result is not the operand reduced over dimension {d}")) };
        }
        IndexOp::Sort { dim, .. } => {
            let good = dim < operands[0].len() && operands[0] == result;
            return if good { Ok(()) } else { Err(format!("a sort's indices have its operand's shape, sorted along dimension {dim}")) };
        }
        IndexOp::CumExtreme { dim, .. } => {
            let good = dim < operands[0].len() && operands[0] == result;
            return if good { Ok(()) } else { Err(format!("cummax's indices have its operand's shape, scanned along dimension {dim}")) };
        }
        IndexOp::Search { sorter, .. } => {
            let (b, v) = (operands[0], operands[1]);
            // 1-D boundaries serve every value; N-D ones have the values' leading sizes.
            let rows = b.len() == 1 || (b.len() == v.len() && b[..b.len() - 1] == v[..v.len() - 1]);
            let good = !b.is_empty() && rows && v == result && (!sorter || operands[2] == b);
            return if good { Ok(()) } else { Err(format!("boundaries {b:?} do not fit values {v:?}")) };
        }
        IndexOp::Kth { dim, k } => {
            let x = operands[0];
            let good = dim < x.len()
                && (1..=x[dim]).contains(&k)
                && result.len() == x.len()
                && (0..x.len()).all(|d| result[d] == if d == dim { 1 } else { x[d] });
            return if good { Ok(()) } else { Err(format!("the result is not the operand with 1 along dimension {dim}, or k {k} is out of range")) };
        }
        IndexOp::TopK { dim, k, .. } => {
            let x = operands[0];
            let good = dim < x.len() && k <= x[dim] && result.len() == x.len() && (0..x.len()).all(|d| result[d] == if d == dim { k } else { x[d] });
            return if good { Ok(()) } else { Err(format!("the result is not the operand with {k} along dimension {dim}")) };
        }
        IndexOp::MaxPool(p) => {
            let x = operands[0];
            let positive = !p.kernel.contains(&0) && !p.stride.contains(&0) && !p.dilation.contains(&0);
            let fits = |axis: usize| {
                [false, true].iter().any(|&ceil| p.output_size(axis, x[2 + axis], ceil) == Some(result[2 + axis]))
                    && p.padding[axis] <= p.kernel[axis] / 2
            };
            let good = positive && x.len() == 4 && result.len() == 4 && x[..2] == result[..2] && fits(0) && fits(1);
            return if good { Ok(()) } else { Err(format!("{result:?} are not the windows of {p:?} over {x:?}")) };
        }
        IndexOp::AdaptiveMaxPool => {
            let x = operands[0];
            let good = x.len() == 4 && result.len() == 4 && x[..2] == result[..2] && x[2..].iter().zip(&result[2..]).all(|(&i, &o)| i >= 1 && o >= 1);
            return if good { Ok(()) } else { Err(format!("{result:?} is not an adaptive max pool's result over {x:?}")) };
        }
        IndexOp::Gather { dim } => (operands[0], operands[1], (dim, result)),
        IndexOp::ScatterAdd { dim } => (result, operands[1], (dim, operands[0])),
        IndexOp::ScatterInto { dim, .. } | IndexOp::ScatterReduce { dim, .. } | IndexOp::ScatterFma { dim } => {
            if operands[0] != result {
                return Err("a scatter's result has its input's shape".to_string());
            }
            if matches!(op, IndexOp::ScatterFma { .. }) && operands[3] != operands[2] {
                return Err("a scatter's scale has its source's shape".to_string());
            }
            (result, operands[1], (dim, operands[2]))
        }
    };
    let (dim, values) = part;
    let fits = index.len() == whole.len() && dim < whole.len() && (0..whole.len()).all(|k| k == dim || index[k] <= whole[k]);
    if !fits || values != index {
        return Err(format!("an index of shape {index:?} does not fit a tensor of shape {whole:?} along dimension {dim}"));
    }
    Ok(())
}

/// `part` is every `step`-th index of dimension `dim` of `whole` from `start`.
fn strided(whole: &[usize], part: &[usize], dim: usize, start: usize, step: usize) -> Result<(), String> {
    if dim >= whole.len() || whole.len() != part.len() || step == 0 {
        return Err(format!("dimension {dim} with step {step} does not fit shapes of rank {} and {}", whole.len(), part.len()));
    }
    if (0..whole.len()).any(|k| k != dim && whole[k] != part[k]) {
        return Err("the shapes differ outside the sliced dimension".to_string());
    }
    let count = part[dim];
    let last = (count > 0).then(|| start.checked_add((count - 1).checked_mul(step)?)).flatten();
    match (count, last) {
        (0, _) => Ok(()),
        (_, Some(last)) if last < whole[dim] => Ok(()),
        _ => Err(format!("{count} indices from {start} by {step} pass the end of a dimension of {}", whole[dim])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_checked() {
        assert_eq!(check(&Op::Permute(vec![1, 0]), &[&[2, 3]], &[3, 2]), Some(Ok(())));
        assert!(check(&Op::Permute(vec![0, 0]), &[&[2, 3]], &[2, 2]).is_some_and(|r| r.is_err()));
        assert_eq!(check(&Op::Slice { dim: 1, start: 1, step: 2 }, &[&[2, 5]], &[2, 2]), Some(Ok(())));
        assert!(check(&Op::Slice { dim: 1, start: 1, step: 2 }, &[&[2, 5]], &[2, 3]).is_some_and(|r| r.is_err()));
        assert!(check(&Op::SliceBackward { dim: 0, start: 9, step: 1 }, &[&[1]], &[3]).is_some_and(|r| r.is_err()));
        assert_eq!(check(&Op::Cat { dim: 0, n: 2 }, &[&[1, 3], &[2, 3]], &[3, 3]), Some(Ok(())));
        assert!(check(&Op::Cat { dim: 1, n: 2 }, &[&[1, 3], &[2, 3]], &[1, 6]).is_some_and(|r| r.is_err()));
        assert!(check(&Op::MatMul, &[&[2, 3], &[4, 5]], &[2, 5]).is_some_and(|r| r.is_err()));
        assert!(check(&Op::Cat { dim: 0, n: 1 }, &[&[]], &[]).is_some_and(|r| r.is_err()));
        assert_eq!(check(&Op::Expand, &[&[1]], &[3]), None);
        let arg = Op::Index(IndexOp::Arg { dim: Some(1), keepdim: true, min: false });
        assert_eq!(check(&arg, &[&[2, 3]], &[2, 1]), Some(Ok(())));
        assert!(check(&arg, &[&[2, 3]], &[2]).is_some_and(|r| r.is_err()));
        assert_eq!(check(&Op::Index(IndexOp::Gather { dim: 1 }), &[&[2, 3], &[2, 5]], &[2, 5]), Some(Ok(())));
        assert!(check(&Op::Index(IndexOp::Gather { dim: 1 }), &[&[2, 3], &[3, 1]], &[3, 1]).is_some_and(|r| r.is_err()));
        assert_eq!(check(&Op::Index(IndexOp::ScatterAdd { dim: 0 }), &[&[1, 3], &[1, 3]], &[4, 3]), Some(Ok(())));
        let scatter = Op::Index(IndexOp::ScatterInto { dim: 0, add: false });
        assert_eq!(check(&scatter, &[&[4, 3], &[1, 3], &[1, 3]], &[4, 3]), Some(Ok(())));
        assert!(check(&scatter, &[&[4, 3], &[1, 3], &[2, 3]], &[4, 3]).is_some_and(|r| r.is_err()));
        assert!(check(&scatter, &[&[4, 3], &[1, 3], &[1, 3]], &[5, 3]).is_some_and(|r| r.is_err()));
        let conv = |part| Op::Conv(crate::op::Conv { stride: [2, 1], padding: [1, 0], dilation: [1, 1], groups: 2, part });
        let forward = conv(crate::op::ConvPart::Forward { bias: true });
        assert_eq!(check(&forward, &[&[3, 4, 7, 5], &[6, 2, 3, 3], &[6]], &[3, 6, 4, 3]), Some(Ok(())));
        assert!(check(&forward, &[&[3, 4, 7, 5], &[6, 4, 3, 3], &[6]], &[3, 6, 4, 3]).is_some_and(|r| r.is_err()));
        assert!(check(&forward, &[&[3, 4, 7, 5], &[6, 2, 3, 3], &[6]], &[3, 6, 4, 4]).is_some_and(|r| r.is_err()));
        let transposed = conv(crate::op::ConvPart::Transposed { bias: false });
        assert_eq!(check(&transposed, &[&[3, 6, 4, 3], &[6, 2, 3, 3]], &[3, 4, 7, 5]), Some(Ok(())));
        assert_eq!(check(&transposed, &[&[3, 6, 4, 3], &[6, 2, 3, 3]], &[3, 4, 8, 5]), Some(Ok(())));
        assert!(check(&transposed, &[&[3, 6, 4, 3], &[6, 2, 3, 3]], &[3, 4, 9, 5]).is_some_and(|r| r.is_err()));
        assert_eq!(check(&conv(crate::op::ConvPart::WeightGrad), &[&[3, 6, 4, 3], &[3, 4, 7, 5]], &[6, 2, 3, 3]), Some(Ok(())));
    }
}
