# CyclicLR as PyTorch's documentation uses it: SGD with momentum, the rate
# cycled between base_lr and max_lr and the momentum the other way, one
# scheduler step per mini-batch; then the triangular2 policy, whose cycles halve
# in height, with Adam, whose first beta it cycles. A linear regression on
# shuffled mini-batches, printing the loss, the rate and the momentum of each
# epoch. graphc's examples/cyclic_lr.act is this file line for line.
import torch

torch.manual_seed(0)
x = torch.randn(96, 4)
y = (x * torch.tensor([0.5, -1.5, 2.0, 1.0])).sum(1) + 0.2 * torch.randn(96)


def train(optimizer, scheduler, w, b, epochs, momentum_of):
    for epoch in range(epochs):
        perm = torch.randperm(96)
        total = 0.0
        for i in range(0, 96, 16):
            idx = perm[i : i + 16]
            loss = (((x[idx] * w).sum(1) + b - y[idx]) ** 2).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            total += loss.item()
        group = optimizer.param_groups[0]
        print(f"epoch {epoch}: loss {total / 6:.6f}, lr {group['lr']:.6f}, momentum {momentum_of(group):.4f}")
    print(w, b)


w = torch.zeros(4, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
optimizer = torch.optim.SGD([w, b], lr=0.1, momentum=0.9)
scheduler = torch.optim.lr_scheduler.CyclicLR(optimizer, base_lr=0.01, max_lr=0.1, step_size_up=9)
train(optimizer, scheduler, w, b, 6, lambda group: group["momentum"])
print(optimizer)

w = torch.zeros(4, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
optimizer = torch.optim.Adam([w, b])
scheduler = torch.optim.lr_scheduler.CyclicLR(optimizer, 0.005, 0.2, step_size_up=4, step_size_down=8, mode="triangular2")
train(optimizer, scheduler, w, b, 6, lambda group: group["betas"][0])
print(optimizer)
