//! `trapezoid`, `trapz`, `cumulative_trapezoid` (`lower/integration.rs`),
//! `cov` and `corrcoef` (`lower/covariance.rs`), and the views `fliplr`,
//! `flipud` and `select`: the lines of a PyTorch program and what PyTorch
//! 2.15 prints for them, and PyTorch's refusals as compile-time errors.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// trapezoid, trapz and cumulative_trapezoid with a spacing, 1-d and 2-d sample points and along other dimensions, their gradients and grad_fns, cov with corrections and weights, corrcoef, fliplr, flipud and select, as PyTorch 2.15 prints them; the sums times 1000 in full compare the integrals' bits.
#[test]
fn trapezoid_cov_corrcoef_flips_and_select_are_pytorchs() {
    let program = r#"
manual_seed(0)
y = randn(4, 7, requires_grad=true)
x = sort(rand(7)).values * 3
print(trapezoid(y), trapezoid(y, dx=0.25), trapezoid(y, dim=0))
print(trapezoid(y, x), trapz(y, x, dim=-1), trapz(y, dx=0.5))
print(cumulative_trapezoid(y), cumulative_trapezoid(y, x), cumulative_trapezoid(y, dx=2.0, dim=0))
print(trapezoid(y, rand(4, 7)))
t = trapezoid(y, x).sum() + cumulative_trapezoid(y, dx=0.3).sum() * 2 + trapezoid(y, dim=0).sum()
t.backward()
print(y.grad)
print((trapezoid(y.detach().double() * 1000, x.double())).sum().item(), (cumulative_trapezoid(y.detach() * 1000, x).double()).sum().item())
print(trapezoid(zeros(3, 0)), trapezoid(tensor([1.0, 2.0, 4.0])))
m = randn(3, 6, requires_grad=true)
print(cov(m), cov(m, correction=0), cov(m[0]))
fw = tensor([1, 2, 1, 3, 1, 1])
aw = rand(6)
print(cov(m, fweights=fw), cov(m, aweights=aw), cov(m, fweights=fw, aweights=aw, correction=2))
print(corrcoef(m), corrcoef(m[1]))
(cov(m, fweights=fw, aweights=aw).sum() + corrcoef(m).sum()).backward()
print(m.grad)
print(m.cov(), m.double().corrcoef())
print(cov(tensor([[1.0, 2.0]]), correction=2))
print(fliplr(m), flipud(m), m.select(1, -2), select(m, 0, 1))
"#;
    assert_eq!(run(program), "tensor([-1.0170, -0.7369, -0.7006, -2.9368], grad_fn=<MulBackward1>) tensor([-0.2543, -0.1842, -0.1751, -0.7342], grad_fn=<MulBackward1>) tensor([-3.0280, -0.7860, -3.1602,  0.1135,  0.6360,  0.6160,  1.3607],\n       grad_fn=<MulBackward1>)\ntensor([-0.3911, -0.2785, -0.4744, -0.7668], grad_fn=<DivBackward1>) tensor([-0.3911, -0.2785, -0.4744, -0.7668], grad_fn=<DivBackward1>) tensor([-0.5085, -0.3685, -0.3503, -1.4684], grad_fn=<MulBackward1>)\ntensor([[-1.1391, -1.8406, -2.1828, -1.9754, -1.2050, -1.0170],\n        [-0.8965, -1.3670, -1.8237, -1.4946, -1.2573, -0.7369],\n        [-0.1275, -0.4901, -0.7811, -1.0117, -1.1338, -0.7006],\n        [-0.6269, -2.2055, -3.4147, -3.0696, -2.8182, -2.9368]],\n       grad_fn=<CumsumBackward0>) tensor([[-0.3538, -0.4295, -0.6387, -0.4450, -0.3935, -0.3911],\n        [-0.2784, -0.3292, -0.6083, -0.3011, -0.2852, -0.2785],\n        [-0.0396, -0.0788, -0.2566, -0.4719, -0.4800, -0.4744],\n        [-0.1947, -0.3653, -1.1042, -0.7821, -0.7652, -0.7668]],\n       grad_fn=<DivBackward1>) tensor([[-3.2411, -0.8301, -1.5139, -0.0839,  1.1568,  0.8585,  0.5584],\n        [-5.4998, -0.6194, -3.3908,  0.2977,  0.9723,  1.2733,  2.0508],\n        [-6.0560, -1.5721, -6.3205,  0.2270,  1.2721,  1.2321,  2.7214]],\n       grad_fn=<CumsumBackward0>)\ntensor([ 0.4179, -0.2889,  0.0519, -0.4860], grad_fn=<DivBackward1>)\ntensor([[2.4553, 4.0093, 3.5596, 3.3724, 2.5003, 1.4399, 0.8065],\n        [2.9553, 4.5093, 4.0596, 3.8724, 3.0003, 1.9399, 1.3065],\n        [2.9553, 4.5093, 4.0596, 3.8724, 3.0003, 1.9399, 1.3065],\n        [2.4553, 4.0093, 3.5596, 3.3724, 2.5003, 1.4399, 0.8065]])\n-1910.7561886763701 -10511.981136322021\ntensor([0., 0., 0.]) tensor(4.5000)\ntensor([[ 1.4566, -0.3334,  0.0804],\n        [-0.3334,  0.5822, -0.2082],\n        [ 0.0804, -0.2082,  0.5348]], grad_fn=<SqueezeBackward0>) tensor([[ 1.2138, -0.2778,  0.0670],\n        [-0.2778,  0.4852, -0.1735],\n        [ 0.0670, -0.1735,  0.4457]], grad_fn=<SqueezeBackward0>) tensor(1.4566, grad_fn=<SqueezeBackward0>)\ntensor([[ 1.0657, -0.1665,  0.1844],\n        [-0.1665,  0.3783, -0.0949],\n        [ 0.1844, -0.0949,  0.4504]], grad_fn=<SqueezeBackward0>) tensor([[ 1.4037, -0.3684, -0.0623],\n        [-0.3684,  0.8220, -0.1927],\n        [-0.0623, -0.1927,  0.3778]], grad_fn=<SqueezeBackward0>) tensor([[ 1.1376, -0.1987,  0.0338],\n        [-0.1987,  0.6573, -0.0857],\n        [ 0.0338, -0.0857,  0.3402]], grad_fn=<SqueezeBackward0>)\ntensor([[ 1.0000, -0.3620,  0.0911],\n        [-0.3620,  1.0000, -0.3731],\n        [ 0.0911, -0.3731,  1.0000]], grad_fn=<ClampBackward1>) tensor(1., grad_fn=<DivBackward0>)\ntensor([[-0.9067,  0.5163, -0.3180,  1.2905, -0.2531, -0.3290],\n        [-0.7314,  0.7932, -0.8098,  1.8319, -0.0986, -0.9853],\n        [-1.2620,  0.5721, -0.2782,  1.5188,  0.4565, -1.0072]])\ntensor([[ 1.4566, -0.3334,  0.0804],\n        [-0.3334,  0.5822, -0.2082],\n        [ 0.0804, -0.2082,  0.5348]], grad_fn=<SqueezeBackward0>) tensor([[ 1.0000, -0.3620,  0.0911],\n        [-0.3620,  1.0000, -0.3731],\n        [ 0.0911, -0.3731,  1.0000]], dtype=torch.float64,\n       grad_fn=<ClampBackward1>)\ntensor(inf)\ntensor([[-2.6133,  0.5199,  0.3446, -1.3602, -0.0933, -0.0852],\n        [ 0.3380,  0.0769,  0.0732,  0.2800, -0.2282, -1.6965],\n        [ 0.2064, -0.9268,  0.7813, -0.8654,  0.4569,  0.4544]],\n       grad_fn=<FlipBackward0>) tensor([[ 0.4544,  0.4569, -0.8654,  0.7813, -0.9268,  0.2064],\n        [-1.6965, -0.2282,  0.2800,  0.0732,  0.0769,  0.3380],\n        [-0.0852, -0.0933, -1.3602,  0.3446,  0.5199, -2.6133]],\n       grad_fn=<FlipBackward0>) tensor([ 0.5199,  0.0769, -0.9268], grad_fn=<SelectBackward0>) tensor([-1.6965, -0.2282,  0.2800,  0.0732,  0.0769,  0.3380],\n       grad_fn=<SelectBackward0>)\n");
}

