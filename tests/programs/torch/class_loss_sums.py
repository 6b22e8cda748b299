# The PyTorch program that examples/class_loss_sums.act mirrors line for line.
import torch
import torch.nn.functional as F
torch.manual_seed(5)
x = torch.randn(70, 5, requires_grad=True)
y = torch.randint(0, 5, (70,))
w = torch.rand(5)
y2 = y.clone()
y2[3] = 1
y2[16] = 1
def show(l):
    g, = torch.autograd.grad(l, x)
    print(l.item(), g.sum().item(), g[0].tolist())
for red in ["mean", "sum"]:
    show(F.cross_entropy(x, y, reduction=red))
    show(F.cross_entropy(x, y, weight=w, reduction=red))
    show(F.cross_entropy(x, y2, ignore_index=1, reduction=red))
    show(F.cross_entropy(x, y2, weight=w, ignore_index=1, reduction=red))
    show(F.cross_entropy(x, y, label_smoothing=0.1, reduction=red))
    show(F.cross_entropy(x, y, weight=w, label_smoothing=0.2, reduction=red))
    show(F.nll_loss(torch.log_softmax(x, 1), y, reduction=red))
    show(F.nll_loss(torch.log_softmax(x, 1), y, weight=w, reduction=red))
