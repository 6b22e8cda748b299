//! `adaptive_max_pool1d`/`adaptive_max_pool2d` and their modules
//! (`lower/pool_calls.rs`, the runtime's `adaptive_max_indices`): the lines of
//! a PyTorch program and what PyTorch 2.15 prints for them, and the checks
//! made before anything runs. `tests/programs/good/adaptive_max_pools.act`
//! runs windows of one size through the ONNX export.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// `adaptive_max_pool2d` and `adaptive_max_pool1d` over windows of several sizes (7 rows to 3, 10 to 4), with indices, NaN, f64, `none` sizes and the modules: values, indices, `grad_fn`s and gradients as PyTorch 2.15 prints them.
#[test]
fn adaptive_max_pools_print_as_pytorch() {
    let program = r#"
manual_seed(0)
x = randn(2, 3, 7, 5, requires_grad=true)
y = adaptive_max_pool2d(x, (3, 2))
print(y)
print(y.grad_fn)
v, i = adaptive_max_pool2d(x, 3, return_indices=true)
print(i)
print(v.shape)
(y * arange(6.0).reshape(3, 2)).sum().backward()
print(x.grad)
z = randn(4, 10, requires_grad=true)
w = adaptive_max_pool1d(z, 4)
print(w)
print(w.grad_fn)
v1, i1 = adaptive_max_pool1d(z, 3, return_indices=true)
print(i1)
w.sum().backward()
print(z.grad)
m = AdaptiveMaxPool2d((2, none))
print(m)
print(m(x).shape)
m1 = AdaptiveMaxPool1d(5, return_indices=true)
print(m1)
print(m1(z)[1])
q = tensor([[[1.0, nan, 3.0, 2.0, nan, 0.5]]])
print(adaptive_max_pool1d(q, 4))
print(adaptive_max_pool1d(q, 4, return_indices=true)[1])
d = randn(1, 2, 5, 5, dtype=float64)
print(adaptive_max_pool2d(d, 1))
print(adaptive_max_pool2d(d, (4, 3)))
"#;
    assert_eq!(run(program), "tensor([[[[0.6920, 1.2377],\n          [0.5988, 1.8530],\n          [0.9463, 1.8530]],\n\n         [[2.3022, 0.8728],\n          [2.3022, 3.4105],\n          [1.8197, 3.4105]],\n\n         [[1.1149, 1.1149],\n          [1.0395, 2.3025],\n          [1.6459, 0.5199]]],\n\n\n        [[[0.9625, 0.4569],\n          [1.9218, 1.9218],\n          [1.3873, 1.9507]],\n\n         [[1.1646, 1.1646],\n          [0.9671, 0.9985],\n          [0.9671, 0.9985]],\n\n         [[1.5735, 1.5735],\n          [1.4708, 0.9868],\n          [0.9868, 0.9868]]]], grad_fn=<AdaptiveMaxPool2DBackward0>)\n<AdaptiveMaxPool2DBackward0 object>\ntensor([[[[ 5, 13, 13],\n          [20, 23, 23],\n          [30, 23, 23]],\n\n         [[10,  6, 14],\n          [10, 23, 24],\n          [31, 27, 24]],\n\n         [[11,  7, 14],\n          [16, 16, 19],\n          [26, 26, 29]]],\n\n\n        [[[11, 11,  3],\n          [20, 17, 19],\n          [20, 22, 29]],\n\n         [[ 6,  7,  9],\n          [20, 17, 24],\n          [20, 26, 24]],\n\n         [[11,  7,  8],\n          [11, 11, 19],\n          [20, 22, 28]]]])\ntorch.Size([2, 3, 3, 3])\ntensor([[[[ 0.,  0.,  0.,  0.,  0.],\n          [ 0.,  0.,  0.,  0.,  0.],\n          [ 0.,  0.,  0.,  1.,  0.],\n          [ 0.,  0.,  0.,  0.,  0.],\n          [ 2.,  0.,  0.,  8.,  0.],\n          [ 0.,  0.,  0.,  0.,  0.],\n          [ 4.,  0.,  0.,  0.,  0.]],\n\n         [[ 0.,  0.,  0.,  0.,  0.],\n          [ 0.,  0.,  0.,  0.,  0.],\n          [ 2.,  0.,  0.,  0.,  1.],\n          [ 0.,  0.,  0.,  0.,  0.],\n          [ 0.,  0.,  0.,  0.,  8.],\n          [ 0.,  0.,  4.,  0.,  0.],\n          [ 0.,  0.,  0.,  0.,  0.]],\n\n         [[ 0.,  0.,  0.,  0.,  0.],\n          [ 0.,  0.,  1.,  0.,  0.],\n          [ 0.,  0.,  0.,  0.,  0.],\n          [ 0.,  2.,  0.,  0.,  3.],\n          [ 0.,  0.,  0.,  0.,  0.],\n          [ 0.,  4.,  0.,  0.,  5.],\n          [ 0.,  0.,  0.,  0.,  0.]]],\n\n\n        [[[ 0.,  0.,  0.,  1.,  0.],\n          [ 0.,  0.,  0.,  0.,  0.],\n          [ 0.,  0.,  0.,  0.,  0.],\n          [ 0.,  0.,  5.,  0.,  0.],\n          [ 0.,  0.,  4.,  0.,  0.],\n          [ 0.,  0.,  0.,  0.,  5.],\n          [ 0.,  0.,  0.,  0.,  0.]],\n\n         [[ 0.,  0.,  0.,  0.,  0.],\n          [ 0.,  0.,  1.,  0.,  0.],\n          [ 0.,  0.,  0.,  0.,  0.],\n          [ 0.,  0.,  0.,  0.,  0.],\n          [ 6.,  0.,  0.,  0.,  8.],\n          [ 0.,  0.,  0.,  0.,  0.],\n          [ 0.,  0.,  0.,  0.,  0.]],\n\n         [[ 0.,  0.,  0.,  0.,  0.],\n          [ 0.,  0.,  1.,  0.,  0.],\n          [ 0.,  2.,  0.,  0.,  0.],\n          [ 0.,  0.,  0.,  0.,  0.],\n          [ 0.,  0., 12.,  0.,  0.],\n          [ 0.,  0.,  0.,  0.,  0.],\n          [ 0.,  0.,  0.,  0.,  0.]]]])\ntensor([[0.3799, 0.6376, 1.7198, 1.7198],\n        [1.1529, 1.1529, 0.0762, 1.4403],\n        [1.1887, 1.1887, 2.0372, 0.6430],\n        [0.9278, 0.9278, 1.2678, 1.1717]], grad_fn=<SqueezeBackward1>)\n<SqueezeBackward1 object>\ntensor([[3, 3, 7],\n        [2, 6, 8],\n        [2, 6, 6],\n        [2, 5, 9]])\ntensor([[0., 1., 0., 1., 0., 0., 0., 2., 0., 0.],\n        [0., 0., 2., 0., 0., 0., 1., 0., 1., 0.],\n        [0., 0., 2., 0., 0., 0., 1., 1., 0., 0.],\n        [0., 0., 2., 0., 0., 1., 0., 0., 0., 1.]])\nAdaptiveMaxPool2d(output_size=(2, None))\ntorch.Size([2, 3, 2, 5])\nAdaptiveMaxPool1d(output_size=5)\ntensor([[1, 3, 4, 7, 9],\n        [1, 2, 4, 6, 8],\n        [0, 2, 5, 6, 9],\n        [1, 2, 5, 6, 9]])\ntensor([[[nan, nan, nan, nan]]])\ntensor([[[1, 1, 4, 4]]])\ntensor([[[[2.1976]],\n\n         [[1.4505]]]], dtype=torch.float64)\ntensor([[[[ 1.3130,  1.3130,  0.6192],\n          [-0.0838, -0.0838,  0.6192],\n          [ 1.0930,  2.1976,  0.8942],\n          [ 1.4865,  2.1976,  0.8942]],\n\n         [[ 1.4505,  1.4505,  0.8536],\n          [ 0.9085,  0.5986,  0.5986],\n          [ 0.3012,  0.5243,  0.5243],\n          [-0.3219, -0.3147,  1.1674]]]], dtype=torch.float64)\n");
}

