//! Higher-order gradients: `grad(y, x, create_graph=true)` through builtins and
//! through user ops, checked against the analytic second derivative of tanh,
//! against builtin tanh, and against central finite differences of the first
//! gradient, all in f64.

use crate::common;

use graphc_compiler::diag::Code;
use graphc_compiler::driver::compile;
use graphc_runtime::exec::run_capture;
use graphc_runtime::Tensor;

/// Two ops computing tanh: one saves its output, one saves an intermediate
/// (`e2 = exp(2x)`), which PyTorch's double backward would treat as a constant.
const OPS: &str = r#"
op TanhOut(inp) {
    forward {
        e = exp(inp)
        e_ = exp(-inp)
        result = (e - e_) / (e + e_)
        save result
        return result
    }
    backward(g) {
        return g * (1 - result ** 2)
    }
}
op TanhMid(inp) {
    forward {
        e2 = exp(2 * inp)
        save e2
        return (e2 - 1) / (e2 + 1)
    }
    backward(g) {
        return g * 4 * e2 / ((e2 + 1) ** 2)
    }
}
"#;

const XS: [f64; 6] = [-2.5, -0.7, -0.1, 0.3, 1.1, 2.0];

fn run(src: &str) -> Vec<Tensor> {
    let c = compile(src, false).unwrap_or_else(|d| panic!("does not compile: {d:?}\n{src}"));
    run_capture(&c.plan).expect("runs").1
}

fn values(t: &Tensor) -> Vec<f64> {
    t.as_f64().expect("f64 tensor").to_vec()
}

fn leaf(xs: &[f64]) -> String {
    let items: Vec<String> = xs.iter().map(|v| format!("{v:?}")).collect();
    format!("x = tensor([{}], dtype=f64, requires_grad=true)\n", items.join(", "))
}

/// The second derivative of `f` at XS, by `grad` of `grad` and by backward of `grad`.
fn second(f: &str) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let src = format!(
        "{OPS}{}y = {f}(x)\ng1 = grad(y.sum(), x, create_graph=true)[0]\nprint(g1)\nprint(grad(g1.sum(), x, retain_graph=true)[0])\ng1.sum().backward()\nprint(x.grad)\n",
        leaf(&XS)
    );
    let t = run(&src);
    (values(&t[0]), values(&t[1]), values(&t[2]))
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

#[test]
fn second_derivatives_through_ops_equal_builtin_tanh() {
    let (g_tanh, h_tanh, b_tanh) = second("tanh");
    for (i, &x) in XS.iter().enumerate() {
        let y = x.tanh();
        assert!(close(g_tanh[i], 1.0 - y * y, 1e-15), "tanh' at {x}: {}", g_tanh[i]);
        assert!(close(h_tanh[i], -2.0 * y * (1.0 - y * y), 1e-14), "tanh'' at {x}: {}", h_tanh[i]);
        assert_eq!(h_tanh[i], b_tanh[i], "grad and backward of the same gradient agree bit for bit");
    }
    for op in ["TanhOut", "TanhMid"] {
        let (g, h, b) = second(op);
        for i in 0..XS.len() {
            assert!(close(g[i], g_tanh[i], 1e-13), "{op}' at {}: {} vs {}", XS[i], g[i], g_tanh[i]);
            assert!(close(h[i], h_tanh[i], 1e-12), "{op}'' at {}: {} vs {}", XS[i], h[i], h_tanh[i]);
            assert!(close(b[i], h_tanh[i], 1e-12), "{op}'' by backward at {}: {} vs {}", XS[i], b[i], h_tanh[i]);
        }
    }
}

#[test]
fn second_derivatives_match_finite_differences_of_the_first() {
    let h = 1e-6;
    for f in ["tanh", "TanhOut", "TanhMid", "sigmoid", "exp"] {
        let (_, second_d, _) = second(f);
        for (i, &x) in XS.iter().enumerate() {
            let first_at = |v: f64| {
                let src = format!("{OPS}{}print(grad({f}(x).sum(), x)[0])\n", leaf(&[v]));
                values(&run(&src)[0])[0]
            };
            let fd = (first_at(x + h) - first_at(x - h)) / (2.0 * h);
            assert!((fd - second_d[i]).abs() <= 1e-6 + 1e-5 * fd.abs(), "{f}'' at {x}: autodiff {} vs finite difference {fd}", second_d[i]);
        }
    }
}

