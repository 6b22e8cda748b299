# Gradient clipping as PyTorch users write it: torch.nn.utils'
# clip_grad_norm_ between the backward and the optimizer's step (the loop of
# PyTorch's "Automatic Mixed Precision examples", gradient clipping, without
# the scaler), on a linear regression whose first fifteen gradients are
# longer than max_norm; then the other clipping functions on one more gradient.
from math import inf

import torch
import torch.nn.functional as F
from torch.nn.utils import clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm

torch.manual_seed(0)
x = torch.randn(64, 3)
true_w = torch.tensor([[2.0], [-3.0], [0.5]])
y = x @ true_w + 0.1 * torch.randn(64, 1)

w = torch.zeros(3, 1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
frozen = torch.randn(3, 1)
optimizer = torch.optim.SGD([w, b], lr=0.2)
for epoch in range(30):
    optimizer.zero_grad()
    loss = F.mse_loss(x @ (w + frozen * 0) + b, y)
    loss.backward()
    # `frozen` does not require grad: it has no gradient, and is skipped.
    total = clip_grad_norm_([w, b, frozen], max_norm=1.0)
    optimizer.step()
    if epoch % 5 == 0 or epoch == 29:
        print(f"epoch {epoch:2d}  loss {loss.item():.4f}  gradient norm {total.item():.4f}")
print(w)
print(b)

# One more gradient, clipped each other way.
optimizer.zero_grad()
F.mse_loss(x @ w + b, y * 1.5).backward()
print(w.grad.t(), b.grad)
print("inf-norm", clip_grad_norm_([w, b], 0.5, norm_type=inf))
print(w.grad.t(), b.grad)
print("1-norm", clip_grad_norm_((w, b), 0.5, 1))
print(w.grad.t(), b.grad)
clip_grad_value_(w, 0.05)
print("by value", w.grad.t())
total = get_total_norm([w.grad, b.grad])
clip_grads_with_norm_([w, b], 0.01, total)
print("in two halves", total, w.grad.t(), b.grad)
