# The PyTorch program that examples/integer_prod.act mirrors.
import torch
x = torch.tensor([[2, 3, 4], [5, -6, 7]])
print(x.prod(), torch.prod(x, dim=1), x.prod(0, keepdim=True))
print(torch.tensor([True, False]).prod(), torch.tensor([[True], [True]]).prod(dim=0))
print(torch.tensor([2**40, 2**40]).prod())
print(torch.tensor([3**20, 3**20, 3]).prod())
print(x.prod().item() + 1)