#[test]
fn grad_returns_a_value_and_leaves_dot_grad_alone() {
    let src = format!("{}y = (x * x).sum()\nprint(grad(y, x)[0])\nprint(x.grad)\n", leaf(&[1.0, -3.0]));
    let c = compile(&src, false).expect("compiles");
    let (out, t) = run_capture(&c.plan).expect("runs");
    assert_eq!(values(&t[0]), vec![2.0, -6.0]);
    assert!(out.ends_with("None\n"), "x.grad stays None after grad(): {out}");
}

#[test]
fn grad_without_create_graph_is_not_differentiable_again() {
    let src = format!("{}g = grad((x * x).sum(), x)[0]\ng.sum().backward()\n", leaf(&[1.0]));
    let err = compile(&src, false).err().expect("a gradient made without create_graph does not require grad");
    assert_eq!(err[0].code, graphc_compiler::diag::Code::E0402);
}

#[test]
fn grad_with_respect_to_an_unused_tensor_is_an_error() {
    let src = format!("{}z = tensor([1.0], dtype=f64, requires_grad=true)\nprint(grad((x * 2).sum(), z)[0])\n", leaf(&[1.0]));
    let err = compile(&src, false).err().expect("z is not used to compute the sum");
    assert_eq!(err[0].code, graphc_compiler::diag::Code::E0405);
}

/// `grad(y, [w, b])` returns the tuple of gradients, as `torch.autograd.grad`
/// does, in the order asked (a tensor asked twice gets its gradient twice);
/// `allow_unused=true` gives `none` for a tensor `y` does not use, and
/// `grad_outputs` is PyTorch's name for the seed. With `create_graph=true` the
/// tuple's gradients differentiate again. MAML's inner loop takes its
/// gradients this way (`examples/maml_sine.act`).
#[test]
fn grad_of_a_list_gives_a_tuple_as_pytorch_does() {
    // import torch
    // torch.manual_seed(0)
    // w = torch.randn(3, requires_grad=True)
    // b = torch.randn(1, requires_grad=True)
    // u = torch.randn(2, requires_grad=True)
    // x = torch.randn(4, 3)
    // y = torch.tanh(x @ w + b)
    // gw, gb = torch.autograd.grad(y.sum(), [w, b], retain_graph=True)
    // print(gw, gb)
    // gs = torch.autograd.grad(y, (w, u, w), grad_outputs=torch.ones(4) * 2, allow_unused=True, retain_graph=True)
    // print(len(gs), gs[0], gs[1], gs[2])
    // g1 = torch.autograd.grad(y.sum(), [w], create_graph=True)
    // print(len(g1))
    // h = torch.autograd.grad((g1[0] ** 2).sum(), (w, b))
    // print(h)
    let program = r#"
manual_seed(0)
w = randn(3, requires_grad=true)
b = randn(1, requires_grad=true)
u = randn(2, requires_grad=true)
x = randn(4, 3)
y = tanh(x @ w + b)
gw, gb = grad(y.sum(), [w, b], retain_graph=true)
print(gw, gb)
gs = grad(y, (w, u, w), grad_outputs=ones(4) * 2, allow_unused=true, retain_graph=true)
print(len(gs), gs[0], gs[1], gs[2])
g1 = grad(y.sum(), [w], create_graph=true)
print(len(g1))
h = grad((g1[0] ** 2).sum(), (w, b))
print(h)
"#;
    let want = "\
tensor([-0.4792, -0.7876,  0.2231]) tensor([2.2181])
3 tensor([-0.9583, -1.5752,  0.4463]) None tensor([-0.9583, -1.5752,  0.4463])
1
(tensor([-0.8253,  0.5046, -0.7237]), tensor([1.2526]))
";
    assert_eq!(common::run(program), want);
}

/// PyTorch's refusals of `grad`'s inputs, at the argument: no tensors, one
/// that the output does not use (unless `allow_unused=true`), and the seed
/// given twice.
#[test]
fn grad_refuses_what_pytorch_refuses_at_the_argument() {
    let first = common::first_error;
    let empty = "w = ones(2, requires_grad=true)\ng = grad(w.sum(), [])\n";
    assert_eq!(first(empty), (Code::E0107, "grad requires non-empty inputs.".to_string(), empty.find("[]").unwrap()));
    let unused = "w = ones(2, requires_grad=true)\nu = ones(2, requires_grad=true)\ng = grad(w.sum(), [w, u])\n";
    let (code, _, at) = first(unused);
    assert_eq!((code, at), (Code::E0405, unused.rfind('u').unwrap()));
    let twice = "w = ones(2, requires_grad=true)\ng = grad(w.sum(), w, ones(()), grad=ones(()))[0]\n";
    assert_eq!(first(twice).0, Code::E0107);
}
