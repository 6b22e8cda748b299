# The PyTorch program that examples/weight_decay.act mirrors line for line:
# d2l.ai's "Weight Decay" implemented from scratch (chapter 4.5.2): a
# 200-input linear regression on 20 examples, trained without and with an L2
# penalty, the model a lambda over the parameters `train` made. d2l's helpers
# (synthetic_data, linreg, squared_loss, sgd, evaluate_loss) are written out;
# its DataLoaders are loops over a randperm order and over the test set in
# order, and its Animator is one semilogy figure of both runs. Its stdout
# (weight_decay.stdout, PyTorch 2.15) is what graphc's is compared with, to a
# tolerance (tests/training_examples.rs).
import torch
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

torch.manual_seed(0)

def synthetic_data(w, b, num_examples):
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))

def linreg(X, w, b):
    return torch.matmul(X, w) + b

def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2

def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()

n_train, n_test, num_inputs, batch_size = 20, 100, 200, 5
true_w, true_b = torch.ones((num_inputs, 1)) * 0.01, 0.05
train_features, train_labels = synthetic_data(true_w, true_b, n_train)
test_features, test_labels = synthetic_data(true_w, true_b, n_test)

def evaluate_loss(net, features, labels, loss):
    metric = [0.0, 0.0]
    for i in range(0, len(features), batch_size):
        X, y = features[i: i + batch_size], labels[i: i + batch_size]
        out = net(X)
        y = y.reshape(out.shape)
        l = loss(out, y)
        metric = [a + float(b) for a, b in zip(metric, [l.sum(), l.numel()])]
    return metric[0] / metric[1]

def init_params():
    w = torch.normal(0, 1, size=(num_inputs, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    return [w, b]

def l2_penalty(w):
    return torch.sum(w.pow(2)) / 2

def train(lambd):
    w, b = init_params()
    net, loss = lambda X: linreg(X, w, b), squared_loss
    num_epochs, lr = 100, 0.003
    points = torch.zeros(num_epochs // 5, 2)
    for epoch in range(num_epochs):
        indices = torch.randperm(n_train)
        for i in range(0, n_train, batch_size):
            batch_indices = indices[i: i + batch_size]
            X, y = train_features[batch_indices], train_labels[batch_indices]
            # The L2 penalty is added, and broadcasting makes l2_penalty(w) a
            # vector of length batch_size.
            l = loss(net(X), y) + lambd * l2_penalty(w)
            l.sum().backward()
            sgd([w, b], lr, batch_size)
        if (epoch + 1) % 5 == 0:
            points[epoch // 5, 0] = evaluate_loss(net, train_features, train_labels, loss)
            points[epoch // 5, 1] = evaluate_loss(net, test_features, test_labels, loss)
            print(f'epoch {epoch + 1}: train {points[epoch // 5, 0]:.6f} test {points[epoch // 5, 1]:.6f}')
    plt.semilogy(torch.arange(5, num_epochs + 1, 5), points[:, 0], label=f'train, lambd={lambd}')
    plt.semilogy(torch.arange(5, num_epochs + 1, 5), points[:, 1], label=f'test, lambd={lambd}')
    print('L2 norm of w:', torch.norm(w).item())

train(lambd=0)
train(lambd=3)
plt.xlabel('epochs')
plt.ylabel('loss')
plt.legend()
plt.savefig('weight_decay.png')
