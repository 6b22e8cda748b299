# The PyTorch program that examples/dtypes.act mirrors.
import torch

class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return clamp_min_zero(input)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output.masked_fill(input < 0, 0)

def clamp_min_zero(x):
    return torch.where(x > 0, x, 0.0)

a = torch.arange(6)
print(a)
print(a.dtype)
labels = torch.tensor([2, 0, 1, 2])
print(labels, labels.dtype)
print(torch.tensor([[1, -20, 300], [4, 5, -6]]))
print(torch.arange(-3, 3) * 2, -labels, torch.abs(labels - 3), labels.sum())

print(labels * 2.5)
print(labels / 2)
print(labels + 1)
print(torch.tensor(7), torch.tensor(7) * 0.5)

x = torch.tensor([-1.5, 0.0, 2.0, 3.5, -0.25], requires_grad=True)
positive = x > 0
print(positive)
print(positive.dtype, positive + 1, positive.sum())
print(x >= 2, x == 0, x != 0, 1 < x)
print(torch.logical_and(x > -1, x < 3), torch.logical_or(x < -1, x > 3), torch.logical_not(positive))
print(3 > 2, 2 == 3)
print(torch.tensor(True), torch.tensor([True, False]))

pred = torch.tensor([2, 1, 1, 2])
print((pred == labels).float().mean())

y = MyReLU.apply(x)
print(y)
y.sum().backward()
print(x.grad)
z = torch.where(x > 0, x * 2, x * 0.5)
print(z)
w = x.masked_fill(x < 0, 0.0)
print(w)
(z * w).sum().backward()
print(x.grad)

d = x.double()
print(d)
print(x.long(), x.bool(), labels.float(), labels.to(torch.float64))
(d * 3).sum().backward()
print(x.grad)

q = x / torch.tensor([0.0, 0.0, 1.0, 2.0, 0.0])
print(q)
print(torch.isnan(q), torch.isfinite(q))
r = torch.nan_to_num(q, nan=0.0, posinf=100.0)
print(r)
r.sum().backward()
print(x.grad)
