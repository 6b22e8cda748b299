//! The abstract syntax tree of a `.act` file. Every node carries the byte span
//! of the source it came from, so that every later error can point at it.

pub use crate::span::Span;

/// A name as written, with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A whole file: items in source order.
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    pub items: Vec<Item>,
}

/// A top-level item. Ops and fns may be used before the line that defines them;
/// statements run in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Op(OpDef),
    Fn(FnDef),
    Class(ClassDef),
    Stmt(Stmt),
}

/// `class Name(Base) { fn __init__(self, ...) { ... } fn forward(self, x) { ... } }`:
/// a Python class, as `torch.nn.Module` subclasses are written; its objects are
/// compile-time values (`lower/objects.rs`).
#[derive(Clone, Debug, PartialEq)]
pub struct ClassDef {
    pub name: Ident,
    /// The base classes as written (`Module`, `nn.Module`, another class of the file).
    pub bases: Vec<Expr>,
    /// The methods, in file order.
    pub methods: Vec<std::rc::Rc<FnDef>>,
    /// The class attributes (`expansion = 4`), in file order: read through
    /// the class (`Block.expansion`) or an object of it that has no
    /// attribute of that name (`self.expansion`), as Python reads them.
    pub attrs: Vec<(Ident, Expr)>,
    pub span: Span,
}

/// `op Name(params) { forward { ... } backward(g) { ... } }`.
#[derive(Clone, Debug, PartialEq)]
pub struct OpDef {
    pub name: Ident,
    pub params: Vec<Ident>,
    /// Each parameter's default value (`bias=none`), in parameter order: as long as `params`.
    pub defaults: Vec<Option<Expr>>,
    pub forward: Block,
    /// Absent when the op has no backward block: its gradient is derived like a fn's.
    pub backward: Option<Backward>,
    pub span: Span,
}

/// `backward(grad) { body }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Backward {
    /// The name bound to the gradient flowing into the op's (first) output.
    pub grad: Ident,
    /// The names of the gradients of the further outputs, when the forward returns several.
    pub extra_grads: Vec<Ident>,
    pub body: Block,
    /// The span of the `backward` keyword and its parameter list.
    pub span: Span,
}

/// `fn name(params) { body }`.
#[derive(Clone, Debug, PartialEq)]
pub struct FnDef {
    pub name: Ident,
    pub params: Vec<Ident>,
    /// Each parameter's default value (`eps=1e-5`), in parameter order: as long as `params`.
    pub defaults: Vec<Option<Expr>>,
    /// How many parameters may be passed by position: those before a bare
    /// `*` (`fn f(x, *, scale=1.0)`), all of them without one.
    pub keyword_only: usize,
    /// Decorated `@no_grad()` (PyTorch's `@torch.no_grad()`): the body runs with
    /// gradient recording off, as inside `no_grad { ... }`.
    pub no_grad: bool,
    pub body: Block,
    pub span: Span,
}

/// A braced list of statements.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `name = expr`.
    Assign { target: Ident, value: Expr },
    /// An expression evaluated for its effect (`print(...)`, `y.backward()`, ...).
    Expr(Expr),
    /// `save a, b` (only in an op's forward block).
    Save(Vec<Ident>),
    /// `return e1, e2, ...` (one value in forward and fn bodies; one per parameter in backward).
    Return(Vec<Expr>),
    /// `input NAME: DTYPE[DIMS] [requires_grad] [in [LO, HI]]`. The grammar accepts it
    /// only as a top-level item, never inside a block.
    Input(InputDecl),
    /// `if c { ... } elif c2 { ... } else { ... }`.
    If(IfStmt),
    /// `a, b = expr`: unpacks a tuple (or list) of exactly as many values.
    Unpack { targets: Vec<Ident>, value: Expr },
    /// `no_grad { ... }`: nothing computed inside requires grad. Like Python's
    /// `with torch.no_grad():` it opens no scope.
    NoGrad(Block),
    /// `x -= e`, `x[i] += e` (also `+=`, `*=`, `/=`): an in-place update of the target,
    /// a name or a subscript (`op` is `Add`, `Sub`, `Mul` or `Div`).
    AugAssign { target: Expr, op: AugOp, value: Expr },
    /// `x[i] = v`, `x[mask] = v`, `p.grad = none`: a store into part of an object.
    /// The target is an `Index` or a `Field` expression.
    Store { target: Expr, value: Expr },
    /// `for NAME in EXPR { ... }`.
    For(ForStmt),
    /// `while COND { ... }`, which lowering runs as a `for` loop over a range
    /// without a bound that a `break` ends when `COND` is false (`lower/jumps.rs`).
    While(WhileStmt),
    /// `assert test` or `assert test, message`: stops the program with the
    /// message when the test is false, as Python's `AssertionError`.
    ///
    /// `raise NAME(message)` is an assertion whose test is `false`, with the
    /// exception's name in `raises` (`AssertionError` when `None`).
    Assert { test: Expr, message: Option<Expr>, raises: Option<Ident> },
    /// `fn name(params) { body }` inside a block: a nested function, which
    /// closes over the names of the body around it (Hugging Face's
    /// `def lr_lambda(current_step)` inside its schedule's `def`). At the top
    /// level the parser makes it an [`Item::Fn`] instead. Shared, since the
    /// function value it makes holds it (`lower/lambdas.rs`).
    Def(std::rc::Rc<FnDef>),
    /// `break` or `continue`, which lowering rewrites into flags of the loop
    /// around it (`lower/jumps.rs`).
    Jump(Jump),
}

