# The PyTorch tutorial's two-layer network with a custom ReLU
# (two_layer_net_custom_function.py): the backward clones the incoming
# gradient and zeroes it where the input was negative, and the weights are
# updated in place under no_grad. Three steps, written out, on a smaller
# network than the tutorial's so that the printed losses do not depend on
# the order of the sums.
import torch

class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input

torch.manual_seed(0)
N, D_in, H, D_out = 16, 20, 12, 3
x = torch.randn(N, D_in)
y = torch.randn(N, D_out)
w1 = (torch.randn(D_in, H) * 0.3).requires_grad_()
w2 = torch.randn(H, D_out, requires_grad=True)
learning_rate = 1e-3

y_pred = MyReLU.apply(x.mm(w1)).mm(w2)
loss = (y_pred - y).pow(2).sum()
print(0, loss)
loss.backward()
with torch.no_grad():
    w1 -= learning_rate * w1.grad
    w2 -= learning_rate * w2.grad
    w1.grad.zero_()
    w2.grad.zero_()

y_pred = MyReLU.apply(x.mm(w1)).mm(w2)
loss = (y_pred - y).pow(2).sum()
print(1, loss)
loss.backward()
with torch.no_grad():
    w1 -= learning_rate * w1.grad
    w2 -= learning_rate * w2.grad
    w1.grad.zero_()
    w2.grad.zero_()

y_pred = MyReLU.apply(x.mm(w1)).mm(w2)
loss = (y_pred - y).pow(2).sum()
print(2, loss)
print(w2[0])
