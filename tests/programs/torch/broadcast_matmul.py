# The PyTorch program that examples/broadcast_matmul.act mirrors.
import torch

torch.manual_seed(42)
x = torch.randn(2, 3, requires_grad=True)
w = torch.randn(3, 4, requires_grad=True)
b = torch.tensor([0.1, 0.2, 0.3], requires_grad=True)
h = x + b
print(h)
y = h @ w
print(y)
rows = torch.sum(y, dim=1)
cols = torch.mean(y, dim=0)
print(rows, cols)
gram = w @ torch.transpose(w, 0, 1)
print(gram)
loss = rows.sum() + cols.mean() + gram.mean()
print(loss)
loss.backward()
print(x.grad)
print(w.grad)
print(b.grad)
c = torch.tensor([[1.0], [2.0]], requires_grad=True)
r = torch.tensor([[10.0, 20.0, 30.0]], requires_grad=True)
p = c * r
print(p)
p.sum().backward()
print(c.grad)
print(r.grad)
