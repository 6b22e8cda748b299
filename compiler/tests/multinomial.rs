//! `x.exponential_(lambd=1)` (`DataOp::Exponential`, PyTorch's default CPU
//! kernel's draws) and `multinomial(input, num_samples, replacement=false)`
//! (`lower/multinomial.rs`, the exponential trick of ATen's
//! `multinomial_out`): the lines of a PyTorch program and what PyTorch 2.15
//! prints for them, the samples of a language model's sampling loop and
//! Gumbel noise included, and the draws after them.

mod common;

use common::{first_error, run};
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
