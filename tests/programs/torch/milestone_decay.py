# The learning-rate schedule of bearpaw/pytorch-classification (cifar.py),
# written before PyTorch had schedulers: the rate drops by `gamma` at the
# epochs listed in `schedule`, through `epoch in schedule` and the optimizer's
# param groups. A noisy linear regression stands for the network; the rate is
# passed and returned instead of kept in cifar.py's global `state` dict.
# graphc's examples/milestone_decay.act is this file line for line.
import torch

torch.manual_seed(0)
x = torch.randn(64, 3)
y = (x * torch.tensor([1.0, -2.0, 0.5])).sum(1) + 0.1 * torch.randn(64)
w = torch.zeros(3, requires_grad=True)

epochs = 12
schedule = [5, 9]
gamma = 0.1
lr = 0.1
optimizer = torch.optim.SGD([w], lr=lr, momentum=0.9, weight_decay=5e-4)


def adjust_learning_rate(optimizer, epoch, lr):
    if epoch in schedule:
        lr *= gamma
        for param_group in optimizer.param_groups:
            param_group["lr"] = lr
    return lr


for epoch in range(epochs):
    lr = adjust_learning_rate(optimizer, epoch, lr)
    print(f"\nEpoch: [{epoch + 1} | {epochs}] LR: {lr:f}")
    for i in range(0, 64, 16):
        loss = (((x[i : i + 16] * w).sum(1) - y[i : i + 16]) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"loss {loss.item():.6f}", "momentum" in optimizer.param_groups[0], "nesterov" not in optimizer.defaults)
print("w", w.detach())
