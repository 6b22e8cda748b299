//! Lowering of the pairwise distances: `cdist(x1, x2, p=2.0,
//! compute_mode=none)` (`torch.cdist`), between each row of `x1` and each row
//! of `x2` over broadcast batch dimensions, and `pdist(input, p=2.0)`
//! (`torch.pdist`), between each pair of rows of one matrix, as ATen computes
//! them.
//!
//! `cdist` takes the path ATen's `cdist` chooses:
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
//!   for the root, as the kernel does (`Binary::PowLibm`). The gradient is
//!   the backward kernel's: each input row's gradient sums its terms over the
//!   other side's rows in order from 0, raised with SLEEF's `pow` on every
//!   element as `Vectorized::pow` does there (`Binary::PowSleef`).
//!
//! `pdist` is ATen's `map2_reduce_all` per pair (`PdistBackward0`): the terms
//! accumulated in vector lanes (8 floats, 4 doubles) block by block, the
//! last partial block into the first lanes, then the lanes added as AVX2's
//! shuffle tree adds floats (in lane order for doubles); a general `p`
//! raises every term, the partial block's too, with SLEEF's `pow`, and the
//! root with glibc's in double. Its backward kernel
//! gives each row, in order from 0, minus its term with each earlier row and
//! plus its term with each later one: the terms of the full antisymmetric
//! matrix of pairs, summed along a row.

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
        let Some(p) = self.distance_order("cdist", arg(2)) else { return Value::Poison };
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

    /// The order `p` of `name` (`cdist`, `pdist`): 2 when not given, and
    /// ATen's message for a negative one.
    fn distance_order(&mut self, name: &str, arg: Option<(Value, Span)>) -> Option<f64> {
        let Some((v, s)) = arg.filter(|(v, _)| !matches!(v, Value::None)) else { return Some(2.0) };
        let p = self.number(&v, s, "`p`")?;
        if p < 0.0 {
            self.error(
                Diagnostic::new(Code::E0107, format!("{name} only supports non-negative p values"), s, "negative")
                    .with_help("use p >= 0 (inf for the largest difference)"),
            );
            return None;
        }
        Some(p)
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
        let terms = self.node(Op::Binary(Binary::PowLibm), dt, full, &[ad, e], span);
        let agg = seq_sum(self, terms);
        let wide = self.cast_to(agg, DType::F64, span);
        let root = self.scalar(1.0 / p, DType::F64, span);
        let r = self.node(Op::Binary(Binary::PowLibm), DType::F64, pair, &[wide, root], span);
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
        let term = self.distance_term(g, rows, cols, d, p, full.clone(), span);
        // Summed over the other side's rows in order, from 0.
        let over = full.len() - 2;
        self.node(Op::Reduce { kind: ReduceKind::SeqSum, dims: vec![over], keepdim: false }, dt, sa, &[term], span)
    }

    /// The backward kernels' term of each pair for each column: the
    /// gradient `g` and distance `d` of pair (row of `rows`, row of `cols`),
    /// all broadcast to `full`.
    #[allow(clippy::too_many_arguments)]
    fn distance_term(&mut self, g: NodeId, rows: NodeId, cols: NodeId, d: NodeId, p: f64, full: Vec<usize>, span: Span) -> NodeId {
        let dt = self.dtype_of(rows);
        let node = |me: &mut Self, op: Op, args: &[NodeId]| me.node(op, dt, full.clone(), args, span);
        let scalar = |me: &mut Self, v: f64| me.scalar(v, dt, span);
        let diff = node(self, Op::Binary(Binary::Sub), &[rows, cols]);
        let sign = node(self, Op::Unary(Unary::Sign), &[diff]);
        if p == 1.0 {
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
                let powered = node(self, Op::Binary(Binary::PowSleef), &[ad, e]);
                let t = node(self, Op::Binary(Binary::Mul), &[lead, powered]);
                let t = node(self, Op::Binary(Binary::Mul), &[t, g]);
                let e1 = scalar(self, p - 1.0);
                let dp = self.node(Op::Binary(Binary::PowSleef), dt, self.shape_of(d), &[d, e1], span);
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
        }
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

impl Lowerer<'_> {
    /// `pdist(input, p=2.0)`: the distances of the rows of an `[n, m]`
    /// matrix, pair `(i, j)` with `i < j` in row-major order, `[n (n - 1) / 2]`.
    pub(crate) fn pdist_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let (xv, xs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_tensor(xv, xs, "`pdist`'s input") else { return Value::Poison };
        let Some(p) = self.distance_order("pdist", bound.positional.get(1).cloned().flatten()) else { return Value::Poison };
        let (dt, shape) = (self.dtype_of(x), self.shape_of(x));
        if shape.len() != 2 {
            return self.error(
                Diagnostic::new(Code::E0202, format!("pdist only supports 2D tensors, got: {}D", shape.len()), xs, "not a matrix")
                    .with_help("pass the points as the rows of an [n, m] matrix"),
            );
        }
        if !dt.is_float() {
            return self.error(
                Diagnostic::new(
                    Code::E0204,
                    format!("pdist only supports floating-point dtypes, got: {}", dt.torch_name()),
                    xs,
                    format!("this is {dt}"),
                )
                .with_help("convert it first with `.float()`"),
            );
        }
        let (n, m) = (shape[0], shape[1]);
        let pairs = n * n.saturating_sub(1) / 2;
        if pairs == 0 || m == 0 {
            return Value::Tensor(self.op_node(Op::Full(Scalar::of(0.0, dt)), dt, vec![pairs], &[], span, "PdistBackward0"));
        }
        let count = (pairs as u128) * (m as u128);
        if count > (1 << 26) {
            return self.error(
                Diagnostic::new(
                    Code::E0501,
                    format!("`pdist` of {n} rows of {m} would hold {count} differences; graphc forms them all, at most {}", 1u64 << 26),
                    xs,
                    "too many pairs",
                )
                .with_help("compute the distances of fewer rows at a time"),
            );
        }
        let dist = self.pdist_forward(x, p, span);
        let out = self.node(Op::Reshape, dt, vec![pairs], &[dist], span);
        let out = self.with_backward("PdistBackward0", &[x, dist], out, span, |me, grad, saved| {
            vec![Some(me.pdist_backward(grad, saved[0], saved[1], p, span)), None]
        });
        Value::Tensor(out)
    }

    /// The rows of `x` at `rows`, a constant list.
    fn rows_at(&mut self, x: NodeId, rows: &[usize], span: Span) -> NodeId {
        let (dt, m) = (self.dtype_of(x), self.shape_of(x)[1]);
        let idx: Vec<Scalar> = rows.iter().map(|&r| Scalar::Int(r as i64)).collect();
        let k = idx.len();
        let idx = self.node(Op::Literal(idx), DType::I64, vec![k, 1], &[], span);
        let spread = self.node(Op::Expand, DType::I64, vec![k, m], &[idx], span);
        self.node(Op::Index(graphc_runtime::op::IndexOp::Gather { dim: 0 }), dt, vec![k, m], &[x, spread], span)
    }

    /// `map2_reduce_all` of every pair: `[pairs]`.
    fn pdist_forward(&mut self, x: NodeId, p: f64, span: Span) -> NodeId {
        let (dt, shape) = (self.dtype_of(x), self.shape_of(x));
        let (n, m) = (shape[0], shape[1]);
        let (mut first, mut second) = (Vec::new(), Vec::new());
        for i in 0..n {
            for j in i + 1..n {
                first.push(i);
                second.push(j);
            }
        }
        let k = first.len();
        let (a, b) = (self.rows_at(x, &first, span), self.rows_at(x, &second, span));
        let diff = self.node(Op::Binary(Binary::Sub), dt, vec![k, m], &[a, b], span);
        let ad = self.node(Op::Unary(Unary::Abs), dt, vec![k, m], &[diff], span);
        // The term each difference adds.
        let terms = if p == 0.0 {
            let up = self.node(Op::Unary(Unary::Ceil), dt, vec![k, m], &[ad], span);
            let one = self.scalar(1.0, dt, span);
            self.node(Op::Binary(Binary::Minimum), dt, vec![k, m], &[up, one], span)
        } else if p == 2.0 {
            self.node(Op::Binary(Binary::Mul), dt, vec![k, m], &[ad, ad], span)
        } else if p == 1.0 || p.is_infinite() {
            ad
        } else {
            let e = self.scalar(p, dt, span);
            self.node(Op::Binary(Binary::PowSleef), dt, vec![k, m], &[ad, e], span)
        };
        let max = p.is_infinite();
        let (red, reduce) = if max { (Binary::Maximum, ReduceKind::Amax) } else { (Binary::Add, ReduceKind::SeqSum) };
        let lanes = if dt == DType::F64 { 4 } else { 8 };
        let agg = if m < lanes {
            // Lane 0 takes the others in order.
            self.node(Op::Reduce { kind: reduce, dims: vec![1], keepdim: false }, dt, vec![k], &[terms], span)
        } else {
            let (blocks, rest) = (m / lanes, m % lanes);
            let whole =
                if rest == 0 { terms } else { self.node(Op::Slice { dim: 1, start: 0, step: 1 }, dt, vec![k, blocks * lanes], &[terms], span) };
            let grouped = self.node(Op::Reshape, dt, vec![k, blocks, lanes], &[whole], span);
            let mut acc = self.node(Op::Reduce { kind: reduce, dims: vec![1], keepdim: false }, dt, vec![k, lanes], &[grouped], span);
            if rest > 0 {
                // `Vec::set`: the partial block joins the first `rest` lanes.
                let tail = self.node(Op::Slice { dim: 1, start: blocks * lanes, step: 1 }, dt, vec![k, rest], &[terms], span);
                let head = self.node(Op::Slice { dim: 1, start: 0, step: 1 }, dt, vec![k, rest], &[acc], span);
                let joined = self.node(Op::Binary(red), dt, vec![k, rest], &[head, tail], span);
                let kept = self.node(Op::Slice { dim: 1, start: rest, step: 1 }, dt, vec![k, lanes - rest], &[acc], span);
                let list = Value::List(vec![(Value::Tensor(joined), span), (Value::Tensor(kept), span)]);
                let Some(c) = self.tensor_call("cat", vec![list, Value::Number(Num::Int(1))], span) else { return acc };
                acc = c;
            }
            let lane = |me: &mut Self, l: usize| {
                let col = me.node(Op::Slice { dim: 1, start: l, step: 1 }, dt, vec![k, 1], &[acc], span);
                me.node(Op::Reshape, dt, vec![k], &[col], span)
            };
            let join = |me: &mut Self, a: NodeId, b: NodeId| me.node(Op::Binary(red), dt, vec![k], &[a, b], span);
            if lanes == 8 {
                // AVX2's tree: halves, then pairs, then neighbours.
                let v: Vec<NodeId> = (0..8).map(|l| lane(self, l)).collect();
                let h: Vec<NodeId> = (0..4).map(|l| join(self, v[l], v[l + 4])).collect();
                let (q0, q1) = (join(self, h[0], h[2]), join(self, h[1], h[3]));
                join(self, q0, q1)
            } else {
                let mut total = lane(self, 0);
                for l in 1..lanes {
                    let next = lane(self, l);
                    total = join(self, total, next);
                }
                total
            }
        };
        if p == 2.0 {
            self.node(Op::Unary(Unary::Sqrt), dt, vec![k], &[agg], span)
        } else if p == 0.0 || p == 1.0 || p.is_infinite() {
            agg
        } else {
            let wide = self.cast_to(agg, DType::F64, span);
            let root = self.scalar(1.0 / p, DType::F64, span);
            let r = self.node(Op::Binary(Binary::PowLibm), DType::F64, vec![k], &[wide, root], span);
            self.cast_to(r, dt, span)
        }
    }

    /// The backward kernel's gradient of `x` (`[n, m]`) from the pairs'
    /// gradient and distances: each row's terms with every other row, in row
    /// order (the term with an earlier row is minus that row's term with this one).
    fn pdist_backward(&mut self, grad: NodeId, x: NodeId, dist: NodeId, p: f64, span: Span) -> NodeId {
        let (dt, shape) = (self.dtype_of(x), self.shape_of(x));
        let (n, m) = (shape[0], shape[1]);
        if p == 0.0 {
            return self.node(Op::Full(Scalar::of(0.0, dt)), dt, shape, &[], span);
        }
        // The condensed position of pair (i, j) in a full matrix, the diagonal
        // reading an appended zero.
        let pairs = n * (n - 1) / 2;
        let mut at = Vec::with_capacity(n * n);
        for i in 0..n {
            for j in 0..n {
                let (a, b) = (i.min(j), i.max(j));
                let k = if a == b { pairs } else { a * n - a * (a + 1) / 2 + (b - a - 1) };
                at.push(Scalar::Int(k as i64));
            }
        }
        let at = self.node(Op::Literal(at), DType::I64, vec![n * n], &[], span);
        let zero1 = self.node(Op::Full(Scalar::of(0.0, dt)), dt, vec![1], &[], span);
        let full = |me: &mut Self, v: NodeId| -> Option<NodeId> {
            let list = Value::List(vec![(Value::Tensor(v), span), (Value::Tensor(zero1), span)]);
            let ext = me.tensor_call("cat", vec![list, Value::Number(Num::Int(0))], span)?;
            let picked = me.node(Op::Index(graphc_runtime::op::IndexOp::Gather { dim: 0 }), dt, vec![n * n], &[ext, at], span);
            Some(me.node(Op::Reshape, dt, vec![n, n, 1], &[picked], span))
        };
        let (Some(g), Some(d)) = (full(self, grad), full(self, dist)) else {
            return self.node(Op::Full(Scalar::of(0.0, dt)), dt, shape, &[], span);
        };
        let rows = self.node(Op::Reshape, dt, vec![n, 1, m], &[x], span);
        let cols = self.node(Op::Reshape, dt, vec![1, n, m], &[x], span);
        let term = self.distance_term(g, rows, cols, d, p, vec![n, n, m], span);
        self.node(Op::Reduce { kind: ReduceKind::SeqSum, dims: vec![1], keepdim: false }, dt, shape, &[term], span)
    }
}
