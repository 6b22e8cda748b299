//! Tests of the front end: lexer, grammar and spans. Parse errors and fuzzing
//! are in `syntax_errors.rs`.

use graphc_compiler::syntax::ast::*;
use graphc_compiler::syntax::lexer::{lex, Token};
use graphc_compiler::syntax::parser::parse;

// ------------------------------------------------------------------ helpers

/// The spec's section-7 example, written out as the tutorial has it.
const TUTORIAL: &str = r#"op SelfDefinedTanh(inp) {
    forward {
        exp_x = exp(inp)
        exp_x_ = exp(-inp)
        result = (exp_x - exp_x_) / (exp_x + exp_x_)
        save result
        return result
    }
    backward(grad_output) {
        return grad_output * (1 - result ** 2)
    }
}

fn tanh_sigmoid(x) {
    return 2 * sigmoid(2 * x) - 1
}

manual_seed(0)
inp = randn(5, requires_grad=true)
out = SelfDefinedTanh((inp + 1) ** 2)
print("Out is")
print(out)
out.backward(ones_like(inp), retain_graph=true)
print("\nFirst call")
print(inp.grad)
out.backward(ones_like(inp), retain_graph=true)
print("\nSecond call")
print(inp.grad)
inp.grad.zero_()
out.backward(ones_like(inp), retain_graph=true)
print("\nCall after zeroing gradients")
print(inp.grad)

# ... the same again with tanh_sigmoid and with the builtin tanh ...

x = arange(-8, 8, 0.1, requires_grad=true)
y = SelfDefinedTanh(x)
y.sum().backward()
plot(x, y, label="tanh(x)", alpha=0.7)
plot(x, x.grad, label="tanh'(x)", alpha=0.5)
grid()
legend()
savefig("tanh_demo.png")
"#;

