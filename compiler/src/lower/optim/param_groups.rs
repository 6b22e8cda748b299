//! `optimizer.param_groups`: the one parameter group of a graphc optimizer, as
//! PyTorch's list of dicts. Reading `group["lr"]` (and the other options) gives
//! the Python number the optimizer holds; assigning `group["lr"] = lr` changes
//! the learning rate of the following `step()`s, which is how training scripts
//! schedule it by hand:
//!
//! ```text
//! for param_group in optimizer.param_groups:
//!     param_group["lr"] = lr
//! ```
//!
//! An assigned learning rate is a 0-d f64 node (a Python float), carried by
//! loops and branches as the optimizer's other state is, so that it may be
//! computed from the loop counter (`lr = 0.1 * (0.1 ** (epoch // 30))`); the
//! updates use it where they used the number, in the same operations. In a
//! program that assigns one anywhere ([`assigns_learning_rate`]), every
//! optimizer holds its rate as a node from the start, so that both sides of a
//! branch that assigns it on one side hold a node to join.

use graphc_runtime::op::Unary;
use graphc_runtime::{DType, Op};

use super::super::{HostKind, Lowerer, Num, Value};
use super::{Hyper, Kind};
use crate::diag::{Code, Diagnostic};
use crate::ir::graph::NodeId;
use crate::syntax::ast::{Block, Expr, ExprKind, File, IndexItem, Item, Span, Stmt, StmtKind};

/// Whether the program assigns a param group's learning rate anywhere
/// (`group["lr"] = v`, `group["lr"] *= v`) or makes a scheduler that does.
pub(crate) fn assigns_learning_rate(file: &File) -> bool {
    fn lr_target(e: &Expr) -> bool {
        matches!(&e.kind, ExprKind::Index { items, .. } if matches!(&items[..], [IndexItem::Expr(k)] if matches!(&k.kind, ExprKind::Str(s) if s == "lr")))
    }
    fn stmt(s: &Stmt) -> bool {
        match &s.kind {
            StmtKind::Store { target, .. } | StmtKind::AugAssign { target, .. } => lr_target(target),
            // A scheduler assigns the rate in each `step()`.
            StmtKind::Assign { value, .. } => {
                matches!(&value.kind, ExprKind::Call { callee, .. } if super::schedulers::lookup(&callee.name).is_some())
            }
            StmtKind::If(i) => crate::check::flow::if_blocks(i).any(block),
            StmtKind::For(f) => block(&f.body),
            StmtKind::NoGrad(b) => block(b),
            _ => false,
        }
    }
    fn block(b: &Block) -> bool {
        b.stmts.iter().any(stmt)
    }
    file.items.iter().any(|item| match item {
        Item::Fn(f) => block(&f.body),
        Item::Class(c) => c.methods.iter().any(|m| block(&m.body)),
        Item::Stmt(s) => stmt(s),
        Item::Op(_) => false,
    })
}

/// The options of a group that can be read, by optimizer.
fn keys(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Sgd => &["lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize"],
        Kind::Adam | Kind::AdamW => &["lr", "betas", "eps", "weight_decay", "amsgrad", "maximize"],
        Kind::RmsProp => &["lr", "alpha", "eps", "weight_decay", "momentum", "centered", "maximize"],
        Kind::Adagrad => &["lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps", "maximize"],
        Kind::NAdam => &["lr", "betas", "eps", "weight_decay", "momentum_decay", "decoupled_weight_decay", "maximize"],
        Kind::RAdam => &["lr", "betas", "eps", "weight_decay", "decoupled_weight_decay", "maximize"],
        Kind::Adadelta => &["lr", "rho", "eps", "weight_decay", "maximize"],
        Kind::Adamax => &["lr", "betas", "eps", "weight_decay", "maximize"],
        Kind::Asgd => &["lr", "lambd", "alpha", "t0", "weight_decay", "maximize"],
        Kind::Rprop => &["lr", "etas", "step_sizes", "maximize"],
    }
}

