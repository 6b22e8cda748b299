# The PyTorch program that examples/classifier.act mirrors.
import torch
import torch.nn.functional as F

torch.manual_seed(0)
x = torch.randn(8, 4)
y = torch.tensor([0, 2, 1, 2, 0, 1, 1, 0])
w = torch.randn(4, 3, requires_grad=True)
b = torch.zeros(3, requires_grad=True)
logits = x @ w + b
loss = F.cross_entropy(logits, y)
print(loss)
pred = logits.argmax(dim=1)
print(pred)
print((pred == y).float().mean())
loss.backward()
print(w.grad)
print(b.grad)

# The same loss by hand: each sample's log-probability of its class.
ls = F.log_softmax(logits, dim=1)
print(F.nll_loss(ls, y, reduction="none"))
print(-ls.gather(1, y.reshape(8, 1)).mean())
