//! Several parameter groups: `AdamW([{"params": decay, "weight_decay": 0.1},
//! {"params": no_decay, "weight_decay": 0.0}], lr=6e-4)`, as nanoGPT's
//! `configure_optimizers` and most fine-tuning scripts make their optimizer.
//!
//! Each group is an optimizer of the table of its own, made from the
//! constructor's options with the group's keys in their place (PyTorch fills a
//! group's missing options from the constructor's defaults the same way); the
//! first is the optimizer the program holds, and lists the others in its
//! `groups`. `step()` and `zero_grad()` run over the groups in order, as
//! PyTorch's loop over `param_groups` does, and `opt.param_groups` lists one
//! group value for each. The updates of different groups touch different
//! parameters, so running them one group after the other computes what
//! PyTorch computes. Schedulers take optimizers of one group (E0685).

use super::super::{Lowerer, Value};
use super::Kind;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{Ident, Span};

/// Whether the `params` argument of an optimizer's call is a list of dicts.
pub(super) fn grouped(args: &[(Option<Ident>, Value, Span)]) -> bool {
    let params = args.iter().find(|(n, _, _)| n.as_ref().is_some_and(|n| n.name == "params")).or_else(|| args.iter().find(|(n, _, _)| n.is_none()));
    matches!(params, Some((_, Value::List(items) | Value::Tuple(items), _)) if items.first().is_some_and(|(v, _)| matches!(v, Value::Dict { .. })))
}

impl Lowerer<'_> {
    /// `Kind(groups, **options)`: one optimizer per group; the first, which
    /// lists the others, is the value the call gives.
    pub(super) fn make_grouped_optimizer(&mut self, kind: Kind, callee: &Ident, args: Vec<(Option<Ident>, Value, Span)>, span: Span) -> Value {
        let names = super::args::options(kind);
        // The constructor's options by name (positional ones after `params` named
        // by PyTorch's order), which each group's keys replace.
        let mut groups_value = None;
        let mut options: Vec<(Option<Ident>, Value, Span)> = Vec::new();
        let mut positional = 0;
        for (n, v, s) in args {
            match &n {
                Some(n) if n.name == "params" => groups_value = Some((v, s)),
                Some(_) => options.push((n, v, s)),
                None if positional == 0 => {
                    positional += 1;
                    groups_value = Some((v, s));
                }
                None => {
                    positional += 1;
                    // Too many positional options: `optimizer_args` reports it.
                    let name = names.get(positional - 2).map(|o| Ident { name: o.to_string(), span: s });
                    options.push((name, v, s));
                }
            }
        }
        let Some((Value::List(groups) | Value::Tuple(groups), groups_span)) = groups_value else { return Value::Poison };
        // `opt.defaults`: the constructor's options alone.
        let mut per_group = Vec::new();
        for (g, gs) in groups {
            let Value::Dict { keys, items } = g else {
                return self.error(
                    Diagnostic::new(Code::E0681, format!("a parameter group is a dict, not {}", g.describe()), gs, "not a dict")
                        .with_help("write every group as a dict: `[{\"params\": [w]}, {\"params\": [b], \"weight_decay\": 0.0}]`"),
                );
            };
            let mut params = None;
            let mut group_args = options.clone();
            for (k, (v, vs)) in keys.into_iter().zip(items) {
                let Value::Str(k) = k else {
                    return self.error(
                        Diagnostic::new(Code::E0681, "a parameter group's keys are option names", vs, "not a string key")
                            .with_help("key the group by `\"params\"` and option names such as `\"lr\"`"),
                    );
                };
                if k == "params" {
                    // PyTorch takes one tensor as a group of one.
                    params = Some(match v {
                        Value::Tensor(_) => (Value::List(vec![(v, vs)]), vs),
                        other => (other, vs),
                    });
                    continue;
                }
                group_args.retain(|(n, _, _)| n.as_ref().is_none_or(|n| n.name != k));
                group_args.push((Some(Ident { name: k, span: vs }), v, vs));
            }
            let Some((p, ps)) = params else {
                return self.error(
                    Diagnostic::new(
                        Code::E0681,
                        "parameter group didn't specify a value of required optimization parameter params",
                        gs,
                        "no `\"params\"`",
                    )
                    .with_help("give each group its tensors: `{\"params\": [w, b]}`"),
                );
            };
            group_args.insert(0, (None, p, ps));
            per_group.push(group_args);
        }
        if per_group.is_empty() {
            return self.error(
                Diagnostic::new(Code::E0681, "the optimizer got an empty parameter list", groups_span, "empty")
                    .with_help("list the groups, each a dict with its `\"params\"`"),
            );
        }
        let mut made = Vec::new();
        for group_args in per_group {
            let Some((params, hyper)) = self.optimizer_args(kind, callee, group_args, span) else { return Value::Poison };
            made.push((params, hyper));
        }
        // PyTorch refuses a tensor in two groups.
        for (g, (params, _)) in made.iter().enumerate() {
            if made[..g].iter().any(|(earlier, _)| params.iter().any(|p| earlier.contains(p))) {
                return self.error(
                    Diagnostic::new(Code::E0681, "some parameters appear in more than one parameter group", groups_span, "a tensor in two groups")
                        .with_help("give each tensor to one group"),
                );
            }
        }
        let first_params = made[0].0.iter().map(|&n| (Value::Tensor(n), groups_span)).collect();
        let mut alone = options.clone();
        alone.insert(0, (None, Value::List(first_params), groups_span));
        let Some((_, defaults)) = self.optimizer_args(kind, callee, alone, span) else { return Value::Poison };
        let first = self.optim.optimizers.len();
        let count = made.len();
        for (params, hyper) in made {
            self.push_optimizer(kind, params, hyper, defaults.clone(), span);
        }
        self.optim.optimizers[first].groups = (first..first + count).collect();
        Value::Optimizer(first)
    }

    /// The optimizers of `k`'s groups, in order (`k` alone for one group).
    pub(crate) fn optimizer_groups(&self, k: usize) -> Vec<usize> {
        self.optim.optimizers[k].groups.clone()
    }
}
