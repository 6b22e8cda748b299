//! `no_grad`, in-place updates, stores, `requires_grad_` and `.grad = none`: how
//! they parse, which programs compile, and which are E0620-E0625. What they
//! print is checked against PyTorch by the examples (`inplace_ops`, `sgd_steps_unrolled`,
//! `my_relu` in tests/programs/torch).

use graphc_compiler::diag::Code;
use graphc_compiler::driver::compile;
use graphc_compiler::syntax::ast::{AugOp, BinOp, BitOp, ExprKind, Item, StmtKind};
use graphc_compiler::syntax::parser::parse;

fn codes(src: &str) -> Vec<Code> {
    match compile(src, false) {
        Ok(_) => vec![],
        Err(diags) => diags.iter().map(|d| d.code).collect(),
    }
}

fn first_stmt(src: &str) -> StmtKind {
    let file = parse(src).unwrap_or_else(|d| panic!("{src}: {d:?}"));
    match file.items.into_iter().next() {
        Some(Item::Stmt(s)) => s.kind,
        _ => panic!("{src}: no statement"),
    }
}

#[test]
fn the_new_statements_parse() {
    assert!(matches!(first_stmt("no_grad {\n    x = 1\n}\n"), StmtKind::NoGrad(b) if b.stmts.len() == 1));
    for (src, want) in [
        ("x -= 1\n", AugOp::Arith(BinOp::Sub)),
        ("x += 1\n", AugOp::Arith(BinOp::Add)),
        ("x *= 2\n", AugOp::Arith(BinOp::Mul)),
        ("x[0] /= 2\n", AugOp::Arith(BinOp::Div)),
        ("x |= y\n", AugOp::Bit(BitOp::Or)),
        ("x[0] ^= y\n", AugOp::Bit(BitOp::Xor)),
    ] {
        assert!(matches!(first_stmt(src), StmtKind::AugAssign { op, .. } if op == want), "{src}");
    }
    assert!(matches!(first_stmt("x[0, 1:] = 2\n"), StmtKind::Store { target, .. } if matches!(target.kind, ExprKind::Index { .. })));
    assert!(matches!(first_stmt("p.grad = none\n"), StmtKind::Store { target, .. } if matches!(target.kind, ExprKind::Field { .. })));
    // A plain assignment and a keyword argument are what they were.
    assert!(matches!(first_stmt("x = f(a=1)\n"), StmtKind::Assign { .. }));
}

#[test]
fn no_grad_stays_a_name_and_other_named_blocks_are_parse_errors() {
    assert_eq!(codes("no_grad = 2\nprint(no_grad)\n"), vec![]);
    let err = parse("foo {\n    x = 1\n}\n").expect_err("`foo { }` is no statement");
    assert_eq!(err[0].code, Code::E0003);
    let err = parse("f(x) += 1\n").expect_err("a call cannot be updated");
    assert_eq!(err[0].code, Code::E0003);
}

#[test]
fn no_grad_opens_no_scope_and_nothing_inside_requires_grad() {
    let src = "x = randn(3, requires_grad=true)\nno_grad {\n    y = x * 2\n}\nprint(y)\nz = y.sum()\nz.backward()\n";
    // `y` is bound after the block, and does not require grad: backward of it is E0402.
    assert_eq!(codes(src), vec![Code::E0402]);
    assert_eq!(codes("x = randn(3, requires_grad=true)\nno_grad {\n    y = x * 2\n}\nprint(y)\n"), vec![]);
}

#[test]
fn a_leaf_updates_only_under_no_grad_and_stays_a_leaf() {
    let update = "w = randn(3, requires_grad=true)\n(w * w).sum().backward()\n";
    assert_eq!(codes(&format!("{update}w -= 0.1 * w.grad\n")), vec![Code::E0620]);
    assert_eq!(codes(&format!("{update}w.mul_(2)\n")), vec![Code::E0620]);
    assert_eq!(codes(&format!("{update}w[0] = 1\n")), vec![Code::E0620]);
    // Under no_grad the updated tensor keeps its `.grad` and receives the next backward's.
    let ok = format!("{update}no_grad {{\n    w -= 0.1 * w.grad\n}}\nw.grad.zero_()\n(w * w).sum().backward()\nprint(w.grad)\n");
    assert_eq!(codes(&ok), vec![]);
    // `.grad = none` and then a backward that stores a fresh gradient.
    let none = format!("{update}w.grad = none\nprint(w.grad)\n(w * 3).sum().backward()\nprint(w.grad)\n");
    assert_eq!(codes(&none), vec![]);
}

