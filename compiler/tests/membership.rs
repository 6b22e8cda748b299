//! `a in b` and `a not in b` (`lower/membership.rs`): on lists, tuples, shapes,
//! strings, tensors and param groups, as Python and PyTorch 2.15 answer them.
//! The expected outputs are what the Python beside each program prints.

use crate::common;

use crate::common::run;
use graphc_compiler::diag::Code;

/// Containers whose answer is known when compiling, a run-time index against a
/// list (the loop body is compiled once), a run-time number from a tensor, and
/// the keys of an optimizer's group and defaults, before and after a scheduler
/// adds `initial_lr`.
#[test]
fn membership_answers_as_python_does() {
    // import torch
    // xs = [1, 2.5, "a", None]
    // print(2.5 in xs, 3 not in xs, "a" in xs, None in xs, True in [1], "ab" in "cabd", "x" not in "abc")
    // print(1 in torch.zeros(2, 3).shape, 3 in torch.zeros(2, 3).shape, (2, 3) in [(1, 2), (2, 3)])
    // t = torch.tensor([1.0, 2.0, 3.0])
    // print(2 in t, 5 in t, torch.tensor(3.0) in t, 2.5 not in t)
    // for epoch in range(5):
    //     if epoch in [1, 3]:
    //         print("decay at", epoch)
    //     print(epoch, epoch not in (0, 4), t[epoch % 3].item() in [2.0, 3.0])
    // w = torch.ones(2, requires_grad=True)
    // opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
    // for group in opt.param_groups:
    //     print("momentum" in group, "betas" in group, "params" in group, "params" in opt.defaults, "nesterov" in opt.defaults)
    // sched = torch.optim.lr_scheduler.StepLR(opt, 2)
    // print("initial_lr" in opt.param_groups[0], "initial_lr" in opt.defaults, w in [w], w in [])
    let program = r#"
xs = [1, 2.5, "a", none]
print(2.5 in xs, 3 not in xs, "a" in xs, none in xs, true in [1], "ab" in "cabd", "x" not in "abc")
print(1 in zeros(2, 3).shape, 3 in zeros(2, 3).shape, (2, 3) in [(1, 2), (2, 3)])
t = tensor([1.0, 2.0, 3.0])
print(2 in t, 5 in t, tensor(3.0) in t, 2.5 not in t)
for epoch in range(5) {
    if epoch in [1, 3] {
        print("decay at", epoch)
    }
    print(epoch, epoch not in (0, 4), t[epoch % 3].item() in [2.0, 3.0])
}
w = ones(2, requires_grad=true)
opt = SGD([w], lr=0.1, momentum=0.9)
for group in opt.param_groups {
    print("momentum" in group, "betas" in group, "params" in group, "params" in opt.defaults, "nesterov" in opt.defaults)
}
sched = StepLR(opt, 2)
print("initial_lr" in opt.param_groups[0], "initial_lr" in opt.defaults, w in [w], w in [])
"#;
    let want = "\
True True True True True True True
False True True
True False True True
0 False False
decay at 1
1 True True
2 True True
decay at 3
3 True False
4 False True
True False True False True
True False True False
";
    assert_eq!(run(program), want);
}

/// What Python and PyTorch refuse is an error at the operand, in their words;
/// `in` stays a name elsewhere, and another word in its place is a syntax error.
#[test]
fn what_cannot_be_tested_is_an_error_at_the_operand() {
    let first = common::first_error;
    let not_str = "print(1 in \"abc\")\n";
    assert_eq!(first(not_str), (Code::E0107, "'in <string>' requires string as left operand, not int".to_string(), 6));
    let not_iterable = "x = 3\nprint(\"a\" in x)\n";
    assert_eq!(first(not_iterable), (Code::E0107, "argument of type 'int' is not iterable".to_string(), not_iterable.rfind('x').unwrap()));
    let tensor_str = "t = ones(3)\nprint(\"a\" in t)\n";
    let (code, message, at) = first(tensor_str);
    assert_eq!((code, at), (Code::E0107, tensor_str.find("\"a\"").unwrap()));
    assert_eq!(message, "Tensor.__contains__ only supports Tensor or scalar, but you passed in a str");
    let ambiguous = "a = ones(2)\nb = ones(2)\nprint(a in [b])\n";
    assert_eq!(first(ambiguous).0, Code::E0640);
    let other_word = "x = 1\ny = [1]\nprint(x on y)\n";
    let (code, message, at) = first(other_word);
    assert_eq!((code, at), (Code::E0003, other_word.find("on").unwrap()));
    assert_eq!(message, "unexpected name `on`");
    assert_eq!(run("in_ = 2\nprint(in_ in [2])\n"), "True\n");
}
