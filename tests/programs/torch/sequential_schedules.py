# Warm-up then decay, as modern training scripts schedule a run: SequentialLR
# switching from LinearLR to CosineAnnealingLR at a milestone (the pattern of
# torchvision's classification reference, train.py), a three-part schedule with
# a constant hold, and ChainedScheduler composing two schedules at every step,
# each printing the rate of every epoch of a small regression. graphc's
# examples/sequential_schedules.act is this file line for line.
import torch

torch.manual_seed(0)
x = torch.randn(64, 3)
y = (x * torch.tensor([1.0, -2.0, 0.5])).sum(1) + 0.1 * torch.randn(64)


def train(opt, w, scheduler, epochs):
    for epoch in range(epochs):
        loss = (((x * w).sum(1) - y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        print(epoch, scheduler.get_last_lr()[0], loss.item())
        scheduler.step()


w = torch.zeros(3, requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
warmup = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.01, total_iters=5)
cosine = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=15, eta_min=1e-4)
scheduler = torch.optim.lr_scheduler.SequentialLR(opt, schedulers=[warmup, cosine], milestones=[5])
train(opt, w, scheduler, 22)
print(opt)

w = torch.zeros(3, requires_grad=True)
opt = torch.optim.Adam([w], lr=0.05)
scheduler = torch.optim.lr_scheduler.SequentialLR(
    opt,
    [
        torch.optim.lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=3),
        torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9),
        torch.optim.lr_scheduler.LambdaLR(opt, lambda epoch: 1.0 / (epoch + 1)),
    ],
    milestones=[4, 10],
)
train(opt, w, scheduler, 16)

w = torch.zeros(3, requires_grad=True)
opt = torch.optim.SGD([w], lr=0.2)
scheduler = torch.optim.lr_scheduler.ChainedScheduler(
    [torch.optim.lr_scheduler.ConstantLR(opt, factor=0.1, total_iters=2), torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)]
)
train(opt, w, scheduler, 8)
print(opt)
