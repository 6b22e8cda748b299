//! Lowering of `cdist(x1, x2, p=2.0, compute_mode=none)` (`torch.cdist`):
//! the p-norm distance between each row of `x1` and each row of `x2`, over
//! broadcast batch dimensions, as ATen's `cdist` chooses its path.
//!
//! - For `p = 2` with more than 25 rows on either side (or
//!   `compute_mode="use_mm_for_euclid_dist"`), ATen's `_euclidean_dist`: the
//!   squared norms joined to the rows, one matrix product, `clamp_min(1e-30)`
//!   and `sqrt`, viewed (`ViewBackward0`), its gradient
//!   `_euclidean_dist_backward`'s (`EuclideanDistBackward0`). The product is
//!   graphc's `matmul`, so the last bits may differ from MKL's.
//! - Otherwise ATen's `cdist` kernel (`CdistBackward0`), one scalar loop per
//!   pair, `agg = agg + map(|a - b|)` from 0, then `finish`: GCC vectorizes
//!   the products of `p = 2` four floats (two doubles) at a time and adds
//!   them in order, and fuses the last `m % 4` (`m % 2`) into multiply-adds;
//!   graphc adds the same terms in the same order ([`ReduceKind::SeqSum`])
//!   with the same fused tail, so the distances are PyTorch's bits. `p` other
//!   than 0, 1, 2 and inf takes glibc's `powf` per term and `pow` in double
//!   for the root, as the kernel does. The gradient is the backward kernel's:
//!   each input row's gradient sums its terms over the other side's rows in
//!   order from 0 (bit for bit for `p` in 0, 1, 2, inf; other `p` raise with
//!   the C library's `pow` where the kernel has SLEEF's).

use graphc_runtime::op::{Binary, Cmp, ReduceKind, Scalar, Unary};
use graphc_runtime::{DType, Op};

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

/// ATen's `compute_mode` values, in its order.
const MODES: [&str; 3] = ["use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist"];

