# The PyTorch program that examples/grad_reverse.act mirrors.
import torch

class GradReverse(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, lambda_):
        ctx.lambda_ = lambda_
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.neg() * ctx.lambda_, None

torch.manual_seed(0)
x = torch.randn(4, requires_grad=True)
lambda_ = 0.5
y = GradReverse.apply(x, lambda_)
print(y)
(y * y).sum().backward()
print(x.grad)
w = GradReverse.apply(x, 2)
w.sum().backward()
print(x.grad)
