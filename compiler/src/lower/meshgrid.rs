//! `meshgrid(*tensors, indexing="ij")` (`torch.meshgrid`): ATen's loop, each
//! 0-d or 1-d input viewed along its own dimension and expanded to the grid's
//! shape, the first two inputs (and then the first two outputs) swapped for
//! `indexing="xy"`. The outputs are views (`ExpandBackward0`), as a tuple.
//! PyTorch warns when `indexing` is left out and uses `"ij"`; so does graphc,
//! without the warning.

use super::{Lowerer, Num, Value};
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{Ident, Span};

impl Lowerer<'_> {
    /// `meshgrid(a, b, ..., indexing=...)`, the tensors spread or in one list.
    pub(super) fn meshgrid_call(&mut self, args: Vec<(Option<Ident>, Value, Span)>, span: Span) -> Value {
        let mut indexing = "ij".to_string();
        let mut items = Vec::new();
        for (k, v, s) in args {
            match (k, v) {
                (Some(k), Value::Str(i)) if k.name == "indexing" && (i == "ij" || i == "xy") => indexing = i,
                (Some(k), other) => {
                    // A string shows as written; other values by their kind.
                    let given = match &other {
                        Value::Str(text) => format!("{text:?}"),
                        other => other.describe().to_string(),
                    };
                    return self.error(
                        Diagnostic::new(
                            Code::E0104,
                            format!("`meshgrid` takes `indexing=\"ij\"` or `\"xy\"`, not `{}={given}`", k.name),
                            s,
                            "not an option",
                        )
                        .with_help("write `meshgrid(x, y, indexing=\"ij\")` (matrix indexing) or `indexing=\"xy\"` (Cartesian)"),
                    );
                }
                (None, Value::List(ts) | Value::Tuple(ts)) => items.extend(ts),
                (None, v) => items.push((v, s)),
            }
        }
        let mut inputs: Vec<(NodeId, Span)> = Vec::new();
        for (v, s) in items {
            let Some(t) = self.expect_tensor(v, s, "an input of `meshgrid`") else { return Value::Poison };
            if self.shape_of(t).len() > 1 {
                return self.error(
                    Diagnostic::new(
                        Code::E0221,
                        format!("`meshgrid` takes 0-d or 1-d tensors, not one of shape {:?}", self.shape_of(t)),
                        s,
                        "more than 1-d",
                    )
                    .with_help("flatten the input first, as PyTorch's meshgrid expects 0D or 1D tensors"),
                );
            }
            inputs.push((t, s));
        }
        if inputs.is_empty() {
            return self.error(
                Diagnostic::new(Code::E0103, "`meshgrid` needs at least one tensor", span, "no tensors")
                    .with_help("write `meshgrid(x, y, indexing=\"ij\")`"),
            );
        }
        let swap = indexing == "xy" && inputs.len() >= 2;
        if swap {
            inputs.swap(0, 1);
        }
        let shape: Vec<usize> = inputs.iter().map(|&(t, _)| self.shape_of(t).iter().product()).collect();
        let int = |n: i128| Value::Number(Num::Int(n));
        let mut grids = Vec::with_capacity(inputs.len());
        for (i, &(t, s)) in inputs.iter().enumerate() {
            let view: Vec<(Value, Span)> = (0..shape.len()).map(|j| (int(if j == i { -1 } else { 1 }), s)).collect();
            let viewed = self.reshape_call(t, view, span, true);
            let Value::Tensor(v) = viewed else { return Value::Poison };
            let sizes: Vec<(Value, Span)> = shape.iter().map(|&n| (int(n as i128), s)).collect();
            grids.push((self.expand_call(v, sizes, span), span));
        }
        if swap {
            grids.swap(0, 1);
        }
        Value::Tuple(grids)
    }
}
