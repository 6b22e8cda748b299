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

/// `with no_grad() { ... }` and `with inference_mode() { ... }` are the
/// `no_grad` block, as PyTorch's `with torch.no_grad():` reads; `with` stays
/// a name elsewhere, and another context is a parse error.
#[test]
fn with_no_grad_is_the_no_grad_block() {
    let src = "x = randn(3, requires_grad=true)\nwith no_grad() {\n    y = x * 2\n}\nz = y.sum()\nz.backward()\n";
    assert_eq!(codes(src), vec![Code::E0402]);
    assert_eq!(codes("x = randn(3, requires_grad=true)\nwith inference_mode() {\n    y = x * 2\n}\nprint(y)\n"), vec![]);
    assert_eq!(codes("with = 2\nprint(with)\nwith += 1\n"), vec![]);
    let err = parse("with open() {\n    x = 1\n}\n").expect_err("`with open()` is no statement");
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

/// `ReLU(inplace=true)` and the other activation modules with an in-place
/// form update their input, as PyTorch's do: reprs, the input changed, the
/// `grad_fn` of the input and of the result, gradients through the update
/// and a `Sequential` that trains through it, as PyTorch 2.15 prints them;
/// and the two in-place errors.
#[test]
fn activation_modules_with_inplace_update_their_input() {
    let program = r#"


manual_seed(0)
m = ReLU(inplace=true)
print(m, LeakyReLU(0.2, inplace=true), ELU(inplace=true), Hardtanh(-2.0, 2.0, inplace=true))
z = tensor([-3.0, 4.0])
w = m(z)
print(z, w)
x = randn(4, requires_grad=true)
h = x * 2
y = LeakyReLU(0.1, inplace=true)(h)
print(h.grad_fn.name(), y.grad_fn.name())
y.sum().backward()
print(x.grad)
net = Sequential(Linear(3, 4), ReLU(inplace=true), Linear(4, 1))
manual_seed(0)
net = Sequential(Linear(3, 4), ReLU(inplace=true), Linear(4, 1))
print(net)
out = net(ones(2, 3))
out.sum().backward()
print(out, net[0].weight.grad)
"#;
    let c = compile(program, false).unwrap_or_else(|d| panic!("{}", d[0].message));
    let printed = graphc_runtime::exec::run_capture(&c.plan).unwrap_or_else(|e| panic!("{}", e.message)).0;
    assert_eq!(printed, "ReLU(inplace=True) LeakyReLU(negative_slope=0.2, inplace=True) ELU(alpha=1.0, inplace=True) Hardtanh(min_val=-2.0, max_val=2.0, inplace=True)\ntensor([0., 4.]) tensor([0., 4.])\nLeakyReluBackward1 LeakyReluBackward1\ntensor([2.0000, 0.2000, 0.2000, 2.0000])\nSequential(\n  (0): Linear(in_features=3, out_features=4, bias=True)\n  (1): ReLU(inplace=True)\n  (2): Linear(in_features=4, out_features=1, bias=True)\n)\ntensor([[0.1284],\n        [0.1284]], grad_fn=<AddmmBackward0>) tensor([[ 0.0000,  0.0000,  0.0000],\n        [ 0.0000,  0.0000,  0.0000],\n        [-0.6779, -0.6779, -0.6779],\n        [ 0.0000,  0.0000,  0.0000]])\n");
    assert_eq!(codes("x = randn(3, requires_grad=true)\ny = ReLU(inplace=true)(x)\n"), vec![Code::E0620]);
    assert_eq!(codes("x = randn(3, requires_grad=true)\nh = x.sigmoid()\ny = ReLU(inplace=true)(h)\ny.sum().backward()\n"), vec![Code::E0621]);
    assert_eq!(codes("m = CELU(inplace=true)\n"), vec![Code::E0107]);
}

/// `ReLU6(inplace=false)`, PyTorch's `Hardtanh(0.0, 6.0, inplace)`: its
/// repr, its values, its in-place form and its `grad_fn`, as PyTorch 2.15
/// prints them.
#[test]
fn relu6_is_a_hardtanh_from_0_to_6() {
    let program = r#"
manual_seed(0)
m = ReLU6()
mi = ReLU6(inplace=true)
print(m, mi, ReLU6(true))
x = randn(5) * 8
print(m(x))
h = x * 1
y = mi(h)
print(h)
w = randn(4, requires_grad=true)
z = ReLU6()(w * 5)
z.sum().backward()
print(z.grad_fn.name(), w.grad)
"#;
    let c = compile(program, false).unwrap_or_else(|d| panic!("{}", d[0].message));
    let printed = graphc_runtime::exec::run_capture(&c.plan).unwrap_or_else(|e| panic!("{}", e.message)).0;
    assert_eq!(printed, "ReLU6() ReLU6(inplace=True) ReLU6(inplace=True)\ntensor([6.0000, 0.0000, 0.0000, 4.5475, 0.0000])\ntensor([6.0000, 0.0000, 0.0000, 4.5475, 0.0000])\nHardtanhBackward0 tensor([0., 5., 5., 0.])\n");
}

/// The `inplace` argument of `torch.nn.functional`'s activations and dropout
/// (`F.relu(h, inplace=True)`, `F.leaky_relu(h, 0.2, True)`, `F.dropout(d, p,
/// training, True)`), the modules that take it (`SiLU`, `Mish`, `Hardsigmoid`,
/// `Hardswish`, `Dropout`), and the activation modules added with them
/// (`SELU`, `CELU`, `Threshold`, `Softshrink`, `Hardshrink`, `LogSigmoid`,
/// `Softsign`, `Tanhshrink`, `Softmin`): the updated inputs, their `grad_fn`,
/// gradients through the updates, reprs and values, as PyTorch 2.15 prints them
/// (`y is h` and `z is d`, which print `True` there, left out).
#[test]
fn functional_inplace_arguments_update_their_input() {
    let program = r#"
manual_seed(0)
x = randn(6, requires_grad=true)
h = x * 3
y = relu(h, inplace=true)
print(h.grad_fn.name(), y.grad_fn.name())
h2 = x * 2
silu(h2, inplace=true)
h3 = x * 2
mish(h3, inplace=true)
h4 = x * 2
hardsigmoid(h4, true)
h5 = x * 2
hardswish(h5, inplace=true)
h6 = x * 4
relu6(h6, inplace=true)
h7 = x * 2
leaky_relu(h7, 0.2, true)
h8 = x * 2
hardtanh(h8, -0.5, 0.5, true)
print(h2.grad_fn.name(), h3.grad_fn.name(), h4.grad_fn.name(), h5.grad_fn.name(), h6.grad_fn.name(), h7.grad_fn.name(), h8.grad_fn.name())
total = y.sum() + h2.sum() + h3.sum() + h4.sum() + h5.sum() + h6.sum() + h7.sum() + h8.sum()
total.backward()
print(h2, h3)
print(h4, h5)
print(h6, h7, h8)
print(x.grad)
d = x * 1
z = dropout(d, 0.5, false, true)
print(d.grad_fn.name())
d2 = x * 1
dropout(d2, p=1.0, inplace=true)
print(d2, d2.grad_fn.name())
print(SiLU(inplace=true), Mish(inplace=true), Dropout(0.2, inplace=true), Hardsigmoid(true), Hardswish(inplace=true))
print(SELU(), CELU(), CELU(0.5), Threshold(0.1, 20), Softshrink(), Hardshrink(0.3))
print(LogSigmoid(), Softsign(), Tanhshrink(), Softmin(dim=1), Softmin())
v = randn(2, 3)
print(SELU()(v), CELU(0.5)(v))
print(Threshold(0.1, 20)(v), Softshrink()(v), Hardshrink(0.3)(v))
print(LogSigmoid()(v), Softsign()(v), Tanhshrink()(v), Softmin(dim=1)(v))
w = v * 1
Hardswish(inplace=true)(w)
print(w)
net = Sequential(Linear(3, 4), SiLU(inplace=true), Dropout(0.0, inplace=true), Linear(4, 2), Hardswish(inplace=true))
out = net(v)
out.sum().backward()
print(net)
print(out, net[0].weight.grad)
"#;
    let c = compile(program, false).unwrap_or_else(|d| panic!("{}", d[0].message));
    let printed = graphc_runtime::exec::run_capture(&c.plan).unwrap_or_else(|e| panic!("{}", e.message)).0;
    assert_eq!(printed, "ReluBackward0 ReluBackward0\nSiluBackward0 MishBackward0 HardsigmoidBackward0 HardswishBackward0 HardtanhBackward0 LeakyReluBackward1 HardtanhBackward0\ntensor([ 2.9468, -0.2097, -0.0551,  0.8607, -0.2225, -0.1608],\n       grad_fn=<SiluBackward0>) tensor([ 3.0702, -0.2438, -0.0555,  1.0102, -0.2338, -0.1654],\n       grad_fn=<MishBackward0>)\ntensor([1.0000, 0.4022, 0.0000, 0.6895, 0.1385, 0.0338],\n       grad_fn=<HardsigmoidBackward0>) tensor([ 3.0820, -0.2360, -0.0000,  0.7838, -0.3004, -0.0945],\n       grad_fn=<HardswishBackward0>)\ntensor([6.0000, 0.0000, 0.0000, 2.2737, 0.0000, 0.0000],\n       grad_fn=<HardtanhBackward0>) tensor([ 3.0820, -0.1174, -0.8715,  1.1369, -0.4338, -0.5594],\n       grad_fn=<LeakyReluBackward1>) tensor([ 0.5000, -0.5000, -0.5000,  0.5000, -0.5000, -0.5000],\n       grad_fn=<HardtanhBackward0>)\ntensor([11.2083,  2.2711,  0.2317, 15.1630, -0.1310, -0.5217])\nMulBackward0\ntensor([0., -0., -0., 0., -0., -0.], grad_fn=<MulBackward0>) MulBackward0\nSiLU(inplace=True) Mish(inplace=True) Dropout(p=0.2, inplace=True) Hardsigmoid() Hardswish()\nSELU() CELU(alpha=1.0) CELU(alpha=0.5) Threshold(threshold=0.1, value=20) Softshrink(0.5) Hardshrink(0.3)\nLogSigmoid() Softsign() Tanhshrink() Softmin(dim=1) Softmin(dim=None)\ntensor([[ 0.4238,  0.8805, -0.9017],\n        [-0.5835, -0.7900,  0.1913]]) tensor([[ 0.4033,  0.8380, -0.3814],\n        [-0.2768, -0.3484,  0.1820]])\ntensor([[ 0.4033,  0.8380, 20.0000],\n        [20.0000, 20.0000,  0.1820]]) tensor([[ 0.0000,  0.3380, -0.2193],\n        [-0.0000, -0.0966,  0.0000]]) tensor([[ 0.4033,  0.8380, -0.7193],\n        [-0.4033, -0.5966,  0.0000]])\ntensor([[-0.5117, -0.3595, -1.1161],\n        [-0.9150, -1.0353, -0.6063]]) tensor([[ 0.2874,  0.4559, -0.4184],\n        [-0.2874, -0.3737,  0.1540]]) tensor([[ 0.0205,  0.1533, -0.1028],\n        [-0.0205, -0.0620,  0.0020]]) tensor([[0.2119, 0.1372, 0.6510],\n        [0.3610, 0.4380, 0.2010]])\ntensor([[ 0.2288,  0.5361, -0.2734],\n        [-0.1746, -0.2390,  0.0965]])\nSequential(\n  (0): Linear(in_features=3, out_features=4, bias=True)\n  (1): SiLU(inplace=True)\n  (2): Dropout(p=0.0, inplace=True)\n  (3): Linear(in_features=4, out_features=2, bias=True)\n  (4): Hardswish()\n)\ntensor([[-0.1129,  0.1533],\n        [-0.2231, -0.0248]], grad_fn=<HardswishBackward0>) tensor([[ 0.0110,  0.0076,  0.0144],\n        [ 0.0179, -0.0075,  0.0675],\n        [ 0.0435,  0.1116, -0.1249],\n        [-0.0031, -0.0077,  0.0084]])\n");
    // The same draws make the same mask in place as out of place.
    let c = compile("manual_seed(3)\nx = randn(8)\nmanual_seed(5)\na = dropout(x, 0.4)\nmanual_seed(5)\nb = x * 1\nr = dropout(b, 0.4, true, true)\nprint(equal(a, b), equal(r, b))\n", false)
        .unwrap_or_else(|d| panic!("{}", d[0].message));
    assert_eq!(graphc_runtime::exec::run_capture(&c.plan).unwrap_or_else(|e| panic!("{}", e.message)).0, "True True\n");
    assert_eq!(codes("x = randn(3, requires_grad=true)\ny = silu(x, inplace=true)\n"), vec![Code::E0620]);
    assert_eq!(codes("x = randn(3)\ny = relu(x, inplace=1)\n"), vec![Code::E0107]);
    assert_eq!(codes("m = SELU(inplace=true)\n"), vec![Code::E0107]);
}
