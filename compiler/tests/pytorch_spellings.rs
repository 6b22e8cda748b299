//! Spellings PyTorch's argument parser accepts beside its own: NumPy's keyword
//! names (`axis` for `dim`, `keepdims` for `keepdim`) and `x.type(dtype)` for
//! `x.to(dtype)`, as d2l's and other published programs write them; and the
//! named tuples PyTorch's functions return (`x.max(dim=1).indices`). The
//! expected text is what PyTorch 2.15 prints for the same lines.

use crate::common::run;
use graphc_compiler::driver::compile;

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

/// `print`'s `sep`, `end` and `flush` as Python's, an `end` that leaves the line
/// open (`end=""`, `end=" "`) included, in a loop too.
#[test]
fn print_takes_pythons_sep_and_end() {
    let program = "\
x = tensor([1.0, 2.0])
print(x, 3, \"a\", sep=\", \")
print(1, 2, sep=\"\")
print(\"loss\", 0.5, end=\"!\\n\")
print(end=\"\\n\")
print(\"done\", flush=true)
print(x, x * 2, sep=\"\\n\")
";
    // What Python 3 with PyTorch 2.15 prints for the same lines.
    assert_eq!(run(program), "tensor([1., 2.]), 3, a\n12\nloss 0.5!\n\ndone\ntensor([1., 2.])\ntensor([2., 4.])\n");
    let program = "\
for i in range(3) {
    print(i, end=\" \")
}
print()
print(\"loss\", tensor([1.0, 2.0]).sum(), sep=\": \", end=\"\")
print(\"!\")
for step in range(4) {
    print(f\"{step}\", end=\"\")
}
print(end=\"done\")
";
    assert_eq!(run(program), "0 1 2 \nloss: tensor(3.)!\n0123done");
    // A non-string `end` is still refused at the keyword.
    let source = "print(1, end=2)\n";
    let d = compile(source, false).err().expect("end must be a string");
    assert_eq!((d[0].code.as_str(), &source[d[0].primary.span.start..d[0].primary.span.end]), ("E0107", "2"));
}

/// Strings in single quotes, f-strings too, as Python writes them.
#[test]
fn strings_take_either_quote() {
    let program = "print('a', f'{1 + 1}', 'it\\'s', \"q'q\", f'{\"x\"}', 'say \"hi\"')\n";
    assert_eq!(run(program), "a 2 it's q'q x say \"hi\"\n");
    let d = compile("print('open)\n", false).err().expect("unterminated");
    assert_eq!(d[0].code.as_str(), "E0002");
}

/// `x[i:min(i + bs, len(x))]`, d2l's last minibatch, is the clamped slice
/// `x[i:i + bs]`; a `min` that stops inside the dimension is E0607 at the `min`.
/// A shape reshapes as its integers do (`y.reshape(y_hat.shape)`).
#[test]
fn a_slice_stopped_by_min_at_the_end_is_clamped_as_python_clamps_it() {
    let program = "x = arange(10.0)\nfor i in range(0, 10, 4) {\n    print(x[i:min(i + 4, len(x))].reshape(x[:1].shape[0], -1))\n}\n";
    assert_eq!(run(program), "tensor([[0., 1., 2., 3.]])\ntensor([[4., 5., 6., 7.]])\ntensor([[8., 9.]])\n");
    let source = "x = arange(10.0)\nfor i in range(0, 10, 4) {\n    print(x[i:min(i + 4, 9)])\n}\n";
    let d = compile(source, false).err().expect("min inside the dimension");
    assert_eq!((d[0].code.as_str(), &source[d[0].primary.span.start..d[0].primary.span.end]), ("E0607", "min(i + 4, 9)"));
}

/// Lists, tuples and shapes concatenate with `+` and repeat with `*` as in
/// Python; a `torch.Size` on either side of `+` keeps the result a `torch.Size`.
#[test]
fn sequences_concatenate_and_repeat_as_in_python() {
    let program = "\
a = [1, 2] + [3]
b = (1, 2) + (3,)
x = zeros(2, 3)
print(a, b)
print(x.shape + (4,), (4,) + x.shape, x.shape[1:] + x.shape[:1])
print(x.reshape(x.shape + (1,)).shape)
print([0] * 3, (1,) * 2, 2 * [none])
";
    // What Python with PyTorch 2.15 prints for the same lines.
    assert_eq!(
        run(program),
        "[1, 2, 3] (1, 2, 3)\ntorch.Size([2, 3, 4]) torch.Size([4, 2, 3]) torch.Size([3, 2])\ntorch.Size([2, 3, 1])\n[0, 0, 0] (1, 1) [None, None]\n"
    );
}

/// `for a, b in xs` unpacks each item, and `enumerate` and `zip` give Python's
/// pairs (of list items, shape entries and tensor rows), unrolled as a `for`
/// over a list is; an item that does not unpack is E0116 at the names.
#[test]
fn for_unpacks_enumerate_and_zip() {
    let program = "\
x = arange(6.0).reshape(3, 2)
for i, row in enumerate(x, start=1) {
    print(i, row.sum())
}
params = [ones(2), zeros(2)]
grads = [tensor([0.5, 1.0]), tensor([2.0, 3.0])]
for p, g, k in zip(params, grads, x.shape) {
    print(p - 0.1 * g, k)
}
for a, b in [(1, 'a'), (2, 'b')] {
    print(a, b)
}
print(list(enumerate(x.shape)), list(zip([1, 2, 3], (4, 5))))
";
    // What Python with PyTorch 2.15 prints for the same lines.
    let want = "\
1 tensor(1.)
2 tensor(5.)
3 tensor(9.)
tensor([0.9500, 0.9000]) 3
tensor([-0.2000, -0.3000]) 2
1 a
2 b
[(0, 3), (1, 2)] [(1, 4), (2, 5)]
";
    assert_eq!(run(program), want);
    let source = "for a, b in range(3) {\n    print(a)\n}\n";
    let d = compile(source, false).err().expect("an int does not unpack");
    assert_eq!((d[0].code.as_str(), &source[d[0].primary.span.start..d[0].primary.span.end]), ("E0116", "a, b"));
}

/// `out=` writes a function's result into a tensor in place and returns it
/// (cast to its dtype, as `torch.exp(x, out=z)` of an f64 `z`); `rand_like`
/// and `randn_like` draw as `rand` and `randn` do; `.device` is `cpu`;
/// `float32`, `float64` and `int64` name dtypes; `type(x)` is the class.
#[test]
fn out_rand_like_device_dtype_names_and_type_are_pytorchs() {
    let program = "\
manual_seed(1)
x = arange(6.0).reshape(2, 3)
y = zeros(2, 2)
r = matmul(x, x.T, out=y)
print(y, r is y, x.device, f\"{x.device}\")
z = zeros(2, 3, dtype=float64)
exp(x, out=z)
print(z)
print(rand_like(x), randn_like(x, dtype=float64), zeros(2, dtype=float32), ones(1, dtype=int64))
print(type(1), type(2.5), type(true), type(\"a\"), type([1]), type((1,)), type(x), type(x.sum().item()), type(x.argmax().item()))
";
    assert_eq!(run(program), "tensor([[ 5., 14.],\n        [14., 50.]]) True cpu cpu\ntensor([[  1.0000,   2.7183,   7.3891],\n        [ 20.0855,  54.5981, 148.4132]], dtype=torch.float64)\ntensor([[0.7576, 0.2793, 0.4031],\n        [0.7347, 0.0293, 0.7999]]) tensor([[ 0.5636,  1.1431,  0.8590],\n        [ 0.7056, -0.3406, -1.2720]], dtype=torch.float64) tensor([0., 0.]) tensor([1])\n<class 'int'> <class 'float'> <class 'bool'> <class 'str'> <class 'list'> <class 'tuple'> <class 'torch.Tensor'> <class 'float'> <class 'int'>\n");
}

/// `out=` refuses what PyTorch refuses: a result that requires grad, and a
/// tensor of another shape (which PyTorch resizes, with a deprecation warning).
#[test]
fn out_refuses_gradients_and_other_shapes() {
    let d = compile("w = ones(2, requires_grad=true)\ny = zeros(2)\nexp(w, out=y)\n", false).err().expect("out= with grad");
    assert_eq!(d[0].code.as_str(), "E0625");
    assert!(d[0].message.contains("don't support automatic differentiation"), "{}", d[0].message);
    let d = compile("x = ones(2)\ny = zeros(3)\nexp(x, out=y)\n", false).err().expect("out= of another shape");
    assert_eq!(d[0].code.as_str(), "E0623");
    let d = compile("x = ones(2)\nprint(x, out=x)\n", false).err().expect("out= of print");
    assert_eq!(d[0].code.as_str(), "E0107");
}

/// `rand_like` of an integer tensor draws no integers (PyTorch refuses it too),
/// and the error names the call as written.
#[test]
fn rand_like_of_integers_needs_a_float_dtype() {
    let d = compile("print(rand_like(tensor([1, 2])))\n", false).err().expect("rand_like of i64");
    assert_eq!(d[0].code.as_str(), "E0204");
    assert_eq!(d[0].message, "`rand_like` does not make i64 tensors");
    assert!(compile("print(rand_like(tensor([1, 2]), dtype=float))\n", false).is_ok());
}

/// Programs written for any device (`device = 'cuda' if ... else 'cpu'`) run
/// here with `device = "cpu"`: `.to(device)` and `device=` keep the tensor,
/// `x.type()` names PyTorch's legacy class, and `tensor(xs)` converts a list
/// of run-time numbers. PyTorch 2.15 prints the same for the same lines.
#[test]
fn the_cpu_device_type_names_and_lists_of_run_time_numbers() {
    let program = "\
device = \"cpu\"
x = ones(2, 3, dtype=float64, device=device).to(device)
print(x.type(), x.long().type(), (x > 0).type(), x.float().to(device).type(), x.to(float32).dtype)
print(tensor([1.5, 2.5]).to(\"cpu\"), zeros(2, device=x.device))
losses = []
for i in range(3) {
    losses.append(float(i) / 4)
}
print(tensor(losses), tensor(losses, dtype=float64), tensor([losses, losses]).shape)
";
    let want = "\
torch.DoubleTensor torch.LongTensor torch.BoolTensor torch.FloatTensor torch.float32
tensor([1.5000, 2.5000]) tensor([0., 0.])
tensor([0.0000, 0.2500, 0.5000]) tensor([0.0000, 0.2500, 0.5000], dtype=torch.float64) torch.Size([2, 3])
";
    assert_eq!(run(program), want);
    // Another device is an error at the device's name, for either spelling.
    for source in ["x = ones(2).to(\"cuda\")\n", "x = zeros(2, device=\"cuda:0\")\n"] {
        let d = compile(source, false).err().expect("cuda compiled");
        assert_eq!(d[0].code.as_str(), "E0107");
        assert!(d[0].message.starts_with("graphc runs on the CPU, not on `cuda"), "{}", d[0].message);
        assert_eq!(&source[d[0].primary.span.start..d[0].primary.span.end][..5], "\"cuda");
    }
}

/// `x.cpu()` is the tensor itself, as PyTorch returns a tensor already on the
/// CPU: an update through it is seen through `x`. It takes no arguments.
#[test]
fn cpu_returns_the_tensor_itself() {
    assert_eq!(run("x = ones(2)\ny = x.cpu()\ny.add_(1)\nprint(x, y is x, x.cpu().dtype)\n"), "tensor([2., 2.]) True torch.float32\n");
    let Err(d) = compile("x = ones(2).cpu(float64)\n", false) else { panic!("compiled") };
    assert_eq!(d[0].code, graphc_compiler::diag::Code::E0103);
}

/// `inference_mode { ... }` is `with torch.inference_mode():`: nothing made
/// there requires grad, and names bound there stay bound, as with `no_grad`.
#[test]
fn inference_mode_is_a_no_grad_block() {
    let program = "w = ones(2, requires_grad=true)\ninference_mode {\n    y = w * 2\n}\nz = w * 2\nprint(y, z.requires_grad, y.requires_grad)\n";
    assert_eq!(run(program), "tensor([2., 2.]) True False\n");
}

/// `x.nelement()` is `x.numel()`'s older name, as makemore writes it.
#[test]
fn nelement_is_numel() {
    assert_eq!(
        run("xs = tensor([0, 5, 13, 13, 1])\nnum = xs.nelement()\nprint('number of examples: ', num, xs.numel())\n"),
        "number of examples:  5 5\n"
    );
}
