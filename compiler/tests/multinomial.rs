//! `x.exponential_(lambd=1)` (`DataOp::Exponential`, PyTorch's default CPU
//! kernel's draws), `bernoulli` and `multinomial(input, num_samples, replacement=false)`
//! (`lower/multinomial.rs`, the exponential trick of ATen's
//! `multinomial_out`): the lines of a PyTorch program and what PyTorch 2.15
//! prints for them, the samples of a language model's sampling loop and
//! Gumbel noise included, and the draws after them.

use crate::common::{first_error, run};
use graphc_compiler::diag::Code;

#[test]
fn exponential_draws_and_multinomial_samples_are_pytorchs() {
    let program = r#"
manual_seed(0)
probs = tensor([0.1, 0.2, 0.7])
print(multinomial(probs, 1), multinomial(probs, num_samples=2), multinomial(probs, 3, replacement=false))
logits = randn(4, 10)
p = softmax(logits, dim=-1)
idx = multinomial(p, num_samples=1)
print(idx.shape, idx.squeeze(1), multinomial(p, 1, true).squeeze(1))
x = empty(6).exponential_()
y = empty(3, 2, dtype=float64).exponential_(2.5)
print(x, y)
w = zeros(5, requires_grad=true)
g = -empty_like(w).exponential_().log()
print(g)
tokens = [0]
for t in range(8) {
    pr = softmax(logits[t % 4] / 0.8, dim=-1)
    nxt = multinomial(pr, num_samples=1)
    tokens.append(nxt.item())
}
print(tokens, rand(2))
"#;
    assert_eq!(run(program), "tensor([2]) tensor([2, 1]) tensor([2, 0, 1])\ntorch.Size([4, 1]) tensor([4, 0, 1, 7]) tensor([5, 6, 0, 6])\ntensor([0.5921, 1.5800, 0.3634, 0.3868, 1.2460, 0.0611]) tensor([[0.8900, 0.0227],\n        [0.8951, 0.1471],\n        [0.3926, 0.0144]], dtype=torch.float64)\ntensor([ 2.4982, -0.1734,  2.0723,  0.5117, -0.7603])\n[0, 1, 0, 6, 6, 5, 0, 7, 7] tensor([0.2867, 0.6801])\n");
}

/// PyTorch's checks: the rank, the count, more samples than categories
/// without replacement, a rate that is not positive; and several samples
/// with replacement, which graphc does not draw.
#[test]
fn multinomial_checks_its_arguments() {
    assert_eq!(first_error("m = multinomial(ones(2, 2, 2), 1)\n").0, Code::E0202);
    assert_eq!(first_error("m = multinomial(ones(3), 0)\n").0, Code::E0107);
    assert_eq!(first_error("m = multinomial(ones(3), 4)\n").0, Code::E0107);
    assert_eq!(first_error("m = multinomial(ones(3), 2, replacement=true)\n").0, Code::E0687);
    assert_eq!(first_error("x = zeros(3).exponential_(0)\n").1, "exponential_ expects lambda > 0.0, but found lambda=0");
}

/// `gumbel_softmax(logits, tau, hard, eps, dim)` as `F.gumbel_softmax` writes
/// it: the soft sample, the straight-through hard one, their gradients, f64
/// along the first dimension, and the draws after them, as PyTorch 2.15
/// prints them.
#[test]
fn gumbel_softmax_is_pytorchs() {
    let program = r#"
manual_seed(0)
logits = randn(3, 5, requires_grad=true)
y = gumbel_softmax(logits, tau=0.5)
print(y, y.grad_fn.name())
h = gumbel_softmax(logits, tau=1.0, hard=true)
print(h, h.grad_fn.name())
w = randn(3, 5)
((y + h) * w).sum().backward()
print(logits.grad)
z = gumbel_softmax(randn(2, 4, dtype=float64), 2, false, 1e-10, 0)
print(z, rand(1))
"#;
    assert_eq!(run(program), "tensor([[8.5154e-01, 1.1235e-01, 1.1441e-04, 1.4107e-02, 2.1891e-02],\n        [2.6584e-04, 9.2193e-01, 5.3994e-02, 2.0096e-02, 3.7176e-03],\n        [2.8216e-03, 8.0036e-03, 7.0297e-04, 9.8816e-01, 3.1079e-04]],\n       grad_fn=<SoftmaxBackward0>) SoftmaxBackward0\ntensor([[1., 0., 0., 0., 0.],\n        [0., 1., 0., 0., 0.],\n        [1., 0., 0., 0., 0.]], grad_fn=<AddBackward0>) AddBackward0\ntensor([[-0.2331, -0.1036, -0.0464,  0.3984, -0.0153],\n        [-0.0149, -0.7059,  0.3159,  0.4765, -0.0716],\n        [-0.3286, -0.0917, -0.0132,  0.4201,  0.0133]])\ntensor([[0.6966, 0.4935, 0.3305, 0.5244],\n        [0.3034, 0.5065, 0.6695, 0.4756]], dtype=torch.float64) tensor([0.3986])\n");
}

/// `bernoulli(input)` (draws in the input's dtype below each probability),
/// `bernoulli(input, p)` and `x.bernoulli_(p=0.5)` (f64 draws below `p`), with
/// the zero gradient of `BernoulliBackward0`, as PyTorch 2.15 prints them.
#[test]
fn bernoulli_draws_are_pytorchs() {
    let program = r#"
manual_seed(0)
p = rand(3, 4)
b = bernoulli(p)
print(b, b.dtype)
q = rand(5, dtype=float64, requires_grad=true)
c = bernoulli(q)
print(c, c.grad_fn.name())
(c * q).sum().backward()
print(q.grad)
d = bernoulli(zeros(2, 3), 0.5)
print(d, rand(1))
m = bernoulli(full((8,), 0.8))
print(m)
manual_seed(0)
print(empty(6).bernoulli_(), empty(6).bernoulli_(0.2))
h = rand(4, requires_grad=true) * 1
h.bernoulli_(p=0.5)
print(h, h.grad_fn.name())
"#;
    assert_eq!(run(program), "tensor([[1., 1., 0., 0.],\n        [0., 0., 1., 1.],\n        [0., 0., 0., 0.]]) torch.float32\ntensor([1., 0., 0., 1., 0.], dtype=torch.float64, grad_fn=<BernoulliBackward0>) BernoulliBackward0\ntensor([1., 0., 0., 1., 0.], dtype=torch.float64)\ntensor([[1., 0., 1.],\n        [0., 0., 0.]]) tensor([0.5932])\ntensor([1., 1., 1., 1., 1., 1., 1., 1.])\ntensor([0., 0., 1., 0., 0., 0.]) tensor([1., 0., 0., 0., 0., 1.])\ntensor([1., 1., 1., 1.], grad_fn=<BernoulliBackward2>) BernoulliBackward2\n");
    assert_eq!(first_error("b = bernoulli(ones(2), 1.5)\n").0, Code::E0107);
    assert_eq!(first_error("x = zeros(2)\nx.bernoulli_(ones(2))\n").0, Code::E0107);
}
