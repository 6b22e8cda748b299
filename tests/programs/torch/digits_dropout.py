# A 64-128-10 network on the 8x8 digits with dropout on its hidden layer, as
# PyTorch's MNIST example (pytorch/examples, mnist/main.py) uses it: masks drawn
# in training mode, none in evaluation (`training=False`), mini-batches of 50
# shuffled each epoch with SGD and momentum.
# graphc's examples/digits_dropout.act is this file line for line.
import os

import numpy as np
import torch
import torch.nn.functional as F

data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../examples/data")
x = torch.from_numpy(np.load(os.path.join(data, "digits_x.npy")))
labels = torch.from_numpy(np.load(os.path.join(data, "digits_labels.npy")))
x_train, y_train = x[:1500], labels[:1500]
x_test, y_test = x[1500:], labels[1500:]

torch.manual_seed(0)
w1 = (torch.randn(64, 128) * 0.1).requires_grad_()
b1 = torch.zeros(128, requires_grad=True)
w2 = (torch.randn(128, 10) * 0.1).requires_grad_()
b2 = torch.zeros(10, requires_grad=True)
optimizer = torch.optim.SGD([w1, b1, w2, b2], lr=0.05, momentum=0.9)


def model(x, training):
    h = F.dropout(torch.relu(x @ w1 + b1), 0.2, training=training)
    return h @ w2 + b2


for epoch in range(8):
    perm = torch.randperm(1500)
    total = 0.0
    for i in range(0, 1500, 50):
        idx = perm[i : i + 50]
        loss = F.cross_entropy(model(x_train[idx], True), y_train[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item()
    with torch.no_grad():
        accuracy = (model(x_test, False).argmax(1) == y_test).float().mean()
    print(f"epoch {epoch}  train loss {total / 30:.4f}  test accuracy {accuracy.item():.4f}")