#[test]
fn only_saved_values_make_an_update_an_error() {
    let x = "x = tensor([1., -2., 3.], requires_grad=true)\n";
    // exp saves its result; sigmoid too; mul saves its operands.
    assert_eq!(codes(&format!("{x}y = x.exp()\ny += 1\ny.sum().backward()\n")), vec![Code::E0621]);
    assert_eq!(codes(&format!("{x}h = x * 2\ny = h * x\nh.zero_()\ny.sum().backward()\n")), vec![Code::E0621]);
    // `+` saves nothing; the update's own op may read the old value (PyTorch copies it).
    assert_eq!(codes(&format!("{x}y = x + 1\ny += 1\ny.sum().backward()\n")), vec![]);
    assert_eq!(codes(&format!("{x}y = x * 2\ny *= x\ny.sum().backward()\n")), vec![]);
    // A backward that ran before the update does not need the value afterwards.
    assert_eq!(codes(&format!("{x}y = x.exp()\ny.sum().backward()\ny += 1\nprint(y)\n")), vec![]);
}

#[test]
fn in_place_results_keep_the_dtype_and_shape() {
    assert_eq!(codes("i = tensor([1, 2])\ni += 0.5\n"), vec![Code::E0622]);
    assert_eq!(codes("b = tensor([true, false])\nb += 1\n"), vec![Code::E0622]);
    assert_eq!(codes("f = tensor([1., 2.])\nf += tensor([1, 1])\nprint(f)\n"), vec![]);
    assert_eq!(codes("x = zeros(3)\nx += ones(2, 3)\n"), vec![Code::E0623]);
    assert_eq!(codes("x = zeros(3)\nx.copy_(ones(2))\n"), vec![Code::E0623]);
    assert_eq!(codes("x = zeros(2, 3)\nx += ones(3)\nprint(x)\n"), vec![]);
}

#[test]
fn stores_check_what_they_select() {
    assert_eq!(codes("x = zeros(5)\nx[ids] = 1\n"), vec![Code::E0101]);
    // An i64 index tensor is PyTorch's `index_put_`; a float one is no index.
    assert_eq!(codes("x = zeros(5)\nx[tensor([0, 2])] = 1\nprint(x)\n"), vec![]);
    assert_eq!(codes("x = zeros(5)\nx[tensor([0.0, 2.0])] = 1\n"), vec![Code::E0624]);
    assert_eq!(codes("x = zeros(5)\nx[tensor([0, 5])] = 1\n"), vec![Code::E0701]);
    assert_eq!(codes("x = zeros(5)\nx[tensor([0, 2])] = ones(3)\n"), vec![Code::E0700]);
    assert_eq!(codes("x = zeros(5)\nx[5] = 1\n"), vec![Code::E0624]);
    assert_eq!(codes("x = zeros(2, 3)\nx[0] = ones(2)\n"), vec![Code::E0624]);
    // A value with one element per true element of the mask needs their count (E0708).
    assert_eq!(codes("x = zeros(3)\nx[x > 0] = ones(3)\n"), vec![Code::E0708]);
    assert_eq!(codes("x = zeros(3)\nx.foo = 1\n"), vec![Code::E0624]);
    assert_eq!(codes("x = zeros(2, 3)\nx[0] = ones(3)\nx[:, 1] = 2\nx[..., 0] = tensor([4., 5.])\nx[x > 1] = 0\nprint(x)\n"), vec![]);
}

#[test]
fn requires_grad_follows_pytorch() {
    assert_eq!(codes("w = (randn(2, 3) * 0.1).requires_grad_()\n(w * w).sum().backward()\nprint(w.grad)\n"), vec![]);
    assert_eq!(codes("w = zeros(3, dtype=i64).requires_grad_()\n"), vec![Code::E0203]);
    assert_eq!(codes("x = randn(3, requires_grad=true)\ny = (x * 2).requires_grad_(false)\n"), vec![Code::E0625]);
    // Turning it on for a tensor that already requires grad changes nothing.
    assert_eq!(codes("x = randn(3, requires_grad=true)\ny = (x * 2).requires_grad_()\ny.sum().backward()\nprint(x.grad)\n"), vec![]);
}

