# The PyTorch program that examples/integer_index.act mirrors.
import torch
emb = torch.tensor([[0.5, -1.0], [1.5, 0.25], [2.0, 3.0], [-0.5, 0.75]], requires_grad=True)
ids = torch.tensor([[1, 3, 1], [0, 2, 2]])
e = emb[ids]
print(e)
perm = torch.tensor([3, 0, 2, 1])
print(emb[perm[0:2]])
print(emb[0], emb[torch.tensor([2])])
(e * e).sum().backward()
print(emb.grad)
