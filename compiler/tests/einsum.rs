//! `einsum`, as published code writes it (SpyTorch's `einsum("abc,cd->abd",
//! (x, w))`, attention's `"bhqd,bhkd->bhqk"`). The expected text is what
//! PyTorch 2.15 prints for the same lines (`torch.` dropped).

use crate::common::run;
use graphc_compiler::driver::compile;

/// Products, batched products, a sum of products, a transpose, a full sum,
/// an outer product, an implicit output, three operands, the gradient, and
/// the `grad_fn` PyTorch records (a contraction ends in a view).
#[test]
fn einsum_computes_what_pytorch_computes() {
    let program = "\
manual_seed(0)
a = randn(2, 3, 4, requires_grad=true)
w = randn(4, 5)
b = randn(3, 4)
y = einsum(\"abc,cd->abd\", (a, w))
print(y.shape, ((y - a @ w).abs().max() < 1e-6).item())
print(einsum(\"ij,jk->ik\", b, w))
print(einsum(\"ij,ij->i\", b, b), einsum(\"ij->ji\", b).shape, einsum(\"ij->\", b), einsum(\"ij\", b).shape)
print(einsum(\"bij,bjk->bik\", a, randn(2, 4, 2)))
print(einsum(\"i,j->ij\", arange(3.0), arange(2.0)), einsum(\"bhqd,bhkd->bhqk\", randn(1,2,3,4), randn(1,2,5,4)).shape)
z = einsum(\"abc,cd->abd\", a, w).sum()
z.backward()
print(a.grad[0])
print(einsum(\"ij,jk,kl->il\", b, w, randn(5, 2)))
print(einsum(\"abc,cd->abd\", a, w).grad_fn.name(), einsum(\"ij,jk->ki\", a[0], w).grad_fn.name(), einsum(\"abc,cd->dab\", a, w).grad_fn.name())
";
    assert_eq!(run(program), "torch.Size([2, 3, 5]) True\ntensor([[-1.1377, -1.1903,  0.5985,  0.4632, -0.8441],\n        [-2.9710, -1.4281,  2.3112,  0.8575, -1.1976],\n        [ 1.8601,  2.4600, -2.8225, -0.2080,  0.8455]])\ntensor([1.0023, 2.0924, 4.3188]) torch.Size([4, 3]) tensor(-0.6817) torch.Size([3, 4])\ntensor([[[ 3.0644,  1.1200],\n         [-2.9961, -2.5164],\n         [-1.0065,  0.8845]],\n\n        [[ 0.7775, -0.9326],\n         [ 1.8003, -2.6293],\n         [ 0.7795, -0.4113]]], grad_fn=<ViewBackward0>)\ntensor([[0., 0.],\n        [0., 1.],\n        [0., 2.]]) torch.Size([1, 2, 3, 5])\ntensor([[ 0.4583,  1.8090,  1.1565, -1.8333],\n        [ 0.4583,  1.8090,  1.1565, -1.8333],\n        [ 0.4583,  1.8090,  1.1565, -1.8333]])\ntensor([[ 2.1754,  0.1828],\n        [ 6.3629, -1.4018],\n        [-3.0563,  1.4467]])\nViewBackward0 ViewBackward0 ViewBackward0\n");
}

/// What `einsum` refuses, each at the equation or the operand.
#[test]
fn einsum_refuses_what_it_does_not_support() {
    let code = |src: &str| compile(src, false).err().map(|d| d[0].code.as_str().to_string());
    let x = "a = ones(2, 3)\nb = ones(3, 4)\n";
    assert_eq!(code(&format!("{x}print(einsum(\"ii->i\", ones(2, 2)))\n")).as_deref(), Some("E0107"), "a diagonal");
    assert_eq!(code(&format!("{x}print(einsum(\"...j,jk->...k\", a, b))\n")).as_deref(), Some("E0107"), "an ellipsis");
    assert_eq!(code(&format!("{x}print(einsum(\"ij,jk->ik\", a, a))\n")).as_deref(), Some("E0202"), "sizes that differ");
    assert_eq!(code(&format!("{x}print(einsum(\"ijk,jk->ik\", a, b))\n")).as_deref(), Some("E0202"), "labels and rank");
    assert_eq!(code(&format!("{x}print(einsum(\"ij,jk->iz\", a, b))\n")).as_deref(), Some("E0107"), "an output label of no operand");
    assert_eq!(code(&format!("{x}print(einsum(\"ij,jk->ik\", a))\n")).as_deref(), Some("E0107"), "too few operands");
    assert_eq!(code(&format!("{x}print(einsum(a, b))\n")).as_deref(), Some("E0107"), "no equation");
}
