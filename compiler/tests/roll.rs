//! `roll(input, shifts, dims=none)` (`lower/shape_calls.rs`): one and several
//! dimensions, negative shifts and whole turns, the flattened form, integer
//! and bool tensors, the `grad_fn` and the gradient, against what the PyTorch
//! 2.15 program in the comment prints; and PyTorch's check that shifts and
//! dimensions align.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

#[test]
fn roll_is_pytorchs() {
    // import torch
    // torch.manual_seed(0)
    // x = torch.arange(12.).reshape(3, 4).requires_grad_()
    // a = torch.roll(x, 1)
    // b = x.roll(-1, 0)
    // c = torch.roll(x, (1, -5), (0, 1))
    // d = x.roll(shifts=2, dims=1)
    // e = torch.roll(x, 0, 1)
    // print(a, b, c, d, e, sep="\n")
    // print(a.grad_fn.name(), e.grad_fn.name())
    // (a * torch.randn(3, 4)).sum().backward(retain_graph=True)
    // print(x.grad)
    // x.grad = None
    // (c * torch.arange(12.).reshape(3, 4) + d * 2).sum().backward()
    // print(x.grad)
    // print(torch.roll(torch.tensor([1, 2, 3]), 4), torch.tensor([True, False]).roll(1))
    let program = r#"
manual_seed(0)
x = arange(12.).reshape(3, 4).requires_grad_()
a = roll(x, 1)
b = x.roll(-1, 0)
c = roll(x, (1, -5), (0, 1))
d = x.roll(shifts=2, dims=1)
e = roll(x, 0, 1)
print(a, b, c, d, e, sep="\n")
print(a.grad_fn.name(), e.grad_fn.name())
(a * randn(3, 4)).sum().backward(retain_graph=true)
print(x.grad)
x.grad = none
(c * arange(12.).reshape(3, 4) + d * 2).sum().backward()
print(x.grad)
print(roll(tensor([1, 2, 3]), 4), tensor([true, false]).roll(1))
"#;
    assert_eq!(
        run(program),
        r#"tensor([[11.,  0.,  1.,  2.],
        [ 3.,  4.,  5.,  6.],
        [ 7.,  8.,  9., 10.]], grad_fn=<RollBackward0>)
tensor([[ 4.,  5.,  6.,  7.],
        [ 8.,  9., 10., 11.],
        [ 0.,  1.,  2.,  3.]], grad_fn=<RollBackward0>)
tensor([[ 9., 10., 11.,  8.],
        [ 1.,  2.,  3.,  0.],
        [ 5.,  6.,  7.,  4.]], grad_fn=<RollBackward0>)
tensor([[ 2.,  3.,  0.,  1.],
        [ 6.,  7.,  4.,  5.],
        [10., 11.,  8.,  9.]], grad_fn=<RollBackward0>)
tensor([[ 0.,  1.,  2.,  3.],
        [ 4.,  5.,  6.,  7.],
        [ 8.,  9., 10., 11.]], grad_fn=<RollBackward0>)
RollBackward0 RollBackward0
tensor([[-0.2934, -2.1788,  0.5684, -1.0845],
        [-1.3986,  0.4033,  0.8380, -0.7193],
        [-0.4033, -0.5966,  0.1820,  1.5410]])
tensor([[ 9.,  6.,  7.,  8.],
        [13., 10., 11., 12.],
        [ 5.,  2.,  3.,  4.]])
tensor([3, 1, 2]) tensor([False,  True])
"#
    );
}

/// Two shifts for one dimension: PyTorch's message, at the shifts.
#[test]
fn shifts_and_dims_must_align() {
    let source = "x = ones(3, 4)\ny = roll(x, (1, 2), 0)\n";
    let (code, message, start) = first_error(source);
    assert_eq!(code, Code::E0202);
    assert_eq!(message, "shifts and dimensions must align. shifts: 2, dims:1");
    assert_eq!(start, source.find("1, 2").unwrap());
}