/// PyTorch's refusals: `fliplr` of a 1-d tensor, `x` and `dx` together, a
/// covariance of a 3-d input, mismatched weights and a `select` of a 0-d tensor.
#[test]
fn misuse_is_a_compile_error() {
    let (code, msg, _) = first_error("print(fliplr(randn(3)))\n");
    assert_eq!((code, msg.as_str()), (Code::E0202, "Input must be >= 2-d."));
    let (code, msg, _) = first_error("y = randn(4)\nprint(trapezoid(y, tensor([0.0, 1.0, 2.0, 3.0]), dx=0.5))\n");
    assert_eq!((code, msg.as_str()), (Code::E0107, "trapezoid: cannot pass both `x` and `dx`"));
    let (code, msg, _) = first_error("y = randn(4)\nprint(trapezoid(y, tensor([0.0, 1.0])))\n");
    assert_eq!((code, msg.as_str()), (Code::E0202, "trapezoid: There must be one `x` value for each sample point"));
    let (code, msg, _) = first_error("print(cov(randn(2, 3, 4)))\n");
    assert_eq!((code, msg.as_str()), (Code::E0202, "cov(): expected input to have two or fewer dimensions but got an input with 3 dimensions"));
    let (code, msg, _) = first_error("print(cov(randn(2, 3), fweights=tensor([1, 2])))\n");
    assert_eq!(
        (code, msg.as_str()),
        (Code::E0202, "cov(): expected fweights to have the same numel as there are observations in the input but got 2 != 3")
    );
    let (code, msg, _) = first_error("print(cov(randn(2, 3), aweights=tensor([1, 2, 3])))\n");
    assert_eq!((code, msg.as_str()), (Code::E0202, "cov(): expected aweights to have floating point dtype but got aweights with Long dtype"));
    let (code, msg, _) = first_error("print(select(tensor(1.0), 0, 0))\n");
    assert_eq!((code, msg.as_str()), (Code::E0224, "select() cannot be applied to a 0-dim tensor."));
}
