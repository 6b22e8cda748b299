# The PyTorch program that examples/saves_input.act mirrors.
import torch

class Softplus(torch.autograd.Function):
    @staticmethod
    def forward(ctx, inp):
        ctx.save_for_backward(inp)
        return torch.log(1 + torch.exp(inp))

    @staticmethod
    def backward(ctx, grad_output):
        inp, = ctx.saved_tensors
        return grad_output * torch.sigmoid(inp)

class Square(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * 2 * x

torch.manual_seed(1)
x = torch.randn(6, requires_grad=True)
y = Softplus.apply(x)
print("softplus:", y)
y.sum().backward()
print("d/dx sum(softplus(x)) = sigmoid(x):")
print(x.grad)
print(torch.sigmoid(x))
x.grad.zero_()
z = Square.apply(x)
print("square:", z)
z.mean().backward()
print("d/dx mean(x*x) = 2x/6:")
print(x.grad)
