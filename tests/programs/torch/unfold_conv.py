# A 2-D convolution written as a custom autograd Function: F.unfold lays the
# input's sliding blocks out as columns, the forward is one matrix product,
# and the backward folds the columns' gradient back into the image with F.fold.
import torch
import torch.nn.functional as F


class UnfoldConv2d(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight):
        n, c, h, w = x.shape
        out_c, _, kh, kw = weight.shape
        cols = F.unfold(x, (kh, kw))
        ctx.save_for_backward(cols, weight)
        ctx.size = (h, w)
        out = weight.view(out_c, -1) @ cols
        return out.view(n, out_c, h - kh + 1, w - kw + 1)

    @staticmethod
    def backward(ctx, grad_out):
        cols, weight = ctx.saved_tensors
        h, w = ctx.size
        out_c, _, kh, kw = weight.shape
        g = grad_out.flatten(2)
        grad_weight = (g @ cols.transpose(1, 2)).sum(0).view(weight.shape)
        grad_cols = weight.view(out_c, -1).t() @ g
        grad_x = F.fold(grad_cols, (h, w), (kh, kw))
        return grad_x, grad_weight


torch.manual_seed(0)
x = torch.randn(2, 3, 8, 8, requires_grad=True)
weight = torch.randn(4, 3, 3, 3, requires_grad=True)
y = UnfoldConv2d.apply(x, weight)
print(y.shape, y.grad_fn.name())
print(y[0, 0, :2])

# The same values and gradients as the built-in convolution.
ref = F.conv2d(x, weight)
print((y - ref).abs().max() < 1e-5)
upstream = torch.randn(y.shape)
gx, gw = torch.autograd.grad(y, (x, weight), upstream)
rx, rw = torch.autograd.grad(ref, (x, weight), upstream)
print((gx - rx).abs().max() < 1e-5, (gw - rw).abs().max() < 1e-4)
print(gx[1, 2, :2])

# Fit a convolution to a target one with plain SGD.
target = torch.randn(4, 3, 3, 3) * 0.5
w = torch.zeros(4, 3, 3, 3, requires_grad=True)
opt = torch.optim.SGD([w], lr=0.05)
for step in range(60):
    data = torch.randn(8, 3, 6, 6)
    loss = F.mse_loss(UnfoldConv2d.apply(data, w), F.conv2d(data, target))
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 10 == 0:
        print(step, f"{loss.item():.5f}")
print(f"{(w - target).abs().max().item():.4f}")
