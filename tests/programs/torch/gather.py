# The PyTorch program that examples/gather.act mirrors.
import torch

x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
i = torch.tensor([[2, 0, 2], [1, 1, 0]])
g = torch.gather(x, 1, i)
print(g)
print(x.gather(0, torch.tensor([[1, 0, 1]])))
(g * torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum().backward()
print(x.grad)

# The scores of each row's chosen class, as a classifier picks them.
scores = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], requires_grad=True)
labels = torch.tensor([2, 0])
picked = scores.gather(1, labels.reshape(2, 1))
print(picked)
picked.sum().backward()
print(scores.grad)

# index_select takes whole slices along a dimension, in the index's order.
z = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
s = torch.index_select(z, 1, torch.tensor([2, 0, 2]))
print(s)
print(z.index_select(0, torch.tensor([1])))
(s * torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum().backward()
print(z.grad)
