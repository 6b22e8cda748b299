# The PyTorch program that examples/adam_by_hand.act mirrors: Adam written
# out by hand, as torch.optim's single-tensor loop and the optimizers people
# publish write it, fitting the tutorials' third-order polynomial to the
# Taylor polynomial of sin(x).
import math
import torch
x = torch.linspace(-math.pi, math.pi, 2000)
y = x - x ** 3 / 6 + x ** 5 / 120
torch.manual_seed(0)
a = torch.randn((), requires_grad=True)
b = torch.randn((), requires_grad=True)
c = torch.randn((), requires_grad=True)
d = torch.randn((), requires_grad=True)
params = [a, b, c, d]
exp_avgs = [torch.zeros_like(p) for p in params]
exp_avg_sqs = [torch.zeros_like(p) for p in params]
lr, beta1, beta2, eps = 0.01, 0.9, 0.999, 1e-8
for step in range(1, 1001):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = (y_pred - y).pow(2).sum()
    for p in params:
        p.grad = None
    loss.backward()
    with torch.no_grad():
        for i, p in enumerate(params):
            grad = p.grad
            exp_avg = exp_avgs[i]
            exp_avg_sq = exp_avg_sqs[i]
            exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
            exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            bias_correction1 = 1 - beta1 ** step
            bias_correction2 = 1 - beta2 ** step
            denom = (exp_avg_sq.sqrt() / math.sqrt(bias_correction2)).add_(eps)
            step_size = lr / bias_correction1
            p.addcdiv_(exp_avg, denom, value=-step_size)
    if step % 200 == 0:
        print(step, loss.item())
print(f'Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3')
