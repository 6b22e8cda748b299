# d2l.ai's "Implementation of Softmax Regression from Scratch" (chapter 3.6 of
# d2l 0.17) line for line, with the 8x8 digits (examples/data; run from
# examples/, where data/ is) in place of Fashion-MNIST: 64 inputs instead of 784,
# batches of 100, and lr = 1.0 so that d2l's asserts on the final loss and
# accuracies hold within its 10 epochs. d2l's helpers (softmax, cross_entropy,
# accuracy, evaluate_accuracy, train_epoch_ch3, train_ch3, sgd, predict_ch3) are
# written out: its Accumulator is a comprehension over `zip`, its DataLoaders
# are loops over a randperm order and over the test set in order, its
# `isinstance` test of the updater takes the branch a function takes, and
# predict_ch3 prints the titles it would show over the images. The variable
# d2l calls `true` is `t` (`true` is a keyword of .act). Its stdout under
# PyTorch 2.15 is softmax_regression.stdout beside this file;
# examples/softmax_regression.act is this program in .act.
import torch
import numpy as np

torch.manual_seed(0)
x = torch.from_numpy(np.load("data/digits_x.npy"))
labels = torch.from_numpy(np.load("data/digits_labels.npy"))
x_train, y_train = x[:1500], labels[:1500]
x_test, y_test = x[1500:], labels[1500:]
batch_size = 100

num_inputs = 64
num_outputs = 10

W = torch.normal(0, 0.01, size=(num_inputs, num_outputs), requires_grad=True)
b = torch.zeros(num_outputs, requires_grad=True)

X = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
print(X.sum(0, keepdim=True), X.sum(1, keepdim=True))

def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition  # The broadcasting mechanism is applied here

X = torch.normal(0, 1, (2, 5))
X_prob = softmax(X)
print(X_prob, X_prob.sum(1))

def net(X):
    return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)

y = torch.tensor([0, 2])
y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
print(y_hat[[0, 1], y])

def cross_entropy(y_hat, y):
    return - torch.log(y_hat[range(len(y_hat)), y])

print(cross_entropy(y_hat, y))

def accuracy(y_hat, y):
    """Compute the number of correct predictions."""
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())

print(accuracy(y_hat, y) / len(y))

def evaluate_accuracy(net, features, labels):
    """Compute the accuracy for a model on a dataset."""
    metric = [0.0, 0.0]  # No. of correct predictions, no. of predictions
    with torch.no_grad():
        for i in range(0, len(features), batch_size):
            X, y = features[i: i + batch_size], labels[i: i + batch_size]
            metric = [a + float(b) for a, b in zip(metric, [accuracy(net(X), y), y.numel()])]
    return metric[0] / metric[1]

print(evaluate_accuracy(net, x_test, y_test))

def train_epoch_ch3(net, features, labels, loss, updater):
    """The training loop defined in Chapter 3."""
    # Sum of training loss, sum of training accuracy, no. of examples
    metric = [0.0, 0.0, 0.0]
    indices = torch.randperm(len(features))
    for i in range(0, len(features), batch_size):
        batch_indices = indices[i: i + batch_size]
        X, y = features[batch_indices], labels[batch_indices]
        # Compute gradients and update parameters
        y_hat = net(X)
        l = loss(y_hat, y)
        # Using custom built optimizer & loss criterion
        l.sum().backward()
        updater(X.shape[0])
        metric = [a + float(b) for a, b in zip(metric, [l.sum(), accuracy(y_hat, y), y.numel()])]
    # Return training loss and training accuracy
    return metric[0] / metric[2], metric[1] / metric[2]

def train_ch3(net, loss, num_epochs, updater):
    """Train a model (defined in Chapter 3)."""
    for epoch in range(num_epochs):
        train_metrics = train_epoch_ch3(net, x_train, y_train, loss, updater)
        test_acc = evaluate_accuracy(net, x_test, y_test)
        train_loss, train_acc = train_metrics
        print(f'epoch {epoch + 1}, loss {train_loss:f}, train acc {train_acc:.3f}, test acc {test_acc:.3f}')
    assert train_loss < 0.5, train_loss
    assert train_acc <= 1 and train_acc > 0.7, train_acc
    assert test_acc <= 1 and test_acc > 0.7, test_acc

def sgd(params, lr, batch_size):
    """Minibatch stochastic gradient descent."""
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()

lr = 1.0

def updater(batch_size):
    return sgd([W, b], lr, batch_size)

num_epochs = 10
train_ch3(net, cross_entropy, num_epochs, updater)

def predict_ch3(net, features, labels, n=6):
    """Predict labels (defined in Chapter 3)."""
    X, y = features[:n], labels[:n]
    trues = y.tolist()
    preds = net(X).argmax(axis=1).tolist()
    titles = [f'{t}\n{pred}' for t, pred in zip(trues, preds)]
    print(titles)

predict_ch3(net, x_test, y_test)
