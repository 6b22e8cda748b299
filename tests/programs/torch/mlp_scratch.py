# d2l.ai's "Implementation of Multilayer Perceptrons from Scratch" (chapter
# 4.2 of d2l 0.17) line for line, on the 8x8 digits (examples/data; run from
# examples/, where data/ is) in place of Fashion-MNIST: 64 inputs, batches of
# 100, and lr = 0.5 so that d2l's asserts hold within its 10 epochs. d2l's
# helpers are written out as in softmax_regression.py, with the branch of
# train_epoch_ch3 that an optimizer takes. Its stdout under PyTorch 2.15 is
# mlp_scratch.stdout beside this file; examples/mlp_scratch.act is this
# program in .act.
import torch
from torch import nn
import numpy as np

torch.manual_seed(0)
x = torch.from_numpy(np.load("data/digits_x.npy"))
labels = torch.from_numpy(np.load("data/digits_labels.npy"))
x_train, y_train = x[:1500], labels[:1500]
x_test, y_test = x[1500:], labels[1500:]
batch_size = 100
num_inputs, num_outputs, num_hiddens = 64, 10, 256

W1 = nn.Parameter(torch.randn(
    num_inputs, num_hiddens, requires_grad=True) * 0.01)
b1 = nn.Parameter(torch.zeros(num_hiddens, requires_grad=True))
W2 = nn.Parameter(torch.randn(
    num_hiddens, num_outputs, requires_grad=True) * 0.01)
b2 = nn.Parameter(torch.zeros(num_outputs, requires_grad=True))
params = [W1, b1, W2, b2]

def relu(X):
    a = torch.zeros_like(X)
    return torch.max(X, a)

def net(X):
    X = X.reshape((-1, num_inputs))
    H = relu(X@W1 + b1)  # Here '@' stands for matrix multiplication
    return (H@W2 + b2)

loss = nn.CrossEntropyLoss(reduction='none')

def accuracy(y_hat, y):
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())

def evaluate_accuracy(net, features, labels):
    metric = [0.0, 0.0]
    with torch.no_grad():
        for i in range(0, len(features), batch_size):
            X, y = features[i: i + batch_size], labels[i: i + batch_size]
            metric = [a + float(b) for a, b in zip(metric, [accuracy(net(X), y), y.numel()])]
    return metric[0] / metric[1]

def train_epoch_ch3(net, features, labels, loss, updater):
    metric = [0.0, 0.0, 0.0]
    indices = torch.randperm(len(features))
    for i in range(0, len(features), batch_size):
        batch_indices = indices[i: i + batch_size]
        X, y = features[batch_indices], labels[batch_indices]
        y_hat = net(X)
        l = loss(y_hat, y)
        updater.zero_grad()
        l.mean().backward()
        updater.step()
        metric = [a + float(b) for a, b in zip(metric, [l.sum(), accuracy(y_hat, y), y.numel()])]
    return metric[0] / metric[2], metric[1] / metric[2]

def train_ch3(net, loss, num_epochs, updater):
    for epoch in range(num_epochs):
        train_metrics = train_epoch_ch3(net, x_train, y_train, loss, updater)
        test_acc = evaluate_accuracy(net, x_test, y_test)
        train_loss, train_acc = train_metrics
        print(f'epoch {epoch + 1}, loss {train_loss:f}, train acc {train_acc:.3f}, test acc {test_acc:.3f}')
    assert train_loss < 0.5, train_loss
    assert train_acc <= 1 and train_acc > 0.7, train_acc
    assert test_acc <= 1 and test_acc > 0.7, test_acc

num_epochs, lr = 10, 0.5
updater = torch.optim.SGD(params, lr=lr)
train_ch3(net, loss, num_epochs, updater)
