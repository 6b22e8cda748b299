//! Python and PyTorch idioms of published training code (milesial's U-Net
//! among them) that graphc runs as written: the lines of a PyTorch program
//! and what PyTorch 2.15 prints for them. Triple-quoted docstrings over
//! several lines; Python's truth of `None`, numbers, strings and tuples in
//! `if`, `not` and conditional expressions; `==` of shapes, tuples and
//! lists; `and`/`or` of one-element tensors (`t.min() >= 0 and t.max() <=
//! 1`, in an `assert` too); integer sums over several dimensions and with
//! `keepdim`; optimizers with `foreach=True` (whose updates PyTorch's CPU
//! code leaves as they are); `@inference_mode()` on a function.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

/// Each idiom's values as PyTorch prints them.
#[test]
fn published_idioms_run_as_pytorch_runs_them() {
    let program = r#"
manual_seed(0)


class Block(Module) {
    """A block with a docstring
    over two lines, as published modules have."""

    fn __init__(self, width=none, extra=0, names=()) {
        super().__init__()
        if not width {
            width = 3
        }
        self.fc = Linear(2, width)
        self.extra = extra if extra else none
        self.named = "named" if names else "anonymous"
    }

    fn forward(self, x) {
        '''Single-quoted triple docstring.'''
        return self.fc(x)
    }
}


b = Block()
print(b.fc.out_features, b.extra, b.named, Block(5, 2, ("a",)).named)
x = randn(4, 2)
y = b(x)
print(y.size() == (4, 3), y.shape == (4, 3), x.size() == y.size(), [1, 2] == (1, 2), (1, "a", none) == (1, "a", none))
m = randint(0, 2, (2, 3, 4))
print(m.sum(dim=(-1, -2)), m.sum(dim=(0, 2), keepdim=true), (m > 0).sum(dim=(1, 2)))
t = tensor([0.5, -1.0, 2.0])
ok = t.min() >= -1 and t.max() <= 2
print(ok, t.min() > 0 and t.max() > 0, t.min() > 0 or t.max() > 0, t.max() and t.min())
assert t.min() >= -1 and t.max() <= 2, "out of range"
if 0 {
    print("zero is true")
} elif [] or "" {
    print("empty is true")
} else {
    print("neither")
}
w = randn(3, requires_grad=true)
fn steps(name, opt, p) {
    for _ in range(3) {
        opt.zero_grad()
        (p ** 3).sum().backward()
        opt.step()
    }
    print(name, p.tolist())
}


p = w.detach().clone().requires_grad_()
steps("Adam", Adam([p], foreach=true), p)
p = w.detach().clone().requires_grad_()
steps("AdamW", AdamW([p], foreach=true), p)
p = w.detach().clone().requires_grad_()
steps("Adagrad", Adagrad([p], foreach=true), p)
p = w.detach().clone().requires_grad_()
steps("Adadelta", Adadelta([p], foreach=true), p)
p = w.detach().clone().requires_grad_()
steps("Adamax", Adamax([p], foreach=true), p)
p = w.detach().clone().requires_grad_()
steps("Rprop", Rprop([p], foreach=true), p)
print(RMSprop([w], lr=1e-4, momentum=0.9, foreach=true))


@inference_mode()
fn evaluate(v) {
    return (v * 2).sum()
}


print(evaluate(w), evaluate(w).requires_grad)
"#;
    assert_eq!(run(program), "3 None anonymous named\nTrue True False False True\ntensor([8, 7]) tensor([[[5],\n         [6],\n         [4]]]) tensor([8, 7])\ntensor(True) tensor(False) tensor(True) tensor(-1.)\nneither\nAdam [0.1889961063861847, 0.5397716760635376, -2.2217793464660645]\nAdamW [0.18899036943912506, 0.5397554039955139, -2.221712827682495]\nAdagrad [0.17004092037677765, 0.5202332139015198, -2.241697311401367]\nAdadelta [0.18246565759181976, 0.5331249833106995, -2.228501796722412]\nAdamax [0.1860550194978714, 0.536788821220398, -2.2247743606567383]\nRprop [0.155595064163208, 0.5063713192939758, -2.2551794052124023]\nRMSprop (\nParameter Group 0\n    alpha: 0.99\n    capturable: False\n    centered: False\n    differentiable: False\n    eps: 1e-08\n    foreach: True\n    lr: 0.0001\n    maximize: False\n    momentum: 0.9\n    weight_decay: 0\n)\ntensor(-2.9680) False\n");
}

/// What PyTorch computes otherwise, or what would need a run-time type, is refused at the argument.
#[test]
fn idioms_graphc_does_not_take_are_refused_where_they_are_written() {
    let cases = [
        ("w = randn(2, requires_grad=true)\nopt = SGD([w], lr=0.1, foreach=true)\n", Code::E0680, "does not support `foreach=True`", "true"),
        ("w = randn(2, requires_grad=true)\nopt = Adam([w], foreach=1)\n", Code::E0684, "`foreach` must be", "1"),
        ("t = tensor([1.0])\nu = t > 0 and 3\n", Code::E0644, "one-element tensor needs another", "3"),
        ("s = \"\"\"never closed\nx = 1\n", Code::E0002, "unterminated string", "\"\"\""),
    ];
    for (program, code, expected, at) in cases {
        let (got, message, offset) = first_error(program);
        assert_eq!(got, code, "{program}: {message}");
        assert!(message.contains(expected), "{program}: {message}");
        assert_eq!(offset, program.rfind(at).unwrap(), "{program}: the error points at `{at}`");
    }
}
