# The PyTorch program that examples/attention.act mirrors.
# Scaled dot-product attention on 3-D tensors (batch, sequence, features), with
# the softmax written as a custom autograd.Function.
import math

import torch


class Softmax(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        output = torch.softmax(input, dim=-1)
        ctx.save_for_backward(output)
        return output

    @staticmethod
    def backward(ctx, grad_output):
        (output,) = ctx.saved_tensors
        return output * (grad_output - (grad_output * output).sum(dim=-1, keepdim=True))


def attention(q, k, v):
    d = q.shape[-1]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)
    weights = Softmax.apply(scores)
    return weights @ v


torch.manual_seed(0)
q = torch.randn(2, 3, 4, requires_grad=True)
k = torch.randn(2, 3, 4, requires_grad=True)
v = torch.randn(2, 3, 4, requires_grad=True)
out = attention(q, k, v)
print(out)
out.sum().backward()
print(q.grad)
print(k.grad)
print(v.grad)
