//! `Generator()`, `random_split(..., generator=g)` and the random calls with
//! `generator=g` (`lower/generators.rs`):
//! a generator of the program's own, seeded, whose state advances with each
//! split, PyTorch's default seed when unseeded, a negative seed, and the
//! default generator's draws untouched by them, as PyTorch 2.15 prints the
//! same lines.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

#[test]
fn random_split_draws_from_the_generator_it_is_given() {
    let program = r#"
x = arange(10.0).unsqueeze(1)
y = arange(10)
ds = TensorDataset(x, y)
g = Generator().manual_seed(42)
a, b = random_split(ds, [7, 3], generator=g)
c, d = random_split(ds, [0.5, 0.5], generator=g)
print(next(iter(DataLoader(a, batch_size=10)))[1], next(iter(DataLoader(b, batch_size=10)))[1])
print(next(iter(DataLoader(c, batch_size=10)))[1], next(iter(DataLoader(d, batch_size=10)))[1])
e, f = random_split(ds, [5, 5], generator=Generator())
print(next(iter(DataLoader(e, batch_size=10)))[1], len(f))
h = Generator()
h.manual_seed(-1)
p, q = random_split(ds, [0.3, 0.7], generator=h)
print(next(iter(DataLoader(p, batch_size=10)))[0])
manual_seed(0)
r, s2 = random_split(ds, [2, 8])
print(next(iter(DataLoader(r, batch_size=10)))[1], randn(2))
"#;
    assert_eq!(run(program), "tensor([2, 6, 1, 8, 4, 5, 0]) tensor([9, 3, 7])\ntensor([3, 5, 8, 9, 4]) tensor([6, 1, 0, 7, 2])\ntensor([0, 3, 7, 5, 2]) 5\ntensor([[1.],\n        [4.],\n        [6.]])\ntensor([4, 1]) tensor([0.2100, 0.9056])\n");
}

/// A generator draws when compiling: not once for every pass of a loop
/// compiled once; and it prints without Python's address.
#[test]
fn a_generator_draws_outside_loops_only() {
    let in_loop = "ds = TensorDataset(arange(10.0))\ng = Generator().manual_seed(1)\nfor i in range(600) {\n    a, b = random_split(ds, [5, 5], generator=g)\n}\n";
    assert_eq!(first_error(in_loop).0, Code::E0687);
    assert_eq!(first_error("g = Generator().manual_seed(1.5)\n").0, Code::E0107);
    assert_eq!(first_error("g = Generator(device=\"cuda\")\n").0, Code::E0687);
    assert_eq!(run("g = Generator()\nprint(g.manual_seed(3))\n"), "<torch._C.Generator object>\n");
}

/// `randn`, `rand`, `randperm` and `randint` with `generator=g` draw from the
/// program's generator as PyTorch 2.15 does (the lines of a PyTorch program
/// and what it prints), leaving the default generator alone.
#[test]
fn random_calls_draw_from_a_generator() {
    let program = r#"
manual_seed(0)
g = Generator().manual_seed(42)
a = randn(2, 3, generator=g)
print(a)
b = rand(4, generator=g, dtype=f64)
print(b)
print(randperm(6, generator=g))
print(randint(0, 10, (5,), generator=g))
print(randint(3, (2, 2), generator=g))
w = randn(3, generator=g, requires_grad=true)
(w * w).sum().backward()
print(w.grad)
print(randn(2))
g2 = Generator().manual_seed(42)
print(randn(2, 3, generator=g2))
"#;
    assert_eq!(run(program), "tensor([[ 0.3367,  0.1288,  0.2345],\n        [ 0.2303, -1.1229, -0.1863]])\ntensor([0.9552, 0.9288, 0.0835, 0.1326], dtype=torch.float64)\ntensor([1, 2, 3, 5, 0, 4])\ntensor([3, 1, 9, 7, 9])\ntensor([[0, 0],\n        [1, 1]])\ntensor([-0.8440, -2.6646, -0.7279])\ntensor([ 1.5410, -0.2934])\ntensor([[ 0.3367,  0.1288,  0.2345],\n        [ 0.2303, -1.1229, -0.1863]])\n");
    let in_loop = "g = Generator().manual_seed(1)\nfor i in range(3) {\n    print(randn(2, generator=g))\n}\n";
    assert_eq!(first_error(in_loop).0, Code::E0687);
    assert_eq!(first_error("print(randn(2, generator=5))\n").0, Code::E0107);
    assert_eq!(first_error("print(randperm(4, generator=none))\n").0, Code::E0107);
}
