# The PyTorch program that examples/f64.act mirrors.
import torch

class SelfDefinedTanh(torch.autograd.Function):
    @staticmethod
    def forward(ctx, inp):
        exp_x = torch.exp(inp)
        exp_x_ = torch.exp(-inp)
        result = (exp_x - exp_x_) / (exp_x + exp_x_)
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        result, = ctx.saved_tensors
        return grad_output * (1 - result ** 2)

torch.manual_seed(0)
inp = torch.randn(5, requires_grad=True, dtype=torch.float64)
out = SelfDefinedTanh.apply((inp + 1) ** 2)
print("Out is")
print(out)
out.backward(torch.ones_like(inp))
print("\nGradient in float64")
print(inp.grad)
inp2 = inp.detach()
print(torch.tanh((inp2 + 1) ** 2))
t32 = torch.tensor([0.5, 5.0, 10.0], requires_grad=True)
t64 = torch.tensor([0.5, 5.0, 10.0], requires_grad=True, dtype=torch.float64)
SelfDefinedTanh.apply(t32).sum().backward()
SelfDefinedTanh.apply(t64).sum().backward()
print(t32.grad)
print(t64.grad)