/// An unbatched [C, H, W] input, a pool to one position (still the max pool's kernel, not `amax`) and `return_indices` with a `none` size: shapes, dtypes and `grad_fn`s as PyTorch 2.15 prints them.
#[test]
fn unbatched_and_one_position_pools() {
    let program = r#"
x = randn(2, 6, 8)
print(adaptive_max_pool2d(x, (3, 4)).shape)
y = randn(2, 6, 8, requires_grad=true)
print(adaptive_max_pool2d(y, (3, 4)).grad_fn)
print(adaptive_max_pool1d(y[0], 3).grad_fn)
print(adaptive_max_pool2d(y, 1).grad_fn)
v, i = adaptive_max_pool2d(y, (none, 3), return_indices=true)
print(i.shape)
print(i.dtype)
"#;
    assert_eq!(run(program), "torch.Size([2, 3, 4])\n<AdaptiveMaxPool2DBackward0 object>\n<SqueezeBackward1 object>\n<AdaptiveMaxPool2DBackward0 object>\ntorch.Size([2, 6, 3])\ntorch.int64\n");
}

/// A rank the pool does not take, an empty spatial dimension, an output size
/// of the wrong length and a non-boolean `return_indices` are compile errors
/// with PyTorch's words where it has them.
#[test]
fn bad_pools_are_compile_errors() {
    let (code, msg, _) = first_error("y = adaptive_max_pool2d(randn(2, 3), 2)\n");
    assert_eq!((code, msg.as_str()), (Code::E0202, "adaptive_max_pool2d: Expected 3D or 4D input, but got input of size: [2, 3]"));
    let (code, msg, _) = first_error("y = adaptive_max_pool2d(randn(1, 2, 0, 3), 2)\n");
    assert_eq!(
        (code, msg.as_str()),
        (Code::E0202, "adaptive_max_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes [1, 2, 0, 3]")
    );
    let (code, msg, _) = first_error("y = adaptive_max_pool1d(randn(2, 3, 4, 5), 2)\n");
    assert_eq!((code, msg.as_str()), (Code::E0202, "adaptive_max_pool1d: Expected 2D or 3D input, but got input of size: [2, 3, 4, 5]"));
    let (code, msg, _) = first_error("y = adaptive_max_pool2d(randn(1, 2, 3, 3), (1, 2, 3))\n");
    assert_eq!((code, msg.as_str()), (Code::E0107, "`adaptive_max_pool2d`'s output_size must have 2 elements, not 3"));
    let (code, msg, _) = first_error("y = adaptive_max_pool2d(randn(1, 2, 3, 3), 2, return_indices=1)\n");
    assert_eq!((code, msg.as_str()), (Code::E0107, "`return_indices` must be `true` or `false`, not an integer"));
}

/// ONNX's `MaxPool` computes adaptive windows of one size; windows of several
/// sizes are E0722, at the call.
#[test]
fn onnx_refuses_windows_of_several_sizes() {
    let export = |source: &str| {
        use graphc_compiler::driver::{compile_opts, Exports, Options};
        let options = Options { keep_stages: false, exports: Exports::All, numerics: graphc_compiler::fuse::Numerics::Exact, source_dir: None };
        let c = compile_opts(source, &options).unwrap_or_else(|d| panic!("{}", d[0].message));
        graphc_compiler::onnx::export(&c.optimized, &["y".to_string()])
    };
    assert!(export("input x: f32[1, 2, 8, 6]\ny = adaptive_max_pool2d(x, (4, 3))\n").is_ok());
    let source = "input x: f32[1, 2, 7, 5]\ny = adaptive_max_pool2d(x, (3, 2))\n";
    let diags = export(source).expect_err("windows of 2 and 3 rows do not export");
    assert_eq!(diags[0].code, Code::E0722);
    assert_eq!(&source[diags[0].primary.span.start..diags[0].primary.span.end], "adaptive_max_pool2d(x, (3, 2))");
}