#[test]
fn exports_and_saved_values_read_the_updated_tensor() {
    use graphc_runtime::op::Binary;
    use graphc_runtime::Op;
    let file = parse("w = zeros(3)\nw += 1\n").unwrap();
    let prog = graphc_compiler::lower::lower(&file).unwrap();
    let w = prog.exports["w"];
    assert_eq!(prog.graph.node(w).op, Op::Binary(Binary::Add), "`--save w` must save the updated value");
    // An op's forward that updates a name and then saves it saves the new value:
    // the backward multiplies by 2 * (x + 1), not by 2 * x.
    let op = "op Sq(x) {\n    forward {\n        y = x * 1\n        y += 1\n        save y\n        return y * y\n    }\n    backward(g) {\n        return g * 2 * y\n    }\n}\n";
    let compiled = compile(&format!("{op}x = ones(2, requires_grad=true)\nSq(x).sum().backward()\nprint(x.grad)\n"), false).expect("compiles");
    let (out, _) = graphc_runtime::exec::run_capture(&compiled.plan).expect("runs");
    assert_eq!(out, "tensor([4., 4.])\n");
}

#[test]
fn requires_grad_and_is_leaf_are_what_pytorch_says() {
    // PyTorch prints `True / True False True True False / False True` for the same lines.
    let src = "w = randn(3, requires_grad=true)\n(w * w).sum().backward()\nno_grad {\n    w -= 0.1 * w.grad\n    q = w * 2\n}\nprint(w.requires_grad)\nprint(w.is_leaf, (w * 2).is_leaf, (w * 2).requires_grad, zeros(2).is_leaf, zeros(2).requires_grad)\nprint(q.requires_grad, q.is_leaf)\n";
    let compiled = compile(src, false).expect("compiles");
    let (out, _) = graphc_runtime::exec::run_capture(&compiled.plan).expect("runs");
    assert_eq!(out, "True\nTrue False True True False\nFalse True\n");
}

/// `p.data -= lr * p.grad` (the update older tutorials write), `p.data = v`
/// and reads of `p.data` go through the tensor's detached view, as in PyTorch:
/// the leaf keeps requiring grad, `.data` does not, and an update through a
/// bound `.data` writes through. PyTorch 2.15 prints the same for the same lines.
#[test]
fn updates_through_data_change_the_tensor_outside_autograd() {
    let program = "\
w = tensor([1.0, 2.0], requires_grad=true)
lr = 0.1
for t in range(3) {
    loss = (w * w).sum()
    loss.backward()
    w.data -= lr * w.grad
    w.grad.zero_()
}
print(w, w.data, w.data.requires_grad)
d = w.data
d += 1
print(w)
w.data = tensor([5.0, 6.0])
print(w, w.is_leaf)
y = w * 3
print(y.data, y.data.grad_fn)
";
    let want = "\
tensor([0.5120, 1.0240], requires_grad=True) tensor([0.5120, 1.0240]) False
tensor([1.5120, 2.0240], requires_grad=True)
tensor([5., 6.], requires_grad=True) True
tensor([15., 18.]) None
";
    let c = compile(program, false).unwrap_or_else(|d| panic!("{}", d[0].message));
    assert_eq!(graphc_runtime::exec::run_capture(&c.plan).unwrap().0, want);
    // graphc's tensors keep their dtype and shape: `.data =` of another shape is E0624.
    let src = "w = ones(2)\nw.data = ones(3)\n";
    let Err(d) = compile(src, false) else { panic!("compiled") };
    assert_eq!(d[0].code, graphc_compiler::diag::Code::E0624);
    assert!(d[0].message.contains("takes one of the same dtype and shape"), "{}", d[0].message);
    // Another field is no in-place target.
    let Err(d) = compile("w = ones(2)\nw.grad += 1\n", false) else { panic!("compiled") };
    assert_eq!(d[0].code, graphc_compiler::diag::Code::E0003);
}
