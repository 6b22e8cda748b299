# Adagrad-based matrix factorisation, after Nipun Batra's post "Adagrad based
# matrix factorization" (2017): a 4 x 3 ratings matrix with one entry unknown,
# factorised as W @ H of rank 2 by minimising the root mean square error of the
# known entries. The post wrote Adagrad by hand with the autograd package; this
# is the same program in PyTorch, first with the hand-written update of "Dive
# into Deep Learning" (section 12.7, `adagrad`), then with torch.optim.Adagrad.
import torch

torch.manual_seed(0)
A = torch.tensor([[3, 4, 5, 2],
                  [4, 4, 3, 3],
                  [5, 5, 4, 3]], dtype=torch.float32).T
A[0, 0] = float("nan")
mask = ~torch.isnan(A)

def cost(W, H):
    pred = torch.mm(W, H)
    return torch.sqrt(((pred - A)[mask].flatten() ** 2).mean())

rank = 2
learning_rate = 0.1
n_steps = 2000

# From scratch: the state is the running sum of squared gradients.
H0 = torch.abs(torch.randn(rank, A.shape[1]))
W0 = torch.abs(torch.randn(A.shape[0], rank))
W = W0.clone().requires_grad_()
H = H0.clone().requires_grad_()
s_W = torch.zeros_like(W)
s_H = torch.zeros_like(H)
eps = 1e-6
print("initial cost", cost(W, H).item())
for i in range(n_steps):
    l = cost(W, H)
    l.backward()
    with torch.no_grad():
        for p, s in zip([W, H], [s_W, s_H]):
            s[:] += torch.square(p.grad)
            p[:] -= learning_rate * p.grad / torch.sqrt(s + eps)
            p.grad.zero_()
    if i % 400 == 399:
        print(i + 1, l.item())
print("from scratch:", cost(W, H).item())
print(torch.mm(W, H))

# Concise: torch.optim.Adagrad from the same start.
W = W0.clone().requires_grad_()
H = H0.clone().requires_grad_()
optimizer = torch.optim.Adagrad([W, H], lr=learning_rate)
print(optimizer)
for i in range(n_steps):
    optimizer.zero_grad()
    l = cost(W, H)
    l.backward()
    optimizer.step()
    if i % 400 == 399:
        print(i + 1, l.item())
print("torch.optim.Adagrad:", cost(W, H).item())
pred = torch.mm(W, H)
print(pred)
print(f"the unknown rating A[0, 0] is predicted as {pred[0, 0].item():.3f}")
