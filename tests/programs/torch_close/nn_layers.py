# The PyTorch program that examples/nn_layers.act mirrors.
import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(3)


class ConvNet(nn.Module):
    def __init__(self, vocab=10):
        super().__init__()
        self.embed = nn.Embedding(vocab, 4, padding_idx=0)
        self.conv = nn.Conv2d(1, 3, 3, padding=1)
        self.bn = nn.BatchNorm2d(3)
        self.pool = nn.MaxPool2d(2)
        self.norm = nn.LayerNorm(4)
        self.bn1 = nn.BatchNorm1d(4)
        self.head = nn.Linear(3 * 2 * 2 + 4, 2)
        self.drop = nn.Dropout(0.2)

    def forward(self, img, ids):
        x = self.pool(F.relu(self.bn(self.conv(img))))
        e = self.norm(self.embed(ids)).mean(1)
        e = self.bn1(e)
        h = torch.cat([x.flatten(1), e], 1)
        return self.head(self.drop(h))


net = ConvNet()
print(net)
print(net.embed.weight[:2])
img = torch.randn(5, 1, 4, 4)
ids = torch.randint(0, 10, (5, 3))
opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
for step in range(3):
    out = net(img, ids)
    loss = F.cross_entropy(out, torch.tensor([0, 1, 0, 1, 1]))
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(step, loss.item())
print(net.bn.running_mean, net.bn.running_var, net.bn.num_batches_tracked)
print(net.bn1.running_mean)
net.eval()
print(net(img, ids))
print(net.embed.weight.grad[0])
