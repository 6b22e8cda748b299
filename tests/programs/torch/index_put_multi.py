# The PyTorch program that examples/index_put_multi.act mirrors: a softmax
# classifier's loss and gradient written by hand, as in cs231n's
# softmax_loss_vectorized, then one-hot rows and masks built by stores with
# several index tensors.
import torch
import torch.nn.functional as F
torch.manual_seed(0)
n, c = 5, 4
scores = torch.randn(n, c)
y = torch.tensor([0, 3, 1, 3, 2])
probs = F.softmax(scores, dim=1)
loss = -probs[torch.arange(n), y].log().mean()
print(loss)
dscores = probs.clone()
dscores[torch.arange(n), y] -= 1
dscores /= n
print(dscores)
s = scores.clone().requires_grad_()
F.cross_entropy(s, y).backward()
print(s.grad)
print((dscores - s.grad).abs().max() < 1e-6)
one_hot = torch.zeros(n, c)
one_hot[torch.arange(n), y] = 1
print(one_hot)
print(probs[torch.arange(n)[:, None], torch.tensor([[0, 1]])])
mask = torch.zeros(3, 3, dtype=torch.bool)
mask[torch.tensor([0, 2]), torch.tensor([1, 1])] = True
print(mask)
x = torch.arange(12.0).reshape(3, 4)
x[:, torch.tensor([0, 2])] = 0
x[0, torch.tensor([1, 3])] = torch.tensor([-1.0, -2.0])
print(x)
print(x[torch.tensor([2, 0]), :, None].shape)
t = torch.arange(24).reshape(2, 3, 4)
print(t[torch.tensor([1, 0]), :, torch.tensor([3, 0])])
print(t[:, torch.tensor([2, 0]), torch.tensor([1, 1])])
z = torch.zeros(2, 3)
z[torch.tensor([1, 1]), torch.tensor([2, 2])] = torch.tensor([5.0, 6.0])
z[torch.tensor([0, 0]), torch.tensor([0, 0])] += 1
z.index_put_((torch.tensor([0, 0]), torch.tensor([1, 1])), torch.tensor(1.0), accumulate=True)
print(z)
w = torch.ones(3, 4, requires_grad=True)
v = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
h = w * 2
h[torch.tensor([0, 2, 2]), torch.tensor([1, 3, 3])] = v
print(h)
(h * h).sum().backward()
print(w.grad)
print(v.grad)
g = w * 3
g[torch.tensor([1, 1]), torch.tensor([0, 0])] += v[0:2]
print(g)
