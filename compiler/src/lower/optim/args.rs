//! The arguments of `SGD(...)`, `Adam(...)` and the other optimizers: PyTorch's
//! signatures, defaults and the checks its constructors make
//! (`ValueError: Invalid learning rate: -0.1`, ...), reported at compile time.

use super::super::{Lowerer, Value};
use super::{Hyper, Kind};
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{Ident, Span};

/// The options each optimizer takes after `params`, in PyTorch's positional order.
pub(super) fn options(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Sgd => &["lr", "momentum", "dampening", "weight_decay", "nesterov"],
        Kind::Adam | Kind::AdamW => &["lr", "betas", "eps", "weight_decay", "amsgrad"],
        Kind::RmsProp => &["lr", "alpha", "eps", "weight_decay", "momentum", "centered"],
        Kind::Adagrad => &["lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"],
        Kind::NAdam => &["lr", "betas", "eps", "weight_decay", "momentum_decay", "decoupled_weight_decay"],
        Kind::RAdam => &["lr", "betas", "eps", "weight_decay", "decoupled_weight_decay"],
        Kind::Adadelta => &["lr", "rho", "eps", "weight_decay"],
        Kind::Adamax => &["lr", "betas", "eps", "weight_decay"],
        // ASGD's `maximize` follows `foreach` positionally; graphc takes it by name.
        Kind::Asgd => &["lr", "lambd", "alpha", "t0", "weight_decay"],
        Kind::Rprop => &["lr", "etas", "step_sizes"],
    }
}

/// The options every optimizer takes by keyword only (after PyTorch's `*`).
const KEYWORD_ONLY: &[&str] = &["maximize", "foreach"];

/// PyTorch options graphc does not implement: each changes which code path runs.
const UNSUPPORTED: &[&str] = &["capturable", "differentiable", "fused", "decoupled_weight_decay"];

/// The optimizers whose `foreach=True` code path (`torch._foreach_*` on every
/// parameter at once) gives the single-tensor path's bits on the CPU,
/// measured with PyTorch 2.15 (20 steps of f32 and f64 parameters with
/// weight decay, momentum, `amsgrad`, `centered` and `lr_decay`); SGD, NAdam,
/// RAdam and ASGD round some steps otherwise on that path.
pub(super) const FOREACH_SAME: &[Kind] = &[Kind::Adam, Kind::AdamW, Kind::RmsProp, Kind::Adagrad, Kind::Adadelta, Kind::Adamax, Kind::Rprop];

/// PyTorch's defaults for `kind`, and which of them are Python ints.
pub(super) fn defaults(kind: Kind) -> Hyper {
    let (lr, weight_decay) = match kind {
        Kind::Sgd => (1e-3, 0.0),
        Kind::Adam => (1e-3, 0.0),
        Kind::AdamW => (1e-3, 1e-2),
        Kind::RmsProp | Kind::Adagrad | Kind::Asgd | Kind::Rprop => (1e-2, 0.0),
        Kind::NAdam | Kind::Adamax => (2e-3, 0.0),
        Kind::RAdam => (1e-3, 0.0),
        Kind::Adadelta => (1.0, 0.0),
    };
    // PyTorch's defaults `momentum=0`, `dampening=0` and `weight_decay=0` are ints.
    let ints = match kind {
        Kind::Sgd => vec!["momentum", "dampening", "weight_decay"],
        Kind::Adam => vec!["weight_decay"],
        Kind::AdamW => vec![],
        Kind::RmsProp => vec!["weight_decay", "momentum"],
        Kind::Adagrad => vec!["lr_decay", "weight_decay", "initial_accumulator_value"],
        Kind::NAdam | Kind::RAdam | Kind::Adadelta | Kind::Adamax | Kind::Asgd => vec!["weight_decay"],
        Kind::Rprop => vec!["step_sizes.1"],
    };
    let eps = match kind {
        Kind::Adagrad => 1e-10,
        Kind::Adadelta => 1e-6,
        _ => 1e-8,
    };
    Hyper {
        lr,
        lr_node: None,
        momentum: 0.0,
        dampening: 0.0,
        weight_decay,
        nesterov: false,
        betas: (0.9, 0.999),
        eps,
        amsgrad: false,
        alpha: if kind == Kind::Asgd { 0.75 } else { 0.99 },
        rho: 0.9,
        lambd: 1e-4,
        t0: 1e6,
        etas: (0.5, 1.2),
        step_sizes: (1e-6, 50.0),
        centered: false,
        lr_decay: 0.0,
        initial_accumulator_value: 0.0,
        cycled_momentum: None,
        momentum_decay: 4e-3,
        decoupled_weight_decay: false,
        maximize: false,
        foreach: None,
        ints,
    }
}

