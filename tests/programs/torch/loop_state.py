# Loops compiled once: prints and random draws in every iteration, a `.grad`
# that is None before the first backward (the first iteration is compiled
# apart), nested loops, gradients inside a loop, and loops over lists.
import torch
torch.manual_seed(0)
w = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
print(w.grad)
for step in range(3):
    noise = torch.randn(3)
    loss = ((w + noise) ** 2).sum()
    loss.backward()
    print(noise)
    print(w.grad)
print(loss)

# A value carried through two nested loops.
acc = torch.zeros(2)
for i in range(3):
    for j in range(4):
        acc = acc * 0.5 + torch.rand(2)
    print(acc)

# Gradient descent on y = a + b x with grad(...) and rebinding.
x = torch.linspace(-1, 1, 8)
y = 3 * x - 1
a = torch.zeros(1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
for t in range(50):
    err = a + b * x - y
    mse = (err * err).mean()
    ga, = torch.autograd.grad(mse, a, retain_graph=True)
    gb, = torch.autograd.grad(mse, b)
    a = a.detach() - 0.1 * ga + torch.zeros(1, requires_grad=True)
    b = b.detach() - 0.1 * gb + torch.zeros(1, requires_grad=True)
print(mse)

# Loops over lists are unrolled: the name is bound to each item itself.
total = torch.zeros(3)
for p in [w, w * 2, torch.ones(3)]:
    total = total + p
print(total)
for s in [1, 2]:
    for t in (w, noise):
        print(t * s)
