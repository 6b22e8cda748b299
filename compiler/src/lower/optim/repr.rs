//! `print(opt)`: PyTorch's `Optimizer.__repr__`, the optimizer's name and each
//! parameter group's options in sorted order, including the options graphc does
//! not take (printed with the values PyTorch's defaults give them).

use super::{Hyper, Kind};
use graphc_runtime::format::python_float_repr;

/// Stands for a learning rate known only at run time in [`group_text`]'s text.
pub(crate) const LR_MARK: &str = "\u{0}lr\u{0}";
/// Stands for a momentum (Adam: first beta) that `OneCycleLR` sets at run time.
pub(crate) const MOMENTUM_MARK: &str = "\u{0}momentum\u{0}";

/// One group's lines of PyTorch 2.15's repr of an optimizer, each `    key:
/// value` and a newline (with [`LR_MARK`] for an assigned learning rate that is
/// not a constant, and [`MOMENTUM_MARK`] for a cycled momentum), with the keys
/// its schedulers added to the group (`extra`). `Lowerer::optimizer_print`
/// puts the name and each group's `Parameter Group i` header around them.
pub(crate) fn group_text(kind: Kind, h: &Hyper, extra: &[(&'static str, String)]) -> String {
    group_rows(kind, h, extra).into_iter().map(|(name, value)| format!("    {name}: {value}\n")).collect()
}

/// The keys of the group (but `params`) and their values as the repr prints
/// them, sorted: PyTorch's options for `kind`, then the keys schedulers added (`extra`).
pub(crate) fn group_rows(kind: Kind, h: &Hyper, extra: &[(&'static str, String)]) -> Vec<(&'static str, String)> {
    let num = |name: &str, v: f64| if h.ints.contains(&name) { format!("{}", v as i64) } else { python_float_repr(v) };
    let momentum = |v: f64| if h.cycled_momentum.is_some() { MOMENTUM_MARK.to_string() } else { num("momentum", v) };
    let flag = |b: bool| if b { "True" } else { "False" }.to_string();
    let mut rows: Vec<(&'static str, String)> = vec![
        ("differentiable", flag(false)),
        ("foreach", h.foreach.map_or("None", |b| if b { "True" } else { "False" }).to_string()),
        ("lr", if h.lr_node.is_some() { LR_MARK.to_string() } else { num("lr", h.lr) }),
        ("maximize", flag(h.maximize)),
    ];
    let pair = |a: &str, b: &str, v: (f64, f64)| format!("({}, {})", num(a, v.0), num(b, v.1));
    // Rprop alone has no weight decay.
    if kind != Kind::Rprop {
        rows.push(("weight_decay", num("weight_decay", h.weight_decay)));
    }
    match kind {
        Kind::Sgd => rows.extend([
            ("dampening", num("dampening", h.dampening)),
            ("fused", "None".to_string()),
            ("momentum", momentum(h.momentum)),
            ("nesterov", flag(h.nesterov)),
        ]),
        // RMSprop has no `fused` option, so its group has no such key.
        Kind::RmsProp => rows.extend([
            ("alpha", num("alpha", h.alpha)),
            ("capturable", flag(false)),
            ("centered", flag(h.centered)),
            ("eps", num("eps", h.eps)),
            ("momentum", momentum(h.momentum)),
        ]),
        Kind::Adagrad => rows.extend([
            ("eps", num("eps", h.eps)),
            ("fused", "None".to_string()),
            ("initial_accumulator_value", num("initial_accumulator_value", h.initial_accumulator_value)),
            ("lr_decay", num("lr_decay", h.lr_decay)),
        ]),
        Kind::Adadelta => rows.extend([("capturable", flag(false)), ("eps", num("eps", h.eps)), ("rho", num("rho", h.rho))]),
        Kind::Adamax => rows.extend([("betas", pair("betas.0", "betas.1", h.betas)), ("capturable", flag(false)), ("eps", num("eps", h.eps))]),
        Kind::Asgd => {
            rows.extend([("alpha", num("alpha", h.alpha)), ("capturable", flag(false)), ("lambd", num("lambd", h.lambd)), ("t0", num("t0", h.t0))])
        }
        Kind::Rprop => rows.extend([
            ("capturable", flag(false)),
            ("etas", pair("etas.0", "etas.1", h.etas)),
            ("step_sizes", pair("step_sizes.0", "step_sizes.1", h.step_sizes)),
        ]),
        // NAdam and RAdam have neither `amsgrad` nor `fused`; NAdam adds `momentum_decay`.
        Kind::NAdam | Kind::RAdam => {
            rows.extend([
                ("betas", pair("betas.0", "betas.1", h.betas)),
                ("capturable", flag(false)),
                ("decoupled_weight_decay", flag(h.decoupled_weight_decay)),
                ("eps", num("eps", h.eps)),
            ]);
            if kind == Kind::NAdam {
                rows.push(("momentum_decay", num("momentum_decay", h.momentum_decay)));
            }
        }
        Kind::Adam | Kind::AdamW => rows.extend([
            ("amsgrad", flag(h.amsgrad)),
            (
                "betas",
                format!(
                    "({}, {})",
                    if h.cycled_momentum.is_some() { MOMENTUM_MARK.to_string() } else { num("betas.0", h.betas.0) },
                    num("betas.1", h.betas.1)
                ),
            ),
            ("capturable", flag(false)),
            ("decoupled_weight_decay", flag(kind == Kind::AdamW)),
            ("eps", num("eps", h.eps)),
            ("fused", "None".to_string()),
        ]),
    }
    rows.extend(extra.iter().map(|(k, v)| (*k, v.clone())));
    rows.sort_by(|a, b| a.0.cmp(b.0));
    rows
}
