# PyTorch's polynomial_tensor.py tutorial: fit y = sin(x) with a third-order
# polynomial by gradient descent, with hand-written gradients. The loss is
# printed every 250 steps (the tutorial prints every 100 with `if t % 100 == 99`).
import torch
import math

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

torch.manual_seed(0)
a = torch.randn(())
b = torch.randn(())
c = torch.randn(())
d = torch.randn(())

learning_rate = 1e-6
for k in range(8):
    for t in range(250):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()

        grad_y_pred = 2.0 * (y_pred - y)
        grad_a = grad_y_pred.sum()
        grad_b = (grad_y_pred * x).sum()
        grad_c = (grad_y_pred * x ** 2).sum()
        grad_d = (grad_y_pred * x ** 3).sum()

        a = a - learning_rate * grad_a
        b = b - learning_rate * grad_b
        c = c - learning_rate * grad_c
        d = d - learning_rate * grad_d
    print(loss)
print("Result: y =", a, "+", b, "x +", c, "x^2 +", d, "x^3")
