//! Expressions in Python: operators with the parentheses Python's precedence
//! needs, literals in Python's spelling, and calls through the builtin table.

use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{Arg, BinOp, BitOp, Comprehension, Expr, ExprKind, FPiece, IndexItem, LogicOp, Span, UnOp};

use super::kinds::Kind;
use super::stmts::Scope;
use super::table::{self, Spelling};
use super::Exporter;

/// Python's precedence levels, loosest first; an operand binding less tightly than
/// its place needs is parenthesized.
/// A `lambda`, below every operator: parenthesized wherever it is an operand.
const LAMBDA: u8 = 0;
const OR: u8 = 1;
const AND: u8 = 2;
const NOT: u8 = 3;
const CMP: u8 = 4;
const BIT_OR: u8 = 5;
const BIT_XOR: u8 = 6;
const BIT_AND: u8 = 7;
const ADD: u8 = 8;
const MUL: u8 = 9;
const NEG: u8 = 10;
const POW: u8 = 11;
const ATOM: u8 = 12;

/// `grad`'s keywords that PyTorch's `torch.autograd.grad` spells differently.
const GRAD_KEYWORDS: &[(&str, &str)] = &[("grad", "grad_outputs")];

/// `backward`'s keyword that `Tensor.backward` spells differently.
const BACKWARD_KEYWORDS: &[(&str, &str)] = &[("grad", "gradient")];

fn binary_prec(op: BinOp) -> u8 {
    match op {
        BinOp::Add | BinOp::Sub => ADD,
        BinOp::Mul | BinOp::Div | BinOp::MatMul | BinOp::FloorDiv | BinOp::Mod => MUL,
        BinOp::Pow => POW,
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::EqEq | BinOp::Ne => CMP,
    }
}

