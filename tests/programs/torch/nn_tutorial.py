# The PyTorch program that examples/nn_tutorial.act mirrors line for line:
# PyTorch's "What is torch.nn really?" tutorial (beginner/nn_tutorial.py), its
# sections "Neural net from scratch (without torch.nn)", "Using
# torch.nn.functional" and "Refactor using torch.optim", on the 8x8 digits of
# examples/data instead of MNIST (64 pixels where MNIST has 784), printing what
# the tutorial prints. Its training loops run over mini-batches of 64 whose
# last one, rows 1472 to 1499, is shorter. The tutorial's nn.Module and
# nn.Linear refactors are left out: the optim section trains fresh tensors
# `weights` and `bias` (as its Mnist_Logistic holds) with optim.SGD.
import os
import numpy as np
import torch

data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../examples/data")
x_train = torch.from_numpy(np.load(os.path.join(data, "digits_x.npy")))[:1500]
y_train = torch.from_numpy(np.load(os.path.join(data, "digits_labels.npy")))[:1500]
n, c = x_train.shape
print(x_train.shape)
print(y_train.min(), y_train.max())

import math

torch.manual_seed(0)
weights = torch.randn(64, 10) / math.sqrt(64)
weights.requires_grad_()
bias = torch.zeros(10, requires_grad=True)

def log_softmax(x):
    return x - x.exp().sum(-1).log().unsqueeze(-1)

def model(xb):
    return log_softmax(xb @ weights + bias)

bs = 64  # batch size

xb = x_train[0:bs]  # a mini-batch from x
preds = model(xb)  # predictions
print(preds[0], preds.shape)

def nll(input, target):
    return -input[range(target.shape[0]), target].mean()

loss_func = nll

yb = y_train[0:bs]
print(loss_func(preds, yb))

def accuracy(out, yb):
    preds = torch.argmax(out, dim=1)
    return (preds == yb).float().mean()

print(accuracy(preds, yb))

lr = 0.5  # learning rate
epochs = 2  # how many epochs to train for

for epoch in range(epochs):
    for i in range((n - 1) // bs + 1):
        start_i = i * bs
        end_i = start_i + bs
        xb = x_train[start_i:end_i]
        yb = y_train[start_i:end_i]
        pred = model(xb)
        loss = loss_func(pred, yb)

        loss.backward()
        with torch.no_grad():
            weights -= weights.grad * lr
            bias -= bias.grad * lr
            weights.grad.zero_()
            bias.grad.zero_()

print(loss_func(model(xb), yb), accuracy(model(xb), yb))

import torch.nn.functional as F

loss_func = F.cross_entropy

def model(xb):
    return xb @ weights + bias

print(loss_func(model(xb), yb), accuracy(model(xb), yb))

from torch import optim

weights = (torch.randn(64, 10) / math.sqrt(64)).requires_grad_()
bias = torch.zeros(10, requires_grad=True)
opt = optim.SGD([weights, bias], lr=lr)
print(loss_func(model(xb), yb))

for epoch in range(epochs):
    for i in range((n - 1) // bs + 1):
        start_i = i * bs
        end_i = start_i + bs
        xb = x_train[start_i:end_i]
        yb = y_train[start_i:end_i]
        pred = model(xb)
        loss = loss_func(pred, yb)

        loss.backward()
        opt.step()
        opt.zero_grad()

print(loss_func(model(xb), yb))
