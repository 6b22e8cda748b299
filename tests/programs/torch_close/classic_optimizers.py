# Adamax, Adadelta, ASGD and Rprop training the same linear regression for 200
# steps each, as a training script compares optimizers: the loss every 50 steps
# and the weights at the end. graphc's examples/classic_optimizers.act is this
# file line for line (see its header for how closely the outputs agree).
import torch

torch.manual_seed(0)
x = torch.randn(100, 3)
y = (x * torch.tensor([2.0, -1.0, 0.5])).sum(1) + 0.3 + 0.05 * torch.randn(100)


def train(make_optimizer):
    torch.manual_seed(1)
    w = torch.randn(3, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    opt = make_optimizer([w, b])
    for step in range(200):
        loss = (((x * w).sum(1) + b - y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 50 == 49:
            print(step + 1, loss.item())
    print(w, b)
    return opt


print(train(lambda p: torch.optim.Adamax(p, lr=0.05)))
print(train(lambda p: torch.optim.Adamax(p, lr=0.1, betas=(0.8, 0.99), weight_decay=1e-3)))
print(train(lambda p: torch.optim.Adadelta(p)))
print(train(lambda p: torch.optim.Adadelta(p, lr=5.0, rho=0.95, weight_decay=1e-3)))
print(train(lambda p: torch.optim.ASGD(p, lr=0.05, t0=100)))
print(train(lambda p: torch.optim.Rprop(p, lr=0.01)))
print(train(lambda p: torch.optim.Rprop(p, lr=0.05, etas=(0.4, 1.1), step_sizes=(1e-4, 0.5))))

# The options a param group holds, as PyTorch's keys give them.
p = torch.zeros(2, requires_grad=True)
print(torch.optim.Rprop([p], step_sizes=(1e-6, 1)).param_groups[0]["step_sizes"], torch.optim.Rprop([p]).param_groups[0]["etas"])
print(torch.optim.ASGD([p]).param_groups[0]["t0"], torch.optim.ASGD([p]).param_groups[0]["lambd"], torch.optim.Adadelta([p]).param_groups[0]["rho"])
