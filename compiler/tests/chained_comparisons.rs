//! Python's chained comparisons, `a < b <= c` (`lower/chained_comparisons.rs`):
//! `a < b and b <= c` with `b` evaluated once, on compile-time numbers, on
//! run-time numbers in a loop compiled once, and on one-element tensors, whose
//! chain is a tensor as Python's `and` returns one. The expected outputs are
//! what the PyTorch 2.15 program beside each prints.

use crate::common;

use crate::common::run;
use graphc_compiler::diag::Code;
use graphc_compiler::driver::compile;
use graphc_runtime::exec::run_capture;

/// Compile-time chains, tensor chains (the false link's tensor, or the last),
/// and the `assert 0 <= decay_ratio <= 1` of nanoGPT's `get_lr` on run-time numbers.
#[test]
fn chains_answer_as_python_does() {
    // import torch
    // torch.manual_seed(0)
    // x = torch.tensor([0.5])
    // print(0 < 1 <= 2, 3 > 2 > 2, 0 < x < 1, 1 < 0 < x, 0 <= 0.5 <= 1 == 1.0, 0 < x < 0.25)
    // t = torch.tensor(2.0)
    // print(0 < t < 3, 1 < 2 < t)
    // for it in range(6):
    //     decay_ratio = (it - 1) / 3
    //     inside = 0 <= decay_ratio <= 1
    //     print(it, inside, 0 < it < 4 != it, 0 < t.item() < it)
    //     assert -1 <= decay_ratio <= 2
    let program = r#"
manual_seed(0)
x = tensor([0.5])
print(0 < 1 <= 2, 3 > 2 > 2, 0 < x < 1, 1 < 0 < x, 0 <= 0.5 <= 1 == 1.0, 0 < x < 0.25)
t = tensor(2.0)
print(0 < t < 3, 1 < 2 < t)
for it in range(6) {
    decay_ratio = (it - 1) / 3
    inside = 0 <= decay_ratio <= 1
    print(it, inside, 0 < it < 4 != it, 0 < t.item() < it)
    assert -1 <= decay_ratio <= 2
}
"#;
    let want = "\
True False tensor([True]) False True tensor([False])
tensor(True) tensor(False)
0 False False False
1 True True False
2 True True False
3 True True True
4 True False True
5 False False True
";
    assert_eq!(run(program), want);
}

/// A false link when compiling ends the chain, so the operands after it are
/// never lowered (an index past a list's end included), as Python never
/// evaluates them; a run-time assert on a chain stops the program when it fails.
#[test]
fn a_false_link_ends_the_chain() {
    assert_eq!(run("xs = [1]\nprint(2 < 1 < xs[5], 1 < 2 < 3 < xs[0])\n"), "False False\n");
    let failing = "for it in range(4) {\n    r = it / 2\n    assert 0 <= r <= 1, f\"ratio {r}\"\n    print(it)\n}\n";
    let c = compile(failing, false).unwrap_or_else(|d| panic!("{}", d[0].message));
    let e = run_capture(&c.plan).expect_err("the assert fails at it = 3");
    assert_eq!(e.message, "AssertionError: ratio 1.5");
}

/// A tensor link of several elements is E0005 at the link, in PyTorch's words;
/// a chain whose value would be a bool or a tensor depending on the run is E0644.
#[test]
fn ambiguous_tensor_links_are_errors_at_the_link() {
    let first = common::first_error;
    let several = "x = randn(3)\ny = 0 < x < 1\n";
    assert_eq!(
        first(several),
        (Code::E0005, "Boolean value of Tensor with more than one value is ambiguous".to_string(), several.find("0 < x").unwrap())
    );
    let mixed = "t = tensor(2.0)\nprint(t > 1 == 1)\n";
    assert_eq!(first(mixed).0, Code::E0644);
    let run_time_then_tensor = "t = tensor(2.0)\nfor i in range(2) {\n    print(0 < i < t)\n}\n";
    assert_eq!(first(run_time_then_tensor).0, Code::E0644);
}
