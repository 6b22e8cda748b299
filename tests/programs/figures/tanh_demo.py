# The visualization cell of examples/tanh_demo.act under PyTorch and matplotlib,
# with the tutorial's rcParams (its lines 14-16): run it with
# `python tanh_demo.py OUT.png` to make the figure graphc's is compared with
# (docs/act-language.md, "Figures"; docs/figures/tanh_demo.matplotlib.png).
import sys
import torch
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

plt.rcParams['figure.figsize'] = (7, 3.5)
plt.rcParams['figure.dpi'] = 150
plt.rcParams['axes.unicode_minus'] = False


class SelfDefinedTanh(torch.autograd.Function):
    @staticmethod
    def forward(ctx, inp):
        exp_x = torch.exp(inp)
        exp_x_ = torch.exp(-inp)
        result = torch.divide((exp_x - exp_x_), (exp_x + exp_x_))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        result, = ctx.saved_tensors
        return grad_output * (1 - result.pow(2))


x = torch.arange(-8, 8, 0.1, requires_grad=True)
y = SelfDefinedTanh.apply(x)
y.sum().backward()
plt.plot(x.detach().numpy(), y.detach().numpy(), label="$\\tanh(x)$", alpha=0.7)
plt.plot(x.detach().numpy(), x.grad.numpy(), label="$\\tanh'(x)$", alpha=0.5)
plt.grid()
plt.legend()
plt.savefig(sys.argv[1] if len(sys.argv) > 1 else "tanh_demo.png")
