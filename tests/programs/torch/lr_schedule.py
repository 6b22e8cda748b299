# The PyTorch program that examples/lr_schedule.act mirrors: the learning rate
# set by hand in every epoch, with the `adjust_learning_rate` of PyTorch's
# ImageNet example (pytorch/examples, imagenet/main.py, before it moved to
# StepLR): the initial rate decayed by 10 every 30 epochs, written into each
# param group. A softmax regression of the 8x8 digits, with SGD and momentum,
# then with AdamW and a rate that falls every epoch; then the same schedule
# with StepLR, and ExponentialLR and MultiStepLR with Adam; a LinearLR warm-up
# chained with CosineAnnealingLR, and LambdaLR, MultiplicativeLR, ConstantLR and
# PolynomialLR with AdamW, and ReduceLROnPlateau stepped with the validation loss.
# lr_schedule.stdout is this program's output with PyTorch 2.15.0+cu132 (CPU
# kernels) on the project's machine, recorded 2026-12-05 when graphc began to
# add up cross_entropy's losses in nll_loss's kernel order. The +cpu wheel's
# recording had 1.255818 on line 44 where this wheel and graphc print 1.255817.
import numpy as np
import torch
import torch.nn.functional as F


class Args:
    lr = 0.1


args = Args()


def adjust_learning_rate(optimizer, epoch, args):
    """Sets the learning rate to the initial LR decayed by 10 every 30 epochs"""
    lr = args.lr * (0.1 ** (epoch // 30))
    for param_group in optimizer.param_groups:
        param_group['lr'] = lr


x = torch.from_numpy(np.load("data/digits_x.npy"))
labels = torch.from_numpy(np.load("data/digits_labels.npy"))

torch.manual_seed(0)
W = (torch.randn(64, 10) * 0.01).requires_grad_()
b = torch.zeros(10, requires_grad=True)
optimizer = torch.optim.SGD([W, b], lr=args.lr, momentum=0.9)
for epoch in range(90):
    adjust_learning_rate(optimizer, epoch, args)
    loss = F.cross_entropy(x @ W + b, labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if epoch % 10 == 0:
        print(f"epoch {epoch:2d}  lr {optimizer.param_groups[0]['lr']:.4f}  loss {loss.item():.6f}")
print(optimizer.param_groups[0]["lr"])
print(W[:2, :4])

# AdamW with the rate multiplied by 0.95 in every epoch.
torch.manual_seed(1)
W = (torch.randn(64, 10) * 0.01).requires_grad_()
b = torch.zeros(10, requires_grad=True)
optimizer = torch.optim.AdamW([W, b], lr=0.01)
for epoch in range(50):
    loss = F.cross_entropy(x @ W + b, labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    for group in optimizer.param_groups:
        group["lr"] = group["lr"] * 0.95
    if epoch % 10 == 9:
        print(f"epoch {epoch:2d}  lr {optimizer.param_groups[0]['lr']:.6f}  loss {loss.item():.6f}")
print(optimizer)
print(b)

# The ImageNet example's current form: torch.optim.lr_scheduler.StepLR, one
# step per epoch; then ExponentialLR with Adam, and MultiStepLR.
from torch.optim.lr_scheduler import ExponentialLR, MultiStepLR, StepLR

torch.manual_seed(0)
W = (torch.randn(64, 10) * 0.01).requires_grad_()
b = torch.zeros(10, requires_grad=True)
optimizer = torch.optim.SGD([W, b], lr=args.lr, momentum=0.9)
scheduler = StepLR(optimizer, step_size=30, gamma=0.1)
for epoch in range(90):
    loss = F.cross_entropy(x @ W + b, labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    scheduler.step()
    if epoch % 10 == 0:
        print(f"epoch {epoch:2d}  lr {scheduler.get_last_lr()[0]:.4f}  loss {loss.item():.6f}")
print(scheduler.get_last_lr())

for make in [lambda opt: ExponentialLR(opt, gamma=0.9), lambda opt: MultiStepLR(opt, milestones=[5, 12, 12], gamma=0.5)]:
    torch.manual_seed(1)
    W = (torch.randn(64, 10) * 0.01).requires_grad_()
    optimizer = torch.optim.Adam([W], lr=0.02)
    scheduler = make(optimizer)
    for epoch in range(20):
        loss = F.cross_entropy(x @ W, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
    print(scheduler.get_last_lr(), f"{loss.item():.6f}")

# A warm-up, then cosine annealing: LinearLR and CosineAnnealingLR chained on
# one optimizer, both stepped each epoch (the scheduler docs' chaining); the
# cosine part restarts from the base rate after T_max epochs. The losses are
# printed to 5 decimals: at the small rates of the warm-up, the last bits of the
# float32 gradient products (MKL's, docs/NUMERICS.md) show in the sixth.
from torch.optim.lr_scheduler import (ConstantLR, CosineAnnealingLR, LambdaLR, LinearLR,
                                      MultiplicativeLR, PolynomialLR)

torch.manual_seed(0)
W = (torch.randn(64, 10) * 0.01).requires_grad_()
b = torch.zeros(10, requires_grad=True)
optimizer = torch.optim.SGD([W, b], lr=0.05, momentum=0.9, nesterov=True)
warmup = LinearLR(optimizer, start_factor=0.1, total_iters=5)
cosine = CosineAnnealingLR(optimizer, T_max=30, eta_min=0.001)
for epoch in range(45):
    loss = F.cross_entropy(x @ W + b, labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    warmup.step()
    cosine.step()
    if epoch % 5 == 4:
        print(f"epoch {epoch:2d}  lr {cosine.get_last_lr()[0]:.6f}  loss {loss.item():.5f}")
print(cosine.get_last_lr())


def decay(epoch):
    return 0.5 ** (epoch // 4)


for make in [
    lambda opt: LambdaLR(opt, lr_lambda=lambda epoch: 0.95 ** epoch),
    lambda opt: LambdaLR(opt, decay),
    lambda opt: MultiplicativeLR(opt, lr_lambda=lambda epoch: 0.9),
    lambda opt: ConstantLR(opt, factor=0.5, total_iters=4),
    lambda opt: PolynomialLR(opt, total_iters=12, power=2.0),
]:
    torch.manual_seed(1)
    W = (torch.randn(64, 10) * 0.01).requires_grad_()
    optimizer = torch.optim.AdamW([W], lr=0.02)
    scheduler = make(optimizer)
    for epoch in range(15):
        loss = F.cross_entropy(x @ W, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
    print(scheduler.get_last_lr(), f"{loss.item():.6f}")

# ReduceLROnPlateau, as its docs use it: stepped with the validation loss after
# each epoch; the rate falls by `factor` when the loss stops improving.
from torch.optim.lr_scheduler import ReduceLROnPlateau

torch.manual_seed(0)
W = (torch.randn(64, 10) * 0.01).requires_grad_()
b = torch.zeros(10, requires_grad=True)
optimizer = torch.optim.SGD([W, b], lr=0.5, momentum=0.9)
scheduler = ReduceLROnPlateau(optimizer, "min", factor=0.5, patience=2, threshold=0.02)
x_train, y_train, x_val, y_val = x[:1400], labels[:1400], x[1400:], labels[1400:]
for epoch in range(60):
    loss = F.cross_entropy(x_train @ W + b, y_train)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    with torch.no_grad():
        val_loss = F.cross_entropy(x_val @ W + b, y_val)
    scheduler.step(val_loss)
    if epoch % 10 == 9:
        print(f"epoch {epoch:2d}  lr {scheduler.get_last_lr()[0]:.6f}  val loss {val_loss.item():.4f}")
print(scheduler.get_last_lr())
