# The PyTorch program that examples/straight_through.act mirrors.
import torch

class RoundSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return torch.round(x)

    @staticmethod
    def backward(ctx, g):
        # (graphc: surrogate("straight-through estimator"))
        return g

torch.manual_seed(0)
w = torch.randn(4, requires_grad=True)
x = torch.tensor([1.0, -2.0, 0.5, 3.0])
q = RoundSTE.apply(w * 4) / 4
print(q)
loss = (q * x).sum()
loss.backward()
print(w.grad)
w.grad.zero_()
loss = (torch.round(w * 4) / 4 * x).sum()
loss.backward()
print(w.grad)
