# The training reference: a 64-32-10 network whose hidden layer is the tutorial's
# SelfDefinedTanh, trained on the digits (examples/data) with full-batch SGD, written as
# PyTorch users write it (run from examples/, where data/ is). Its stdout under PyTorch 2.15
# is train_digits.stdout beside this file; examples/train_digits.act is this program in .act.
import numpy as np, torch
import torch.nn.functional as F

class SelfDefinedTanh(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        exp_x = torch.exp(input)
        exp_x_ = torch.exp(-input)
        result = torch.divide((exp_x - exp_x_), (exp_x + exp_x_))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        result, = ctx.saved_tensors
        return grad_output * (1 - result.pow(2))

x = torch.from_numpy(np.load("data/digits_x.npy"))
labels = torch.from_numpy(np.load("data/digits_labels.npy"))
x_train, y_train = x[:1500], labels[:1500]
x_test, y_test = x[1500:], labels[1500:]

torch.manual_seed(0)
w1 = (torch.randn(64, 32) * 0.1).requires_grad_()
b1 = torch.zeros(32, requires_grad=True)
w2 = (torch.randn(32, 10) * 0.1).requires_grad_()
b2 = torch.zeros(10, requires_grad=True)
params = [w1, b1, w2, b2]

def model(x):
    h = SelfDefinedTanh.apply(x @ w1 + b1)
    return h @ w2 + b2

for step in range(300):
    loss = F.cross_entropy(model(x_train), y_train)
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= 0.5 * p.grad
            p.grad.zero_()
    if step % 50 == 0 or step == 299:
        print(f"step {step:3d}  loss {loss.item():.4f}")

with torch.no_grad():
    accuracy = (model(x_test).argmax(dim=1) == y_test).float().mean()
print("test accuracy", accuracy)
print("first test logits", model(x_test)[0])
