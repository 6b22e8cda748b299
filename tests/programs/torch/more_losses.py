# The PyTorch program that examples/more_losses.act mirrors.
import torch
import torch.nn.functional as F

torch.manual_seed(0)
a = torch.randn(6, 4, dtype=torch.float64, requires_grad=True)
b = torch.randn(6, 4, dtype=torch.float64, requires_grad=True)
c = torch.randn(6, 4, dtype=torch.float64, requires_grad=True)
s = torch.tensor([1.0, -1.0, 1.0, 1.0, -1.0, -1.0], dtype=torch.float64)
t = torch.randn(6, 4, dtype=torch.float64).sign()

x1 = a[:, 0]
x2 = b[:, 0]
l = F.margin_ranking_loss(x1, x2, s, margin=0.2)
print(l)
l.backward()
print(a.grad[:, 0])
print(b.grad[:, 0])
a.grad = None
b.grad = None

l = F.hinge_embedding_loss(a, t, margin=0.5)
print(l)
l.backward()
print(a.grad)
a.grad = None

l = F.soft_margin_loss(a * 3, t)
print(l)
l.backward()
print(a.grad)
a.grad = None
print(F.soft_margin_loss(a, t, reduction="sum"))
print(F.soft_margin_loss(a, t, reduction="none"))

rate = b.abs() * 4
l = F.poisson_nll_loss(a, rate)
print(l)
l.backward()
print(a.grad)
print(b.grad)
a.grad = None
b.grad = None
print(F.poisson_nll_loss(a.exp(), rate, log_input=False, full=True))
print(F.poisson_nll_loss(a, rate, full=True, reduction="none"))

var = c.exp()
l = F.gaussian_nll_loss(a, b, var)
print(l)
l.backward()
print(a.grad)
print(c.grad)
a.grad = None
b.grad = None
c.grad = None
print(F.gaussian_nll_loss(a, b, var[:, 0], full=True, reduction="sum"))
print(F.gaussian_nll_loss(a, b, 0.5))

l = F.cosine_embedding_loss(a, b, s, margin=0.1)
print(l)
l.backward()
print(a.grad)
a.grad = None
b.grad = None

l = F.triplet_margin_loss(a, b, c, margin=2.0)
print(l)
l.backward()
print(a.grad)
a.grad = None
b.grad = None
c.grad = None
print(F.triplet_margin_loss(a, b, c, swap=True, p=1, reduction="none"))

d = F.pairwise_distance(a, b)
print(d)
print(F.pairwise_distance(a, b, keepdim=True, eps=0.0))

print(torch.diff(a[0]))
print(torch.diff(a, n=2, dim=0))
print(torch.diff(a[0], prepend=b[0, :2], append=c[0, :1]))
y = torch.diff(a[:, 1], n=2).pow(2).sum()
y.backward()
print(a.grad[:, 1])
a.grad = None

f = torch.frac(a * 3)
print(f)
f.sum().backward()
print(a.grad)
a.grad = None

sd, m = torch.std_mean(a, dim=1)
print(sd)
print(m)
(sd.sum() + m.sum()).backward()
print(a.grad)
print(torch.std_mean(a, dim=0, keepdim=True, correction=0))

# The same in f32, on 37 rows: every step rounds in f32, scalars included.
p = torch.randn(37, 5, requires_grad=True)
q = torch.randn(37, 5, requires_grad=True)
r = torch.randn(37, 5, requires_grad=True)
u = torch.randn(37, 5).sign()
loss = (
    F.margin_ranking_loss(p[:, 0], q[:, 0], u[:, 1], margin=0.1)
    + F.hinge_embedding_loss(p, u)
    + F.soft_margin_loss(p * 5, u)
    + F.poisson_nll_loss(p, q.abs() * 3, full=True)
    + F.poisson_nll_loss(p.exp(), q.abs() * 3, log_input=False, eps=0.01)
    + F.gaussian_nll_loss(p, q, r.exp(), full=True)
    + F.triplet_margin_loss(p, q, r, swap=True)
)
print(loss)
loss.backward()
print(p.grad)
print(q.grad)
print(r.grad)
print(torch.diff(p, dim=0, n=3).sum(0))
print(torch.frac(p[0] * 7))
print(torch.std_mean(p, dim=0))
