# Daniel Godoy's "Understanding PyTorch with an Example: A Step-by-Step
# Tutorial" (its PyTorch parts, as transcribed in whoji/training-ground,
# torch/quick_101) line for line: linear regression y = a + bx fitted by
# gradient descent, first with autograd and a manual update, then with an
# optimizer, then with a loss function, then with a train step that returns
# loss.item() and a list of losses. The tutorial's data (numpy, seed 42) is
# read from the .npy files examples/data/make_regression.py writes; run from
# examples/. The tutorial's make_train_step returns a closure; here train_step
# is the closure written as a top-level function. Its stdout under PyTorch
# 2.15 is step_by_step.stdout beside this file; examples/step_by_step.act is
# this program in .act.
import numpy as np
import torch
import torch.optim as optim
import torch.nn as nn
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

x_train = np.load("data/regression_x_train.npy")
y_train = np.load("data/regression_y_train.npy")
x_val = np.load("data/regression_x_val.npy")
y_val = np.load("data/regression_y_val.npy")

device = 'cuda' if torch.cuda.is_available() else 'cpu'

x_train_tensor = torch.from_numpy(x_train).float().to(device)
y_train_tensor = torch.from_numpy(y_train).float().to(device)
print(type(x_train_tensor), x_train_tensor.type(), x_train_tensor.shape)

lr = 1e-1
n_epochs = 1000

# Autograd computes the gradients; the update is written by hand.
torch.manual_seed(42)
a = torch.randn(1, requires_grad=True, dtype=torch.float, device=device)
b = torch.randn(1, requires_grad=True, dtype=torch.float, device=device)
print(a, b)

for epoch in range(n_epochs):
    yhat = a + b * x_train_tensor
    error = y_train_tensor - yhat
    loss = (error ** 2).mean()

    loss.backward()

    with torch.no_grad():
        a -= lr * a.grad
        b -= lr * b.grad

    a.grad.zero_()
    b.grad.zero_()

print(a, b)

# An optimizer updates the parameters.
torch.manual_seed(42)
a = torch.randn(1, requires_grad=True, dtype=torch.float, device=device)
b = torch.randn(1, requires_grad=True, dtype=torch.float, device=device)
print(a, b)

optimizer = optim.SGD([a, b], lr=lr)

for epoch in range(n_epochs):
    yhat = a + b * x_train_tensor
    error = y_train_tensor - yhat
    loss = (error ** 2).mean()

    loss.backward()
    optimizer.step()
    optimizer.zero_grad()

print(a, b)

# A loss function computes the loss.
torch.manual_seed(42)
a = torch.randn(1, requires_grad=True, dtype=torch.float, device=device)
b = torch.randn(1, requires_grad=True, dtype=torch.float, device=device)
print(a, b)

optimizer = optim.SGD([a, b], lr=lr)
loss_fn = nn.MSELoss(reduction='mean')

for epoch in range(n_epochs):
    yhat = a + b * x_train_tensor
    loss = loss_fn(y_train_tensor, yhat)

    loss.backward()
    optimizer.step()
    optimizer.zero_grad()

print(a, b)

# A train step returns the loss as a Python number, and the loop keeps them.
torch.manual_seed(42)
a = torch.randn(1, requires_grad=True, dtype=torch.float, device=device)
b = torch.randn(1, requires_grad=True, dtype=torch.float, device=device)
optimizer = optim.SGD([a, b], lr=lr)

def train_step(x, y):
    # Makes predictions
    yhat = a + b * x
    # Computes loss
    loss = loss_fn(y, yhat)
    # Computes gradients
    loss.backward()
    # Updates parameters and zeroes gradients
    optimizer.step()
    optimizer.zero_grad()
    # Returns the loss
    return loss.item()

losses = []

# For each epoch...
for epoch in range(n_epochs):
    # Performs one train step and returns the corresponding loss
    loss = train_step(x_train_tensor, y_train_tensor)
    losses.append(loss)

print(a, b)
print(len(losses), losses[0], losses[-1])
print(f"loss after 10, 100 and 1000 epochs: {losses[9]:.6f} {losses[99]:.6f} {losses[-1]:.6f}")

# The validation loss of the fitted line.
x_val_tensor = torch.from_numpy(x_val).float().to(device)
y_val_tensor = torch.from_numpy(y_val).float().to(device)
with torch.no_grad():
    val_loss = loss_fn(y_val_tensor, a + b * x_val_tensor)
print("validation loss", val_loss.item())

plt.plot(losses)
plt.yscale("log")
plt.xlabel("epoch")
plt.ylabel("training loss")
plt.savefig("step_by_step.png")
