//! Gradients of gradients that used to panic the compiler: through relu (whose
//! backward compares the forward result, a path with a zero gradient), through
//! maximum and minimum (whose gradients do not require grad), and through user
//! ops whose backward blocks call other ops, with or without backward blocks.
//! Values are checked against the analytic derivatives, in f64.

use graphc_compiler::diag::Code;
use graphc_compiler::driver::compile;
use graphc_runtime::exec::run_capture;

/// Compiles and runs `src`, returning every printed tensor's values.
fn run(src: &str) -> Vec<Vec<f64>> {
    let c = compile(src, false).unwrap_or_else(|d| panic!("does not compile: {d:?}\n{src}"));
    let tensors = run_capture(&c.plan).expect("runs").1;
    tensors.iter().map(|t| t.as_f64().expect("f64 tensor").to_vec()).collect()
}

fn assert_close(got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() <= 1e-12 * w.abs().max(1.0), "{got:?} vs {want:?}");
    }
}

/// PyTorch gives x zeros: relu's backward depends on relu's result with a zero derivative.
#[test]
fn backward_of_a_relu_gradient_gives_zeros() {
    let out = run("x = linspace(-2, 2, 5, dtype=f64, requires_grad=true)\n\
         d1 = grad(relu(x).sum(), x, create_graph=true)[0]\n\
         d1.sum().backward()\n\
         print(x.grad)\n\
         print(grad(relu(x).sum(), x, create_graph=true)[0].sum().detach())\n");
    assert_close(&out[0], &[0.0; 5]);
    assert_close(&out[1], &[2.0]);
}

/// `grad` of a relu gradient is zeros too, and adds to a real path.
#[test]
fn grad_of_a_relu_gradient_adds_zeros_to_real_paths() {
    let out = run("x = linspace(-2, 2, 5, dtype=f64, requires_grad=true)\n\
         d1 = grad((relu(x) * x).sum(), x, create_graph=true)[0]\n\
         print(grad(d1.sum(), x)[0])\n");
    // d/dx sum(relu(x) * x) = 2x for x > 0, and its derivative is 2 there.
    assert_close(&out[0], &[0.0, 0.0, 0.0, 2.0, 2.0]);
}

/// maximum's and minimum's gradients do not depend differentiably on x (PyTorch
/// raises "does not require grad" at run time): E0402 at compile time, no panic.
#[test]
fn backward_of_a_maximum_or_minimum_gradient_is_e0402() {
    for f in ["maximum", "minimum"] {
        let src = format!(
            "x = linspace(-2, 2, 5, dtype=f64, requires_grad=true)\n\
             c = tensor([0.5, -1.0, 0.0, 2.0, 0.5], dtype=f64)\n\
             d1 = grad({f}(x, c).sum(), x, create_graph=true)[0]\n\
             d1.sum().backward()\n"
        );
        let diags = compile(&src, false).err().unwrap_or_else(|| panic!("{f}: compiles"));
        assert_eq!(diags.len(), 1, "{f}: {diags:?}");
        assert_eq!(diags[0].code, Code::E0402, "{f}: {diags:?}");
    }
}

/// The tutorial's Cube, whose backward calls CubeBackward, which has its own backward.
const CUBE: &str = r#"
op Cube(x) {
    forward {
        save x
        return x ** 3
    }
    backward(g) {
        return CubeBackward(g, x)
    }
}
op CubeBackward(grad_out, x) {
    forward {
        save x, grad_out
        return grad_out * 3 * x ** 2
    }
    backward(g) {
        return g * 3 * x ** 2, g * grad_out * 6 * x
    }
}
"#;

#[test]
fn op_calling_an_op_with_a_backward_block_differentiates_twice_and_three_times() {
    let src = format!(
        "{CUBE}x = tensor([0.5, -1.0, 2.0], dtype=f64, requires_grad=true)\n\
         w = tensor([1.0, 2.0, 3.0], dtype=f64)\n\
         d1 = grad(Cube(x), x, grad=w, create_graph=true)[0]\n\
         print(d1)\n\
         d2 = grad(d1.sum(), x, create_graph=true)[0]\n\
         print(d2)\n\
         print(grad(d2.sum(), x)[0])\n"
    );
    let out = run(&src);
    let xs = [0.5, -1.0, 2.0];
    let ws = [1.0, 2.0, 3.0];
    let d1: Vec<f64> = xs.iter().zip(ws).map(|(x, w)| 3.0 * w * x * x).collect();
    let d2: Vec<f64> = xs.iter().zip(ws).map(|(x, w)| 6.0 * w * x).collect();
    assert_close(&out[0], &d1);
    assert_close(&out[1], &d2);
    // The third derivative goes through the copy of CubeBackward's own backward block.
    assert_close(&out[2], &[6.0, 12.0, 18.0]);
}

/// Two calls of the same op, each with the inner op in its backward: each call
/// keeps its own template, and backward (not only grad) goes through them.
#[test]
fn two_calls_of_an_op_calling_an_op_keep_their_own_templates() {
    let src = format!(
        "{CUBE}x = tensor([1.0, 2.0], dtype=f64, requires_grad=true)\n\
         y = Cube(x) + Cube(2 * x)\n\
         d1 = grad(y.sum(), x, create_graph=true)[0]\n\
         print(d1)\n\
         d1.sum().backward()\n\
         print(x.grad)\n"
    );
    let out = run(&src);
    // y = x^3 + 8x^3 = 9x^3: y' = 27x^2, y'' = 54x.
    assert_close(&out[0], &[27.0, 108.0]);
    assert_close(&out[1], &[54.0, 108.0]);
}

/// An op whose backward calls an op without a backward block (inlined, derived).
#[test]
fn op_calling_an_op_without_a_backward_block_differentiates_twice() {
    let src = "op Sq(x) {\n    forward {\n        return x * x\n    }\n}\n\
         op Cube(x) {\n    forward {\n        save x\n        return x ** 3\n    }\n    backward(g) {\n        return 3 * g * Sq(x)\n    }\n}\n\
         x = tensor([0.5, -1.0, 2.0], dtype=f64, requires_grad=true)\n\
         d1 = grad(Cube(x).sum(), x, create_graph=true)[0]\n\
         print(d1)\n\
         print(grad(d1.sum(), x)[0])\n";
    let out = run(src);
    assert_close(&out[0], &[0.75, 3.0, 12.0]);
    assert_close(&out[1], &[3.0, -6.0, 12.0]);
}

/// A gradient that `grad` (without create_graph) returns can be an op's saved
/// value: autodiff fills the placeholder in everywhere the op call names it (it
/// used to leave the op reading the removed placeholder, and panicked). PyTorch:
/// `F.apply(w, g)` with `g = d(3w)/dw = 3` gives `w.grad = g = 3` through `x * y`,
/// and `y`'s gradient `g * y` is not asked for.
#[test]
fn an_op_may_save_a_gradient_that_grad_returned() {
    let out = run("op F(x, y) {\n\
             forward {\n\
                 save y\n\
                 return x * y\n\
             }\n\
             backward(g) {\n\
                 return g * y, g * y\n\
             }\n\
         }\n\
         w = zeros(dtype=f64, requires_grad=true)\n\
         g = grad(w * 3, w)[0]\n\
         F(w, g).backward()\n\
         print(w.grad)\n");
    assert_close(&out[0], &[3.0]);
}
