# The PyTorch program that examples/index_put.act mirrors.
import torch
x = torch.zeros(5)
x[torch.tensor([1, 1, 3])] = torch.tensor([1.0, 2.0, 3.0])
print(x)
m = torch.zeros(4, 2)
m[torch.tensor([0, -1])] = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
print(m)
m[torch.tensor([2])] = 7
print(m)
k = torch.zeros(5, dtype=torch.int64)
k[torch.tensor([[0, 4], [2, 2]])] = torch.tensor([[1, 2], [3, 4]])
print(k)
x = torch.zeros(5)
x[torch.tensor([1, 1, 3])] += torch.tensor([1.0, 2.0, 3.0])
print(x)
w = torch.ones(5, requires_grad=True)
v = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = w * 2
y[torch.tensor([1, 1, 3])] = v
print(y)
(y * y).sum().backward()
print(w.grad)
print(v.grad)
ids = torch.tensor([4, 0])
z = w * 3
z[ids] += v[0:2]
print(z)
