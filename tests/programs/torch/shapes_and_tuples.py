# The PyTorch program that examples/shapes_and_tuples.act mirrors.
import torch
def stats(x):
    return x.sum(), x.mean()
x = torch.ones(2, 3)
print(x.shape, x.size(), x.size(0), x.size(-1), x.dim(), x.ndim, x.numel())
s, m = stats(x)
print(s, m)
z = torch.zeros(*x.shape)
print(z)
r, c = x.shape
print(r, c, (1, 2.5), (3,), (None, True))
w = torch.ones(*(2, 2), requires_grad=True)
print(w)
