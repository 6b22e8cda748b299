# The gradient of a gradient through relu: relu's backward,
# threshold_backward(grad, result, 0), depends on relu's result with a zero
# derivative, so a backward through the first gradient gives x zeros (not
# None). examples/relu_grad_grad.act is the same program in .act.
import torch

x = torch.linspace(-2, 2, 5, dtype=torch.float64, requires_grad=True)
d1, = torch.autograd.grad(torch.relu(x).sum(), x, create_graph=True)
print(d1)
d1.sum().backward()
print(x.grad)

# relu(x) * x: the zero path through relu's backward adds to a real one.
x = torch.linspace(-2, 2, 5, dtype=torch.float64, requires_grad=True)
y = torch.relu(x) * x
d1, = torch.autograd.grad(y.sum(), x, create_graph=True)
print(d1)
d1.sum().backward()
print(x.grad)
