# MAML (Finn et al., 2017) on the paper's sine-wave regression, as the public
# PyTorch implementations write it without a library: a functional forward
# over a list of parameters, an inner loop of SGD steps on each task's support
# set whose gradients are taken with create_graph=True, and an outer Adam step
# on the query losses, differentiated through the inner steps.
# graphc's examples/maml_sine.act is this file line for line.
import math

import torch
import torch.nn.functional as F

torch.manual_seed(0)


def init(fan_in, fan_out):
    bound = 1 / math.sqrt(fan_in)
    w = torch.empty(fan_out, fan_in).uniform_(-bound, bound).requires_grad_()
    b = torch.empty(fan_out).uniform_(-bound, bound).requires_grad_()
    return [w, b]


params = init(1, 40) + init(40, 40) + init(40, 1)
meta_optimizer = torch.optim.Adam(params, lr=0.001)
inner_lr = 0.01
inner_steps = 3
tasks_per_batch = 4


def forward(x, params):
    h = F.relu(F.linear(x, params[0], params[1]))
    h = F.relu(F.linear(h, params[2], params[3]))
    return F.linear(h, params[4], params[5])


def sample_task():
    amplitude = torch.rand(()) * 4.9 + 0.1
    phase = torch.rand(()) * math.pi
    x = torch.rand(20, 1) * 10 - 5
    return x[:10], amplitude * torch.sin(x[:10] - phase), x[10:], amplitude * torch.sin(x[10:] - phase)


for iteration in range(301):
    meta_loss = torch.zeros(())
    for t in range(tasks_per_batch):
        x_support, y_support, x_query, y_query = sample_task()
        fast = params
        for step in range(inner_steps):
            loss = F.mse_loss(forward(x_support, fast), y_support)
            grads = torch.autograd.grad(loss, fast, create_graph=True)
            fast = [p - inner_lr * g for p, g in zip(fast, grads)]
        meta_loss = meta_loss + F.mse_loss(forward(x_query, fast), y_query)
    meta_loss = meta_loss / tasks_per_batch
    meta_optimizer.zero_grad()
    meta_loss.backward()
    meta_optimizer.step()
    if iteration % 50 == 0:
        print(f"iteration {iteration:3d}  meta loss {meta_loss.item():.4f}")