impl Lowerer<'_> {
    /// `group[key]`, `key` a string.
    pub(crate) fn param_group_read(&mut self, k: usize, key: (Value, Span), span: Span) -> Value {
        let Some(name) = self.param_group_key(k, key) else { return Value::Poison };
        let h = self.optim.optimizers[k].hyper.clone();
        self.option_value(&h, &name, span)
    }

    /// `opt.defaults[key]`: the option as the optimizer was made with it,
    /// whatever a scheduler or an assignment to a group changed since.
    pub(crate) fn optimizer_defaults_read(&mut self, k: usize, key: (Value, Span), span: Span) -> Value {
        let Some(name) = self.param_group_key(k, key) else { return Value::Poison };
        let h = self.optim.optimizers[k].defaults.clone();
        self.option_value(&h, &name, span)
    }

    /// The value of option `name` (one of [`keys`]) in `h`, as the Python value PyTorch holds.
    fn option_value(&mut self, h: &Hyper, name: &str, span: Span) -> Value {
        let num = |slot: &str, v: f64| Value::Number(if h.ints.contains(&slot) { Num::Int(v as i128) } else { Num::Float(v) });
        match name {
            "lr" => match h.lr_node {
                Some(n) => match self.prog.graph.node(n).op {
                    Op::Full(s) => num("lr", s.get()),
                    _ => Value::Host { node: n, kind: HostKind::Float },
                },
                None => num("lr", h.lr),
            },
            // A momentum `OneCycleLR` sets is a Python float known at run time.
            "momentum" => match h.cycled_momentum {
                Some(n) => Value::Host { node: n, kind: HostKind::Float },
                None => num("momentum", h.momentum),
            },
            "dampening" => num("dampening", h.dampening),
            "weight_decay" => num("weight_decay", h.weight_decay),
            "eps" => num("eps", h.eps),
            "nesterov" => Value::Bool(h.nesterov),
            "amsgrad" => Value::Bool(h.amsgrad),
            "alpha" => num("alpha", h.alpha),
            "lr_decay" => num("lr_decay", h.lr_decay),
            "momentum_decay" => num("momentum_decay", h.momentum_decay),
            "rho" => num("rho", h.rho),
            "lambd" => num("lambd", h.lambd),
            "t0" => num("t0", h.t0),
            "etas" => Value::Tuple(vec![(num("etas.0", h.etas.0), span), (num("etas.1", h.etas.1), span)]),
            "step_sizes" => Value::Tuple(vec![(num("step_sizes.0", h.step_sizes.0), span), (num("step_sizes.1", h.step_sizes.1), span)]),
            "decoupled_weight_decay" => Value::Bool(h.decoupled_weight_decay),
            "initial_accumulator_value" => num("initial_accumulator_value", h.initial_accumulator_value),
            "centered" => Value::Bool(h.centered),
            "maximize" => Value::Bool(h.maximize),
            "betas" => {
                let first = match h.cycled_momentum {
                    Some(n) => Value::Host { node: n, kind: HostKind::Float },
                    None => num("betas.0", h.betas.0),
                };
                Value::Tuple(vec![(first, span), (num("betas.1", h.betas.1), span)])
            }
            _ => unreachable!("`param_group_key` returns the keys of `keys`"),
        }
    }

    /// `group[key] = v`: only the learning rate may change, to a number.
    pub(crate) fn param_group_store(&mut self, k: usize, key: (Value, Span), (v, vs): (Value, Span)) -> Value {
        let Some(name) = self.param_group_key(k, key.clone()) else { return Value::Poison };
        if name != "lr" {
            return self.error(
                Diagnostic::new(
                    Code::E0684,
                    format!("graphc cannot change `{name}` of an optimizer after it is made"),
                    key.1,
                    "fixed when compiling",
                )
                .with_help("give it when making the optimizer; only `param_group[\"lr\"]` can be assigned"),
            );
        }
        // A Python int stays an int when read back or printed.
        let ints = &mut self.optim.optimizers[k].hyper.ints;
        ints.retain(|i| *i != "lr");
        if matches!(v, Value::Number(Num::Int(_))) {
            ints.push("lr");
        }
        let node = match v {
            Value::Number(n) => self.scalar(n.f64(), DType::F64, vs),
            Value::Host { node, kind: HostKind::Float } => node,
            Value::Host { node, kind: HostKind::Int } => {
                let sh = self.shape_of(node);
                self.node(Op::Cast, DType::F64, sh, &[node], vs)
            }
            Value::Poison => return Value::Poison,
            other => {
                return self.error(
                    Diagnostic::new(Code::E0684, format!("a learning rate must be a number, not {}", other.describe()), vs, "not a number")
                        .with_help("assign a Python number, such as `0.1 * (0.1 ** (epoch // 30))` or `lr.item()`"),
                )
            }
        };
        self.optim.optimizers[k].hyper.lr_node = Some(node);
        Value::None
    }

    /// The key of a subscript of a param group, which must be one of its options.
    fn param_group_key(&mut self, k: usize, (key, ks): (Value, Span)) -> Option<String> {
        let kind = self.optim.optimizers[k].kind;
        let known = keys(kind);
        match key {
            Value::Str(s) if known.contains(&s.as_str()) => Some(s),
            Value::Poison => None,
            other => {
                let what = match other {
                    Value::Str(s) => format!("'{s}'"),
                    o => o.describe().to_string(),
                };
                self.error(
                    Diagnostic::new(Code::E0684, format!("a `{}` param group has no key {what}", kind.name()), ks, "no such key")
                        .with_help(format!("its keys here are {}", known.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(", "))),
                );
                None
            }
        }
    }

    /// The learning rate of an update, a 0-d f64 node, when it was assigned.
    pub(super) fn lr_value(&mut self, lr_node: Option<NodeId>, lr: f64, span: Span) -> NodeId {
        match lr_node {
            Some(n) => n,
            None => self.scalar(lr, DType::F64, span),
        }
    }

    /// `-lr` in the dtype `dt` of the tensor it meets (`alpha=-lr`).
    pub(super) fn neg_lr_in(&mut self, lr: NodeId, dt: DType, span: Span) -> NodeId {
        let neg = self.ew1(Unary::Neg, lr, span);
        if dt == DType::F64 {
            return neg;
        }
        self.node(Op::Cast, dt, vec![], &[neg], span)
    }
}
