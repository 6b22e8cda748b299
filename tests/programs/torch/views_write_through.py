# The PyTorch program that examples/views_write_through.act mirrors.
import torch
a = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
x = a * 2
h = x[0]
h += 1
print(x)
print(h)
(x * x).sum().backward()
print(a.grad)
a.grad = None
x = a * 1
t = x.t()
t.mul_(torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
print(x)
print(t)
(x * x).sum().backward()
print(a.grad)
a.grad = None
x = a * 1
v = x.view(-1)
v[1:5].mul_(10)
print(x)
x.sum().backward()
print(a.grad)
x = a + 1
h = x[1]
x.add_(10)
print(h)
x = a * 1
p = x.permute(1, 0).unsqueeze(0)
p[0, 1] = 7
print(x)
print(p)
k = torch.zeros(2, 3, dtype=torch.int64)
r = k[:, 1:]
r += 5
print(k)
w = torch.ones(4, requires_grad=True)
with torch.no_grad():
    q = w[1:3]
    q.mul_(3)
print(w)
d = w.detach()
d.zero_()
print(w)
print(w.is_leaf)
y = a * 3
s = y[0, :2].unsqueeze(1)
s.sub_(torch.tensor([[1.0], [2.0]]))
z = (y.exp() * y).sum()
z.backward()
print(y)
print(a.grad)
