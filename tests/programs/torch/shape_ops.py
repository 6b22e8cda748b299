# Shape ops: reshape/view, flatten, squeeze/unsqueeze, expand, repeat, cat,
# stack, split and chunk, the grad_fn PyTorch shows for each, and a backward
# through all of them.
#
# `reshape` and `flatten` are views when the layout allows one (`ViewBackward0`)
# and copies otherwise, as after a transpose (`UnsafeViewBackward0`); `view`
# never copies, so `x.mT.view(-1)` is an error (E0222).
import torch
torch.manual_seed(0)
x = torch.randn(2, 3, 4, requires_grad=True)
print(x.reshape(6, -1))
print(x.view([4, 6]))
print(x.flatten())
print(x.flatten(1))
print(x.mT.reshape(-1))
print(x.mT.flatten(0, 1))
print(x.unsqueeze(1).squeeze(1))
print(x.unsqueeze(-1).squeeze())
y = torch.randn(3, 1, requires_grad=True)
print(y.expand(2, 3, 4))
print(y.expand(-1, 2))
print(y.expand_as(x))
print(y.repeat(2, 1, 3))
c = torch.cat([x, x * 2], 1)
print(c)
s = torch.stack([y, y + 1], -1)
print(s)
print(torch.cat(x.split(3, 2), 2))
print(torch.cat(x.split([1, 3], -1), -1))
print(torch.cat(x.chunk(2, 1), 1))
w = torch.arange(24.0).reshape(2, 3, 4)
loss = (c * torch.cat([w, w], 1)).sum() + (s * s).sum() + (y.repeat(2, 1, 3) ** 2).sum() + (x.mT.reshape(-1) * torch.arange(24.0)).sum() + (torch.cat(x.split([1, 3], -1), -1) ** 2).sum() + (y.expand(2, 3, 4) * w).sum()
loss.backward()
print(x.grad)
print(y.grad)
