//! `lambda`, as published training code writes it (d2l's `net = lambda X:
//! d2l.linreg(X, w, b)` inside the function that made `w` and `b`). The expected
//! text is what PyTorch 2.15 prints for the same lines (Python's `repr` of a
//! function adds an address, which graphc leaves out).

use crate::common::run;
use graphc_compiler::driver::compile;

/// A top-level lambda reads the top-level names when called, so it sees the
/// parameters' in-place updates, in a loop too; defaults and keywords bind as
/// a fn's do; gradients flow through its body.
#[test]
fn a_lambda_is_a_function_of_one_expression() {
    let program = "\
w = tensor([[1.0], [2.0]], requires_grad=true)
b = tensor([0.5], requires_grad=true)
net = lambda X: X @ w + b
sq = lambda a, k=2: a ** k
X = tensor([[1.0, 1.0], [2.0, 0.0]])
l = sq(net(X) - 1).sum()
l.backward()
print(l, w.grad, b.grad)
print(sq(3, k=3), sq(k=1, a=4))
no_grad {
    w -= 0.1 * w.grad
}
print(net(X))
for step in range(3) {
    loss = sq(net(X)).sum()
    loss.backward()
    no_grad {
        w -= 0.01 * w.grad
        w.grad.zero_()
    }
    print(step, loss.item())
}
";
    assert_eq!(
        run(program),
        "tensor(8.5000, grad_fn=<SumBackward0>) tensor([[11.],\n        [ 5.]]) tensor([8.])\n27 4\n\
tensor([[1.9000],\n        [0.3000]], grad_fn=<AddBackward0>)\n0 3.6999998092651367\n1 2.729503870010376\n2 2.5248167514801025\n"
    );
}

/// A lambda made in a fn keeps that fn's names after the call returns, and is
/// passed and called as any function value.
#[test]
fn a_lambda_in_a_fn_closes_over_its_names() {
    let program = "\
fn make(p) {
    q = p * 2
    return lambda x: x * q
}
f = make(3)
print(f(5), f(x=1))
fn apply(g, v) {
    return g(v)
}
print(apply(lambda t: t + 1, 4), lambda: 7)
";
    assert_eq!(run(program), "30 6\n5 <function <lambda>>\n");
}

/// Wrong calls name the lambda and where it is defined.
#[test]
fn calling_a_lambda_wrongly_is_reported_at_the_call() {
    let d = compile("f = lambda x: x\nprint(f(1, 2))\n", false).err().expect("too many arguments");
    assert_eq!((d[0].code.as_str(), d[0].message.as_str()), ("E0103", "`<lambda>` takes 1 argument"));
    let d = compile("f = lambda x: x\nprint(f(y=1))\n", false).err().expect("unknown keyword");
    assert_eq!((d[0].code.as_str(), d[0].message.as_str()), ("E0104", "`<lambda>` has no parameter `y`"));
    // Inside a fn, the definition checks see the lambda's parameters, and only there.
    let d = compile("fn g(a) {\n    h = lambda x: x + y\n    return h(a)\n}\nprint(g(1))\n", false).err().expect("unknown name");
    assert_eq!((d[0].code.as_str(), d[0].message.as_str()), ("E0101", "cannot find `y` here"));
}
