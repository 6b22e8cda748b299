# The PyTorch program that examples/data_loaders.act mirrors line for line.
import torch
import torch.nn.functional as F
from torch.utils.data import TensorDataset, DataLoader

torch.manual_seed(3)
x = torch.randn(50, 3)
y = torch.randint(0, 4, (50,))
w = torch.zeros(3, 4, requires_grad=True)
ds = TensorDataset(x, y)
loader = DataLoader(ds, batch_size=16, shuffle=True)
print(len(loader), len(loader.dataset), len(ds), loader.batch_size)
opt = torch.optim.SGD([w], lr=0.1)
for epoch in range(3):
    total = 0.0
    for i, (xb, yb) in enumerate(loader):
        loss = F.cross_entropy(xb @ w, yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item()
        print(epoch, i, xb.shape[0], yb[:3], round(loss.item(), 6))
    print("epoch", epoch, total)
print(torch.randn(2))
dropped = DataLoader(TensorDataset(x), batch_size=16, shuffle=True, drop_last=True)
print(len(dropped))
for k, batch in enumerate(dropped, 1):
    print(k, len(batch), batch[0].sum().item())
ordered = DataLoader(TensorDataset(x, y, x * 2), batch_size=20)
for a, b, c in ordered:
    print(a.shape, b, (c - 2 * a).abs().max().item())
print(torch.rand(1))
first = next(iter(ordered))
print(len(first), first[1])
print(ds[3])
print(torch.rand(1))
for xb, yb in DataLoader(ds, 7):
    if xb.shape[0] < 7:
        print("last", xb.shape, yb)
        break
print(torch.rand(1))
