//! Lowering of `group_norm(input, num_groups, weight=none, bias=none,
//! eps=1e-5)` (`torch.nn.functional.group_norm`): one `Op::GroupNorm` node, as
//! PyTorch computes it with a kernel of its own, after PyTorch's checks,
//! whose messages the errors repeat.

use graphc_runtime::op::{F64Bits, GroupNorm, LayerNormPart};
use graphc_runtime::Op;

use super::layer_norm_calls::brackets;
use super::{Lowerer, Num, Value};
use crate::check::builtins::Bound;
use crate::check::shapes;
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::Span;

impl Lowerer<'_> {
    /// `group_norm(input, num_groups, weight=none, bias=none, eps=1e-5)`.
    pub(crate) fn group_norm(&mut self, bound: &Bound<Value>, span: Span) -> Value {
        let arg = |i: usize| bound.positional.get(i).cloned().flatten().filter(|(v, _)| !matches!(v, Value::None));
        let (v, vs) = bound.positional[0].clone().expect("bind guarantees input");
        let Some(x) = self.expect_float_tensor(v, vs, "`group_norm`'s input") else { return Value::Poison };
        let (gv, gs) = arg(1).expect("bind guarantees num_groups");
        let groups = match gv {
            Value::Number(Num::Int(g)) if g > 0 && g < 1 << 16 => g as usize,
            Value::Poison => return Value::Poison,
            other => {
                return self.error(
                    Diagnostic::new(Code::E0107, format!("`num_groups` must be a positive int, not {}", other.describe()), gs, "not a group count")
                        .with_help("give the number of groups the channels are split into, such as `group_norm(x, 4)`"),
                )
            }
        };
        let Some(eps) = self.number_or(arg(4), 1e-5, "`eps`") else { return Value::Poison };
        let xsh = self.shape_of(x);
        if xsh.len() < 2 {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("Expected at least 2 dimensions for input tensor but received {}", xsh.len()),
                    vs,
                    format!("of shape {}", shapes::show(&xsh)),
                )
                .with_help("pass (N, C, *): a batch of samples with their channels first"),
            );
        }
        let c = xsh[1];
        if !c.is_multiple_of(groups) {
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!(
                        "Expected number of channels in input to be divisible by num_groups, but got input of shape {} and num_groups={groups}",
                        brackets(&xsh)
                    ),
                    gs,
                    format!("{c} channels do not split into {groups} groups"),
                )
                .with_secondary(vs, format!("of shape {}", shapes::show(&xsh))),
            );
        }
        // `F.group_norm`'s `_verify_batch_size`: one value per group cannot be normalized.
        let per_group = xsh[0] * (c / groups) * xsh[2..].iter().product::<usize>();
        if per_group == 1 {
            let sizes: Vec<usize> = [xsh[0] * c / groups, groups].into_iter().chain(xsh[2..].iter().copied()).collect();
            return self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!("Expected more than 1 value per channel when training, got input size torch.Size({})", brackets(&sizes)),
                    vs,
                    "one value per group",
                )
                .with_help("give each group more than one value: fewer groups, or a larger input"),
            );
        }
        let Some(weight) = self.group_norm_param(arg(2), "weight", c, x) else { return Value::Poison };
        let Some(bias) = self.group_norm_param(arg(3), "bias", c, x) else { return Value::Poison };
        let part = LayerNormPart::Forward { weight: weight.is_some(), bias: bias.is_some() };
        let op = Op::GroupNorm(GroupNorm { groups, eps: F64Bits::new(eps), part });
        let args: Vec<NodeId> = [Some(x), weight, bias].into_iter().flatten().collect();
        Value::Tensor(self.op_node(op, self.dtype_of(x), xsh, &args, span, "NativeGroupNormBackward0"))
    }

    /// The weight or the bias: none, or a float vector of `x`'s dtype with one
    /// value per channel. `Some(None)` when it is not given.
    fn group_norm_param(&mut self, arg: Option<(Value, Span)>, name: &str, channels: usize, x: NodeId) -> Option<Option<NodeId>> {
        let Some((v, s)) = arg else { return Some(None) };
        let p = self.expect_float_tensor(v, s, &format!("`group_norm`'s {name}"))?;
        let psh = self.shape_of(p);
        if psh != [channels] {
            self.error(
                Diagnostic::new(
                    Code::E0202,
                    format!(
                        "Expected {name} to be a vector of size equal to the number of channels in input, but got {name} of shape {} and input of shape {}",
                        brackets(&psh),
                        brackets(&self.shape_of(x))
                    ),
                    s,
                    format!("of shape {}", shapes::show(&psh)),
                )
                .with_help(format!("give one value per channel, {channels} of them, as nn.GroupNorm makes it")),
            );
            return None;
        }
        self.same_dtype_as_input("group_norm", name, p, s, x).then_some(Some(p))
    }
}
