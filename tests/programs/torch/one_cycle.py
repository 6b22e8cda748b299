# The 1cycle policy (torch.optim.lr_scheduler.OneCycleLR) as PyTorch's docs
# use it, on a linear regression: the rate and the momentum follow the schedule
# step by step inside compiled loops. graphc's examples/one_cycle.act is this
# file line for line.
import torch

torch.manual_seed(0)
X = torch.randn(64, 5)
true_w = torch.tensor([1.0, -2.0, 0.5, 3.0, -1.0])
y = (X * true_w).sum(1) + 0.1 * torch.randn(64)

# The docs' pattern: SGD with momentum, one step of the scheduler per batch.
w = torch.zeros(5, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
optimizer = torch.optim.SGD([w, b], lr=1e-4, momentum=0.9)
steps_per_epoch = 8
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.05, steps_per_epoch=steps_per_epoch, epochs=10)
print(scheduler.get_last_lr(), optimizer.param_groups[0]["momentum"])
for epoch in range(10):
    for i in range(steps_per_epoch):
        xb = X[i * 8:(i + 1) * 8]
        yb = y[i * 8:(i + 1) * 8]
        loss = (((xb * w).sum(1) + b - yb) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
    print(epoch, loss.item(), scheduler.get_last_lr()[0], optimizer.param_groups[0]["momentum"])
print(w)

# Adam's first beta cycles instead; three phases, annealed linearly.
w2 = torch.zeros(5, requires_grad=True)
opt2 = torch.optim.Adam([w2], lr=0.01)
sched2 = torch.optim.lr_scheduler.OneCycleLR(opt2, max_lr=0.1, total_steps=50, three_phase=True, anneal_strategy="linear")
for step in range(50):
    loss = (((X * w2).sum(1) - y) ** 2).mean()
    opt2.zero_grad()
    loss.backward()
    opt2.step()
    sched2.step()
    if step % 10 == 9:
        print(step + 1, loss.item(), sched2.get_last_lr()[0], opt2.param_groups[0]["betas"])
print(w2)
print(opt2)

# Without momentum cycling the rate alone follows the policy (Nesterov SGD here).
w3 = torch.zeros(5, requires_grad=True)
opt3 = torch.optim.SGD([w3], lr=0.1, momentum=0.5, nesterov=True)
sched3 = torch.optim.lr_scheduler.OneCycleLR(opt3, max_lr=0.2, total_steps=20, pct_start=0.25, cycle_momentum=False)
lrs = []
for step in range(20):
    loss = (((X * w3).sum(1) - y) ** 2).mean()
    opt3.zero_grad()
    loss.backward()
    opt3.step()
    sched3.step()
    lrs.append(sched3.get_last_lr()[0])
print(lrs[:5], lrs[-1], opt3.param_groups[0]["momentum"])
print(loss.item())
