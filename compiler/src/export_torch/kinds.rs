//! What kind of Python value an expression gives: a host number (or bool), a
//! tensor, or something else. The exporter needs it where PyTorch spells a thing
//! two ways: `math.sqrt(d)` of a number and `torch.sqrt(x)` of a tensor, and
//! `ctx.constant = c` for a saved number where a tensor is `ctx.save_for_backward(x)`.

use std::collections::HashMap;

use crate::syntax::ast::{Block, Comprehension, Expr, ExprKind, File, Item, StmtKind, UnOp};

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
    /// The program's fns that return a list or a tuple (`return [w, b]`), whose
    /// calls are not tensors; shared by every scope of one export.
    returns: std::rc::Rc<HashMap<String, Kind>>,
}

impl Kinds {
    /// No names bound, with the kinds the program's fns return.
    pub fn with_returns(returns: std::rc::Rc<HashMap<String, Kind>>) -> Kinds {
        Kinds { names: HashMap::new(), returns }
    }

    /// The kind each fn of `file` returns, where it is not a tensor: a list or
    /// a tuple at some `return` of its body.
    pub fn fn_returns(file: &File) -> HashMap<String, Kind> {
        fn returns_other(block: &Block, kinds: &Kinds) -> bool {
            block.stmts.iter().any(|s| match &s.kind {
                StmtKind::Return(values) => values.len() > 1 || values.first().is_some_and(|v| kinds.of(v) == Kind::Other),
                StmtKind::If(i) => crate::check::flow::if_blocks(i).any(|b| returns_other(b, kinds)),
                StmtKind::NoGrad(b) => returns_other(b, kinds),
                StmtKind::For(f) => returns_other(&f.body, kinds),
                _ => false,
            })
        }
        let mut out = HashMap::new();
        for item in &file.items {
            if let Item::Fn(f) = item {
                if returns_other(&f.body, &Kinds::default()) {
                    out.insert(f.name.name.clone(), Kind::Other);
                }
            }
        }
        out
    }

    /// Binds the names `globals` binds that are not tensors, which a body reads
    /// as globals (a name not bound counts as a tensor already).
    pub fn read_globals(&mut self, globals: &Kinds) {
        for (n, k) in &globals.names {
            if *k != Kind::Tensor {
                self.names.insert(n.clone(), *k);
            }
        }
    }

    pub fn bind(&mut self, name: &str, kind: Kind) {
        self.names.insert(name.to_string(), kind);
    }

    pub fn is_bound(&self, name: &str) -> bool {
        self.names.contains_key(name)
    }

    /// The kinds inside a comprehension: its variables bound, as a `for`
    /// statement binds its variable (a `range`'s integers are host numbers).
    pub fn inside(&self, c: &Comprehension) -> Kinds {
        let mut inner = self.clone();
        for clause in &c.clauses {
            let item = match &clause.iter.kind {
                ExprKind::Call { callee, .. } if callee.name == "range" => Kind::Host,
                ExprKind::List(items) => items.first().map_or(Kind::Other, |e| inner.of(e)),
                _ => Kind::Tensor,
            };
            let enumerate = matches!(&clause.iter.kind, ExprKind::Call { callee, .. } if callee.name == "enumerate");
            for (k, t) in clause.targets.iter().enumerate() {
                let kind = match (clause.targets.len(), k) {
                    (1, _) => item,
                    (_, 0) if enumerate => Kind::Host,
                    _ => Kind::Tensor,
                };
                inner.bind(&t.name, kind);
            }
        }
        inner
    }

    pub fn get(&self, name: &str) -> Kind {
        self.names.get(name).copied().unwrap_or(Kind::Tensor)
    }