/// A Python string literal in double quotes holding `s`.
pub fn py_string(s: &str) -> String {
    let mut out = String::from("\"");
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl Exporter<'_> {
    /// `e` in Python, parenthesized unless it binds at least as tightly as `min`.
    pub(super) fn expr_at(&mut self, e: &Expr, scope: &Scope, min: u8) -> String {
        let (text, prec) = self.expr_prec(e, scope);
        if prec < min {
            format!("({text})")
        } else {
            text
        }
    }

    /// `e` in Python, as a whole expression (an argument, a right-hand side).
    pub(super) fn expr(&mut self, e: &Expr, scope: &Scope) -> String {
        self.expr_at(e, scope, 0)
    }

    pub(super) fn unsupported(&mut self, code: Code, span: Span, message: String, label: &str, help: &str) {
        self.errors.push(Diagnostic::new(code, message, span, label).with_help(help));
    }

    fn expr_prec(&mut self, e: &Expr, scope: &Scope) -> (String, u8) {
        match &e.kind {
            ExprKind::Number { .. } => (self.source[e.span.start..e.span.end].to_string(), ATOM),
            ExprKind::Str(s) => (py_string(s), ATOM),
            ExprKind::Bool(b) => ((if *b { "True" } else { "False" }).to_string(), ATOM),
            ExprKind::None => ("None".to_string(), ATOM),
            ExprKind::Name(n) => match table::dtype(n) {
                Some(torch_name) if !scope.kinds.is_bound(n) => (torch_name.to_string(), ATOM),
                None if matches!(n.as_str(), "pi" | "e" | "inf" | "nan") && !scope.kinds.is_bound(n) => {
                    self.imports.math = true;
                    (format!("math.{n}"), ATOM)
                }
                // A builtin named as a value (`act = relu`) is PyTorch's function.
                _ if !scope.kinds.is_bound(n)
                    && (scope.module || !self.globals.contains(n))
                    && !self.ops.contains_key(n.as_str())
                    && !self.fns.contains_key(n.as_str()) =>
                {
                    // A class named as a value (`isinstance(m, Linear)`, `act=ReLU`).
                    if crate::lower::is_module_class(n) || matches!(n.as_str(), "Parameter" | "Module") {
                        self.imports.nn = true;
                        return (format!("nn.{n}"), ATOM);
                    }
                    if matches!(n.as_str(), "Dataset" | "Tensor") {
                        return (if n == "Dataset" { "torch.utils.data.Dataset" } else { "torch.Tensor" }.to_string(), ATOM);
                    }
                    match table::spelling(n) {
                        Some(Spelling::Torch(t) | Spelling::Math(t)) => (format!("torch.{t}"), ATOM),
                        Some(Spelling::NnUtils(u)) => (format!("torch.nn.utils.{u}"), ATOM),
                        Some(Spelling::NnInit(u)) => (format!("torch.nn.init.{u}"), ATOM),
                        Some(Spelling::Functional(f)) => {
                            self.imports.functional = true;
                            (format!("F.{f}"), ATOM)
                        }
                        _ => (n.clone(), ATOM),
                    }
                }
                // An op named as a value (`spike_fn = SurrGradSpike`) is called
                // through the name it is bound to: the Function's `apply`.
                _ if !scope.kinds.is_bound(n) && (scope.module || !self.globals.contains(n)) && self.ops.contains_key(n.as_str()) => {
                    (format!("{n}.apply"), ATOM)
                }
                _ => (n.clone(), ATOM),
            },
            ExprKind::List(items) => (format!("[{}]", self.list(items, scope)), ATOM),
            ExprKind::Dict(entries) => {
                let entries: Vec<String> = entries.iter().map(|(k, v)| format!("{}: {}", self.expr(k, scope), self.expr(v, scope))).collect();
                (format!("{{{}}}", entries.join(", ")), ATOM)
            }
            ExprKind::Tuple(items) if items.len() == 1 => (format!("({},)", self.expr(&items[0], scope)), ATOM),
            ExprKind::Tuple(items) => (format!("({})", self.list(items, scope)), ATOM),
            ExprKind::Splat(inner) => (format!("*{}", self.expr_at(inner, scope, ATOM)), ATOM),
            ExprKind::SplatKeywords(inner) => (format!("**{}", self.expr_at(inner, scope, ATOM)), ATOM),
            ExprKind::Unary { op: UnOp::Neg, operand } => (format!("-{}", self.expr_at(operand, scope, NEG)), NEG),
            // Python gives `~` the precedence of unary minus.
            ExprKind::Unary { op: UnOp::Invert, operand } => (format!("~{}", self.expr_at(operand, scope, NEG)), NEG),
            ExprKind::Binary { op, lhs, rhs } => {
                let p = binary_prec(*op);
                let (l_min, r_min) = match op {
                    BinOp::Pow => (ATOM, NEG),
                    _ if p == CMP => (CMP + 1, CMP + 1),
                    _ => (p, p + 1),
                };
                let l = self.expr_at(lhs, scope, l_min);
                let r = self.expr_at(rhs, scope, r_min);
                (format!("{l} {} {r}", op.symbol()), p)
            }
            ExprKind::Logic { op, lhs, rhs } => {
                let p = match op {
                    LogicOp::And => AND,
                    LogicOp::Or => OR,
                };
                let l = self.expr_at(lhs, scope, p);
                let r = self.expr_at(rhs, scope, p + 1);
                (format!("{l} {} {r}", op.symbol()), p)
            }
            ExprKind::Bitwise { op, lhs, rhs } => {
                let p = match op {
                    BitOp::Or => BIT_OR,
                    BitOp::Xor => BIT_XOR,
                    BitOp::And => BIT_AND,
                };
                let l = self.expr_at(lhs, scope, p);
                let r = self.expr_at(rhs, scope, p + 1);
                (format!("{l} {} {r}", op.symbol()), p)
            }
            ExprKind::Not(inner) => (format!("not {}", self.expr_at(inner, scope, NOT)), NOT),
            ExprKind::Is { lhs, rhs, negated } => {
                let l = self.expr_at(lhs, scope, CMP + 1);
                let r = self.expr_at(rhs, scope, CMP + 1);
                (format!("{l} {} {r}", if *negated { "is not" } else { "is" }), CMP)
            }
            ExprKind::In { lhs, rhs, negated } => {
                let l = self.expr_at(lhs, scope, CMP + 1);
                let r = self.expr_at(rhs, scope, CMP + 1);
                (format!("{l} {} {r}", if *negated { "not in" } else { "in" }), CMP)
            }
            ExprKind::Chain { first, links } => {
                let mut text = self.expr_at(first, scope, CMP + 1);
                for (op, e) in links {
                    text = format!("{text} {} {}", op.symbol(), self.expr_at(e, scope, CMP + 1));
                }
                (text, CMP)
            }
            ExprKind::IfElse { then, cond, otherwise } => {
                let t = self.expr_at(then, scope, OR);
                let c = self.expr_at(cond, scope, OR);
                let o = self.expr_at(otherwise, scope, LAMBDA);
                (format!("{t} if {c} else {o}"), LAMBDA)
            }
            ExprKind::Call { callee, args } => (self.call(&callee.name, callee.span, None, args, scope), ATOM),
            ExprKind::Method { receiver, method, args } => (self.call(&method.name, method.span, Some(receiver), args, scope), ATOM),
            ExprKind::Apply { callee, args } => {
                let args = self.args(args, scope);
                (format!("{}({})", self.receiver(callee, scope), args.join(", ")), ATOM)
            }
            ExprKind::Field { receiver, field } => (format!("{}.{}", self.receiver(receiver, scope), field.name), ATOM),
            ExprKind::Index { receiver, items } => {
                let items: Vec<String> = items.iter().map(|i| self.index_item(i, scope)).collect();
                (format!("{}[{}]", self.receiver(receiver, scope), items.join(", ")), ATOM)
            }
            ExprKind::FString(pieces) => (self.fstring(pieces, scope, e.span), ATOM),
            ExprKind::Comprehension(c) => (self.comprehension(c, scope), ATOM),
            ExprKind::Lambda(l) => {
                let mut kinds = scope.kinds.clone();
                let mut params = Vec::new();
                for (p, d) in l.params.iter().zip(&l.defaults) {
                    params.push(match d {
                        Some(d) => format!("{}={}", p.name, self.expr(d, scope)),
                        None => p.name.clone(),
                    });
                    kinds.bind(&p.name, Kind::Tensor);
                }
                let inner =
                    Scope { kinds, op_params: scope.op_params.clone(), forward: scope.forward, module: false, partials: scope.partials.clone() };
                let head = if params.is_empty() { "lambda".to_string() } else { format!("lambda {}", params.join(", ")) };
                (format!("{head}: {}", self.expr(&l.body, &inner)), LAMBDA)
            }
        }
    }

    /// A comprehension as Python writes it; a generator expression keeps its
    /// parentheses (Python needs them unless it is a call's only argument,
    /// where [`Self::args`] drops them).
    fn comprehension(&mut self, c: &Comprehension, scope: &Scope) -> String {
        let inner = Scope {
            kinds: scope.kinds.inside(c),
            op_params: scope.op_params.clone(),
            forward: scope.forward,
            module: scope.module,
            partials: scope.partials.clone(),
        };
        let mut text = self.expr(&c.elem, &inner);
        if let Some(key) = &c.key {
            text = format!("{}: {text}", self.expr(key, &inner));
        }
        // Each clause's iterable is read with the names of the clauses before it.
        let mut kinds = scope.kinds.clone();
        for clause in &c.clauses {
            let at = Scope {
                kinds: kinds.clone(),
                op_params: scope.op_params.clone(),
                forward: scope.forward,
                module: scope.module,
                partials: scope.partials.clone(),
            };
            let names: Vec<&str> = clause.targets.iter().map(|t| t.name.as_str()).collect();
            text.push_str(&format!(" for {} in {}", names.join(", "), self.expr_at(&clause.iter, &at, OR)));
            for t in &clause.targets {
                kinds.bind(&t.name, inner.kinds.get(&t.name));
            }
            for cond in &clause.conds {
                text.push_str(&format!(" if {}", self.expr_at(cond, &inner, OR)));
            }
        }
        if c.generator {
            format!("({text})")
        } else if c.key.is_some() {
            format!("{{{text}}}")
        } else {
            format!("[{text}]")
        }
    }

    /// A receiver of `.method`, `.field` or `[...]`: a number literal needs parentheses there.
    fn receiver(&mut self, e: &Expr, scope: &Scope) -> String {
        match e.kind {
            ExprKind::Number { .. } => format!("({})", self.expr(e, scope)),
            _ => self.expr_at(e, scope, ATOM),
        }
    }

    fn list(&mut self, items: &[Expr], scope: &Scope) -> String {
        items.iter().map(|i| self.expr(i, scope)).collect::<Vec<_>>().join(", ")
    }

    fn index_item(&mut self, item: &IndexItem, scope: &Scope) -> String {
        match item {
            IndexItem::Expr(e) => self.expr(e, scope),
            IndexItem::Ellipsis(_) => "...".to_string(),
            IndexItem::Slice { start, stop, step, .. } => {
                let mut part = |p: &Option<Box<Expr>>| p.as_ref().map(|e| self.expr(e, scope)).unwrap_or_default();
                let (a, b) = (part(start), part(stop));
                match step {
                    Some(_) => format!("{a}:{b}:{}", part(step)),
                    None => format!("{a}:{b}"),
                }
            }
        }
    }

    /// Arguments as Python writes them: positional first, then `name=value`.
    pub(super) fn args(&mut self, args: &[Arg], scope: &Scope) -> Vec<String> {
        if let [Arg { name: None, value: Expr { kind: ExprKind::Comprehension(c), .. } }] = args {
            if c.generator {
                let text = self.comprehension(c, scope);
                return vec![text[1..text.len() - 1].to_string()];
            }
        }
        args.iter()
            .map(|a| match &a.name {
                Some(n) => format!("{}={}", n.name, self.expr(&a.value, scope)),
                None => self.expr(&a.value, scope),
            })
            .collect()
    }

    /// Arguments with some keywords spelled as PyTorch spells them (`renames`: graphc's, PyTorch's).
    fn renamed_args(&mut self, args: &[Arg], scope: &Scope, renames: &[(&str, &str)]) -> Vec<String> {
        args.iter()
            .map(|a| match &a.name {
                Some(n) => {
                    let name = renames.iter().find(|(ours, _)| *ours == n.name).map_or(n.name.as_str(), |(_, theirs)| theirs);
                    format!("{name}={}", self.expr(&a.value, scope))
                }
                None => self.expr(&a.value, scope),
            })
            .collect()
    }

    /// An f-string. Python before 3.12 cannot reuse the outer quote inside a field,
    /// so the quote is the one no field uses.
    fn fstring(&mut self, pieces: &[FPiece], scope: &Scope, span: Span) -> String {
        let mut fields = Vec::new();
        for p in pieces {
            if let FPiece::Field { expr, conversion, spec, .. } = p {
                let mut f = self.expr(expr, scope);
                if f.starts_with('{') {
                    f = format!(" {f}");
                }
                if let Some(c) = conversion {
                    f.push('!');
                    f.push(*c);
                }
                if !spec.is_empty() {
                    f.push(':');
                    f.push_str(spec);
                }
                fields.push(f);
            }
        }
        let quote = if fields.iter().any(|f| f.contains('"')) { '\'' } else { '"' };
        if fields.iter().any(|f| f.contains(quote) || f.contains('\\')) {
            self.unsupported(
                Code::E0741,
                span,
                "this f-string's fields use both quote characters (or a backslash), which Python 3.11 cannot nest".to_string(),
                "not exportable",
                "compute the field's value into a name first and format the name",
            );
        }
        let mut out = format!("f{quote}");
        let mut fields = fields.into_iter();
        for p in pieces {
            match p {
                FPiece::Text(t) => {
                    let lit = py_string(t);
                    let inner = &lit[1..lit.len() - 1];
                    let inner = if quote == '\'' { inner.replace("\\\"", "\"").replace('\'', "\\'") } else { inner.to_string() };
                    out.push_str(&inner.replace('{', "{{").replace('}', "}}"));
                }
                FPiece::Field { .. } => {
                    out.push('{');
                    out.push_str(&fields.next().unwrap_or_default());
                    out.push('}');
                }
            }
        }
        out.push(quote);
        out
    }

    /// A call of `name`: a user's op or fn, or a builtin through the table; with
    /// `receiver` it was written as a method.
    fn call(&mut self, name: &str, span: Span, receiver: Option<&Expr>, args: &[Arg], scope: &Scope) -> String {
        // A tensor method is the builtin even where the file defines a function
        // of that name (`fn log_softmax` beside `x.log_softmax(dim=1)`), as in graphc.
        // On `self`, a member is the member (`self.embedding(text, offsets)`).
        let on_self = receiver.is_some_and(|r| matches!(&r.kind, ExprKind::Name(n) if n == "self"));
        let method_of_builtin = receiver.is_some() && crate::check::builtins::lookup(name).is_some() && !(on_self && self.members.contains(name));
        // An object's methods and modules (`self.fc(x)`, `model.train()`), also
        // where the file has a fn of the name (main.py's `train`).
        if let (Some(r), true) = (receiver, self.members.contains(name) && !method_of_builtin) {
            let r = self.receiver(r, scope);
            return format!("{r}.{name}({})", self.args(args, scope).join(", "));
        }
        if (self.ops.contains_key(name) || self.fns.contains_key(name)) && !method_of_builtin {
            return self.user_call(name, receiver, args, scope);
        }
        // A class of the file, a `torch.nn` module and `nn.Parameter`.
        if receiver.is_none() && (self.classes.contains_key(name) || name == "super") {
            return format!("{name}({})", self.args(args, scope).join(", "));
        }
        if receiver.is_none() && (crate::lower::is_module_class(name) || name == "Parameter") {
            self.imports.nn = true;
            return format!("nn.{name}({})", self.args(args, scope).join(", "));
        }
        // A name bound to a function (`loss_func = nll`, a parameter `g`) is called as it stands.
        if receiver.is_none() && (scope.kinds.is_bound(name) || (self.globals.contains(name) && !scope.module)) {
            return format!("{name}({})", self.args(args, scope).join(", "));
        }
        // `nn.Embedding.from_pretrained(vectors)`, the modules' classmethod.
        if let Some(Expr { kind: ExprKind::Name(class), .. }) = receiver {
            if matches!(class.as_str(), "Embedding" | "EmbeddingBag") && name == "from_pretrained" && !scope.kinds.is_bound(class) {
                self.imports.nn = true;
                return format!("nn.{class}.from_pretrained({})", self.args(args, scope).join(", "));
            }
        }
        let host_args = receiver.into_iter().chain(args.iter().map(|a| &a.value)).all(|e| scope.kinds.of(e) == Kind::Host);
        if let Some(r) = receiver {
            return self.method_call(name, span, r, args, scope, host_args);
        }
        let list = self.args(args, scope).join(", ");
        let first = || args.first().map(|a| &a.value);
        let spelled = if name == "scatter" && table::pyplot_scatter(args) { Some(Spelling::Pyplot("scatter")) } else { table::spelling(name) };
        match (name, spelled) {
            (
                "range" | "reversed" | "len" | "list" | "tuple" | "dict" | "enumerate" | "zip" | "float" | "int" | "bool" | "type" | "next" | "iter"
                | "str" | "isinstance",
                _,
            ) => {
                format!("{name}({list})")
            }
            // Python's `sum` of a list or a generator, not `torch.sum`.
            ("sum", _) if first().is_some_and(|e| scope.kinds.of(e) == Kind::Other) => format!("sum({list})"),
            // Python's `any`/`all` of a list or generator; PyTorch's of a tensor.
            ("any" | "all", _) if first().is_some_and(|e| scope.kinds.of(e) == Kind::Other) => format!("{name}({list})"),
            // `torch.relu` has no `inplace`; `F.relu` has: it is the only other argument.
            ("relu", _) if args.len() > 1 => format!("F.relu({list})"),
            // `transpose(m)` of a matrix, without dimensions, is PyTorch's `torch.t(m)`.
            ("transpose", _) if args.len() == 1 => format!("torch.t({list})"),
            // PyTorch makes a 0-d tensor from an empty size, never from no size at all.
            ("randn" | "rand" | "zeros" | "ones", _) if args.iter().all(|a| a.name.is_some()) => {
                format!("torch.{name}({})", std::iter::once("()".to_string()).chain(self.args(args, scope)).collect::<Vec<_>>().join(", "))
            }
            // `full(2, 3, v)` spreads the size; PyTorch's `full` takes it as one tuple.
            ("full", _) => {
                let positional: Vec<&Arg> = args.iter().filter(|a| a.name.is_none()).collect();
                let keywords: Vec<Arg> = args.iter().filter(|a| a.name.is_some()).cloned().collect();
                let spread = positional.len() != 2 || !matches!(positional[0].value.kind, ExprKind::List(_) | ExprKind::Tuple(_));
                let mut parts = Vec::new();
                match positional.split_last() {
                    Some((value, sizes)) if spread => {
                        let sizes: Vec<String> = sizes.iter().map(|a| self.expr(&a.value, scope)).collect();
                        parts.push(if sizes.len() == 1 { format!("({},)", sizes[0]) } else { format!("({})", sizes.join(", ")) });
                        parts.push(self.expr(&value.value, scope));
                    }
                    _ => parts.extend(positional.iter().map(|a| self.expr(&a.value, scope))),
                }
                parts.extend(self.args(&keywords, scope));
                format!("torch.full({})", parts.join(", "))
            }
            ("load", _) => {
                self.imports.numpy = true;
                format!("torch.from_numpy(np.load({list}))")
            }
            ("max" | "min" | "round", _) if host_args => format!("{name}({list})"),
            // `max(topk)` of a tuple or list of numbers is Python's.
            ("max" | "min", _) if matches!(args, [a] if a.name.is_none() && scope.kinds.of(&a.value) == Kind::Other) => format!("{name}({list})"),
            (_, Some(Spelling::Torch(n))) => format!("torch.{n}({list})"),
            (_, Some(Spelling::NnUtils(n))) => format!("torch.nn.utils.{n}({list})"),
            (_, Some(Spelling::NnInit(n))) => format!("torch.nn.init.{n}({list})"),
            (_, Some(Spelling::Functional(n))) => {
                self.imports.functional = true;
                format!("F.{n}({list})")
            }
            (_, Some(Spelling::Math(n))) if host_args => {
                self.imports.math = true;
                format!("math.{n}({list})")
            }
            // A value read from a dict, a list or an attribute may be a number or
            // a tensor (`sqrt(self["size"])`); graphc's builtin takes either, so
            // the script decides as it runs.
            (_, Some(Spelling::Math(n)))
                if args.iter().all(|a| a.name.is_none() && scope.kinds.of(&a.value) != Kind::Tensor)
                    && args.iter().any(|a| scope.kinds.of(&a.value) == Kind::Other) =>
            {
                self.imports.math = true;
                self.imports.math_or_torch = true;
                format!("_math_or_torch(\"{n}\", {list})")
            }
            (_, Some(Spelling::Math(n))) => format!("torch.{n}({list})"),
            (_, Some(Spelling::Python("abs"))) if !host_args => format!("torch.abs({list})"),
            (_, Some(Spelling::Python(n))) => format!("{n}({list})"),
            (_, Some(Spelling::Pyplot(n))) => {
                self.imports.pyplot = true;
                let converted: Vec<String> = args
                    .iter()
                    .map(|a| {
                        let v = self.expr(&a.value, scope);
                        let v =
                            if scope.kinds.of(&a.value) == Kind::Tensor { format!("{}.detach().numpy()", self.wrap_atom(&a.value, v)) } else { v };
                        match &a.name {
                            Some(k) => format!("{}={v}", k.name),
                            None => v,
                        }
                    })
                    .collect();
                format!("plt.{n}({})", converted.join(", "))
            }
            (_, Some(Spelling::ZeroGrad)) => match first() {
                Some(x) => format!("{}.grad.zero_()", self.receiver(x, scope)),
                None => String::new(),
            },
            (_, Some(Spelling::Backward)) => match first() {
                Some(y) => {
                    let rest = self.renamed_args(&args[1..], scope, BACKWARD_KEYWORDS).join(", ");
                    format!("{}.backward({rest})", self.receiver(y, scope))
                }
                None => String::new(),
            },
            (_, Some(Spelling::AutogradGrad)) => format!("torch.autograd.grad({})", self.renamed_args(args, scope, GRAD_KEYWORDS).join(", ")),
            (_, Some(Spelling::MarkNonDifferentiable)) => format!("ctx.mark_non_differentiable({list})"),
            (_, Some(Spelling::NeedsGrad)) => {
                let position = first().and_then(|p| match &p.kind {
                    ExprKind::Name(n) => scope.param_position(n),
                    _ => None,
                });
                format!("ctx.needs_input_grad[{}]", position.unwrap_or(0))
            }
            (_, Some(Spelling::Surrogate)) | (_, None) => {
                if crate::lower::optim::Kind::lookup(name).is_some() {
                    return format!("torch.optim.{name}({list})");
                }
                if crate::lower::optim_schedulers_lookup(name).is_some() {
                    if matches!(name, "LambdaLR" | "MultiplicativeLR") {
                        self.scheduler_lambda_kinds(args, scope);
                    }
                    return format!("torch.optim.lr_scheduler.{name}({list})");
                }
                if name == "Generator" {
                    return format!("torch.Generator({list})");
                }
                if matches!(name, "TensorDataset" | "DataLoader" | "random_split") {
                    return format!("torch.utils.data.{name}({list})");
                }
                if name == "OrderedDict" {
                    self.imports.collections = true;
                    return format!("OrderedDict({list})");
                }
                // Python's `copy.deepcopy`.
                if name == "deepcopy" {
                    self.imports.copy = true;
                    return format!("copy.deepcopy({list})");
                }
                if name == "partial" {
                    self.imports.functools = true;
                    // The bound arguments are the fn's first parameters and its keywords.
                    if let Some((first, rest)) = args.split_first() {
                        if let ExprKind::Name(f) = &first.value.kind {
                            if let Some(def) = self.fns.get(f.as_str()) {
                                let params = def.params.clone();
                                self.record_param_kinds(f, &params, None, rest, scope);
                            }
                        }
                    }
                    return format!("partial({list})");
                }
                self.unsupported(
                    Code::E0740,
                    span,
                    format!("the builtin `{name}` has no PyTorch spelling in `graphc export --to torch`"),
                    "not exportable",
                    "rewrite this call with builtins the exporter knows (docs/EXPORT.md lists them), or run the program with `graphc run`",
                );
                format!("{name}({list})")
            }
        }
    }

    /// `text`, the Python of `e`, parenthesized when it is not an atom.
    fn wrap_atom(&mut self, e: &Expr, text: String) -> String {
        match e.kind {
            ExprKind::Name(_)
            | ExprKind::Call { .. }
            | ExprKind::Apply { .. }
            | ExprKind::Method { .. }
            | ExprKind::Field { .. }
            | ExprKind::Index { .. } => text,
            _ => format!("({text})"),
        }
    }

    fn method_call(&mut self, name: &str, span: Span, receiver: &Expr, args: &[Arg], scope: &Scope, host_args: bool) -> String {
        let r = self.receiver(receiver, scope);
        let list = self.args(args, scope).join(", ");
        if name == "transpose" && args.is_empty() {
            return format!("{r}.t()");
        }
        // A tensor has no `.step()`, `.zero_grad()` or `.get_last_lr()`: the
        // receiver is an optimizer or a scheduler, bound here, global, or made
        // by a call whose result's kind the exporter does not follow (`make(opt)`).
        let optimizer_method = matches!(name, "step" | "zero_grad" | "get_last_lr");
        if name == "backward" {
            return format!("{r}.backward({})", self.renamed_args(args, scope, BACKWARD_KEYWORDS).join(", "));
        }
        if table::is_tensor_method(name) || optimizer_method || (name == "abs" && !host_args) {
            return format!("{r}.{name}({list})");
        }
        match table::spelling(name) {
            Some(Spelling::Functional(n)) => {
                self.imports.functional = true;
                let all = if list.is_empty() { r } else { format!("{r}, {list}") };
                format!("F.{n}({all})")
            }
            Some(Spelling::Backward) => format!("{r}.backward({})", self.renamed_args(args, scope, BACKWARD_KEYWORDS).join(", ")),
            _ => {
                self.unsupported(
                    Code::E0740,
                    span,
                    format!("the method `.{name}()` has no PyTorch spelling in `graphc export --to torch`"),
                    "not exportable",
                    "rewrite this call with builtins the exporter knows (docs/EXPORT.md lists them), or run the program with `graphc run`",
                );
                format!("{r}.{name}({list})")
            }
        }
    }
}
