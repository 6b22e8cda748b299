# Gradients through Python `if`s whose condition is a tensor, which PyTorch (and
# JAX's `grad`) differentiate along the side that ran.
# examples/branch_grads.act mirrors it line for line.
import torch


# JAX's documentation, "Control flow and logical operators with JIT", section
# "Python control flow + autodiff", with `jax.grad` written as PyTorch's
# `torch.autograd.grad`.
def f(x):
    if x < 3:
        return 3. * x ** 2
    else:
        return -4 * x


def grad_f(v):
    x = torch.tensor(v, requires_grad=True)
    return torch.autograd.grad(f(x), x)[0]


print(grad_f(2.))  # ok!
print(grad_f(4.))  # ok!


# A robust regression whose loss is chosen per batch: half the mean squared
# error while it is small, a mean absolute error (through an op with its own
# backward) once it is large, and a cap for batches far off; a batch-level
# Huber loss written with Python `if`s.
class AbsDev(torch.autograd.Function):
    @staticmethod
    def forward(ctx, r):
        ctx.save_for_backward(r)
        return r.abs()

    @staticmethod
    def backward(ctx, g):
        r, = ctx.saved_tensors
        return g * r.sign()


def batch_loss(pred, target, delta):
    r = pred - target
    mse = (r * r).mean()
    if mse > 16 * delta * delta:
        print("  capped")
        return delta * (AbsDev.apply(r).clamp(max=5 * delta).mean() - 0.5 * delta)
    elif mse > delta * delta:
        return delta * (AbsDev.apply(r).mean() - 0.5 * delta)
    return 0.5 * mse


torch.manual_seed(0)
x = torch.randn(96, 3)
true_w = torch.tensor([[1.5], [-2.0], [0.5]])
y = x @ true_w + 0.1 * torch.randn(96, 1)
y[::32] += 20.0
w = torch.zeros(3, 1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
opt = torch.optim.SGD([w, b], lr=0.2, momentum=0.5)
for epoch in range(12):
    for i in range(0, 96, 32):
        xb, yb = x[i:i + 32], y[i:i + 32]
        loss = batch_loss(xb @ w + b, yb, 1.0)
        opt.zero_grad()
        loss.backward()
        opt.step()
    if epoch % 3 == 2:
        print(f"epoch {epoch}: loss {loss.item():.6f}")
print(w.detach().squeeze())
print(b.grad)
