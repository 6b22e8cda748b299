//! PyTorch's type promotion and each op's type rule, end to end: one program of
//! integer, bool and float operands, whose output must equal what PyTorch 2.15
//! printed for the same expressions (the PyTorch text is in the comment below,
//! so the two can be compared line by line).

use graphc_compiler::driver::compile;
use graphc_runtime::exec::run_capture;

// The PyTorch original of `PROGRAM`, line for line (with `import torch`):
// i = torch.tensor([1, -2, 4])
// b = torch.tensor([True, False, True])
// f = torch.tensor([0.5, 1.5, -2.0])
// d = torch.tensor([0.5, 1.5, -2.0], dtype=torch.float64)
// print(torch.exp(i), torch.sin(i).dtype, torch.sqrt(torch.abs(i)), torch.tanh(b))
// print(torch.sigmoid(i), torch.log1p(torch.abs(i)))
// print(-i, torch.abs(i), i + f, b + d, i * 2.5, d * 2, f * 2)
// print(i / i, 7 / i, 2 - i, i + b, torch.maximum(i, f), torch.minimum(b, i))
// print(b.sum(), i.sum(), i @ i, torch.tensor([[1, 2], [3, 4]]) @ torch.tensor([[1, 0], [1, 1]]))
// print(torch.where(b, 1, 0), torch.where(b, 1.0, 0), torch.where(b, i, 0.5), torch.where(b, i, d))
// print(i.masked_fill(b, 9), torch.isfinite(i), torch.nan_to_num(i), i.to(torch.int64), f.to(torch.int64))
// print(i == f, b == i, i > 0.5, b < 1, 2 >= i)
// print(i.float().dtype, i.double().dtype, f.long().dtype, f.bool().dtype, (i > 0).dtype)
// print(torch.arange(3, 9, 2), torch.arange(1, 2.5, 0.5), torch.full((2,), True), torch.tensor([True, 2]))
// print(torch.relu(i), torch.relu(i).dtype)
// print(i.dtype == torch.int64, f.dtype != torch.float32, (i > 0).dtype == torch.float32)
// print(i ** 2, i ** 0, b ** 2, i ** 3, i ** 0.5)

const PROGRAM: &str = r#"
i = tensor([1, -2, 4])
b = tensor([true, false, true])
f = tensor([0.5, 1.5, -2.0])
d = tensor([0.5, 1.5, -2.0], dtype=f64)
print(exp(i), sin(i).dtype, sqrt(abs(i)), tanh(b))
print(sigmoid(i), log1p(abs(i)))
print(-i, abs(i), i + f, b + d, i * 2.5, d * 2, f * 2)
print(i / i, 7 / i, 2 - i, i + b, maximum(i, f), minimum(b, i))
print(b.sum(), i.sum(), i @ i, tensor([[1, 2], [3, 4]]) @ tensor([[1, 0], [1, 1]]))
print(where(b, 1, 0), where(b, 1.0, 0), where(b, i, 0.5), where(b, i, d))
print(i.masked_fill(b, 9), isfinite(i), nan_to_num(i), i.to(i64), f.to(i64))
print(i == f, b == i, i > 0.5, b < 1, 2 >= i)
print(i.float().dtype, i.double().dtype, f.long().dtype, f.bool().dtype, (i > 0).dtype)
print(arange(3, 9, 2), arange(1, 2.5, 0.5), full(2, true), tensor([true, 2]))
print(relu(i), relu(i).dtype)
print(i.dtype == i64, f.dtype != f32, (i > 0).dtype == f32)
print(i ** 2, i ** 0, b ** 2, i ** 3, i ** 0.5)
"#;

/// What PyTorch 2.15 printed for the original above.
const EXPECTED: &str = "\
tensor([ 2.7183,  0.1353, 54.5981]) torch.float32 tensor([1.0000, 1.4142, 2.0000]) tensor([0.7616, 0.0000, 0.7616])
tensor([0.7311, 0.1192, 0.9820]) tensor([0.6931, 1.0986, 1.6094])
tensor([-1,  2, -4]) tensor([1, 2, 4]) tensor([ 1.5000, -0.5000,  2.0000]) tensor([ 1.5000,  1.5000, -1.0000], dtype=torch.float64) tensor([ 2.5000, -5.0000, 10.0000]) tensor([ 1.,  3., -4.], dtype=torch.float64) tensor([ 1.,  3., -4.])
tensor([1., 1., 1.]) tensor([ 7.0000, -3.5000,  1.7500]) tensor([ 1,  4, -2]) tensor([ 2, -2,  5]) tensor([1.0000, 1.5000, 4.0000]) tensor([ 1, -2,  1])
tensor(2) tensor(3) tensor(21) tensor([[3, 2],
        [7, 4]])
tensor([1, 0, 1]) tensor([1., 0., 1.]) tensor([1.0000, 0.5000, 4.0000]) tensor([1.0000, 1.5000, 4.0000], dtype=torch.float64)
tensor([ 9, -2,  9]) tensor([True, True, True]) tensor([ 1, -2,  4]) tensor([ 1, -2,  4]) tensor([ 0,  1, -2])
tensor([False, False, False]) tensor([ True, False, False]) tensor([ True, False,  True]) tensor([False,  True, False]) tensor([ True,  True, False])
torch.float32 torch.float64 torch.int64 torch.bool torch.bool
tensor([3, 5, 7]) tensor([1.0000, 1.5000, 2.0000]) tensor([True, True]) tensor([1, 2])
tensor([1, 0, 4]) torch.int64
True False False
tensor([ 1,  4, 16]) tensor([1, 1, 1]) tensor([1, 0, 1]) tensor([ 1, -8, 64]) tensor([1., nan, 2.])
";

#[test]
fn promotion_and_type_rules_print_what_pytorch_prints() {
    let compiled =
        compile(PROGRAM, false).unwrap_or_else(|d| panic!("does not compile: {:?}", d.iter().map(|d| d.message.clone()).collect::<Vec<_>>()));
    let (out, _) = run_capture(&compiled.plan).expect("runs");
    assert_eq!(out, EXPECTED);
}

/// PyTorch raises "Subtraction, the `-` operator, with a bool tensor is not
/// supported" on either side, and "Integers to negative integer powers are not
/// allowed"; graphc reports E0204 at compile time.
#[test]
fn subtraction_with_a_bool_tensor_and_negative_integer_powers_are_refused() {
    let cases = [
        "b = tensor([true])\ny = b - 1\n",
        "b = tensor([true])\ny = 1 - b\n",
        "b = tensor([true])\ny = tensor([2]) - b\n",
        "y = tensor([2]) ** -1\n",
    ];
    for src in cases {
        let d = compile(src, false).err().expect("refused");
        assert_eq!(d[0].code, graphc_compiler::diag::Code::E0204, "{src}");
    }
}