    /// The kind of `e`'s value in this scope.
    pub fn of(&self, e: &Expr) -> Kind {
        match &e.kind {
            ExprKind::Number { .. } | ExprKind::Bool(_) => Kind::Host,
            ExprKind::Str(_)
            | ExprKind::None
            | ExprKind::FString(_)
            | ExprKind::List(_)
            | ExprKind::Dict(_)
            | ExprKind::Tuple(_)
            | ExprKind::Splat(_)
            | ExprKind::SplatKeywords(_) => Kind::Other,
            ExprKind::Comprehension(_) | ExprKind::Lambda(_) => Kind::Other,
            ExprKind::Name(n) if !self.is_bound(n) && matches!(n.as_str(), "pi" | "e" | "inf" | "nan") => Kind::Host,
            ExprKind::Name(n) => self.get(n),
            ExprKind::Unary { op: UnOp::Neg | UnOp::Invert, operand } => self.of(operand),
            ExprKind::Bitwise { lhs, rhs, .. } => match (self.of(lhs), self.of(rhs)) {
                (Kind::Host, Kind::Host) => Kind::Host,
                _ => Kind::Tensor,
            },
            ExprKind::Binary { lhs, rhs, .. } => match (self.of(lhs), self.of(rhs)) {
                (Kind::Host, Kind::Host) => Kind::Host,
                // Lists and tuples concatenate and repeat (`init(1, 40) + init(40, 1)`, `[0] * n`).
                (Kind::Other, Kind::Other | Kind::Host) | (Kind::Host, Kind::Other) => Kind::Other,
                _ => Kind::Tensor,
            },
            ExprKind::Logic { .. } | ExprKind::Not(_) | ExprKind::Is { .. } | ExprKind::In { .. } => Kind::Host,
            // Python's chain is the last comparison's value when the others hold,
            // a tensor if it compares one.
            ExprKind::Chain { first, links } => {
                if std::iter::once(&**first).chain(links.iter().map(|(_, e)| e)).all(|e| self.of(e) == Kind::Host) {
                    Kind::Host
                } else {
                    Kind::Tensor
                }
            }
            // The sides of `a if c else b` have one kind in a program graphc compiled
            // (a run-time condition needs it; a compile-time one picks a side that
            // is usually alike); a tensor on either side is the safe reading.
            ExprKind::IfElse { then, otherwise, .. } => match (self.of(then), self.of(otherwise)) {
                (a, b) if a == b => a,
                (Kind::Tensor, _) | (_, Kind::Tensor) => Kind::Tensor,
                _ => Kind::Other,
            },
            // Python's `sum` of a list has its items' kind.
            // Python's `any`/`all` of a list is a bool.
            ExprKind::Call { callee, args }
                if matches!(callee.name.as_str(), "any" | "all") && args.first().is_some_and(|a| self.of(&a.value) == Kind::Other) =>
            {
                Kind::Host
            }
            ExprKind::Call { callee, args } if callee.name == "sum" && args.first().is_some_and(|a| self.of(&a.value) == Kind::Other) => {
                match &args[0].value.kind {
                    ExprKind::List(items) if !items.is_empty() && items.iter().all(|i| self.of(i) == Kind::Host) => Kind::Host,
                    ExprKind::Comprehension(c) => self.inside(c).of(&c.elem),
                    _ => Kind::Tensor,
                }
            }
            ExprKind::Call { callee, args } => match table::spelling(&callee.name) {
                Some(Spelling::Math(_) | Spelling::Python("abs")) if args.iter().all(|a| self.of(&a.value) == Kind::Host) => Kind::Host,
                _ if matches!(callee.name.as_str(), "float" | "int" | "len" | "needs_grad" | "isinstance") => Kind::Host,
                _ if callee.name == "range" || crate::lower::optim::Kind::lookup(&callee.name).is_some() => Kind::Other,
                _ if matches!(callee.name.as_str(), "StepLR" | "ExponentialLR" | "MultiStepLR" | "TensorDataset" | "DataLoader" | "random_split") => {
                    Kind::Other
                }
                _ if !self.is_bound(&callee.name) && self.returns.contains_key(&callee.name) => self.returns[&callee.name],
                _ => Kind::Tensor,
            },
            // A module called on its input (`Softmax(dim=1)(logits)`).
            ExprKind::Apply { .. } => Kind::Tensor,
            ExprKind::Method { method, args, .. } => match method.name.as_str() {
                "item" | "dim" | "numel" | "nelement" => Kind::Host,
                "tolist" | "name" => Kind::Other,
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