/// Which jump a [`StmtKind::Jump`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Jump {
    Break,
    Continue,
}

impl Jump {
    /// The keyword, as Python writes it.
    pub fn keyword(self) -> &'static str {
        match self {
            Jump::Break => "break",
            Jump::Continue => "continue",
        }
    }
}

impl Stmt {
    /// The item a top-level statement is: a `fn` definition is an [`Item::Fn`].
    pub fn into_item(self) -> Item {
        match self.kind {
            StmtKind::Def(f) => Item::Fn(std::rc::Rc::try_unwrap(f).unwrap_or_else(|f| (*f).clone())),
            kind => Item::Stmt(Stmt { kind, span: self.span }),
        }
    }
}

/// The hidden loop variable of `for a, b in xs`, whose body starts by unpacking
/// it (`grammar.lalrpop`): a valid Python name, so exported scripts run, that a
/// program is unlikely to use.
pub const FOR_ITEM: &str = "__for_item";

/// The hidden name of a parenthesized group among an unpacking's targets
/// (`out, (h, c) = lstm(x)`), which the next statement unpacks
/// (`parser::unpack_targets`); a valid Python name, as [`FOR_ITEM`] is.
pub const UNPACK_GROUP: &str = "__group";

/// A `for` loop: `for var in iter { body }`.
#[derive(Clone, Debug, PartialEq)]
pub struct ForStmt {
    pub var: Ident,
    pub iter: Expr,
    pub body: Block,
}

/// A `while` loop: `while cond { body }`.
#[derive(Clone, Debug, PartialEq)]
pub struct WhileStmt {
    pub cond: Expr,
    pub body: Block,
}

/// An `if` statement: its conditions with their blocks, in order, then the
/// optional `else` block. Today every condition is a host bool, decided at
/// compile time; a run-time `if` over host values (issue 10) reuses this node.
#[derive(Clone, Debug, PartialEq)]
pub struct IfStmt {
    /// `if` and each `elif` (or `else if`): the condition and its block.
    pub branches: Vec<(Expr, Block)>,
    pub otherwise: Option<Block>,
}

/// A declared program input: a placeholder whose value is supplied at run time.
#[derive(Clone, Debug, PartialEq)]
pub struct InputDecl {
    pub name: Ident,
    /// The dtype name as written (`f32` or `f64`); lowering checks it.
    pub dtype: Ident,
    /// The sizes, each with its span; lowering checks that they are non-negative integers.
    pub dims: Vec<(NumLitValue, Span)>,
    pub requires_grad: bool,
    /// The declared value range `in [LO, HI]`, with its span.
    pub range: Option<(f64, f64, Span)>,
}

/// A number as written in a declaration: its value and whether it had no `.` or exponent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NumLitValue {
    pub value: f64,
    pub is_int: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    MatMul,
    /// `//`: floor division, as Python's.
    FloorDiv,
    /// `%`: the remainder with the divisor's sign, as Python's.
    Mod,
    /// The comparisons `<`, `<=`, `>`, `>=`, `==`, `!=`.
    Lt,
    Le,
    Gt,
    Ge,
    EqEq,
    Ne,
}

