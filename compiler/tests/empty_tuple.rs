//! `()`, Python's empty tuple: the shape of a 0-d tensor in `full((), v)`,
//! `zeros(())`, `randn(())` and `x.reshape(())`, as PyTorch writes it, and a
//! tuple of no items otherwise. Sizes may also be one non-empty tuple.

use crate::common::run;

#[test]
fn an_empty_tuple_is_the_shape_of_a_0_d_tensor_as_in_pytorch() {
    let program = "manual_seed(0)
print(randn(()), zeros((2, 3)), ones(()).shape, full((), 3.0).shape)
x = tensor([[2.0, 3.0]])
print(x.view((2, 1)))
print(tensor([5.0]).reshape(()), tensor([5.0]).view(()))
t = ()
print(len(t), t)
";
    // tests: what PyTorch 2.15 prints for the same program.
    let expected = "tensor(1.5410) tensor([[0., 0., 0.],
        [0., 0., 0.]]) torch.Size([]) torch.Size([])
tensor([[2.],
        [3.]])
tensor(5.) tensor(5.)
0 ()
";
    assert_eq!(run(program), expected);
}
