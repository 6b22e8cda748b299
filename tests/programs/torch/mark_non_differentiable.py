# The PyTorch program that examples/mark_non_differentiable.act mirrors.
import torch
class MaxAndMask(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = torch.relu(x) * 2
        mask = x * 0 + 1
        ctx.mark_non_differentiable(mask)
        ctx.save_for_backward(mask)
        return y, mask
    @staticmethod
    def backward(ctx, gy, gmask):
        mask, = ctx.saved_tensors
        return gy * mask * 2
torch.manual_seed(0)
x = torch.randn(4, requires_grad=True)
y, mask = MaxAndMask.apply(x)
print(y)
print(mask)
(y * 3).sum().backward()
print(x.grad)
