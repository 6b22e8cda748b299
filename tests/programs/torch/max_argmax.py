# The PyTorch program that examples/max_argmax.act mirrors.
import torch

x = torch.tensor([[1.0, 3.0, 3.0], [4.0, 2.0, 0.5]], requires_grad=True)
v, i = x.max(dim=1)
print(v)
print(i)
m, j = x.min(dim=0, keepdim=True)
print(m)
print(j)
print(x.argmax())
print(x.argmin(dim=1, keepdim=True))
print(torch.max(x))
print(x.min())
s = (v * torch.tensor([2.0, 5.0])).sum()
s.backward()
print(x.grad)

# The extreme of everything shares the gradient evenly among equal extremes.
y = torch.tensor([[3.0, 1.0], [3.0, -2.0]], requires_grad=True)
torch.max(y).backward()
print(y.grad)

# Two tensors keep the elementwise meaning (maximum).
print(torch.max(x, x * 2))

# NaN wins, at its first position.
n = torch.tensor([[1.0, 0.0, 5.0, 0.0], [2.0, 7.0, 7.0, -1.0]]) / torch.tensor([1.0, 0.0, 1.0, 0.0])
nv, ni = n.max(dim=1)
print(n)
print(nv, ni)
print(n.argmin(dim=1))
print(n.argmax())

# Integer tensors.
k = torch.tensor([[3, 9, 9], [-2, 0, -5]])
kv, ki = k.max(dim=1)
print(kv, ki)
print(k.max(), k.argmax(dim=0))
