//! `group_norm` and the `GroupNorm` module (`lower/group_norm_calls.rs`,
//! `kernels/group_norm.rs`): reprs, parameters, five SGD steps whose
//! full-precision losses are PyTorch's, `grad_fn`, an f64 gradient, as
//! PyTorch 2.15 prints them for the same program, and PyTorch's errors.
//! `runtime/tests/group_norm_reference.rs` checks the kernels bit for bit.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

#[test]
fn group_norm_trains_as_pytorch_does() {
    let program = r#"
manual_seed(0)
gn = GroupNorm(2, 6)
gn2 = GroupNorm(3, 6, eps=1e-3, affine=false)
print(gn, gn2, gn.weight, gn.bias, gn2.weight)
print([n for n, _ in gn.named_parameters()])
x = randn(4, 6, 5) * 2 + 1
t = randn(4, 6, 5)
opt = SGD(gn.parameters(), lr=0.1, momentum=0.9)
for step in range(5) {
    opt.zero_grad()
    y = gn(x)
    loss = ((y - t) ** 2).mean()
    loss.backward()
    opt.step()
    print(step, loss.item())
}
print(gn.weight, gn.bias)
print(y.grad_fn.name(), gn2(x)[0, 0])
z = randn(2, 4, 3, 3, dtype=f64, requires_grad=true)
w = randn(4, dtype=f64, requires_grad=true)
u = group_norm(z, 2, w, eps=1e-6)
u.pow(3).sum().backward()
print(u.sum().item(), z.grad.sum().item(), w.grad)
"#;
    assert_eq!(run(program), "GroupNorm(2, 6, eps=1e-05, affine=True, bias=True) GroupNorm(3, 6, eps=0.001, affine=False, bias=False) Parameter containing:\ntensor([1., 1., 1., 1., 1., 1.], requires_grad=True) Parameter containing:\ntensor([0., 0., 0., 0., 0., 0.], requires_grad=True) None\n['weight', 'bias']\n0 2.0570595264434814\n1 1.9739038944244385\n2 1.8291494846343994\n3 1.650841236114502\n4 1.4675219058990479\nParameter containing:\ntensor([0.6178, 0.2595, 0.8093, 0.7018, 0.6842, 0.6127], requires_grad=True) Parameter containing:\ntensor([ 0.2771, -0.1977,  0.0066,  0.0779, -0.0254, -0.0630],\n       requires_grad=True)\nNativeGroupNormBackward0 tensor([-0.7217, -0.7513,  0.2555,  0.0508,  1.4827])\n-3.417082308459262 8.881784197001252e-15 tensor([ -0.4313, -30.6746, -10.4164,   0.7654], dtype=torch.float64)\n");
}

#[test]
fn channels_groups_and_parameters_must_fit() {
    let cases = [
        (
            "y = group_norm(randn(2, 6, 4), 4)",
            Code::E0202,
            "Expected number of channels in input to be divisible by num_groups, but got input of shape [2, 6, 4] and num_groups=4",
        ),
        (
            "y = group_norm(randn(2, 6, 4), 3, ones(4))",
            Code::E0202,
            "Expected weight to be a vector of size equal to the number of channels in input",
        ),
        ("y = group_norm(randn(6), 3)", Code::E0202, "Expected at least 2 dimensions for input tensor but received 1"),
        ("y = group_norm(randn(1, 6), 6)", Code::E0202, "Expected more than 1 value per channel when training"),
        ("m = GroupNorm(4, 6)", Code::E0107, "num_channels (6) must be divisible by num_groups (4)"),
        ("y = group_norm(randn(2, 6, 4), 3, ones(6, dtype=f64))", Code::E0201, "`group_norm`'s weight is f64 but its input is f32"),
    ];
    for (program, code, expected) in cases {
        let (got, message, _) = first_error(&format!("{program}\n"));
        assert_eq!(got, code, "{program}: {message}");
        assert!(message.contains(expected), "{program}: {message}");
    }
}

#[test]
fn a_gradient_of_a_gradient_through_a_group_norm_is_refused() {
    let program = "x = randn(2, 4, 3, requires_grad=true)\ny = group_norm(x, 2)\ng = grad((y * y * y).sum(), x, create_graph=true)\n";
    let (code, message, _) = first_error(program);
    assert_eq!(code, Code::E0411, "{message}");
    assert!(message.contains("`create_graph=true` through `group_norm`"), "{message}");
}