impl BinOp {
    /// The operator as written in source.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Pow => "**",
            BinOp::MatMul => "@",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::EqEq => "==",
            BinOp::Ne => "!=",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
        }
    }

    /// Whether this is a comparison (which gives a bool, not a number).
    pub fn is_comparison(self) -> bool {
        match self {
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::EqEq | BinOp::Ne => true,
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Pow | BinOp::MatMul | BinOp::FloorDiv | BinOp::Mod => false,
        }
    }
}

/// Python's short-circuit operators on host bools.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BitOp {
    And,
    Or,
    Xor,
}

impl BitOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BitOp::And => "&",
            BitOp::Or => "|",
            BitOp::Xor => "^",
        }
    }
}

/// The operator of an augmented assignment: `+=`, `-=`, `*=`, `/=`, or one of
/// the bitwise `&=`, `|=`, `^=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AugOp {
    Arith(BinOp),
    Bit(BitOp),
}

impl AugOp {
    pub fn symbol(self) -> &'static str {
        match self {
            AugOp::Arith(op) => op.symbol(),
            AugOp::Bit(op) => op.symbol(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogicOp {
    And,
    Or,
}

impl LogicOp {
    /// The operator as written in source.
    pub fn symbol(self) -> &'static str {
        match self {
            LogicOp::And => "and",
            LogicOp::Or => "or",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    /// `~x`: logical not of a bool tensor, bitwise not of an integer one.
    Invert,
}

/// A call argument: positional (`name` is `None`) or keyword (`name=value`).
#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    pub name: Option<Ident>,
    pub value: Expr,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A number literal. `is_int` is true when it was written without `.` or an
    /// exponent (`3`), which matters where an integer is required (shapes, dims, seeds)
    /// and for how `print` shows it.
    Number {
        value: f64,
        is_int: bool,
        /// An integer literal's exact value, `None` for a float or an integer
        /// beyond 2^64 - 1 (which is beyond every consumer's range).
        exact: Option<i128>,
    },
    /// A string literal, escapes already resolved.
    Str(String),
    Bool(bool),
    /// `none`.
    None,
    Name(String),
    /// `[e1, e2, ...]`, as in `tensor([[1, 2], [3, 4]])`.
    List(Vec<Expr>),
    /// `{k1: v1, k2: v2, ...}`: a Python dict, its entries in order.
    Dict(Vec<(Expr, Expr)>),
    /// `(e1, e2, ...)` with at least one comma, as Python writes a tuple.
    Tuple(Vec<Expr>),
    /// `*e` as a call argument: the items of a tuple or list, spread as positional arguments.
    Splat(Box<Expr>),
    /// `**e` as a call argument: the entries of a dict, spread as keyword arguments.
    SplatKeywords(Box<Expr>),
    Unary {
        op: UnOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `a and b`, `a or b`.
    /// `a & b`, `a | b`, `a ^ b`: elementwise on bool tensors, bitwise on ints.
    Bitwise {
        op: BitOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Logic {
        op: LogicOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `not a`.
    Not(Box<Expr>),
    /// `a is b` (`negated`: `a is not b`).
    Is {
        lhs: Box<Expr>,
        rhs: Box<Expr>,
        negated: bool,
    },
    /// `a in b` (`negated`: `a not in b`), Python's membership test.
    In {
        lhs: Box<Expr>,
        rhs: Box<Expr>,
        negated: bool,
    },
    /// `callee(args)`.
    Call {
        callee: Ident,
        args: Vec<Arg>,
    },
    /// `callee(args)` where the callee is a value made by a call or a subscript:
    /// `Softmax(dim=1)(logits)`, `self.layers[0](x)` (`lower/objects.rs`).
    Apply {
        callee: Box<Expr>,
        args: Vec<Arg>,
    },
    /// `receiver.method(args)`, which means `method(receiver, args)`.
    Method {
        receiver: Box<Expr>,
        method: Ident,
        args: Vec<Arg>,
    },
    /// `receiver.field` (only `.grad` is meaningful).
    Field {
        receiver: Box<Expr>,
        field: Ident,
    },
    /// `receiver[items]`: PyTorch's basic indexing.
    Index {
        receiver: Box<Expr>,
        items: Vec<IndexItem>,
    },
    /// `f"text {expr:spec} text"`: Python's formatted string literal.
    FString(Vec<FPiece>),
    /// `[elem for x in xs if c]`: Python's list comprehension, unrolled when
    /// compiling; also a generator expression as a call's argument
    /// (`sum(p.pow(2).sum() for p in params)`), which graphc reads as the list.
    Comprehension(Box<Comprehension>),
    /// `lambda x, y=2: body`: an anonymous fn of one expression. Shared, since
    /// the function value it makes holds it (`lower/lambdas.rs`).
    Lambda(std::rc::Rc<Lambda>),
    /// `a < b <= c`: a chain of two or more comparisons, which Python reads as
    /// `a < b and b <= c` with `b` evaluated once. Two operands are a `Binary`.
    Chain {
        first: Box<Expr>,
        links: Vec<(BinOp, Expr)>,
    },
    /// `then if cond else otherwise`: Python's conditional expression, which
    /// evaluates `cond` and then only the side it picks.
    IfElse {
        then: Box<Expr>,
        cond: Box<Expr>,
        otherwise: Box<Expr>,
    },
}

/// A `lambda`'s parameters, their defaults and its body.
#[derive(Clone, Debug, PartialEq)]
pub struct Lambda {
    pub params: Vec<Ident>,
    /// Each parameter's default value, in parameter order: as long as `params`.
    pub defaults: Vec<Option<Expr>>,
    pub body: Expr,
}

/// A list comprehension or generator expression: `elem`, evaluated for every
/// combination of the clauses' items that passes their conditions, the first
/// clause outermost, as Python nests them.
#[derive(Clone, Debug, PartialEq)]
pub struct Comprehension {
    /// A dict comprehension's key (`{k: v for ...}`); `None` for a list.
    pub key: Option<Expr>,
    pub elem: Expr,
    pub clauses: Vec<CompClause>,
    /// Written as a generator expression (`f(e for x in xs)`), without brackets.
    pub generator: bool,
}

/// One `for a, b in iter if c1 if c2` clause of a comprehension.
#[derive(Clone, Debug, PartialEq)]
pub struct CompClause {
    pub targets: Vec<Ident>,
    pub iter: Expr,
    pub conds: Vec<Expr>,
}

/// A piece of an f-string.
/// An f-string field as the lexer reads it: the expression's source text and
/// where it starts, for the parser to parse with spans into the file.
#[derive(Clone, Debug, PartialEq)]
pub enum FRaw {
    Text(String),
    Field { source: String, start: usize, conversion: Option<char>, spec: String, spec_span: Span },
}

#[derive(Clone, Debug, PartialEq)]
pub enum FPiece {
    /// Literal text, escapes and `{{`/`}}` already resolved.
    Text(String),
    /// `{expr}`, `{expr!r}`, `{expr:spec}`.
    Field {
        expr: Expr,
        /// `!s` or `!r` (`'s'`, `'r'`).
        conversion: Option<char>,
        /// The format spec after `:` (empty when there is none), and its span in the source.
        spec: String,
        spec_span: Span,
    },
}

impl FPiece {
    /// The field's expression, if this piece is a field.
    pub fn expr(&self) -> Option<&Expr> {
        match self {
            FPiece::Text(_) => None,
            FPiece::Field { expr, .. } => Some(expr),
        }
    }
}

/// One item of a subscript `x[...]`.
#[derive(Clone, Debug, PartialEq)]
pub enum IndexItem {
    /// An expression: an integer selects one index (the dimension goes away),
    /// `none` inserts a dimension of size 1.
    Expr(Expr),
    /// `start:stop:step`, each part optional.
    Slice { start: Option<Box<Expr>>, stop: Option<Box<Expr>>, step: Option<Box<Expr>>, span: Span },
    /// `...`: as many full slices as the other items leave dimensions.
    Ellipsis(Span),
}

impl Comprehension {
    /// Every expression it holds, in source order: the element, then each
    /// clause's iterable and conditions.
    pub fn exprs(&self) -> Vec<&Expr> {
        let mut out: Vec<&Expr> = self.key.iter().collect();
        out.push(&self.elem);
        for c in &self.clauses {
            out.push(&c.iter);
            out.extend(&c.conds);
        }
        out
    }
}

impl Lambda {
    /// Every expression it holds, in source order: the defaults, then the body.
    pub fn exprs(&self) -> Vec<&Expr> {
        self.defaults.iter().flatten().chain(std::iter::once(&self.body)).collect()
    }
}

impl IndexItem {
    /// The expressions the item holds, in source order.
    pub fn exprs(&self) -> Vec<&Expr> {
        match self {
            IndexItem::Expr(e) => vec![e],
            IndexItem::Slice { start, stop, step, .. } => [start, stop, step].into_iter().flatten().map(|b| &**b).collect(),
            IndexItem::Ellipsis(_) => vec![],
        }
    }
}
