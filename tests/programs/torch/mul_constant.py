# The PyTorch program that examples/mul_constant.act mirrors.
import math
import torch

class MulConstant(torch.autograd.Function):
    @staticmethod
    def forward(ctx, tensor, constant):
        ctx.constant = constant
        return tensor * constant

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.constant, None

torch.manual_seed(0)
x = torch.randn(3, requires_grad=True)
y = MulConstant.apply(x, 2.5)
print(y)
y.sum().backward()
print(x.grad)
d = 16
scale = 1 / math.sqrt(d)
print(scale)
z = MulConstant.apply(x, scale)
print(z)
print(7 / 2, math.sqrt(2), math.exp(1), abs(-3), math.log(10))