impl Lowerer<'_> {
    /// Binds and checks the constructor's arguments: the parameters and the hyperparameters.
    pub(super) fn optimizer_args(
        &mut self,
        kind: Kind,
        callee: &Ident,
        args: Vec<(Option<Ident>, Value, Span)>,
        span: Span,
    ) -> Option<(Vec<NodeId>, Hyper)> {
        let names = options(kind);
        let mut params = None;
        let mut given: Vec<(&'static str, Value, Span)> = Vec::new();
        let mut positional = 0;
        let mut failed = false;
        for (name, value, s) in args {
            let slot = match &name {
                None => {
                    positional += 1;
                    if positional == 1 {
                        params = Some((value, s));
                        continue;
                    }
                    names.get(positional - 2).copied()
                }
                Some(n) if n.name == "params" => {
                    params = Some((value, s));
                    continue;
                }
                Some(n) => names.iter().chain(KEYWORD_ONLY).find(|o| **o == n.name).copied(),
            };
            let Some(slot) = slot else {
                failed = true;
                self.unknown_option(kind, name.as_ref(), s);
                continue;
            };
            if given.iter().any(|(g, _, _)| *g == slot) {
                failed = true;
                self.error(
                    Diagnostic::new(Code::E0680, format!("`{slot}` is given twice"), s, "given again here")
                        .with_help(format!("give each option of `{}` once", kind.name())),
                );
                continue;
            }
            given.push((slot, value, s));
        }
        let Some((params, params_span)) = params else {
            self.error(
                Diagnostic::new(Code::E0681, format!("`{}` needs the parameters to optimize", kind.name()), callee.span, "no parameters")
                    .with_help(format!("pass a list of tensors that require grad: `{}([w, b], lr=0.01)`", kind.name())),
            );
            return None;
        };
        let params = self.optimizer_params(kind, params, params_span);
        let mut h = defaults(kind);
        let spans: Vec<(&'static str, Span)> = given.iter().map(|(slot, _, s)| (*slot, *s)).collect();
        for (slot, value, s) in given {
            failed |= self.set_option(&mut h, slot, value, s).is_none();
        }
        if h.foreach == Some(true) && !FOREACH_SAME.contains(&kind) {
            let at = spans.iter().find(|(slot, _)| *slot == "foreach").map_or(span, |(_, s)| *s);
            self.error(
                Diagnostic::new(Code::E0680, format!("graphc's `{}` does not support `foreach=True`", kind.name()), at, "not supported")
                    .with_help("leave `foreach` out: PyTorch's `_foreach_*` path of this optimizer rounds some steps otherwise than its single-tensor path, which graphc runs (and which PyTorch takes on the CPU by default)"),
            );
            failed = true;
        }
        failed = failed || !self.check_ranges(kind, &h, &spans, span);
        match (params, failed) {
            (Some(p), false) => Some((p, h)),
            _ => None,
        }
    }

    fn unknown_option(&mut self, kind: Kind, name: Option<&Ident>, s: Span) {
        let list = options(kind).iter().chain(KEYWORD_ONLY).map(|o| format!("`{o}`")).collect::<Vec<_>>().join(", ");
        let d = match name {
            Some(n) if UNSUPPORTED.contains(&n.name.as_str()) => {
                Diagnostic::new(Code::E0680, format!("graphc's `{}` does not support `{}`", kind.name(), n.name), n.span, "not supported")
                    .with_help(format!("remove it: graphc runs PyTorch's single-tensor CPU code path, with the options {list}"))
            }
            Some(n) => Diagnostic::new(Code::E0680, format!("`{}` has no option `{}`", kind.name(), n.name), n.span, "unknown option")
                .with_help(format!("its options are {list}")),
            None => Diagnostic::new(Code::E0680, format!("too many arguments for `{}`", kind.name()), s, "unexpected argument")
                .with_help(format!("after the parameters it takes {list}, best given by name")),
        };
        self.error(d);
    }

    /// The parameters: a list or tuple of distinct floating-point leaves that require grad.
    fn optimizer_params(&mut self, kind: Kind, v: Value, s: Span) -> Option<Vec<NodeId>> {
        let items = match v {
            Value::List(items) | Value::Tuple(items) => items,
            Value::Poison => return None,
            other => {
                self.error(
                    Diagnostic::new(
                        Code::E0681,
                        format!("`{}`'s parameters must be a list of tensors, not {}", kind.name(), other.describe()),
                        s,
                        "not a list",
                    )
                    .with_help("write the tensors in a list, as in PyTorch: `[w, b]`"),
                );
                return None;
            }
        };
        if items.is_empty() {
            self.error(
                Diagnostic::new(Code::E0681, "the optimizer got an empty parameter list", s, "empty")
                    .with_help("list the tensors to optimize, for example `[w, b]`"),
            );
            return None;
        }
        let mut params: Vec<NodeId> = Vec::new();
        let mut ok = true;
        for (item, is) in items {
            match item {
                Value::Tensor(n) => {
                    let n = self.current(n);
                    ok &= self.check_param(n, is, &params);
                    params.push(n);
                }
                Value::Poison => ok = false,
                other => {
                    ok = false;
                    self.error(
                        Diagnostic::new(Code::E0681, format!("a parameter must be a tensor, not {}", other.describe()), is, "not a tensor")
                            .with_help("list tensors created with `requires_grad=true`"),
                    );
                }
            }
        }
        ok.then_some(params)
    }

    /// Whether tensor `n` can be optimized: floating point, a requires-grad leaf, not listed yet.
    fn check_param(&mut self, n: NodeId, s: Span, earlier: &[NodeId]) -> bool {
        let dt = self.dtype_of(n);
        let d = if !dt.is_float() {
            Diagnostic::new(Code::E0682, format!("an optimizer cannot update a tensor of dtype {dt}"), s, format!("this is {dt}"))
                .with_help("optimize floating-point tensors (f32 or f64) created with `requires_grad=true`")
        } else if !self.is_grad_leaf(n) {
            let why = if self.requires_grad(n) { "it is computed from other tensors, so it is not a leaf" } else { "it does not require grad" };
            Diagnostic::new(Code::E0681, format!("an optimizer cannot update this tensor: {why}"), s, "not a requires-grad leaf").with_help(
                "optimize tensors created with `requires_grad=true` (PyTorch: \"can't optimize a non-leaf Tensor\"); a tensor without it never gets a gradient",
            )
        } else if earlier.contains(&n) {
            Diagnostic::new(Code::E0681, "this tensor is listed twice", s, "listed again here")
                .with_help("list each parameter once (PyTorch warns and will make this an error)")
        } else {
            return true;
        };
        self.error(d);
        false
    }

    /// Stores one option, checking it is a number or bool as PyTorch expects.
    fn set_option(&mut self, h: &mut Hyper, slot: &'static str, v: Value, s: Span) -> Option<()> {
        // `betas` also drops `betas.0` and `betas.1`; `lr` must not drop `lr_decay`.
        h.ints.retain(|i| *i != slot && !i.strip_prefix(slot).is_some_and(|rest| rest.starts_with('.')));
        let is_int = |v: &Value| matches!(v, Value::Number(crate::lower::Num::Int(_)));
        if is_int(&v) {
            h.ints.push(slot);
        }
        let pair_names = match slot {
            "betas" => ["betas.0", "betas.1"],
            "etas" => ["etas.0", "etas.1"],
            _ => ["step_sizes.0", "step_sizes.1"],
        };
        if let Value::Tuple(items) | Value::List(items) = &v {
            for (item, name) in items.iter().zip(pair_names) {
                if is_int(&item.0) {
                    h.ints.push(name);
                }
            }
        }
        let number = |l: &mut Self, v: &Value| -> Option<f64> {
            match v {
                Value::Number(n) => Some(n.f64()),
                Value::Poison => None,
                other => {
                    l.error(
                        Diagnostic::new(Code::E0684, format!("`{slot}` must be a number, not {}", other.describe()), s, "not a number")
                            .with_help(format!("write `{slot}=` with a number known when compiling, such as `0.01`")),
                    );
                    None
                }
            }
        };
        match slot {
            "foreach" => {
                h.foreach = match v {
                    Value::None => None,
                    Value::Bool(b) => Some(b),
                    Value::Poison => return None,
                    other => {
                        self.error(
                            Diagnostic::new(
                                Code::E0684,
                                format!("`foreach` must be `true`, `false` or `none`, not {}", other.describe()),
                                s,
                                "not a bool",
                            )
                            .with_help("write `foreach=true`, `foreach=false` or leave it out"),
                        );
                        return None;
                    }
                };
            }
            "lr" => h.lr = number(self, &v)?,
            "momentum" => h.momentum = number(self, &v)?,
            "dampening" => h.dampening = number(self, &v)?,
            "weight_decay" => h.weight_decay = number(self, &v)?,
            "eps" => h.eps = number(self, &v)?,
            "alpha" => h.alpha = number(self, &v)?,
            "lr_decay" => h.lr_decay = number(self, &v)?,
            "initial_accumulator_value" => h.initial_accumulator_value = number(self, &v)?,
            "momentum_decay" => h.momentum_decay = number(self, &v)?,
            "rho" => h.rho = number(self, &v)?,
            "lambd" => h.lambd = number(self, &v)?,
            "t0" => h.t0 = number(self, &v)?,
            "nesterov" | "amsgrad" | "centered" | "maximize" | "decoupled_weight_decay" => {
                let b = match v {
                    Value::Bool(b) => b,
                    Value::Poison => return None,
                    other => {
                        self.error(
                            Diagnostic::new(Code::E0684, format!("`{slot}` must be `true` or `false`, not {}", other.describe()), s, "not a bool")
                                .with_help(format!("write `{slot}=true` or `{slot}=false`")),
                        );
                        return None;
                    }
                };
                match slot {
                    "nesterov" => h.nesterov = b,
                    "amsgrad" => h.amsgrad = b,
                    "centered" => h.centered = b,
                    "decoupled_weight_decay" => h.decoupled_weight_decay = b,
                    _ => h.maximize = b,
                }
            }
            _ => {
                let pair = match &v {
                    Value::Tuple(items) | Value::List(items) if items.len() == 2 => Some((items[0].0.clone(), items[1].0.clone())),
                    _ => None,
                };
                let pair = pair.and_then(|(a, b)| match (a, b) {
                    (Value::Number(a), Value::Number(b)) => Some((a.f64(), b.f64())),
                    _ => None,
                });
                let (place, example) = match slot {
                    "betas" => (&mut h.betas, "(0.9, 0.999)"),
                    "etas" => (&mut h.etas, "(0.5, 1.2)"),
                    _ => (&mut h.step_sizes, "(1e-06, 50)"),
                };
                match pair {
                    Some(p) => *place = p,
                    None if matches!(v, Value::Poison) => return None,
                    None => {
                        self.error(
                            Diagnostic::new(
                                Code::E0684,
                                format!("`{slot}` must be a pair of numbers, not {}", v.describe()),
                                s,
                                "not a pair of numbers",
                            )
                            .with_help(format!("write `{slot}={example}`")),
                        );
                        return None;
                    }
                }
            }
        }
        Some(())
    }

    /// PyTorch's constructor checks, with its messages, pointing at the option
    /// (or the call when the default is what fails). Returns whether all pass.
    fn check_ranges(&mut self, kind: Kind, h: &Hyper, spans: &[(&'static str, Span)], span: Span) -> bool {
        // PyTorch formats the value as Python does: an int without a decimal point.
        let show = |name: &str, v: f64| if h.ints.contains(&name) { format!("{}", v as i64) } else { graphc_runtime::format::python_float_repr(v) };
        let bad = |slot: &'static str, name: &str, what: &str, v: f64| Some((slot, format!("Invalid {what}: {}", show(name, v))));
        let adam = matches!(kind, Kind::Adam | Kind::AdamW);
        let betas = adam || matches!(kind, Kind::NAdam | Kind::RAdam | Kind::Adamax);
        let has_eps = !matches!(kind, Kind::Sgd | Kind::Asgd | Kind::Rprop);
        let adagrad = kind == Kind::Adagrad;
        // The checks run in the order of each constructor, so that the first
        // PyTorch would raise is the one reported.
        let problem = if h.lr < 0.0 {
            bad("lr", "lr", "learning rate", h.lr)
        } else if kind == Kind::Rprop && !(0.0 < h.etas.0 && h.etas.0 < 1.0 && 1.0 < h.etas.1) {
            Some(("etas", format!("Invalid eta values: {}, {}", show("etas.0", h.etas.0), show("etas.1", h.etas.1))))
        } else if kind == Kind::Adadelta && !(0.0..=1.0).contains(&h.rho) {
            bad("rho", "rho", "rho value", h.rho)
        } else if kind == Kind::Asgd && h.lambd < 0.0 {
            bad("lambd", "lambd", "lambd value", h.lambd)
        } else if kind == Kind::Asgd && h.alpha < 0.0 {
            bad("alpha", "alpha", "alpha value", h.alpha)
        } else if adagrad && h.lr_decay < 0.0 {
            bad("lr_decay", "lr_decay", "lr_decay value", h.lr_decay)
        } else if adagrad && h.weight_decay < 0.0 {
            bad("weight_decay", "weight_decay", "weight_decay value", h.weight_decay)
        } else if adagrad && h.initial_accumulator_value < 0.0 {
            bad("initial_accumulator_value", "initial_accumulator_value", "initial_accumulator_value value", h.initial_accumulator_value)
        } else if has_eps && h.eps < 0.0 {
            bad("eps", "eps", "epsilon value", h.eps)
        } else if matches!(kind, Kind::Sgd | Kind::RmsProp) && h.momentum < 0.0 {
            bad("momentum", "momentum", "momentum value", h.momentum)
        } else if betas && !(0.0..1.0).contains(&h.betas.0) {
            bad("betas", "betas.0", "beta parameter at index 0", h.betas.0)
        } else if betas && !(0.0..1.0).contains(&h.betas.1) {
            bad("betas", "betas.1", "beta parameter at index 1", h.betas.1)
        } else if h.weight_decay < 0.0 {
            bad("weight_decay", "weight_decay", "weight_decay value", h.weight_decay)
        } else if kind == Kind::NAdam && h.momentum_decay < 0.0 {
            bad("momentum_decay", "momentum_decay", "momentum_decay value", h.momentum_decay)
        } else if kind == Kind::RmsProp && h.alpha < 0.0 {
            bad("alpha", "alpha", "alpha value", h.alpha)
        } else if adam && h.ints.iter().any(|i| i.starts_with("betas")) {
            // Adam's constructor wants two Python floats: `betas=(0, 0.5)` fails there.
            Some(("betas", "betas must be either both floats or both Tensors".to_string()))
        } else if kind == Kind::Sgd && h.nesterov && (h.momentum <= 0.0 || h.dampening != 0.0) {
            Some(("nesterov", "Nesterov momentum requires a momentum and zero dampening".to_string()))
        } else {
            None
        };
        let Some((slot, msg)) = problem else { return true };
        let at = spans.iter().find(|(s, _)| *s == slot).map_or(span, |(_, s)| *s);
        self.error(
            Diagnostic::new(Code::E0683, format!("`{}`: {msg}", kind.name()), at, "PyTorch raises ValueError for this").with_help(
                "every rate, decay, momentum, epsilon and other option PyTorch checks must be at least 0, betas two floats in [0, 1) (`0.0`, not `0`), and nesterov needs momentum > 0 with dampening 0",
            ),
        );
        false
    }
}
