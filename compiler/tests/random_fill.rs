//! `x.uniform_(from, to)`, `x.normal_(mean, std)` and `empty`: PyTorch's
//! in-place random fills with its draws and rounding, so that `nn.Linear`'s
//! initialization written out (`kaiming_uniform_` with `a = sqrt(5)`, then the
//! bias) starts from PyTorch's numbers bit for bit. The expected lines are what
//! PyTorch 2.15 prints for the same program:
//!
//! ```python
//! torch.manual_seed(42)
//! lin = torch.nn.Linear(1, 1)            # weight 0.7645, bias 0.8300
//! torch.manual_seed(0)
//! lin = torch.nn.Linear(64, 10)
//! # ... the same with torch.empty(...).uniform_(-bound, bound), then
//! x = torch.empty(5, dtype=torch.float64).uniform_(2, 3)
//! n = torch.zeros(20).normal_(1.0, 0.5); m = torch.zeros(3).normal_()
//! u = torch.ones(4).uniform_()
//! ```

use crate::common::run;
use graphc_compiler::diag::Code;
use graphc_compiler::driver::compile;

#[test]
fn uniform_and_normal_fill_with_pytorchs_numbers() {
    let program = "\
manual_seed(42)
fan_in = 1
a = sqrt(5)
gain = sqrt(2.0 / (1 + a ** 2))
std = gain / sqrt(fan_in)
bound = sqrt(3.0) * std
no_grad {
    weight = empty(1, 1).uniform_(-bound, bound)
    bias = empty(1).uniform_(-1 / sqrt(fan_in), 1 / sqrt(fan_in))
}
print(weight, bias)
manual_seed(0)
fan_in = 64
w = empty(10, 64)
b = empty(10)
bound = sqrt(3.0) * (gain / sqrt(fan_in))
w.uniform_(-bound, bound)
b.uniform_(-1 / sqrt(fan_in), 1 / sqrt(fan_in))
print(w.sum().item(), b.tolist()[:3])
x = empty(5, dtype=float64).uniform_(2, 3)
print(x.tolist())
n = zeros(20).normal_(1.0, 0.5)
print(n.sum().item(), n[:3].tolist())
m = zeros(3).normal_()
print(m.tolist())
u = ones(4).uniform_()
print(u.tolist())
";
    let want = "\
tensor([[0.7645]]) tensor([0.8300])
-0.7289897203445435 [-0.07401417195796967, 0.017933309078216553, 0.03989893198013306]
[2.175875437065418, 2.360172005660686, 2.640914369885885, 2.6466018836207277, 2.090396798548874]
19.366374969482422 [0.7251164317131042, 1.4077589511871338, 2.000272512435913]
[0.7995099425315857, -2.0974972248077393, 0.7273064851760864]
[0.18302452564239502, 0.44593316316604614, 0.5643144249916077, 0.9259722232818604]
";
    assert_eq!(run(program), want);
}

/// PyTorch's checks, at compile time: a range with `from > to`, a negative
/// std, an integer tensor, an in-place fill of a leaf that requires grad
/// outside `no_grad` (E0620), and a bound known only at run time.
#[test]
fn bad_random_fills_are_compile_errors() {
    let cases: [(&str, Code, &str); 5] = [
        ("x = zeros(3).uniform_(1, 0)\n", Code::E0107, "uniform_ expects to return a [from, to) range, but found from=1 > to=0"),
        ("x = zeros(3).normal_(0, -1)\n", Code::E0107, "normal expects std >= 0.0"),
        ("x = zeros(3, dtype=int64).uniform_()\n", Code::E0204, "`uniform_` fills floating-point tensors"),
        ("w = zeros(3, requires_grad=true)\nw.uniform_(-1, 1)\n", Code::E0620, ""),
        ("t = ones(1)\nx = zeros(3).uniform_(0, t.item())\n", Code::E0107, "`uniform_`'s to must be a number known at compile time"),
    ];
    for (src, code, message) in cases {
        let Err(d) = compile(src, false) else { panic!("compiled:\n{src}") };
        assert_eq!(d[0].code, code, "{src}: {d:?}");
        assert!(d[0].message.contains(message), "{src}: {}", d[0].message);
    }
}
