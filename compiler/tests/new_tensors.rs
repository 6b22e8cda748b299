//! `new_zeros`, `new_ones`, `new_full` and `new_empty` (`Tensor.new_zeros`,
//! ...): the lines of a PyTorch program and what PyTorch 2.15 prints for
//! them. The receiver gives the dtype (an integer fill in an f64 tensor, a
//! float fill in an i64 one) unless `dtype=` says otherwise; sizes come spread
//! or as a tuple; `requires_grad=true` makes a leaf. `new_empty` gives zeros,
//! as `empty` does in graphc.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// The receiver's dtype and the given shape, as PyTorch makes them.
#[test]
fn new_tensors_are_pytorchs() {
    let program = r#"
manual_seed(0)
x = randn(2, 3)
g = randn(2, 3, dtype=f64)
print(g.new_zeros(2, 4), g.new_zeros((1, 2)))
print(g.new_ones((3,)), g.new_ones(1, 1))
print(g.new_full((2, 2), 7), g.new_full((2,), true))
print(tensor([1, 2]).new_full((2,), 2.5))
print(tensor([1, 2]).new_zeros(3).dtype, x.new_ones(2, dtype=int64))
w = x.new_zeros(3, requires_grad=true)
print(w, w.is_leaf)
(w * 2).sum().backward()
print(w.grad)
print(x.new_empty(0, 3).shape, x.new_empty(2).shape)
"#;
    assert_eq!(run(program), "tensor([[0., 0., 0., 0.],\n        [0., 0., 0., 0.]], dtype=torch.float64) tensor([[0., 0.]], dtype=torch.float64)\ntensor([1., 1., 1.], dtype=torch.float64) tensor([[1.]], dtype=torch.float64)\ntensor([[7., 7.],\n        [7., 7.]], dtype=torch.float64) tensor([1., 1.], dtype=torch.float64)\ntensor([2, 2])\ntorch.int64 tensor([1, 1])\ntensor([0., 0., 0.], requires_grad=True) True\ntensor([2., 2., 2.])\ntorch.Size([0, 3]) torch.Size([2])\n");
}

/// `new_full` needs its fill value; the receiver must be a tensor.
#[test]
fn new_tensors_check_their_arguments() {
    assert_eq!(first_error("x = ones(2)\ny = x.new_full((2,))\n").0, Code::E0103);
    assert_eq!(first_error("y = new_zeros([1, 2], 3)\n").0, Code::E0107);
}

/// `x.new_tensor(data)`: the data in the receiver's dtype (floats truncated
/// into an i64 receiver, nonzero into bool), `dtype=` and `requires_grad=`
/// as `tensor` takes them, and numbers known only at run time.
#[test]
fn new_tensor_takes_the_receivers_dtype() {
    let program = r#"
x = randn(3, dtype=f64, requires_grad=true)
a = x.new_tensor([1, 2, 3])
print(a, a.requires_grad)
b = x.new_tensor([[0.5, 1.5]], dtype=f32)
print(b)
c = arange(3).new_tensor([1.7, -2.2])
print(c)
d = x.new_tensor(2.5, requires_grad=true)
print(d)
y = x.detach() * 0 + 1
s = y.sum().item()
print(x.new_tensor([s, s * 2]))
m = ones(2, dtype=bool).new_tensor([0, 3])
print(m)
"#;
    assert_eq!(run(program), "tensor([1., 2., 3.], dtype=torch.float64) False\ntensor([[0.5000, 1.5000]])\ntensor([ 1, -2])\ntensor(2.5000, dtype=torch.float64, requires_grad=True)\ntensor([3., 6.], dtype=torch.float64)\ntensor([False,  True])\n");
}
