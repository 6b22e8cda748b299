# Averaged SGD as AWD-LSTM (salesforce/awd-lstm-lm, main.py) uses it: train with
# ASGD, then evaluate with the averages the optimizer keeps in
# optimizer.state[p]['ax'], swapping them into the parameters and back. A noisy
# linear regression trained on mini-batches, so the average is smoother than
# the last iterate. graphc's examples/asgd_averaging.act is this file line for line.
import torch

torch.manual_seed(0)
x = torch.randn(256, 4)
y = x @ torch.tensor([1.5, -2.0, 0.5, 1.0]) + 0.7 + 0.3 * torch.randn(256)
x_val = torch.randn(64, 4)
y_val = x_val @ torch.tensor([1.5, -2.0, 0.5, 1.0]) + 0.7

w = torch.zeros(4, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
params = [w, b]
optimizer = torch.optim.ASGD(params, lr=0.05, t0=100, lambd=0.0)


def evaluate():
    with torch.no_grad():
        return ((x_val @ w + b - y_val) ** 2).mean().item()


for epoch in range(6):
    perm = torch.randperm(256)
    for i in range(0, 256, 8):
        idx = perm[i : i + 8]
        loss = ((x[idx] @ w + b - y[idx]) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    state = optimizer.state[w]
    print(f"epoch {epoch}: step {state['step'].item():.0f}, eta {state['eta'].item():.6f}, mu {state['mu'].item():.6f}")
    print(f"  last iterate {evaluate():.6f}")
    tmp = [w.data.clone(), b.data.clone()]
    with torch.no_grad():
        for prm in params:
            prm.copy_(optimizer.state[prm]["ax"])
    print(f"  averaged     {evaluate():.6f}")
    with torch.no_grad():
        w.copy_(tmp[0])
        b.copy_(tmp[1])

print(w, b)
print(optimizer.state[w]["ax"], optimizer.state[b]["ax"])
