# In-place updates and what PyTorch prints after each: the grad_fn of the
# updated tensor, and the gradients that flow through the updates.
import torch

x = torch.tensor([1., -2., 3.], requires_grad=True)
y = x * 2
y += 1
print(y)
y -= 1
print(y)
y *= x
print(y)
y /= 2
print(y)
y.sum().backward()
print(x.grad)

z = x.clone()
print(z)
z.add_(x, alpha=2)
print(z)
z.sub_(1)
print(z)
z.mul_(x)
print(z)
z.div_(2)
print(z)
z.clamp_(min=0)
print(z)
z.fill_(3)
print(z)
z.copy_(x * x)
print(z)
z.sum().backward()
print(x.grad)
z.zero_()
print(z)

m = torch.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)
v = torch.tensor([10., 20.], requires_grad=True)
w = m * 1
w[0, 0] = 5
print(w)
w[1, 1:3] = v
print(w)
w[:, 0] = v[0] * 2
print(w)
w[w > 15] = 0
print(w)
w[w < 3] = v[1]
print(w)
(w * torch.tensor([[1., 2., 3.], [4., 5., 6.]])).sum().backward()
print(m.grad)
print(v.grad)

q = torch.zeros(3)
q[0] = x[1]
print(q)

i = torch.tensor([1, 2])
i *= 2
print(i)
i[0] = 7
print(i)
f = torch.tensor([1., 2.])
f += torch.tensor([1, 1])
print(f)
d = x.detach()
print(d)
k = 3
k += 2
print(k)

r = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)
s = r * 1
s[0] += 1
print(s)
s[1].mul_(3)
print(s)
s[:, 1] -= torch.tensor([10., 20.])
print(s)
(s * s).sum().backward()
print(r.grad)

q = torch.tensor([[0.5, -1.0, 2.0], [-0.5, 1.5, -2.0]], requires_grad=True)
u = q * 2
u.masked_fill_(u < 0, 0.0)
print(u)
u.scatter_add_(1, torch.tensor([[2], [0]]), torch.full_like(u, -1))
print(u)
u.index_add_(0, torch.tensor([1, 1]), torch.ones(2, 3), alpha=0.5)
print(u)
(u * u).sum().backward()
print(q.grad)
