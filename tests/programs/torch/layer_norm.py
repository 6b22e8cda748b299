# The PyTorch program that examples/layer_norm.act mirrors.
# A LayerNorm autograd.Function with a hand-written backward, as people write it
# (the formulas of PyTorch's own layer_norm backward, on the last dimension).
import torch


class LayerNorm(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input, weight, bias, eps=1e-5):
        mean = input.mean(dim=-1, keepdim=True)
        var = input.var(dim=-1, unbiased=False, keepdim=True)
        rstd = 1 / torch.sqrt(var + eps)
        xhat = (input - mean) * rstd
        ctx.save_for_backward(xhat, weight, rstd)
        return xhat * weight + bias

    @staticmethod
    def backward(ctx, grad_output):
        xhat, weight, rstd = ctx.saved_tensors
        dxhat = grad_output * weight
        grad_input = rstd * (dxhat - dxhat.mean(dim=-1, keepdim=True) - xhat * (dxhat * xhat).mean(dim=-1, keepdim=True))
        grad_weight = (grad_output * xhat).sum(dim=0)
        grad_bias = grad_output.sum(dim=0)
        return grad_input, grad_weight, grad_bias, None


torch.manual_seed(0)
x = torch.randn(4, 6, requires_grad=True)
w = torch.randn(6, requires_grad=True)
b = torch.randn(6, requires_grad=True)
y = LayerNorm.apply(x, w, b)
print(y)
(y * y).sum().backward()
print(x.grad)
print(w.grad)
print(b.grad)

# PyTorch's own layer_norm on the same values, to compare the hand-written op with.
x2 = x.detach().requires_grad_()
y2 = torch.nn.functional.layer_norm(x2, (6,), w.detach(), b.detach())
(y2 * y2).sum().backward()
print(y2.grad_fn.name(), (y2 - y).abs().max().item())
print((x2.grad - x.grad).abs().max().item())