fn parse_ok(source: &str) -> File {
    match parse(source) {
        Ok(file) => file,
        Err(diags) => panic!("parse failed for {source:?}: {diags:#?}"),
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
}

fn text(source: &str, span: Span) -> &str {
    &source[span.start..span.end]
}

/// An S-expression of an expression, so precedence tests read at a glance.
fn sexp(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Number { value, is_int, .. } => {
            if *is_int {
                format!("{value}")
            } else {
                format!("{value}f")
            }
        }
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::None => "none".to_string(),
        ExprKind::Name(n) => n.clone(),
        ExprKind::List(items) => format!("[{}]", items.iter().map(sexp).collect::<Vec<_>>().join(" ")),
        ExprKind::Dict(entries) => format!("{{{}}}", entries.iter().map(|(k, v)| format!("{}: {}", sexp(k), sexp(v))).collect::<Vec<_>>().join(" ")),
        ExprKind::Unary { op: UnOp::Neg, operand } => format!("(neg {})", sexp(operand)),
        ExprKind::Unary { op: UnOp::Invert, operand } => format!("(invert {})", sexp(operand)),
        ExprKind::Bitwise { op, lhs, rhs } => format!("({} {} {})", op.symbol(), sexp(lhs), sexp(rhs)),
        ExprKind::Binary { op, lhs, rhs } => format!("({} {} {})", op.symbol(), sexp(lhs), sexp(rhs)),
        ExprKind::Call { callee, args } => format!("(call {}{})", callee.name, args_sexp(args)),
        ExprKind::Method { receiver, method, args } => {
            format!("(method {} {}{})", sexp(receiver), method.name, args_sexp(args))
        }
        ExprKind::Field { receiver, field } => format!("(field {} {})", sexp(receiver), field.name),
        ExprKind::Apply { callee, args } => format!("(apply {}{})", sexp(callee), args_sexp(args)),
        ExprKind::Index { receiver, items } => {
            format!("(index {}{})", sexp(receiver), items.iter().map(|i| format!(" {}", item_sexp(i))).collect::<String>())
        }
        ExprKind::Logic { op, lhs, rhs } => format!("({} {} {})", op.symbol(), sexp(lhs), sexp(rhs)),
        ExprKind::Not(operand) => format!("(not {})", sexp(operand)),
        ExprKind::Tuple(items) => format!("(tuple {})", items.iter().map(sexp).collect::<Vec<_>>().join(" ")),
        ExprKind::Splat(inner) => format!("(splat {})", sexp(inner)),
        ExprKind::SplatKeywords(inner) => format!("(splat-keywords {})", sexp(inner)),
        ExprKind::Is { lhs, rhs, negated } => format!("({} {} {})", if *negated { "is-not" } else { "is" }, sexp(lhs), sexp(rhs)),
        ExprKind::In { lhs, rhs, negated } => format!("({} {} {})", if *negated { "not-in" } else { "in" }, sexp(lhs), sexp(rhs)),
        ExprKind::FString(pieces) => {
            let parts: Vec<String> = pieces
                .iter()
                .map(|p| match p {
                    FPiece::Text(t) => format!("{t:?}"),
                    FPiece::Field { expr, conversion, spec, .. } => {
                        format!("{{{}{}:{spec}}}", sexp(expr), conversion.map(|c| format!("!{c}")).unwrap_or_default())
                    }
                })
                .collect();
            format!("(f {})", parts.join(" "))
        }
        ExprKind::Comprehension(c) => {
            let clauses: Vec<String> = c
                .clauses
                .iter()
                .map(|cl| {
                    let names: Vec<&str> = cl.targets.iter().map(|t| t.name.as_str()).collect();
                    let conds: String = cl.conds.iter().map(|e| format!(" (if {})", sexp(e))).collect();
                    format!(" (for ({}) {}{conds})", names.join(" "), sexp(&cl.iter))
                })
                .collect();
            let elem = match &c.key {
                Some(k) => format!("{}: {}", sexp(k), sexp(&c.elem)),
                None => sexp(&c.elem),
            };
            format!(
                "({} {elem}{})",
                if c.generator {
                    "gen"
                } else if c.key.is_some() {
                    "dict-of"
                } else {
                    "list-of"
                },
                clauses.concat()
            )
        }
        ExprKind::Lambda(l) => {
            let params: Vec<String> =
                l.params.iter().zip(&l.defaults).map(|(p, d)| d.as_ref().map_or(p.name.clone(), |d| format!("{}={}", p.name, sexp(d)))).collect();
            format!("(lambda ({}) {})", params.join(" "), sexp(&l.body))
        }
        ExprKind::Chain { first, links } => {
            format!("(chain {}{})", sexp(first), links.iter().map(|(op, e)| format!(" {} {}", op.symbol(), sexp(e))).collect::<String>())
        }
        ExprKind::IfElse { then, cond, otherwise } => format!("(if-else {} {} {})", sexp(cond), sexp(then), sexp(otherwise)),
    }
}

/// A subscript item: `(slice START STOP STEP)` with `_` for a missing part, `...`, or the expression.
fn item_sexp(item: &IndexItem) -> String {
    let part = |e: &Option<Box<Expr>>| e.as_ref().map_or("_".to_string(), |e| sexp(e));
    match item {
        IndexItem::Expr(e) => sexp(e),
        IndexItem::Slice { start, stop, step, .. } => format!("(slice {} {} {})", part(start), part(stop), part(step)),
        IndexItem::Ellipsis(_) => "...".to_string(),
    }
}

fn args_sexp(args: &[Arg]) -> String {
    args.iter()
        .map(|a| match &a.name {
            Some(n) => format!(" {}={}", n.name, sexp(&a.value)),
            None => format!(" {}", sexp(&a.value)),
        })
        .collect()
}

/// Parses a single expression statement and returns its S-expression.
fn expr(source: &str) -> String {
    let file = parse_ok(source);
    assert_eq!(file.items.len(), 1, "{file:#?}");
    match &file.items[0] {
        Item::Stmt(Stmt { kind: StmtKind::Expr(e), .. }) => sexp(e),
        other => panic!("not an expression statement: {other:#?}"),
    }
}

/// The statements of a file that holds only statements.
fn stmts(source: &str) -> Vec<Stmt> {
    parse_ok(source)
        .items
        .into_iter()
        .map(|item| match item {
            Item::Stmt(s) => s,
            other => panic!("not a statement: {other:#?}"),
        })
        .collect()
}

