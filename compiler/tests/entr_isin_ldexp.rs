//! `special.entr` (`lower/entr.rs`), `isin` (`lower/isin.rs`), `ldexp`
//! (`lower/ldexp.rs`) and `vander` (`lower/vander.rs`): the lines of a
//! PyTorch program and what PyTorch 2.15 prints for them, and PyTorch's
//! failing backward through `vander` as a compile-time error.

use crate::common;

use crate::common::run;

/// special.entr at 0, below 0, at NaN and on rand in f32 and f64 (sums times 1000 in full), its gradient; isin with tensors, numbers, floats against ints, NaN, invert and no test elements; ldexp with integer and float exponents, its dtype and gradient: as PyTorch 2.15 prints them, with no W0101 for entr of rand.
#[test]
fn entr_isin_ldexp_are_pytorchs() {
    let program = r#"
manual_seed(0)
p = tensor([0.0, 0.25, 0.5, 1.0, 2.0, -1.0, nan, 1e-30], requires_grad=true)
h = special.entr(p)
print(h)
h[1:5].sum().backward()
print(p.grad)
q = rand(3, 70, dtype=float64)
print((special.entr(q) * 1000).sum().item(), (special.entr(q.float()).double() * 1000).sum().item())
print(special.entr(tensor([0, 1, 2])))
x = tensor([[1, 2, 3], [4, 5, 6]])
print(isin(x, tensor([2, 5, 9])), isin(x, tensor([2.0, 5.5]), invert=true), isin(x, 3), isin(4, x))
print(isin(tensor([1.5, nan, 2.0]), tensor([nan, 2.0])), isin(x, tensor([], dtype=int64)))
a = randn(4, requires_grad=true)
e = tensor([0, 1, -3, 10])
y = ldexp(a, e)
print(y, ldexp(tensor([1.0, 3.0]), tensor([2.0, -1.0])), ldexp(a.double(), e).dtype)
y.sum().backward()
print(a.grad)
"#;
    let warnings = graphc_compiler::driver::compile(program, false).map(|c| c.warnings.len());
    assert_eq!(warnings.ok(), Some(0), "entr of rand cannot overflow");
    assert_eq!(run(program), "tensor([ 0.0000e+00,  3.4657e-01,  3.4657e-01, -0.0000e+00, -1.3863e+00,\n               -inf,         nan,  6.9078e-29], grad_fn=<SpecialEntrBackward0>)\ntensor([    nan,  0.3863, -0.3069, -1.0000, -1.6931,     nan,     nan,  0.0000])\n54325.56468206157 54325.56457188912\ntensor([ 0.0000, -0.0000, -1.3863])\ntensor([[False,  True, False],\n        [False,  True, False]]) tensor([[ True, False,  True],\n        [ True,  True,  True]]) tensor([[False, False,  True],\n        [False, False, False]]) tensor(True)\ntensor([False, False,  True]) tensor([[False, False, False],\n        [False, False, False]])\ntensor([  0.1513,   1.3206,   0.1017, -83.2008], grad_fn=<LdexpBackward0>) tensor([4.0000, 1.5000]) torch.float64\ntensor([1.0000e+00, 2.0000e+00, 1.2500e-01, 1.0240e+03])\n");
}

/// vander of floats and integers, with N and increasing, one and no columns, and 12 columns of 50 points (the powers' sums times 1000 in full), with PyTorch 2.15's grad_fns.
#[test]
fn vander_is_pytorchs() {
    let program = r#"
x = tensor([1.5, -2.0, 0.5, 3.0], requires_grad=true)
print(vander(x), vander(x, N=3, increasing=true), vander(x, 1), vander(x, 0))
print(vander(tensor([1, 2, 3]), increasing=true), vander(tensor([2.0, 0.0], dtype=float64), 4))
manual_seed(0)
y = rand(50)
v = vander(y * 2, 12)
print((v.double() * 1000).sum().item(), v.dtype)
"#;
    assert_eq!(run(program), "tensor([[ 3.3750,  2.2500,  1.5000,  1.0000],\n        [-8.0000,  4.0000, -2.0000,  1.0000],\n        [ 0.1250,  0.2500,  0.5000,  1.0000],\n        [27.0000,  9.0000,  3.0000,  1.0000]], grad_fn=<FlipBackward0>) tensor([[ 1.0000,  1.5000,  2.2500],\n        [ 1.0000, -2.0000,  4.0000],\n        [ 1.0000,  0.5000,  0.2500],\n        [ 1.0000,  3.0000,  9.0000]], grad_fn=<CopySlices>) tensor([[1.],\n        [1.],\n        [1.],\n        [1.]]) tensor([], size=(4, 0))\ntensor([[1, 1, 1],\n        [1, 2, 4],\n        [1, 3, 9]]) tensor([[8., 4., 2., 1.],\n        [0., 0., 0., 1.]], dtype=torch.float64)\n13481469.632625159 torch.float32\n");
}

/// A backward through `vander` of more than one column fails PyTorch's
/// version check (ATen overwrites the slice its `cumprod` saved): E0621.
#[test]
fn a_backward_through_vander_is_pytorchs_version_error() {
    let (code, msg, _) = common::first_error("x = tensor([1.5, -2.0, 0.5], requires_grad=true)\nvander(x).sum().backward()\n");
    assert_eq!(
        (code, msg.as_str()),
        (graphc_compiler::diag::Code::E0621, "one of the variables needed for gradient computation has been modified by an inplace operation")
    );
}
