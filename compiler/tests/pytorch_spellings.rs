//! Spellings PyTorch's argument parser accepts beside its own: NumPy's keyword
//! names (`axis` for `dim`, `keepdims` for `keepdim`) and `x.type(dtype)` for
//! `x.to(dtype)`, as d2l's and other published programs write them; and the
//! named tuples PyTorch's functions return (`x.max(dim=1).indices`). The
//! expected text is what PyTorch 2.15 prints for the same lines.

use graphc_compiler::driver::compile;
use graphc_runtime::exec::run_capture;

fn run(source: &str) -> String {
    let c = compile(source, false).unwrap_or_else(|d| panic!("{}", d[0].message));
    run_capture(&c.plan).unwrap_or_else(|e| panic!("{}", e.message)).0
}

#[test]
fn numpy_keyword_names_bind_as_pytorchs_parameters() {
    let program = "\
x = arange(6.0).reshape(2, 3)
print(x.sum(axis=0, keepdims=true), x.mean(axis=1), x.argmax(axis=1))
print(softmax(x, axis=1), cat([x, x], axis=0).shape)
";
    assert_eq!(
        run(program),
        "tensor([[3., 5., 7.]]) tensor([1., 4.]) tensor([2, 2])\ntensor([[0.0900, 0.2447, 0.6652],\n        [0.0900, 0.2447, 0.6652]]) torch.Size([4, 3])\n"
    );
    // A keyword the builtin has under neither name is still E0104, naming both.
    let d = compile("x = ones(2)\nprint(x.exp(axis=0))\n", false).err().expect("exp has no dim");
    assert_eq!(d[0].code.as_str(), "E0104");
    // Both names of one parameter at once is an argument given twice.
    let d = compile("x = ones(2, 2)\nprint(x.sum(dim=0, axis=0))\n", false).err().expect("dim twice");
    assert_eq!(d[0].message, "`sum` got argument `axis` twice");
}

#[test]
fn type_converts_as_to_does() {
    let program = "\
y_hat = tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
y = tensor([0, 2])
cmp = y_hat.argmax(axis=1).type(y.dtype) == y
print(cmp, float(cmp.type(y.dtype).sum()), y.type(f32))
";
    assert_eq!(run(program), "tensor([False,  True]) 1.0 tensor([0., 2.])\n");
}

/// `max` and `min` along a dimension give PyTorch's named tuple: it prints as
/// `torch.return_types.max(...)`, has the fields `.values` and `.indices`, and
/// indexes and unpacks as a tuple; `var_mean` gives a plain tuple.
#[test]
fn max_and_min_along_a_dimension_are_named_tuples() {
    let program = "\
x = tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]], requires_grad=true)
r = x.max(dim=1)
print(r)
print(r.indices, x.min(1).values, r[0], len(r))
v, i = x.max(1)
print(v, i)
print(var_mean(x.detach(), dim=1))
print(min(x, dim=0, keepdim=true))
r.values.sum().backward()
print(x.grad)
";
    let want = "\
torch.return_types.max(
values=tensor([5., 6.], grad_fn=<MaxBackward0>),
indices=tensor([1, 2]))
tensor([1, 2]) tensor([1., 2.], grad_fn=<MinBackward0>) tensor([5., 6.], grad_fn=<MaxBackward0>) 2
tensor([5., 6.], grad_fn=<MaxBackward0>) tensor([1, 2])
(tensor([4., 4.]), tensor([3., 4.]))
torch.return_types.min(
values=tensor([[1., 2., 3.]], grad_fn=<MinBackward0>),
indices=tensor([[0, 1, 0]]))
tensor([[0., 1., 0.],
        [0., 0., 1.]])
";
    assert_eq!(run(program), want);
    let d = compile("x = ones(2, 2)\nprint(x.max(1).value)\n", false).err().expect("no field value");
    assert_eq!(d[0].message, "`torch.return_types.max` has no field `value`");
}

/// `normal` with a negative std is refused when compiling, with PyTorch's check.
#[test]
fn normal_needs_a_non_negative_std() {
    let d = compile("x = normal(0.0, -1.0, (3,))\n", false).err().expect("negative std");
    assert_eq!(d[0].code.as_str(), "E0107");
    assert!(d[0].message.starts_with("normal expects std >= 0.0"), "{}", d[0].message);
    compile("x = normal(0.0, 0.0, (3,))\nprint(x)\n", false).unwrap_or_else(|d| panic!("{}", d[0].message));
}
