//! `kl_div` (`lower/kl_div.rs`): Hinton's distillation loss with
//! `"batchmean"` and its input gradient, `xlogy`'s cases (a zero target, a NaN
//! target), `"none"`, `"sum"` and `"mean"`, and `log_target=true` with the
//! target's gradient, and a probability target that requires grad, against
//! what the PyTorch 2.15 programs beside them print.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

#[test]
fn kl_div_prints_what_pytorch_prints() {
    // import torch
    // import torch.nn.functional as F
    // torch.manual_seed(0)
    // # Hinton's distillation loss: KL between temperature-softened distributions
    // T = 4.0
    // student = torch.randn(5, 10, requires_grad=True)
    // teacher = torch.randn(5, 10)
    // p = F.softmax(teacher / T, dim=1)
    // loss = F.kl_div(F.log_softmax(student / T, dim=1), p, reduction="batchmean") * (T * T)
    // print(loss)
    // loss.backward()
    // print(student.grad[0])
    // t = torch.tensor([0.0, 0.25, 0.75, float("nan")])
    // x = torch.tensor([-1.0, -2.0, -0.5, -1.0], requires_grad=True)
    // print(F.kl_div(x, t, reduction="none"), F.kl_div(x, t[:3].repeat(1), reduction="sum") if False else "")
    // print(F.kl_div(x[:3], t[:3], reduction="sum"), F.kl_div(x[:3], t[:3], reduction="mean"))
    // lt = torch.log(torch.tensor([0.2, 0.3, 0.5], dtype=torch.float64)).requires_grad_()
    // xi = torch.tensor([-1.5, -1.0, -0.8], dtype=torch.float64, requires_grad=True)
    // k = F.kl_div(xi, lt, reduction="sum", log_target=True)
    // k.backward()
    // print(k, xi.grad, lt.grad)
    let program = r#"
manual_seed(0)
# Hinton's distillation loss: KL between temperature-softened distributions
T = 4.0
student = randn(5, 10, requires_grad=true)
teacher = randn(5, 10)
p = softmax(teacher / T, dim=1)
loss = kl_div(log_softmax(student / T, dim=1), p, reduction="batchmean") * (T * T)
print(loss)
loss.backward()
print(student.grad[0])
t = tensor([0.0, 0.25, 0.75, nan])
x = tensor([-1.0, -2.0, -0.5, -1.0], requires_grad=true)
print(kl_div(x, t, reduction="none"), "")
print(kl_div(x[:3], t[:3], reduction="sum"), kl_div(x[:3], t[:3], reduction="mean"))
lt = log(tensor([0.2, 0.3, 0.5], dtype=f64)).requires_grad_()
xi = tensor([-1.5, -1.0, -0.8], dtype=f64, requires_grad=true)
k = kl_div(xi, lt, reduction="sum", log_target=true)
k.backward()
print(k, xi.grad, lt.grad)
"#;
    let want = "\
tensor(0.9735, grad_fn=<MulBackward0>)
tensor([-0.0203, -0.0247,  0.0372, -0.0459,  0.0504,  0.0332, -0.0145, -0.0587,
         0.0371,  0.0062])
tensor([0.0000, 0.1534, 0.1592,    nan], grad_fn=<SubBackward0>) 
tensor(0.3127, grad_fn=<SumBackward0>) tensor(0.1042, grad_fn=<MeanBackward0>)
tensor(-0.0297, dtype=torch.float64, grad_fn=<SumBackward0>) tensor([-0.2000, -0.3000, -0.5000], dtype=torch.float64) tensor([0.1781, 0.2388, 0.5534], dtype=torch.float64)
";
    assert_eq!(run(program), want);
}

/// A target that requires grad (a student's probabilities, a learned
/// distribution) gets `xlogy`'s two gradients and the product's, added in
/// the order PyTorch's engine adds them (the bits of the logits' gradient
/// through `softmax` show it).
#[test]
fn a_probability_target_gets_pytorchs_gradient() {
    // import torch
    // import torch.nn.functional as F
    // torch.manual_seed(0)
    // x = F.log_softmax(torch.randn(3, 5, requires_grad=True), dim=1)
    // logits = torch.randn(3, 5, requires_grad=True)
    // t = F.softmax(logits, dim=1)
    // loss = F.kl_div(x, t, reduction="batchmean")
    // print(loss)
    // loss.backward()
    // print(logits.grad)
    // p = torch.tensor([0.0, 0.3, 0.7], requires_grad=True)
    // q = torch.log(torch.tensor([0.2, 0.3, 0.5]))
    // l2 = F.kl_div(q, p, reduction="sum")
    // l2.backward()
    // print(l2, p.grad)
    // r = torch.tensor([[0.1, 0.9], [0.5, 0.5]], dtype=torch.float64, requires_grad=True)
    // s = torch.randn(2, 2, dtype=torch.float64, requires_grad=True)
    // l3 = F.kl_div(s, r, reduction="none")
    // print(l3)
    // l3.sum().backward()
    // print(r.grad, s.grad)
    // print(logits.grad.tolist())
    let program = r#"
manual_seed(0)
x = log_softmax(randn(3, 5, requires_grad=true), dim=1)
logits = randn(3, 5, requires_grad=true)
t = softmax(logits, dim=1)
loss = kl_div(x, t, reduction="batchmean")
print(loss)
loss.backward()
print(logits.grad)
p = tensor([0.0, 0.3, 0.7], requires_grad=true)
q = log(tensor([0.2, 0.3, 0.5]))
l2 = kl_div(q, p, reduction="sum")
l2.backward()
print(l2, p.grad)
r = tensor([[0.1, 0.9], [0.5, 0.5]], dtype=f64, requires_grad=true)
s = randn(2, 2, dtype=f64, requires_grad=true)
l3 = kl_div(s, r, reduction="none")
print(l3)
l3.sum().backward()
print(r.grad, s.grad)
print(logits.grad.tolist())
"#;
    assert_eq!(run(program), "tensor(0.6929, grad_fn=<DivBackward0>)\ntensor([[-0.1744, -0.0303,  0.2842, -0.0648, -0.0147],\n        [ 0.0331,  0.0104, -0.0633,  0.0326, -0.0129],\n        [ 0.1932, -0.0383, -0.0225, -0.1163, -0.0161]])\ntensor(0.2355, grad_fn=<SumBackward0>) tensor([   nan, 1.0000, 1.3365])\ntensor([[-0.2821,  1.0864],\n        [-0.4426, -0.6180]], dtype=torch.float64, grad_fn=<SubBackward0>)\ntensor([[-1.8212,  2.2072],\n        [ 0.1149, -0.2359]], dtype=torch.float64) tensor([[-0.1000, -0.9000],\n        [-0.5000, -0.5000]], dtype=torch.float64)\n[[-0.17442966997623444, -0.03026406280696392, 0.28419458866119385, -0.06475505977869034, -0.014745762571692467], [0.033110909163951874, 0.010442744940519333, -0.06326095014810562, 0.03259161859750748, -0.01288431417196989], [0.19322772324085236, -0.03828549012541771, -0.022547157481312752, -0.11628662049770355, -0.01610850915312767]]\n");
}

#[test]
fn an_unknown_reduction_is_refused() {
    let (code, message, _) = first_error("x = randn(3)\nprint(kl_div(x, x.exp(), reduction=\"avg\"))\n");
    assert_eq!((code, message.as_str()), (Code::E0245, "`kl_div` has no reduction \"avg\""));
}
