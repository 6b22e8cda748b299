# The PyTorch program that examples/log1pexp.act mirrors (JAX's log1pexp as a
# torch.autograd.Function).
import torch

class Log1pExp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.log(1 + torch.exp(x))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * (1 - 1 / (1 + torch.exp(x)))

x = torch.tensor([0.0, 10.0, 100.0], requires_grad=True)
y = torch.log(1 + torch.exp(x))
print(y)
y.sum().backward()
print(x.grad)
x.grad.zero_()
z = Log1pExp.apply(x)
print(z)
z.sum().backward()
print(x.grad)