impl Lowerer<'_> {
    /// `cdist(x1, x2, p=2.0, compute_mode=none)`.
    pub(crate) fn cdist_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional.get(i).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None));
        let (av, sa) = bound.positional[0].clone().expect("bind guarantees x1");
        let (bv, sb) = bound.positional[1].clone().expect("bind guarantees x2");
        let (Some(x1), Some(x2)) = (self.expect_tensor(av, sa, "`cdist`'s x1"), self.expect_tensor(bv, sb, "`cdist`'s x2")) else {
            return Value::Poison;
        };
        let p = match arg(2) {
            None => 2.0,
            Some((v, s)) => match self.number(&v, s, "`p`") {
                Some(p) if p >= 0.0 => p,
                Some(_) => {
                    return self.error(
                        Diagnostic::new(Code::E0107, "cdist only supports non-negative p values", s, "negative")
                            .with_help("use p >= 0 (inf for the largest difference)"),
                    )
                }
                None => return Value::Poison,
            },
        };
        let mode = match arg(3) {
            None => 0,
            Some((Value::Str(m), s)) => match MODES.iter().position(|k| *k == m) {
                Some(k) => k,
                None => {
                    return self.error(
                        Diagnostic::new(Code::E0107, format!("{m} is not a valid value for compute_mode"), s, "unknown mode")
                            .with_help(format!("the modes are {}", MODES.map(|k| format!("\"{k}\"")).join(", "))),
                    )
                }
            },
            Some((other, s)) => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`compute_mode` must be a string, not {}", other.describe()), s, "not a string")
                        .with_help("write `compute_mode=\"use_mm_for_euclid_dist\"`, or leave it out"),
                )
            }
        };
        let (s1, s2) = (self.shape_of(x1), self.shape_of(x2));
        for (sh, s, which) in [(&s1, sa, "X1"), (&s2, sb, "X2")] {
            if sh.len() < 2 {
                return self.error(
                    Diagnostic::new(
                        Code::E0202,
                        format!("cdist only supports at least 2D tensors, {which} got: {}D", sh.len()),
                        s,
                        "fewer than 2 dimensions",
                    )
                    .with_help("pass rows of points, [R, M] (or batches of them, [B, R, M])"),
                );
            }
        }
        let dt = self.dtype_of(x1);
        for (t, s, which) in [(x1, sa, "X1"), (x2, sb, "X2")] {
            let d = self.dtype_of(t);
            if !d.is_float() {
                return self.error(
                    Diagnostic::new(
                        Code::E0204,
                        format!("cdist only supports floating-point dtypes, {which} got: {}", d.torch_name()),
                        s,
                        format!("this is {d}"),
                    )
                    .with_help("convert it first with `.float()`"),
                );
            }
        }
        if self.dtype_of(x2) != dt {
            let d2 = self.dtype_of(x2);
            return self.error(
                Diagnostic::new(Code::E0201, format!("X1 and X2 must have the same dtype. X1: {dt} X2: {d2}"), sb, format!("this is {d2}"))
                    .with_secondary(sa, format!("this is {dt}"))
                    .with_help("convert one of them, such as `x2.to(x1.dtype)`"),
            );
        }
        let (r1, r2, m) = (s1[s1.len() - 2], s2[s2.len() - 2], s1[s1.len() - 1]);
        if s2[s2.len() - 1] != m {
            let message = format!("X1 and X2 must have the same number of columns. X1: {m} X2: {}", s2[s2.len() - 1]);
            return self.error(
                Diagnostic::new(Code::E0202, message, sb, "other columns")
                    .with_secondary(sa, "these columns")
                    .with_help("give both sets of points the same dimension"),
            );
        }
        let batch = match shapes::broadcast(&s1[..s1.len() - 2], &s2[..s2.len() - 2]) {
            Ok(b) => b,
            Err(msg) => {
                return self
                    .error(Diagnostic::new(Code::E0202, msg, sb, "another batch").with_help("give both inputs batch dimensions that broadcast"))
            }
        };
        let with = |tail: &[usize]| [&batch[..], tail].concat();
        let out_shape = with(&[r1, r2]);
        if m == 0 || r1 == 0 || r2 == 0 {
            return Value::Tensor(self.op_node(Op::Full(Scalar::of(0.0, dt)), dt, out_shape, &[], span, "CdistBackward0"));
        }
        let expand = |me: &mut Self, t: NodeId, rows: usize| {
            let to = with(&[rows, m]);
            if me.shape_of(t) == to {
                t
            } else {
                me.node(Op::Expand, dt, to, &[t], span)
            }
        };
        let (e1, e2) = (expand(self, x1, r1), expand(self, x2, r2));
        let euclid = p == 2.0 && (mode == 1 || (mode == 0 && (r1 > 25 || r2 > 25)));
        if euclid {
            return self.euclidean_dist(e1, e2, out_shape, span);
        }
        let dist = self.cdist_kernel(e1, e2, p, span);
        let out = self.node(Op::Reshape, dt, out_shape, &[dist], span);
        let out = self.with_backward("CdistBackward0", &[e1, e2, dist], out, span, |me, grad, saved| {
            let (a, b, d) = (saved[0], saved[1], saved[2]);
            let ga = me.cdist_backward(grad, a, b, d, p, false, span);
            let gb = me.cdist_backward(grad, b, a, d, p, true, span);
            vec![Some(ga), Some(gb), None]
        });
        Value::Tensor(out)
    }

    /// The kernel's distances of `[*, r1, m]` and `[*, r2, m]`: `[*, r1, r2]`.
    fn cdist_kernel(&mut self, x1: NodeId, x2: NodeId, p: f64, span: Span) -> NodeId {
        let (dt, s1, s2) = (self.dtype_of(x1), self.shape_of(x1), self.shape_of(x2));
        let k = s1.len();
        let (r1, r2, m) = (s1[k - 2], s2[k - 2], s1[k - 1]);
        let batch = &s1[..k - 2];
        let rows = self.node(Op::Reshape, dt, [batch, &[r1, 1, m]].concat(), &[x1], span);
        let cols = self.node(Op::Reshape, dt, [batch, &[1, r2, m]].concat(), &[x2], span);
        let full = [batch, &[r1, r2, m]].concat();
        let diff = self.node(Op::Binary(Binary::Sub), dt, full.clone(), &[rows, cols], span);
        let ad = self.node(Op::Unary(Unary::Abs), dt, full.clone(), &[diff], span);
        let last = full.len() - 1;
        let pair = [batch, &[r1, r2]].concat();
        let seq_sum = |me: &mut Self, t: NodeId| {
            me.node(Op::Reduce { kind: ReduceKind::SeqSum, dims: vec![last], keepdim: false }, dt, pair.clone(), &[t], span)
        };
        let scalar = |me: &mut Self, v: f64| me.scalar(v, dt, span);
        if p == 0.0 {
            let up = self.node(Op::Unary(Unary::Ceil), dt, full.clone(), &[ad], span);
            let one = scalar(self, 1.0);
            let ones = self.node(Op::Binary(Binary::Minimum), dt, full, &[up, one], span);
            return seq_sum(self, ones);
        }
        if p == 1.0 {
            return seq_sum(self, ad);
        }
        if p.is_infinite() {
            // `std::max(agg, term)` from 0 passes a NaN term over: 0 for it.
            let zero = scalar(self, 0.0);
            let kept = self.node(Op::Where(Cmp::Ne), dt, full.clone(), &[ad, ad, zero, ad], span);
            return self.node(Op::Reduce { kind: ReduceKind::Amax, dims: vec![last], keepdim: false }, dt, pair, &[kept], span);
        }
        if p == 2.0 {
            // The products GCC vectorizes, added in order; the rest fused.
            let width = if dt == DType::F64 { 2 } else { 4 };
            let main = m - m % width;
            let mut acc = if main == 0 {
                self.node(Op::Full(Scalar::of(0.0, dt)), dt, pair.clone(), &[], span)
            } else {
                let head = if main == m {
                    ad
                } else {
                    self.node(Op::Slice { dim: last, start: 0, step: 1 }, dt, [batch, &[r1, r2, main]].concat(), &[ad], span)
                };
                let squares = self.node(Op::Binary(Binary::Mul), dt, [batch, &[r1, r2, main]].concat(), &[head, head], span);
                seq_sum(self, squares)
            };
            for c in main..m {
                let col = self.node(Op::Slice { dim: last, start: c, step: 1 }, dt, [batch, &[r1, r2, 1]].concat(), &[ad], span);
                let col = self.node(Op::Reshape, dt, pair.clone(), &[col], span);
                acc = self.node(Op::Fma, dt, pair.clone(), &[col, col, acc], span);
            }
            return self.node(Op::Unary(Unary::Sqrt), dt, pair, &[acc], span);
        }
        // glibc's `powf` per term, and the root `std::pow(float, double)` in double.
        let e = scalar(self, p);
        let terms = self.node(Op::Binary(Binary::Pow), dt, full, &[ad, e], span);
        let agg = seq_sum(self, terms);
        let wide = self.cast_to(agg, DType::F64, span);
        let root = self.scalar(1.0 / p, DType::F64, span);
        let r = self.node(Op::Binary(Binary::Pow), DType::F64, pair, &[wide, root], span);
        self.cast_to(r, dt, span)
    }

    /// The backward kernel's gradient of the rows `a` (`[*, ra, m]`) against
    /// `b` (`[*, rb, m]`), given the gradient and the distances `[*, r1, r2]`
    /// (`swapped`: `a` is `x2`, so both are read transposed).
    #[allow(clippy::too_many_arguments)]
    fn cdist_backward(&mut self, grad: NodeId, a: NodeId, b: NodeId, dist: NodeId, p: f64, swapped: bool, span: Span) -> NodeId {
        let (dt, sa, sb) = (self.dtype_of(a), self.shape_of(a), self.shape_of(b));
        let k = sa.len();
        let (ra, rb, m) = (sa[k - 2], sb[k - 2], sa[k - 1]);
        let batch = &sa[..k - 2];
        if p == 0.0 {
            return self.node(Op::Full(Scalar::of(0.0, dt)), dt, sa, &[], span);
        }
        let transpose = |me: &mut Self, t: NodeId| {
            if !swapped {
                return t;
            }
            let mut order: Vec<usize> = (0..k).collect();
            order.swap(k - 2, k - 1);
            me.node(Op::Permute(order), dt, [batch, &[ra, rb]].concat(), &[t], span)
        };
        let (g, d) = (transpose(self, grad), transpose(self, dist));
        let col = [batch, &[ra, rb, 1]].concat();
        let g = self.node(Op::Reshape, dt, col.clone(), &[g], span);
        let d = self.node(Op::Reshape, dt, col, &[d], span);
        let rows = self.node(Op::Reshape, dt, [batch, &[ra, 1, m]].concat(), &[a], span);
        let cols = self.node(Op::Reshape, dt, [batch, &[1, rb, m]].concat(), &[b], span);
        let full = [batch, &[ra, rb, m]].concat();
        let node = |me: &mut Self, op: Op, args: &[NodeId]| me.node(op, dt, full.clone(), args, span);
        let scalar = |me: &mut Self, v: f64| me.scalar(v, dt, span);
        let diff = node(self, Op::Binary(Binary::Sub), &[rows, cols]);
        let sign = node(self, Op::Unary(Unary::Sign), &[diff]);
        let term = if p == 1.0 {
            node(self, Op::Binary(Binary::Mul), &[g, sign])
        } else if p.is_infinite() {
            // grad * sign(diff) * (1 - min(1, ceil(||diff| - dist|))).
            let gs = node(self, Op::Binary(Binary::Mul), &[g, sign]);
            let ad = node(self, Op::Unary(Unary::Abs), &[diff]);
            let off = node(self, Op::Binary(Binary::Sub), &[ad, d]);
            let off = node(self, Op::Unary(Unary::Abs), &[off]);
            let off = node(self, Op::Unary(Unary::Ceil), &[off]);
            let one = scalar(self, 1.0);
            let off = node(self, Op::Binary(Binary::Minimum), &[one, off]);
            let at = node(self, Op::Binary(Binary::Sub), &[one, off]);
            node(self, Op::Binary(Binary::Mul), &[gs, at])
        } else {
            let raw = if p == 2.0 {
                let gd = node(self, Op::Binary(Binary::Mul), &[g, diff]);
                node(self, Op::Binary(Binary::Div), &[gd, d])
            } else {
                // `lttdist_calc` below 2: sign * |diff|^(p-1) * grad / dist^(p-1);
                // `pdist_calc` above: diff * |diff|^(p-2) * grad / dist^(p-1).
                let ad = node(self, Op::Unary(Unary::Abs), &[diff]);
                let (lead, e) = if p < 2.0 { (sign, p - 1.0) } else { (diff, p - 2.0) };
                let e = scalar(self, e);
                let powered = node(self, Op::Binary(Binary::Pow), &[ad, e]);
                let t = node(self, Op::Binary(Binary::Mul), &[lead, powered]);
                let t = node(self, Op::Binary(Binary::Mul), &[t, g]);
                let e1 = scalar(self, p - 1.0);
                let dp = node(self, Op::Binary(Binary::Pow), &[d, e1]);
                let t = node(self, Op::Binary(Binary::Div), &[t, dp]);
                if p < 1.0 {
                    // 0 where the difference is 0, which the power would make infinite.
                    let zero = scalar(self, 0.0);
                    node(self, Op::Where(Cmp::Eq), &[diff, zero, zero, t])
                } else {
                    t
                }
            };
            // 0 where the distance is 0.
            let zero = scalar(self, 0.0);
            node(self, Op::Where(Cmp::Eq), &[d, zero, zero, raw])
        };
        // Summed over the other side's rows in order, from 0.
        let over = full.len() - 2;
        self.node(Op::Reduce { kind: ReduceKind::SeqSum, dims: vec![over], keepdim: false }, dt, sa, &[term], span)
    }

    /// ATen's `_euclidean_dist` of `[*, r1, m]` and `[*, r2, m]`, viewed to `out`.
    fn euclidean_dist(&mut self, x1: NodeId, x2: NodeId, out: Vec<usize>, span: Span) -> Value {
        let dt = self.dtype_of(x1);
        let joined = |me: &mut Self, t: NodeId, norm_first: bool| -> Option<NodeId> {
            let sh = me.shape_of(t);
            let k = sh.len();
            let mut keep = sh.clone();
            keep[k - 1] = 1;
            let sq = me.node(Op::Binary(Binary::Mul), dt, sh.clone(), &[t, t], span);
            let norm = me.node(Op::Reduce { kind: ReduceKind::Sum, dims: vec![k - 1], keepdim: true }, dt, keep.clone(), &[sq], span);
            let ones = me.node(Op::Full(Scalar::of(1.0, dt)), dt, keep, &[], span);
            let parts = if norm_first {
                let two = me.scalar(-2.0, dt, span);
                let scaled = me.node(Op::Binary(Binary::Mul), dt, sh, &[t, two], span);
                vec![scaled, norm, ones]
            } else {
                vec![t, ones, norm]
            };
            let list = Value::List(parts.into_iter().map(|n| (Value::Tensor(n), span)).collect());
            me.tensor_call("cat", vec![list, Value::Number(Num::Int(-1))], span)
        };
        let (Some(a), Some(b)) = (joined(self, x1, true), joined(self, x2, false)) else { return Value::Poison };
        let sb = self.shape_of(b);
        let k = sb.len();
        let mut order: Vec<usize> = (0..k).collect();
        order.swap(k - 2, k - 1);
        let mut bt_shape = sb.clone();
        bt_shape.swap(k - 2, k - 1);
        let bt = self.node(Op::Permute(order), dt, bt_shape, &[b], span);
        let Value::Tensor(prod) = self.matmul(a, span, bt, span, span) else { return Value::Poison };
        let sh = self.shape_of(prod);
        let floor = self.scalar(1e-30, dt, span);
        let clamped = self.node(Op::Binary(Binary::Maximum), dt, sh.clone(), &[prod, floor], span);
        let dist = self.node(Op::Unary(Unary::Sqrt), dt, sh.clone(), &[clamped], span);
        let node = self.node(Op::Reshape, dt, sh, &[dist], span);
        let node = self.with_backward("EuclideanDistBackward0", &[x1, x2, dist], node, span, |me, grad, saved| {
            let (x1, x2, res) = (saved[0], saved[1], saved[2]);
            let (s1, s2, sr) = (me.shape_of(x1), me.shape_of(x2), me.shape_of(res));
            let k = sr.len();
            // ratio = grad / res, 0 where res is 0.
            let ratio = me.node(Op::Binary(Binary::Div), dt, sr.clone(), &[grad, res], span);
            let zero = me.scalar(0.0, dt, span);
            let ratio = me.node(Op::Where(Cmp::Eq), dt, sr.clone(), &[res, zero, zero, ratio], span);
            // x1 * ratio.sum(-1, true) - ratio @ x2
            let mut row_shape = sr.clone();
            row_shape[k - 1] = 1;
            let rows = me.node(Op::Reduce { kind: ReduceKind::Sum, dims: vec![k - 1], keepdim: true }, dt, row_shape, &[ratio], span);
            let scaled1 = me.node(Op::Binary(Binary::Mul), dt, s1.clone(), &[x1, rows], span);
            let Value::Tensor(p1) = me.matmul(ratio, span, x2, span, span) else { return vec![None, None, None] };
            let g1 = me.node(Op::Binary(Binary::Sub), dt, s1, &[scaled1, p1], span);
            // x2 * ratio.sum(-2).unsqueeze(-1) - ratio.mT @ x1
            let mut col_shape: Vec<usize> = sr[..k - 2].to_vec();
            col_shape.extend([sr[k - 1], 1]);
            let cols = me.node(
                Op::Reduce { kind: ReduceKind::Sum, dims: vec![k - 2], keepdim: false },
                dt,
                [&sr[..k - 2], &[sr[k - 1]]].concat(),
                &[ratio],
                span,
            );
            let cols = me.node(Op::Reshape, dt, col_shape, &[cols], span);
            let scaled2 = me.node(Op::Binary(Binary::Mul), dt, s2.clone(), &[x2, cols], span);
            let mut order: Vec<usize> = (0..k).collect();
            order.swap(k - 2, k - 1);
            let mut rt_shape = sr.clone();
            rt_shape.swap(k - 2, k - 1);
            let rt = me.node(Op::Permute(order), dt, rt_shape, &[ratio], span);
            let Value::Tensor(p2) = me.matmul(rt, span, x1, span, span) else { return vec![None, None, None] };
            let g2 = me.node(Op::Binary(Binary::Sub), dt, s2, &[scaled2, p2], span);
            vec![Some(g1), Some(g2), None]
        });
        Value::Tensor(self.op_node(Op::Reshape, dt, out, &[node], span, "ViewBackward0"))
    }
}