/// Checks that every node's span lies inside its parent's and inside the source.
fn check_expr_spans(e: &Expr, outer: Span) {
    assert!(outer.start <= e.span.start && e.span.end <= outer.end, "{e:#?} outside {outer:?}");
    match &e.kind {
        ExprKind::List(items) => items.iter().for_each(|i| check_expr_spans(i, e.span)),
        ExprKind::Unary { operand, .. } => check_expr_spans(operand, e.span),
        ExprKind::Binary { lhs, rhs, .. } => {
            check_expr_spans(lhs, e.span);
            check_expr_spans(rhs, e.span);
            assert!(lhs.span.end <= rhs.span.start);
        }
        ExprKind::Call { callee, args } => {
            assert_eq!(callee.span.start, e.span.start);
            args.iter().for_each(|a| check_expr_spans(&a.value, e.span));
        }
        ExprKind::Method { receiver, args, .. } => {
            check_expr_spans(receiver, e.span);
            args.iter().for_each(|a| check_expr_spans(&a.value, e.span));
        }
        ExprKind::Field { receiver, .. } => check_expr_spans(receiver, e.span),
        _ => {}
    }
}

// ------------------------------------------------------------------ the tutorial

#[test]
fn tutorial_parses_with_the_expected_items() {
    let file = parse_ok(TUTORIAL);
    // One op, one fn, and the 23 top-level statements after them.
    assert_eq!(file.items.len(), 2 + 23);

    let Item::Op(op) = &file.items[0] else { panic!("first item is not an op") };
    assert_eq!(op.name.name, "SelfDefinedTanh");
    assert_eq!(text(TUTORIAL, op.name.span), "SelfDefinedTanh");
    assert_eq!(op.params.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["inp"]);
    assert_eq!(op.span.start, 0);
    assert!(text(TUTORIAL, op.span).ends_with("    }\n}"));
    assert_eq!(op.forward.stmts.len(), 5);
    assert!(text(TUTORIAL, op.forward.span).starts_with("{\n        exp_x = exp(inp)"));

    // `result = (exp_x - exp_x_) / (exp_x + exp_x_)`: a division of two parenthesized sums.
    let result = &op.forward.stmts[2];
    assert_eq!(text(TUTORIAL, result.span), "result = (exp_x - exp_x_) / (exp_x + exp_x_)");
    let StmtKind::Assign { target, value } = &result.kind else { panic!("not an assignment") };
    assert_eq!(target.name, "result");
    assert_eq!(sexp(value), "(/ (- exp_x exp_x_) (+ exp_x exp_x_))");
    let ExprKind::Binary { lhs, .. } = &value.kind else { unreachable!() };
    assert_eq!(text(TUTORIAL, lhs.span), "(exp_x - exp_x_)");

    assert_eq!(op.forward.stmts[3].kind, StmtKind::Save(vec![Ident { name: "result".into(), span: find(TUTORIAL, "result\n        return", 0) }]));
    let StmtKind::Return(values) = &op.forward.stmts[4].kind else { panic!("not a return") };
    assert_eq!(values.len(), 1);

    let backward = op.backward.as_ref().expect("the op has a backward block");
    assert_eq!(backward.grad.name, "grad_output");
    assert_eq!(text(TUTORIAL, backward.span), "backward(grad_output)");
    let StmtKind::Return(grads) = &backward.body.stmts[0].kind else { panic!("not a return") };
    assert_eq!(grads.iter().map(sexp).collect::<Vec<_>>(), ["(* grad_output (- 1 (** result 2)))"]);

    let Item::Fn(f) = &file.items[1] else { panic!("second item is not a fn") };
    assert_eq!(f.name.name, "tanh_sigmoid");
    assert_eq!(text(TUTORIAL, f.span), "fn tanh_sigmoid(x) {\n    return 2 * sigmoid(2 * x) - 1\n}");
    let StmtKind::Return(values) = &f.body.stmts[0].kind else { panic!("not a return") };
    assert_eq!(sexp(&values[0]), "(- (* 2 (call sigmoid (* 2 x))) 1)");

    let top: Vec<&Stmt> = file.items[2..].iter().map(|i| if let Item::Stmt(s) = i { s } else { panic!() }).collect();
    assert_eq!(text(TUTORIAL, top[0].span), "manual_seed(0)");
    let StmtKind::Assign { value, .. } = &top[1].kind else { panic!() };
    assert_eq!(sexp(value), "(call randn 5 requires_grad=true)");
    let StmtKind::Assign { value, .. } = &top[2].kind else { panic!() };
    assert_eq!(sexp(value), "(call SelfDefinedTanh (** (+ inp 1) 2))");
    let StmtKind::Expr(e) = &top[5].kind else { panic!() };
    assert_eq!(sexp(e), "(method out backward (call ones_like inp) retain_graph=true)");
    assert_eq!(text(TUTORIAL, e.span), "out.backward(ones_like(inp), retain_graph=true)");
    let StmtKind::Expr(e) = &top[6].kind else { panic!() };
    assert_eq!(sexp(e), r#"(call print "\nFirst call")"#);
    let StmtKind::Expr(e) = &top[11].kind else { panic!() };
    assert_eq!(sexp(e), "(method (field inp grad) zero_)");
    let StmtKind::Assign { value, .. } = &top[15].kind else { panic!() };
    assert_eq!(sexp(value), "(call arange (neg 8) 8 0.1f requires_grad=true)");
    let StmtKind::Expr(e) = &top[17].kind else { panic!() };
    assert_eq!(sexp(e), "(method (method y sum) backward)");
    let last = top.last().unwrap();
    assert_eq!(text(TUTORIAL, last.span), r#"savefig("tanh_demo.png")"#);
    assert_eq!(line_col(TUTORIAL, last.span.start), (43, 1));

    // Every expression's span nests inside its statement's.
    for s in &top {
        match &s.kind {
            StmtKind::Assign { value, .. } => check_expr_spans(value, s.span),
            StmtKind::Expr(e) => check_expr_spans(e, s.span),
            _ => {}
        }
    }
}

/// The span of the `nth` occurrence of the first word of `needle` in `source`.
fn find(source: &str, needle: &str, nth: usize) -> Span {
    let start = source.match_indices(needle).nth(nth).expect("needle present").0;
    let word = needle.split(|c: char| !c.is_alphanumeric() && c != '_').next().unwrap();
    Span::new(start, start + word.len())
}

// ------------------------------------------------------------------ precedence

#[test]
fn a_call_may_follow_a_call_or_a_subscript() {
    // `nn.Softmax(dim=1)(logits)`, `self.layers[0](x)`; `self.fc(x)` stays a method call.
    assert_eq!(expr("Softmax(dim=1)(logits)"), "(apply (call Softmax dim=1) logits)");
    assert_eq!(expr("self.layers[0](x)"), "(apply (index (field self layers) 0) x)");
    assert_eq!(expr("self.fc(x)"), "(method self fc x)");
    assert_eq!(expr("f(a)(b)(c)"), "(apply (apply (call f a) b) c)");
}

#[test]
fn classes_hold_methods() {
    let file = parse_ok("class Net(Module) {\n    \"A docstring.\"\n    fn __init__(self) {\n        super().__init__()\n    }\n    fn forward(self, x) {\n        return x\n    }\n}\n");
    let Item::Class(c) = &file.items[0] else { panic!("not a class") };
    assert_eq!(c.name.name, "Net");
    assert_eq!(c.bases.len(), 1);
    assert_eq!(c.methods.iter().map(|m| m.name.name.as_str()).collect::<Vec<_>>(), ["__init__", "forward"]);
}

#[test]
fn power_binds_tighter_than_unary_minus() {
    assert_eq!(expr("-x ** 2"), "(neg (** x 2))");
    assert_eq!(expr("2 ** -1"), "(** 2 (neg 1))");
    assert_eq!(expr("-2 ** -x ** 2"), "(neg (** 2 (neg (** x 2))))");
}

/// A lambda's body takes in every operator; a comprehension's clauses nest in
/// order and each takes its own conditions; a generator expression is an argument.
#[test]
fn lambdas_and_comprehensions_parse_as_python_reads_them() {
    assert_eq!(expr("lambda x, k=2: x or k and y"), "(lambda (x k=2) (or x (and k y)))");
    assert_eq!(expr("lambda: 7"), "(lambda () 7)");
    assert_eq!(expr("f(lambda a: a + 1, 2)"), "(call f (lambda (a) (+ a 1)) 2)");
    assert_eq!(expr("[a * b for a, b in xs if a > 0 for c in ys if c]"), "(list-of (* a b) (for (a b) xs (if (> a 0))) (for (c) ys (if c)))");
    assert_eq!(expr("sum(p.sum() for p in ps)"), "(call sum (gen (method p sum) (for (p) ps)))");
    assert_eq!(expr("[x for x in lambda_]"), "(list-of x (for (x) lambda_))");
}

/// A `{` where a value goes opens a dict, whose lines run on until its `}`;
/// a `{` after a statement's header still opens a block.
#[test]
fn braces_open_a_dict_where_a_value_goes() {
    assert_eq!(expr("g({\"a\": 1, 2: x + 1,})"), "(call g {\"a\": 1 2: (+ x 1)})");
    assert_eq!(expr("f({}, [{1: 2}])"), "(call f {} [{1: 2}])");
    assert_eq!(expr("g({k: v for k, v in d if v})"), "(call g (dict-of k: v (for (k v) d (if v))))");
    let file = parse_ok("if c {\n    cfg = {\n        \"lr\": 0.1,\n        \"inner\": {\"b\": 2},\n    }\n    y = 1\n}\n");
    let Item::Stmt(Stmt { kind: StmtKind::If(i), .. }) = &file.items[0] else { panic!("not an if") };
    assert_eq!(i.branches[0].1.stmts.len(), 2);
    // The `else` of a conditional expression takes a dict; a statement's takes a block.
    assert_eq!(expr("g({} if c else {1: 2}, **kw)"), "(call g (if-else c {} {1: 2}) (splat-keywords kw))");
    let file = parse_ok("if c {\n    y = 1\n} else {\n    y = {}\n}\n");
    assert!(matches!(&file.items[0], Item::Stmt(Stmt { kind: StmtKind::If(i), .. }) if i.otherwise.is_some()));
}

/// `a if c else b` sits at the lambda's level: its sides take in `or`, its
/// `else` side nests to the right, a lambda's body may be one, and in a
/// comprehension an `if` after the iterable is a condition, as in Python.
/// Comparisons chain unless parenthesized.
#[test]
fn conditionals_and_chains_parse_as_python_reads_them() {
    assert_eq!(expr("a or b if c and d else e"), "(if-else (and c d) (or a b) e)");
    assert_eq!(expr("1 if n < 2 else 2 if n < 4 else 3"), "(if-else (< n 2) 1 (if-else (< n 4) 2 3))");
    assert_eq!(expr("lambda e: e / w if e < w else 1.0"), "(lambda (e) (if-else (< e w) (/ e w) 1f))");
    assert_eq!(expr("[x if x > 0 else -x for x in xs if x != 0]"), "(list-of (if-else (> x 0) x (neg x)) (for (x) xs (if (!= x 0))))");
    assert_eq!(expr("(a if c else b) + 1"), "(+ (if-else c a b) 1)");
    assert_eq!(expr("0 <= r <= 1 == t"), "(chain 0 <= r <= 1 == t)");
    assert_eq!(expr("(0 <= r) <= 1"), "(<= (<= 0 r) 1)");
    assert_eq!(expr("not a < b < c"), "(not (chain a < b < c))");
}

/// `forward` opens an op's forward block only where a statement starts with
/// `forward {`; elsewhere it is a name, as PyTorch code uses it (`def forward`).
#[test]
fn forward_is_a_name_outside_an_ops_forward_block() {
    let file = parse_ok(
        "fn forward(x, params) {\n    return x\n}\ny = forward(1, 2)\nz = m.forward\nop A(x) {\n    forward {\n        return x\n    }\n}\n",
    );
    match &file.items[0] {
        Item::Fn(f) => assert_eq!(f.name.name, "forward"),
        _ => panic!("not a fn"),
    }
    assert!(matches!(file.items[3], Item::Op(_)));
}

/// `in` and `not in` sit with the comparisons, below `|` and above `not`, and
/// `in` is read as a name elsewhere (a loop's `in`, a comprehension's).
#[test]
fn membership_binds_as_a_comparison() {
    assert_eq!(expr("a + 1 in b | c"), "(in (+ a 1) (| b c))");
    assert_eq!(expr("not a in b or c"), "(or (not (in a b)) c)");
    assert_eq!(expr("x not in [1, 2] and y"), "(and (not-in x [1 2]) y)");
    assert_eq!(expr("[x for x in xs if x in ys]"), "(list-of x (for (x) xs (if (in x ys))))");
    assert_eq!(expr("k in xs[1:]"), "(in k (index xs (slice 1 _ _)))");
}

/// Python's levels: comparisons < `|` < `^` < `&` < `+`, and `~` binds as unary minus.
#[test]
fn bitwise_operators_bind_as_in_python() {
    assert_eq!(expr("a | b ^ c & d + 1"), "(| a (^ b (& c (+ d 1))))");
    assert_eq!(expr("a & b & c"), "(& (& a b) c)");
    assert_eq!(expr("(x > 0) & (x < 1)"), "(& (> x 0) (< x 1))");
    assert_eq!(expr("x == a | b"), "(== x (| a b))");
    assert_eq!(expr("~m & n"), "(& (invert m) n)");
    assert_eq!(expr("~x ** 2"), "(invert (** x 2))");
    assert_eq!(expr("not a | b"), "(not (| a b))");
    // `&=` is one token, not `&` followed by `=`.
    let file = parse_ok("m &= a | b\n");
    match &file.items[0] {
        Item::Stmt(Stmt { kind: StmtKind::AugAssign { op, value, .. }, .. }) => {
            assert_eq!(*op, AugOp::Bit(BitOp::And));
            assert_eq!(sexp(value), "(| a b)");
        }
        other => panic!("not an augmented assignment: {other:?}"),
    }
}

#[test]
fn power_is_right_associative() {
    assert_eq!(expr("2 ** 3 ** 2"), "(** 2 (** 3 2))");
}

#[test]
fn additive_and_multiplicative_are_left_associative() {
    assert_eq!(expr("a - b - c"), "(- (- a b) c)");
    assert_eq!(expr("a / b * c"), "(* (/ a b) c)");
    assert_eq!(expr("a @ b + c"), "(+ (@ a b) c)");
    assert_eq!(expr("c + a @ b"), "(+ c (@ a b))");
    assert_eq!(expr("a * b @ c"), "(@ (* a b) c)");
    assert_eq!(expr("-a * b"), "(* (neg a) b)");
    assert_eq!(expr("(a + b) * c"), "(* (+ a b) c)");
}

#[test]
fn binary_spans_cover_their_operands() {
    let source = "a - b - c";
    let s = &stmts(source)[0];
    let StmtKind::Expr(e) = &s.kind else { panic!() };
    assert_eq!(e.span, Span::new(0, 9));
    let ExprKind::Binary { lhs, rhs, .. } = &e.kind else { panic!() };
    assert_eq!(text(source, lhs.span), "a - b");
    assert_eq!(text(source, rhs.span), "c");

    let source = "-x ** 2";
    let StmtKind::Expr(e) = &stmts(source)[0].kind else { panic!() };
    let ExprKind::Unary { operand, .. } = &e.kind else { panic!() };
    assert_eq!(e.span, Span::new(0, 7));
    assert_eq!(text(source, operand.span), "x ** 2");
}

// ------------------------------------------------------------------ postfix, calls, literals

#[test]
fn method_chains_and_fields() {
    assert_eq!(expr("y.sum().backward()"), "(method (method y sum) backward)");
    assert_eq!(expr("x.grad.zero_()"), "(method (field x grad) zero_)");
    assert_eq!(expr("f(x).grad"), "(field (call f x) grad)");
    assert_eq!(expr("backward(y, grad=none, retain_graph=false)"), "(call backward y grad=none retain_graph=false)");
    let source = "x.grad.zero_()";
    let StmtKind::Expr(e) = &stmts(source)[0].kind else { panic!() };
    let ExprKind::Method { receiver, method, .. } = &e.kind else { panic!() };
    assert_eq!(text(source, receiver.span), "x.grad");
    assert_eq!(text(source, method.span), "zero_");
}

#[test]
fn keyword_arguments_and_trailing_commas() {
    assert_eq!(expr("f(x, dim=1)"), "(call f x dim=1)");
    assert_eq!(expr("f(x, dim=1,)"), "(call f x dim=1)");
    assert_eq!(expr("f()"), "(call f)");
    assert_eq!(expr("[1, 2,]"), "[1 2]");
    assert_eq!(expr("[]"), "[]");
    assert_eq!(expr("tensor([[1, 2], [3, 4]])"), "(call tensor [[1 2] [3 4]])");
    let source = "plot(x, y, label=\"a\")";
    let StmtKind::Expr(Expr { kind: ExprKind::Call { args, .. }, .. }) = &stmts(source)[0].kind else { panic!() };
    let name = args[2].name.as_ref().unwrap();
    assert_eq!(text(source, name.span), "label");
    assert_eq!(text(source, args[2].value.span), "\"a\"");
}

#[test]
fn number_forms() {
    assert_eq!(expr("3"), "3");
    assert_eq!(expr("0.1"), "0.1f");
    assert_eq!(expr("1e-3"), "0.001f");
    assert_eq!(expr("2.5E+2"), "250f");
    assert_eq!(expr(".5"), "0.5f");
    assert_eq!(expr("1."), "1f");
    assert_eq!(expr("1.e2"), "100f");
}

#[test]
fn strings_with_escapes() {
    assert_eq!(expr(r#"print("a\nb\tc\"d\\e")"#), "(call print \"a\\nb\\tc\\\"d\\\\e\")");
    let file = parse_ok(r#"s = "tab\there""#);
    let Item::Stmt(Stmt { kind: StmtKind::Assign { value, .. }, .. }) = &file.items[0] else { panic!() };
    assert_eq!(value.kind, ExprKind::Str("tab\there".to_string()));
    assert_eq!(value.span, Span::new(4, 15));
    // A `#` inside a string is not a comment.
    assert_eq!(expr(r##"print("# not a comment")"##), r##"(call print "# not a comment")"##);
}

// ------------------------------------------------------------------ newlines and terminators

#[test]
fn calls_and_lists_span_lines() {
    let source = "y = f(\n    a,\n    b=2,\n)\nz = [\n  [1, 2],\n  [3, 4]\n]\n";
    let s = stmts(source);
    assert_eq!(s.len(), 2);
    let StmtKind::Assign { value, .. } = &s[0].kind else { panic!() };
    assert_eq!(sexp(value), "(call f a b=2)");
    assert_eq!(text(source, s[0].span), "y = f(\n    a,\n    b=2,\n)");
    let StmtKind::Assign { value, .. } = &s[1].kind else { panic!() };
    assert_eq!(sexp(value), "[[1 2] [3 4]]");
}

#[test]
fn an_operator_at_the_end_of_a_line_continues_the_statement() {
    let s = stmts("y = a +\n    b\n");
    assert_eq!(s.len(), 1);
}

#[test]
fn comments_blank_lines_and_semicolons() {
    let source = "\n\n# leading comment\nx = 1 # trailing comment\n\n\n;;y = 2; z = 3;\n# last\n";
    let s = stmts(source);
    assert_eq!(s.len(), 3);
    assert_eq!(text(source, s[0].span), "x = 1");
    assert_eq!(text(source, s[1].span), "y = 2");
    assert_eq!(text(source, s[2].span), "z = 3");
    assert!(parse_ok("").items.is_empty());
    assert!(parse_ok("# only a comment").items.is_empty());
    assert!(parse_ok("\n;\n").items.is_empty());
    // No newline at the end of the file.
    assert_eq!(stmts("x = 1").len(), 1);
}

#[test]
fn blocks_accept_blank_lines_and_same_line_forms() {
    let source =
        "fn f(x) {\n\n    # c\n    y = x; return y\n\n}\nfn g(a, b,) { return a, b }\nop N(x) {\n  forward {\n    return x\n  }\n\n}\nfn e() {}\n";
    let file = parse_ok(source);
    assert_eq!(file.items.len(), 4);
    let Item::Fn(f) = &file.items[0] else { panic!() };
    assert_eq!(f.body.stmts.len(), 2);
    let Item::Fn(g) = &file.items[1] else { panic!() };
    assert_eq!(g.params.len(), 2);
    let StmtKind::Return(values) = &g.body.stmts[0].kind else { panic!() };
    assert_eq!(values.len(), 2);
    let Item::Op(op) = &file.items[2] else { panic!() };
    assert!(op.backward.is_none());
    let Item::Fn(e) = &file.items[3] else { panic!() };
    assert!(e.params.is_empty() && e.body.stmts.is_empty());
}

#[test]
fn return_lists_and_save_lists() {
    let source = "op M(a, b) {\n forward {\n  p = a * b\n  save a, b\n  return p\n }\n backward(g) {\n  return g * b, none\n }\n}\n";
    let file = parse_ok(source);
    let Item::Op(op) = &file.items[0] else { panic!() };
    let StmtKind::Save(names) = &op.forward.stmts[1].kind else { panic!() };
    assert_eq!(names.iter().map(|n| n.name.as_str()).collect::<Vec<_>>(), ["a", "b"]);
    let bw = op.backward.as_ref().unwrap();
    let StmtKind::Return(values) = &bw.body.stmts[0].kind else { panic!() };
    assert_eq!(values.iter().map(sexp).collect::<Vec<_>>(), ["(* g b)", "none"]);
    // A bare `return` returns nothing; the checker decides whether that is allowed.
    let file = parse_ok("fn f() {\n return\n}");
    let Item::Fn(f) = &file.items[0] else { panic!() };
    assert_eq!(f.body.stmts[0].kind, StmtKind::Return(vec![]));
}

#[test]
fn lexer_drops_newlines_that_do_not_end_statements() {
    let tokens: Vec<Token> = lex("a = (\n1 +\n2)\nb").unwrap().into_iter().map(|(_, t, _)| t).collect();
    let newlines = tokens.iter().filter(|t| **t == Token::Newline).count();
    // One after `)` and one added at the end of the file after `b`.
    assert_eq!(newlines, 2);
    let spans = lex("x\n").unwrap();
    assert_eq!(spans.last().unwrap(), &(1, Token::Newline, 2));
    let spans = lex("x").unwrap();
    assert_eq!(spans.last().unwrap(), &(1, Token::Newline, 1));
}

#[test]
fn input_is_a_name_outside_declarations() {
    // As an op and fn parameter, a variable, a keyword argument name and in expressions.
    let file = parse_ok("op F(input) {\n    forward {\n        return input * 2\n    }\n}\nfn g(input, other) { return input + other }\n");
    match &file.items[0] {
        Item::Op(op) => assert_eq!(op.params[0].name, "input"),
        other => panic!("not an op: {other:#?}"),
    }
    match &file.items[1] {
        Item::Fn(f) => assert_eq!(f.params[0].name, "input"),
        other => panic!("not a fn: {other:#?}"),
    }
    assert_eq!(expr("exp(input=x)"), "(call exp input=x)");
    assert_eq!(expr("input * input.sum()"), "(* input (method input sum))");
    let s = stmts("input = ones(3)\nprint(input)\n");
    assert!(matches!(&s[0].kind, StmtKind::Assign { target, .. } if target.name == "input"));
}

#[test]
fn input_still_declares_where_a_statement_starts_with_input_name() {
    let s = stmts("input x: f32[3]\ny = 1; input w: f64[2] requires_grad\n");
    assert!(matches!(&s[0].kind, StmtKind::Input(d) if d.name.name == "x"));
    assert!(matches!(&s[2].kind, StmtKind::Input(d) if d.name.name == "w" && d.requires_grad));
    // The keyword token is made only there; after `=` it is a name.
    let tokens: Vec<Token> = lex("input x: f32[3]\ny = input\n").unwrap().into_iter().map(|(_, t, _)| t).collect();
    assert_eq!(tokens[0], Token::Input);
    assert!(tokens.contains(&Token::Ident("input".to_string())));
}
