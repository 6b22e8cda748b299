//! What kind of Python value an expression gives: a host number (or bool), a
//! tensor, or something else. The exporter needs it where PyTorch spells a thing
//! two ways: `math.sqrt(d)` of a number and `torch.sqrt(x)` of a tensor, and
//! `ctx.constant = c` for a saved number where a tensor is `ctx.save_for_backward(x)`.

use std::collections::HashMap;

use crate::syntax::ast::{Expr, ExprKind, UnOp};

use super::table::{self, Spelling};

/// The kind of a Python value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A Python int, float or bool.
    Host,
    Tensor,
    /// A string, `None`, a tuple, a list, a size.
    Other,
}

/// The kinds of the names bound in one Python scope. A name not bound here (a
/// global read inside a function, or one the exporter could not follow) counts
/// as a tensor, the common case.
#[derive(Clone, Default)]
pub struct Kinds {
    names: HashMap<String, Kind>,
}

impl Kinds {
    pub fn bind(&mut self, name: &str, kind: Kind) {
        self.names.insert(name.to_string(), kind);
    }

    pub fn is_bound(&self, name: &str) -> bool {
        self.names.contains_key(name)
    }

    pub fn get(&self, name: &str) -> Kind {
        self.names.get(name).copied().unwrap_or(Kind::Tensor)
    }

    /// The kind of `e`'s value in this scope.
    pub fn of(&self, e: &Expr) -> Kind {
        match &e.kind {
            ExprKind::Number { .. } | ExprKind::Bool(_) => Kind::Host,
            ExprKind::Str(_) | ExprKind::None | ExprKind::FString(_) | ExprKind::List(_) | ExprKind::Tuple(_) | ExprKind::Splat(_) => Kind::Other,
            ExprKind::Name(n) if !self.is_bound(n) && matches!(n.as_str(), "pi" | "e" | "inf" | "nan") => Kind::Host,
            ExprKind::Name(n) => self.get(n),
            ExprKind::Unary { op: UnOp::Neg, operand } => self.of(operand),
            ExprKind::Binary { lhs, rhs, .. } => match (self.of(lhs), self.of(rhs)) {
                (Kind::Host, Kind::Host) => Kind::Host,
                _ => Kind::Tensor,
            },
            ExprKind::Logic { .. } | ExprKind::Not(_) | ExprKind::Is { .. } => Kind::Host,
            ExprKind::Call { callee, args } => match table::spelling(&callee.name) {
                Some(Spelling::Math(_) | Spelling::Python("abs")) if args.iter().all(|a| self.of(&a.value) == Kind::Host) => Kind::Host,
                _ if matches!(callee.name.as_str(), "float" | "int" | "len" | "needs_grad") => Kind::Host,
                _ if matches!(callee.name.as_str(), "SGD" | "Adam" | "AdamW" | "RMSprop" | "Adagrad" | "range") => Kind::Other,
                _ => Kind::Tensor,
            },
            ExprKind::Method { method, args, .. } => match method.name.as_str() {
                "item" | "dim" | "numel" => Kind::Host,
                "size" if args.is_empty() => Kind::Other,
                "size" => Kind::Host,
                _ => Kind::Tensor,
            },
            ExprKind::Field { field, .. } if field.name == "grad" => Kind::Tensor,
            ExprKind::Field { .. } => Kind::Other,
            // A dimension's size: `x.shape[-1]`, `x.size()[0]`.
            ExprKind::Index { receiver, .. } if matches!(&receiver.kind, ExprKind::Field { field, .. } if field.name == "shape") => Kind::Host,
            ExprKind::Index { receiver, .. } if matches!(&receiver.kind, ExprKind::Method { method, .. } if method.name == "size") => Kind::Host,
            ExprKind::Index { receiver, .. } => match self.of(receiver) {
                Kind::Tensor => Kind::Tensor,
                Kind::Host | Kind::Other => Kind::Other,
            },
        }
    }
}
