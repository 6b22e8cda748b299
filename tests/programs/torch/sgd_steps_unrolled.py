# The update pattern of the digits training (../shared/reference/train_digits.py),
# written out per parameter for three steps: a 8-16-3 network whose hidden layer
# is the tutorial's SelfDefinedTanh, trained with full-batch SGD in place.
import torch
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

torch.manual_seed(0)
x = torch.randn(32, 8)
labels = (x @ torch.randn(8, 3)).argmax(dim=1)
w1 = (torch.randn(8, 16) * 0.1).requires_grad_()
b1 = torch.zeros(16, requires_grad=True)
w2 = (torch.randn(16, 3) * 0.1).requires_grad_()
b2 = torch.zeros(3, requires_grad=True)

def model(x):
    h = SelfDefinedTanh.apply(x @ w1 + b1)
    return h @ w2 + b2

loss = F.cross_entropy(model(x), labels)
print("step 0 loss", loss)
loss.backward()
with torch.no_grad():
    w1 -= 0.5 * w1.grad
    w1.grad.zero_()
    b1 -= 0.5 * b1.grad
    b1.grad.zero_()
    w2 -= 0.5 * w2.grad
    w2.grad.zero_()
    b2 -= 0.5 * b2.grad
    b2.grad.zero_()

loss = F.cross_entropy(model(x), labels)
print("step 1 loss", loss)
loss.backward()
print("b2 after the update", b2)
print("b2.grad accumulated into zeros", b2.grad)
with torch.no_grad():
    w1.sub_(0.5 * w1.grad)
    w1.grad = None
    b1.add_(b1.grad, alpha=-0.5)
    b1.grad = None
    w2 -= 0.5 * w2.grad
    w2.grad = None
    b2 -= 0.5 * b2.grad
    b2.grad = None

print("b2.grad after set to None", b2.grad)
loss = F.cross_entropy(model(x), labels)
print("step 2 loss", loss)
loss.backward()
print("w2.grad[0]", w2.grad[0])
with torch.no_grad():
    accuracy = (model(x).argmax(dim=1) == labels).float().mean()
print("train accuracy", accuracy)
print("first logits", model(x)[0])
