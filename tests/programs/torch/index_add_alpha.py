# The PyTorch program that examples/index_add_alpha.act mirrors.
import torch
x = torch.ones(3, 2, requires_grad=True)
s = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
y = torch.index_add(x * 1, 0, torch.tensor([2, 0]), s, alpha=0.5)
print(y)
(y * y).sum().backward()
print(x.grad)
print(s.grad)
k = torch.zeros(3, dtype=torch.int64)
print(torch.index_add(k, 0, torch.tensor([0, 0, 2]), torch.tensor([1, 2, 5]), alpha=3))
print(torch.index_add(k, 0, torch.tensor([1]), torch.tensor([3]), alpha=1.7))
print(x.index_add(1, torch.tensor([1]), torch.tensor([[1.0], [2.0], [3.0]]), alpha=-2))
