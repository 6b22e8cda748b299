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
//! PyTorch computes. A scheduler of such an optimizer is one scheduler per
//! group under a parent that steps them in order, as PyTorch's scheduler keeps
//! one rate (and one `initial_lr`) per group.

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
        // Each group's arguments: its tensors, then the constructor's options with its keys in their place.
        let mut per_group = Vec::new();
        for (g, gs) in groups {
            let Value::Dict { keys, items, .. } = g else {
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
        // `opt.defaults`: the constructor's options alone (read with the first
        // group's tensors, which the call needs and the options do not depend on).
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

    /// A scheduler of optimizer `k` of several groups (its optimizer argument at
    /// `at`, the other arguments in `b`): one scheduler per group, made with the
    /// same arguments (or, for `LambdaLR`'s list of functions, the group's
    /// own), under a parent that steps them in order.
    pub(super) fn make_grouped_scheduler(
        &mut self,
        name: &'static str,
        callee: &Ident,
        k: usize,
        at: Span,
        b: super::schedulers::Bound,
        span: Span,
    ) -> Value {
        let groups = self.optimizer_groups(k);
        if matches!(name, "SequentialLR" | "ChainedScheduler") {
            return self.error(
                Diagnostic::new(Code::E0685, format!("graphc's `{name}` takes an optimizer of one parameter group"), at, "several groups")
                    .with_help("give its child schedulers the optimizer, and step them yourself"),
            );
        }
        let args = b.into_keywords();
        // `LambdaLR(opt, [f0, f1])`: one function per group, as PyTorch takes them.
        let per_group: Option<Vec<(Value, Span)>> = args.iter().find_map(|(n, v, _)| match (n.as_ref().map(|n| n.name.as_str()), v) {
            (Some("lr_lambda"), Value::List(items) | Value::Tuple(items)) => Some(items.clone()),
            _ => None,
        });
        if let Some(fs) = &per_group {
            if fs.len() != groups.len() {
                let s = args.iter().find(|(n, _, _)| n.as_ref().is_some_and(|n| n.name == "lr_lambda")).map_or(at, |(_, _, s)| *s);
                return self.error(
                    Diagnostic::new(Code::E0680, format!("Expected {} lr_lambdas, but got {}", groups.len(), fs.len()), s, "one function per group")
                        .with_help("give one function for every parameter group, or one for all"),
                );
            }
        }
        // While its groups' schedulers are made, the first group is an optimizer of one group.
        self.optim.optimizers[k].groups = vec![k];
        let mut children = Vec::new();
        let mut failed = false;
        for (i, &g) in groups.iter().enumerate() {
            let mut child_args: Vec<(Option<Ident>, Value, Span)> =
                vec![(Some(Ident { name: "optimizer".to_string(), span: at }), Value::Optimizer(g), at)];
            for (n, v, s) in &args {
                let v = match (&per_group, n.as_ref().map(|n| n.name.as_str())) {
                    (Some(fs), Some("lr_lambda")) => fs[i].0.clone(),
                    _ => v.clone(),
                };
                child_args.push((n.clone(), v, *s));
            }
            match self.make_scheduler(name, callee, child_args, span) {
                Value::Scheduler(c) => children.push(c),
                _ => {
                    failed = true;
                    break;
                }
            }
        }
        self.optim.optimizers[k].groups = groups;
        if failed {
            return Value::Poison;
        }
        let first = self.optim.schedulers[children[0]].clone();
        self.optim.schedulers.push(super::schedulers::Scheduler {
            name,
            schedule: super::schedulers::Schedule::Grouped(children),
            optimizer: k,
            last_epoch: first.last_epoch,
            base_lr: first.base_lr,
            plateau: None,
            restarts: None,
        });
        Value::Scheduler(self.optim.schedulers.len() - 1)
    }

    /// The optimizers of `k`'s groups, in order (`k` alone for one group).
    pub(crate) fn optimizer_groups(&self, k: usize) -> Vec<usize> {
        self.optim.optimizers[k].groups.clone()
    }
}
