# The PyTorch program that examples/linear_function.act mirrors.
import torch
from torch.autograd import Function

class LinearFunction(Function):
    @staticmethod
    def forward(ctx, input, weight, bias=None):
        ctx.save_for_backward(input, weight, bias)
        output = input.mm(weight.t())
        if bias is not None:
            output += bias.unsqueeze(0).expand_as(output)
        return output

    @staticmethod
    def backward(ctx, grad_output):
        input, weight, bias = ctx.saved_tensors
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_input = grad_output.mm(weight)
        if ctx.needs_input_grad[1]:
            grad_weight = grad_output.t().mm(input)
        if bias is not None and ctx.needs_input_grad[2]:
            grad_bias = grad_output.sum(0)
        return grad_input, grad_weight, grad_bias

torch.manual_seed(0)
input = torch.randn(5, 3, requires_grad=True)
weight = torch.randn(4, 3, requires_grad=True)
bias = torch.randn(4, requires_grad=True)
y = LinearFunction.apply(input, weight, bias)
print(y)
y.sum().backward()
print(input.grad)
print(weight.grad)
print(bias.grad)
x = torch.randn(2, 3)
z = LinearFunction.apply(x, weight)
print(z)
z.sum().backward()
print(weight.grad)
print(weight.t())
print(weight.T)
print(x.mm(weight.t()))
print(torch.mm(x, torch.t(weight)))
