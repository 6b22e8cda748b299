//! `logit` (`torch.logit`, `torch.special.logit`, `x.logit()`): the lines of
//! a PyTorch program and what PyTorch 2.15 prints for them. Values in and
//! outside `[0, 1]`, the ends (infinities), NaN, `eps` clamping (zero
//! gradients outside the band), f64 at full precision, integer inputs, and
//! `sigmoid` undoing it.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// Values and gradients as ATen's logit kernels compute them.
#[test]
fn logit_is_pytorchs() {
    let program = r#"
p = tensor([0.0, 0.1, 0.25, 0.5, 0.75, 0.999, 1.0, -0.5, 1.5, nan], requires_grad=true)
y = logit(p)
print(y)
print(y.grad_fn.name())
y.backward(ones(10))
print(p.grad)
q = tensor([0.0, 1e-8, 0.3, 0.9999999, 1.0, 2.0, -1.0], requires_grad=true)
z = logit(q, eps=1e-6)
print(z)
z.sum().backward()
print(q.grad)
w = linspace(0.001, 0.999, 37, dtype=f64, requires_grad=true)
v = w.logit(0.01)
print(v.sum().item())
v.sum().backward()
print(w.grad.sum().item())
print(special.logit(tensor([0.2, 0.8])))
print(logit(tensor([0, 1])))
print(sigmoid(logit(tensor([0.3, 0.6]))))
"#;
    assert_eq!(run(program), "tensor([   -inf, -2.1972, -1.0986,  0.0000,  1.0986,  6.9068,     inf,     nan,\n            nan,     nan], grad_fn=<LogitBackward0>)\nLogitBackward0\ntensor([      inf,   11.1111,    5.3333,    4.0000,    5.3333, 1001.0139,\n              inf,       nan,       nan,       nan])\ntensor([-13.8155, -13.8155,  -0.8473,  13.8023,  13.8023,  13.8023, -13.8155],\n       grad_fn=<LogitBackward0>)\ntensor([0.0000, 0.0000, 4.7619, 0.0000, 0.0000, 0.0000, 0.0000])\n-8.881784197001252e-16\n295.0683846005653\ntensor([-1.3863,  1.3863])\ntensor([-inf, inf])\ntensor([0.3000, 0.6000])\n");
}

/// `eps` is a number, and bool tensors are refused.
#[test]
fn logit_checks_its_arguments() {
    assert_eq!(first_error("y = logit(ones(2), eps=\"a\")\n").0, Code::E0107);
    assert_eq!(first_error("y = logit(ones(2, dtype=bool))\n").0, Code::E0204);
}
