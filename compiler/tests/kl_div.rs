//! `kl_div` (`lower/kl_div.rs`): Hinton's distillation loss with
//! `"batchmean"` and its input gradient, `xlogy`'s cases (a zero target, a NaN
//! target), `"none"`, `"sum"` and `"mean"`, and `log_target=true` with the
//! target's gradient, against what the PyTorch 2.15 program beside it prints;
//! and E0412 for a probability target that requires grad.

mod common;

use common::{first_error, run};
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

#[test]
fn a_probability_target_that_requires_grad_is_refused() {
    let source = "x = log_softmax(randn(2, 3), dim=1)\nt = softmax(randn(2, 3, requires_grad=true), dim=1)\nloss = kl_div(x, t)\n";
    let (code, _, at) = first_error(source);
    assert_eq!((code, at), (Code::E0412, source.find("t)").unwrap()));
    let (code, message, _) = first_error("x = randn(3)\nprint(kl_div(x, x.exp(), reduction=\"avg\"))\n");
    assert_eq!((code, message.as_str()), (Code::E0245, "`kl_div` has no reduction \"avg\""));
}
