# Adagrad, NAdam and RAdam training the same linear regression for 200 steps
# each, as a training script compares optimizers: the loss every 50 steps and
# the weights at the end. graphc's examples/adaptive_optimizers.act is this
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


print(train(lambda p: torch.optim.Adagrad(p, lr=0.1, lr_decay=1e-3)))
print(train(lambda p: torch.optim.NAdam(p, lr=0.05)))
print(train(lambda p: torch.optim.NAdam(p, lr=0.05, weight_decay=1e-3, decoupled_weight_decay=True)))
print(train(lambda p: torch.optim.RAdam(p, lr=0.05)))
print(train(lambda p: torch.optim.RAdam(p, lr=0.05, betas=(0.8, 0.99), weight_decay=1e-3)))
