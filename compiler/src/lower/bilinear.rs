//! `bilinear(input1, input2, weight, bias=none)` (`F.bilinear`, and the
//! `Bilinear` module's forward): `y[..., o] = x1 . weight[o] . x2 + bias[o]`,
//! after ATen's checks (their messages) and in its order: the inputs
//! flattened to rows, `_trilinear`'s two contractions (`x1 @ weight[o]` for
//! every `o` as one matrix product, then each row's dot product with `x2`),
//! reshaped to the inputs' batch shape (`ViewBackward0`), plus the bias
//! (`AddBackward0`). The backward is `_trilinear_backward`'s, the backward of
//! a call: for `x1`, `(grad[:, o] * weight[o]) @ x2` per row, added over `o`
//! in order; for the weight, `(x1 * grad[:, o])^T @ x2`; for `x2`,
//! `(x1 @ weight[o]) * grad[:, o]`, added over `o` in order. Measured with
//! `save`: every bit of PyTorch 2.15's output and of all five gradients for
//! `Bilinear(16, 12, 8)` on 64 rows (3,848 numbers).

use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// `bilinear(input1, input2, weight, bias=none)`.
    pub(super) fn bilinear_call(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional.get(i).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None));
        let mut ts = Vec::new();
        for (i, what) in ["input1", "input2", "weight"].iter().enumerate() {
            let (v, s) = bound.positional[i].clone().expect("bind guarantees the tensors");
            let Some(t) = self.expect_float_tensor(v, s, &format!("`bilinear`'s {what}")) else { return Value::Poison };
            ts.push((t, s));
        }
        let bias = match arg(3) {
            None => None,
            Some((v, s)) => match self.expect_float_tensor(v, s, "`bilinear`'s bias") {
                Some(b) => Some((b, s)),
                None => return Value::Poison,
            },
        };
        for w in ts.windows(2).map(|w| (w[0], w[1])).chain(bias.map(|b| (ts[0], b))) {
            if !self.loss_dtypes_agree("bilinear", w.0, w.1) {
                return Value::Poison;
            }
        }
        let [(x1, s1), (x2, s2), (w, sw)] = [ts[0], ts[1], ts[2]];
        let (a, b, wsh) = (self.shape_of(x1), self.shape_of(x2), self.shape_of(w));
        let fail = |me: &mut Self, message: String, at: Span, shown: &[usize]| {
            me.error(
                Diagnostic::new(Code::E0202, message, at, format!("of shape {}", shapes::show(shown)))
                    .with_help("give inputs [..., in1] and [..., in2] with one batch shape, a weight [out, in1, in2] and a bias [out]"),
            )
        };
        if a.len() != b.len() || a.is_empty() {
            return fail(self, format!("bilinear(): input dimensions do not match: got {} and {}", a.len(), b.len()), s2, &b);
        }
        if let Some(i) = (0..a.len() - 1).find(|&i| a[i] != b[i]) {
            return fail(self, format!("bilinear(): input batch dimensions do not match at dim {i}: got {} and {}", a[i], b[i]), s2, &b);
        }
        if wsh.len() != 3 {
            return fail(self, format!("bilinear(): weight must be 3-dimensional, not {}-dimensional", wsh.len()), sw, &wsh);
        }
        let (i1, i2, o) = (a[a.len() - 1], b[b.len() - 1], wsh[0]);
        if i1 != wsh[1] {
            return fail(self, format!("bilinear(): input1 size does not match weight size: got {i1} but expected {}", wsh[1]), s1, &a);
        }
        if i2 != wsh[2] {
            return fail(self, format!("bilinear(): input2 size does not match weight size: got {i2} but expected {}", wsh[2]), s2, &b);
        }
        if let Some((bt, sb)) = bias {
            let bsh = self.shape_of(bt);
            if bsh.first() != Some(&o) {
                let got = bsh.first().map_or("none".to_string(), |d| d.to_string());
                return fail(self, format!("bilinear(): bias size does not match weight size: got {got} but expected {o}"), sb, &bsh);
            }
        }
        let n: usize = a[..a.len() - 1].iter().product();
        let dt = self.dtype_of(x1);
        let int = |k: usize| Value::Number(Num::Int(k as i128));
        let t = Value::Tensor;
        let steps = (|| {
            let r1 = self.tensor_call("reshape", vec![t(x1), int(n), int(i1)], span)?;
            let r2 = self.tensor_call("reshape", vec![t(x2), int(n), int(i2)], span)?;
            // `_trilinear`'s forward: per output feature `x1 @ weight[o]`, then
            // each row's dot product with `x2`.
            let (fa, fw, fb) = (r1, w, r2);
            let tri = (|| {
                let wp = self.tensor_call("permute", vec![t(fw), int(1), int(0), int(2)], span)?;
                let wf = self.tensor_call("reshape", vec![t(wp), int(i1), int(o * i2)], span)?;
                let left = self.tensor_call("matmul", vec![t(fa), t(wf)], span)?;
                let left = self.tensor_call("reshape", vec![t(left), int(n), int(o), int(i2)], span)?;
                let col = self.tensor_call("reshape", vec![t(fb), int(n), int(i2), int(1)], span)?;
                let both = self.tensor_call("matmul", vec![t(left), t(col)], span)?;
                self.tensor_call("reshape", vec![t(both), int(n), int(o)], span)
            })()?;
            let tri = self.with_backward("TrilinearBackward0", &[r1, w, r2], tri, span, |me, grad, p| {
                let (x1, w, x2) = (p[0], p[1], p[2]);
                let back = |me: &mut Self| -> Option<Vec<Option<crate::ir::graph::NodeId>>> {
                    let gt = me.tensor_call("t", vec![t(grad)], span)?;
                    let g_col = me.tensor_call("reshape", vec![t(gt), int(o), int(n), int(1)], span)?;
                    // x1's: for each o, `(grad[:, o] * weight[o]) @ x2` per row, added over o in order.
                    let g4 = me.tensor_call("reshape", vec![t(grad), int(n), int(o), int(1), int(1)], span)?;
                    let w4 = me.tensor_call("reshape", vec![t(w), int(1), int(o), int(i1), int(i2)], span)?;
                    let prod = me.tensor_call("mul", vec![t(g4), t(w4)], span)?;
                    let x2c = me.tensor_call("reshape", vec![t(x2), int(n), int(1), int(i2), int(1)], span)?;
                    let inner = me.tensor_call("matmul", vec![t(prod), t(x2c)], span)?;
                    let op = graphc_runtime::Op::Reduce { kind: graphc_runtime::op::ReduceKind::SeqSum, dims: vec![1], keepdim: false };
                    let summed = me.node(op, dt, vec![n, i1, 1], &[inner], span);
                    let g_x1 = me.tensor_call("reshape", vec![t(summed), int(n), int(i1)], span)?;
                    // weight's: for each o, `(x1 * grad[:, o])^T @ x2`.
                    let x1r = me.tensor_call("reshape", vec![t(x1), int(1), int(n), int(i1)], span)?;
                    let scaled = me.tensor_call("mul", vec![t(g_col), t(x1r)], span)?;
                    let st = me.tensor_call("transpose", vec![t(scaled), int(1), int(2)], span)?;
                    let g_w = me.tensor_call("matmul", vec![t(st), t(x2)], span)?;
                    // x2's: for each o, `(x1 @ weight[o]) * grad[:, o]`, added over o in order.
                    let xw = me.tensor_call("matmul", vec![t(x1), t(w)], span)?;
                    let xg = me.tensor_call("mul", vec![t(xw), t(g_col)], span)?;
                    let op = graphc_runtime::Op::Reduce { kind: graphc_runtime::op::ReduceKind::SeqSum, dims: vec![0], keepdim: false };
                    let g_x2 = me.node(op, dt, vec![n, i2], &[xg], span);
                    Some(vec![Some(g_x1), Some(g_w), Some(g_x2)])
                };
                back(me).unwrap_or_else(|| vec![None, None, None])
            });
            let mut size: Vec<usize> = a[..a.len() - 1].to_vec();
            size.push(o);
            let out = self.op_node(graphc_runtime::Op::Reshape, dt, size, &[tri], span, "ViewBackward0");
            match bias {
                Some((bt, _)) => self.tensor_call("add", vec![t(out), t(bt)], span),
                None => Some(out),
            }
        })();
        steps.map_or(Value::Poison, Value::Tensor)
    }
}
