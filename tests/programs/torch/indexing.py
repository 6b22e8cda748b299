# Subscripts as PyTorch's basic indexing: integers (negative ones count from the
# end), slices with clamped bounds and positive steps, `None` for a new axis,
# `...`, several items at once, and subscripts of the lists `split` and `chunk`
# return. Each prints the grad_fn PyTorch shows, and the backward writes each
# piece's gradient back into zeros at its place.
import torch
torch.manual_seed(0)
x = torch.randn(2, 3, 4, requires_grad=True)
print(x[0])
print(x[-1, 1])
print(x[0, 1, 2])
print(x[:, 1:])
print(x[:])
print(x[:, :])
print(x[..., 1])
print(x[1:, None, 0])
print(x[::2])
print(x[:, -2:, ::3])
print(x[..., None])
print(x[:, 0:100])
print(x[:, -3:])
print(x[0:1, ::5])
print(x[5:])
print(x[:, 0:0])
print(x.split(1, 2)[-1])
p = x.chunk(2, 1)
print(p[1])
loss = (x[0] * x[-1]).sum() + (x[:, 1:, ::2] ** 2).sum() + x[..., 1].sum() * 3 + (x[1:, None, 0] * x[0, 1]).sum() + x.split(1, 2)[-1].sum()
loss.backward()
print(x.grad)
