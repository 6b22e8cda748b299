//! `TensorDataset` and `DataLoader` (`lower/data_loader.rs`): what a loop over
//! a loader compiles to, and the options graphc refuses (E0687), each at the
//! argument. The batches themselves are checked against PyTorch's output in
//! `examples/data_loaders.act` and `examples/linear_regression_concise.act`.

use crate::common::{first_error, run};
use graphc_compiler::diag::{Code, LineIndex};
use graphc_compiler::driver::compile;
use graphc_compiler::ir::print::program;

#[test]
fn a_pass_is_one_loop_with_its_draws_before_it() {
    // Ten batches of 3 and a last one of 1: the loop is compiled once for the
    // full batches and once for the short one, never unrolled; the pass draws
    // its order once, before the first batch.
    let source = r#"
x = arange(31.0)
loader = DataLoader(TensorDataset(x), batch_size=3, shuffle=true)
total = 0.0
for (xb,) in loader {
    total += xb.sum().item()
}
print(total, len(loader))
"#;
    assert_eq!(run(source), "465.0 11\n");
    let c = compile(source, false).expect("compiles");
    let ir = program(&c.optimized, &LineIndex::new(source), None);
    assert_eq!(ir.matches("loader_order(shuffle=true)").count(), 1, "{ir}");
    assert_eq!(c.optimized.regions.len(), 2, "a region for the full batches and one for the short one:\n{ir}");
}

#[test]
fn a_dataset_subscript_is_each_tensors_and_a_comprehension_unrolls_a_pass() {
    // import torch
    // from torch.utils.data import TensorDataset, DataLoader
    // (the program below, with Python's blocks)
    let source = r#"
x = arange(10.0).reshape(5, 2)
y = arange(5)
ds = TensorDataset(x, y)
print(ds[1], ds[-1][1])
a, b = ds[1:3]
print(a, b)
print(ds[tensor([4, 0])][1])
for i in range(2) {
    p, q = ds[i * 2:i * 2 + 2]
    print(q)
}
l = DataLoader(ds, batch_size=2)
print([len(b) for b, c in l], sum(c.sum() for b, c in l))
"#;
    let torch = "(tensor([2., 3.]), tensor(1)) tensor(4)
tensor([[2., 3.],
        [4., 5.]]) tensor([1, 2])
tensor([4, 0])
tensor([0, 1])
tensor([2, 3])
[2, 2, 1] tensor(10)
";
    assert_eq!(run(source), torch);
}

#[test]
fn random_split_draws_and_splits_as_pytorch_does() {
    // import torch
    // from torch.utils.data import TensorDataset, DataLoader, random_split
    // (the program below, with Python's blocks and `torch.` names)
    let source = r#"
manual_seed(7)
x = randn(23, 2)
y = arange(23)
ds = TensorDataset(x, y)
train, val = random_split(ds, [18, 5])
print(len(train), len(val), val[0][1], val[4])
a, b, c = random_split(ds, [0.5, 0.3, 0.2])
print(len(a), len(b), len(c), c[0][1], b[1][1])
for xb, yb in DataLoader(train, batch_size=8, shuffle=true) {
    print(yb)
}
print(rand(1))
"#;
    let torch = "18 5 tensor(8) (tensor([-2.9662, -1.0606]), tensor(18))
12 7 4 tensor(9) tensor(20)
tensor([ 4,  6, 22, 10, 14,  5, 16, 13])
tensor([ 9, 21, 11,  1, 15, 12,  3, 19])
tensor([0, 7])
tensor([0.3653])
";
    assert_eq!(run(source), torch);
}

#[test]
fn a_loop_over_a_loader_inside_another_has_its_own_pass() {
    // import torch
    // from torch.utils.data import TensorDataset, DataLoader
    // (the program below, with Python's blocks and `torch.` names)
    let source = r#"
manual_seed(0)
a = TensorDataset(arange(6.0))
b = TensorDataset(arange(4.0) * 10)
la = DataLoader(a, batch_size=2, shuffle=true)
lb = DataLoader(b, batch_size=3)
for (x,) in la {
    s = 0.0
    for (y,) in lb {
        s += y.sum().item()
    }
    print(x, s)
}
print(rand(1))
"#;
    let torch = "tensor([0., 4.]) 60.0
tensor([3., 5.]) 60.0
tensor([2., 1.]) 60.0
tensor([0.3489])
";
    assert_eq!(run(source), torch);
}

#[test]
fn nested_targets_unpack_each_item() {
    let source = r#"
pairs = [(1, (2, 3)), (4, (5, 6))]
for a, (b, c) in pairs {
    print(a + b * c)
}
for (a, b) in [(7, 8)] {
    print(a - b)
}
"#;
    assert_eq!(run(source), "7\n34\n-1\n");
}

#[test]
fn refused_datasets_and_options_point_at_the_argument() {
    let cases: &[(&str, &str, &str)] = &[
        ("ds = TensorDataset(randn(10, 3), randn(8))", "randn(8)", "Size mismatch"),
        ("l = DataLoader(TensorDataset(randn(4)), batch_size=0)", "0", "positive integer"),
        ("l = DataLoader(TensorDataset(randn(4)), 2, sampler=[0, 1])", "[0, 1]", "sampler"),
        ("l = DataLoader(TensorDataset(randn(4)), 2, generator=none)", "generator", "generator"),
        ("l = DataLoader(randn(4), 2)", "randn(4)", "TensorDataset"),
        ("l = DataLoader(TensorDataset(randn(4)), 2, shuffle=1)", "1)", "`true` or `false`"),
        ("b = next(iter([1, 2]))", "[1, 2]", "DataLoader"),
        ("p = random_split(TensorDataset(randn(4)), [3, 2])", "[3, 2]", "Sum of input lengths"),
        ("p = random_split(TensorDataset(randn(4)), [0.5, 0.5], generator=none)", "none", "generator"),
    ];
    for (line, at, words) in cases {
        let (code, message, start) = first_error(line);
        assert_eq!(code, Code::E0687, "{line}: {message}");
        assert!(message.contains(words), "{line}: {message}");
        assert_eq!(start, line.rfind(at).unwrap(), "{line}: {message}");
    }
}
