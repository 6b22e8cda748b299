# The PyTorch program that examples/two_params_none.act mirrors.
import torch

class Scale(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, s):
        ctx.save_for_backward(s)
        return x * s

    @staticmethod
    def backward(ctx, g):
        s, = ctx.saved_tensors
        return g * s, None

torch.manual_seed(3)
x = torch.randn(4, requires_grad=True)
s = torch.tensor([2.0, -1.0, 0.5, 3.0], requires_grad=True)
print(x.grad, s.grad)
y = Scale.apply(x, s)
print(y)
y.sum().backward()
print(x.grad)
print(s.grad)
(x * s).sum().backward()
print(x.grad)
print(s.grad)
