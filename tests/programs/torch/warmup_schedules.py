# The learning-rate schedules of Hugging Face transformers (v4.6,
# src/transformers/optimization.py), each a `LambdaLR` whose `lr_lambda` is a
# function nested in the function that makes it, with early returns for the
# warm-up; used to train a softmax regression of the 8x8 digits with AdamW.
# examples/warmup_schedules.act mirrors it line for line.
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LambdaLR


def get_constant_schedule(optimizer: Optimizer, last_epoch: int = -1):
    return LambdaLR(optimizer, lambda _: 1, last_epoch=last_epoch)


def get_constant_schedule_with_warmup(optimizer: Optimizer, num_warmup_steps: int, last_epoch: int = -1):
    def lr_lambda(current_step: int):
        if current_step < num_warmup_steps:
            return float(current_step) / float(max(1.0, num_warmup_steps))
        return 1.0

    return LambdaLR(optimizer, lr_lambda, last_epoch=last_epoch)


def get_linear_schedule_with_warmup(optimizer, num_warmup_steps, num_training_steps, last_epoch=-1):
    def lr_lambda(current_step: int):
        if current_step < num_warmup_steps:
            return float(current_step) / float(max(1, num_warmup_steps))
        return max(
            0.0, float(num_training_steps - current_step) / float(max(1, num_training_steps - num_warmup_steps))
        )

    return LambdaLR(optimizer, lr_lambda, last_epoch)


def get_cosine_schedule_with_warmup(
    optimizer: Optimizer, num_warmup_steps: int, num_training_steps: int, num_cycles: float = 0.5, last_epoch: int = -1
):
    def lr_lambda(current_step):
        if current_step < num_warmup_steps:
            return float(current_step) / float(max(1, num_warmup_steps))
        progress = float(current_step - num_warmup_steps) / float(max(1, num_training_steps - num_warmup_steps))
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress)))

    return LambdaLR(optimizer, lr_lambda, last_epoch)


def get_cosine_with_hard_restarts_schedule_with_warmup(
    optimizer: Optimizer, num_warmup_steps: int, num_training_steps: int, num_cycles: int = 1, last_epoch: int = -1
):
    def lr_lambda(current_step):
        if current_step < num_warmup_steps:
            return float(current_step) / float(max(1, num_warmup_steps))
        progress = float(current_step - num_warmup_steps) / float(max(1, num_training_steps - num_warmup_steps))
        if progress >= 1.0:
            return 0.0
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * ((float(num_cycles) * progress) % 1.0))))

    return LambdaLR(optimizer, lr_lambda, last_epoch)


x = torch.from_numpy(np.load("data/digits_x.npy"))
labels = torch.from_numpy(np.load("data/digits_labels.npy"))
num_training_steps = 60

for name, make in [
    ("constant", lambda opt: get_constant_schedule(opt)),
    ("constant_with_warmup", lambda opt: get_constant_schedule_with_warmup(opt, 10)),
    ("linear", lambda opt: get_linear_schedule_with_warmup(opt, 10, num_training_steps)),
    ("cosine", lambda opt: get_cosine_schedule_with_warmup(opt, 10, num_training_steps)),
    ("cosine_with_restarts", lambda opt: get_cosine_with_hard_restarts_schedule_with_warmup(opt, 10, num_training_steps, num_cycles=3)),
]:
    torch.manual_seed(0)
    W = (torch.randn(64, 10) * 0.01).requires_grad_()
    b = torch.zeros(10, requires_grad=True)
    optimizer = torch.optim.AdamW([W, b], lr=0.05, weight_decay=0.01)
    scheduler = make(optimizer)
    lrs = []
    for step in range(num_training_steps):
        loss = F.cross_entropy(x @ W + b, labels)
        loss.backward()
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        lrs.append(scheduler.get_last_lr()[0])
    print(f"{name:22s} loss {loss.item():.5f}  lr at 5, 10, 30, 45, 60: {lrs[4]:.6f} {lrs[9]:.6f} {lrs[29]:.6f} {lrs[44]:.6f} {lrs[59]:.6f}")
print(lrs)
