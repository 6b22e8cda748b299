//! `softshrink`, `hardshrink` and `threshold` (`Activation`): values, signed
//! zeros, NaN and infinities, `grad_fn`s and gradients against what PyTorch
//! 2.15 prints for the program in the test (written with Python's blocks and
//! `F.` names); `softshrink`'s vector body and scalar tail (PyTorch's vector
//! lambda gives +0 inside the band, its scalar one a zero with the input's
//! sign); and the errors.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

#[test]
fn shrinks_and_threshold_are_pytorchs() {
    let program = r#"
x = tensor([-1.0, -0.5, -0.3, -0.0, 0.0, 0.3, 0.5, 0.7, nan, inf, -inf, 2.0, 1.0], requires_grad=true)
for f in [lambda t: softshrink(t), lambda t: softshrink(t, 1.0), lambda t: hardshrink(t), lambda t: hardshrink(t, lambd=0.3), lambda t: threshold(t, 0.3, -2.0), lambda t: threshold(t, 1.0, 20)] {
    y = f(x)
    g, = grad(y, x, arange(13.0) + 1)
    print(y.tolist(), y.grad_fn.name())
    print(g.tolist())
}
xd = x.detach().double()
print(softshrink(xd, 0.1).tolist(), hardshrink(xd, 0.1).tolist(), threshold(xd, 0.1, 0.5).tolist())
print(tensor([1, -2, 3]).dtype)
"#;
    let torch = r#"[-0.5, -0.0, -0.0, -0.0, 0.0, 0.0, 0.0, 0.19999998807907104, nan, inf, -inf, 1.5, 0.5] SoftshrinkBackward0
[1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0]
[-0.0, -0.0, -0.0, -0.0, 0.0, 0.0, 0.0, 0.0, nan, inf, -inf, 1.0, 0.0] SoftshrinkBackward0
[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 9.0, 10.0, 11.0, 12.0, 0.0]
[-1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.699999988079071, nan, inf, -inf, 2.0, 1.0] HardshrinkBackward0
[1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0]
[-1.0, -0.5, 0.0, 0.0, 0.0, 0.0, 0.5, 0.699999988079071, nan, inf, -inf, 2.0, 1.0] HardshrinkBackward0
[1.0, 2.0, 0.0, 0.0, 0.0, 0.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0]
[-2.0, -2.0, -2.0, -2.0, -2.0, -2.0, 0.5, 0.699999988079071, nan, inf, -2.0, 2.0, 1.0] ThresholdBackward0
[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 7.0, 8.0, 9.0, 10.0, 0.0, 12.0, 13.0]
[20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, nan, inf, 20.0, 2.0, 20.0] ThresholdBackward0
[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 9.0, 10.0, 0.0, 12.0, 0.0]
[-0.9, -0.4, -0.20000001192092895, 0.0, 0.0, 0.20000001192092895, 0.4, 0.5999999880790711, nan, inf, -inf, 1.9, 0.9] [-1.0, -0.5, -0.30000001192092896, 0.0, 0.0, 0.30000001192092896, 0.5, 0.699999988079071, nan, inf, -inf, 2.0, 1.0] [0.5, 0.5, 0.5, 0.5, 0.5, 0.30000001192092896, 0.5, 0.699999988079071, nan, inf, 0.5, 2.0, 1.0]
torch.int64
"#;
    assert_eq!(run(program), torch);
}

#[test]
fn softshrink_zeros_take_the_sign_of_where_pytorch_computes_them() {
    // import torch, torch.nn.functional as F
    // for dt, n in [(torch.float64, 12), (torch.float64, 20), (torch.float32, 20), (torch.float32, 40)]:
    //     print(F.softshrink(torch.full((n,), -0.3, dtype=dt), 0.5).tolist())
    let program = r#"
for (dt, n) in [(f64, 12), (f64, 20), (f32, 20), (f32, 40)] {
    print(softshrink(full((n,), -0.3, dtype=dt), 0.5).tolist())
}
"#;
    let torch = "[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.0, -0.0, -0.0, -0.0]\n[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.0, -0.0, -0.0, -0.0]\n[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.0, -0.0, -0.0, -0.0]\n[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0]\n";
    assert_eq!(run(program), torch);
}

#[test]
fn bad_parameters_are_refused_at_the_call() {
    let (code, message, at) = first_error("y = softshrink(zeros(3), -1.0)");
    assert_eq!(code, Code::E0270, "{message}");
    assert!(message.contains("lambda must be in range"), "{message}");
    assert_eq!(at, "y = softshrink(zeros(3), ".len());
    let (code, message, _) = first_error("y = threshold(zeros(3), 0.5)");
    assert_eq!(code, Code::E0270, "{message}");
    assert!(message.contains("`threshold` needs"), "{message}");
}
