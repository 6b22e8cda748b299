# PyTorch's tutorial "Double Backward with Custom Functions"
# (https://pytorch.org/tutorials/intermediate/custom_function_double_backward_tutorial.html):
# its Square, Exp and Cube functions, each differentiated twice. The tutorial
# checks them with gradcheck and gradgradcheck, which print nothing; this program
# prints the values those checks compare instead. Its Sinh example returns two
# outputs from one Function, which .act ops cannot yet, so it is left out.
# examples/double_backward.act is the same program in .act.
import torch


class Square(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        # Because we are saving one of the inputs use `save_for_backward`
        # Save non-tensors and non-inputs/non-outputs directly on ctx
        ctx.save_for_backward(x)
        return x**2

    @staticmethod
    def backward(ctx, grad_out):
        # A function support double backward automatically if autograd
        # is able to record the computations performed in backward
        x, = ctx.saved_tensors
        return grad_out * 2 * x


class Exp(torch.autograd.Function):
    # Simple case where everything goes well
    @staticmethod
    def forward(ctx, x):
        # This time we save the output
        result = torch.exp(x)
        # Note that we should use `save_for_backward` here when
        # the tensor saved is an ouptut (or an input).
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_out):
        result, = ctx.saved_tensors
        return result * grad_out


def cube_forward(x):
    return x**3


def cube_backward(grad_out, x):
    return grad_out * 3 * x**2


def cube_backward_backward(grad_out, sav_grad_out, x):
    return grad_out * sav_grad_out * 6 * x


def cube_backward_backward_grad_out(grad_out, x):
    return grad_out * 3 * x**2


class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return cube_forward(x)

    @staticmethod
    def backward(ctx, grad_out):
        x, = ctx.saved_tensors
        return CubeBackward.apply(grad_out, x)


class CubeBackward(torch.autograd.Function):
    @staticmethod
    def forward(ctx, grad_out, x):
        ctx.save_for_backward(x, grad_out)
        return cube_backward(grad_out, x)

    @staticmethod
    def backward(ctx, grad_out):
        x, sav_grad_out = ctx.saved_tensors
        dx = cube_backward_backward(grad_out, sav_grad_out, x)
        dgrad_out = cube_backward_backward_grad_out(grad_out, x)
        return dgrad_out, dx


def twice(f, x):
    y = f(x)
    print(y)
    d1, = torch.autograd.grad(y.sum(), x, create_graph=True)
    print(d1)
    d2, = torch.autograd.grad(d1.sum(), x, retain_graph=True)
    print(d2)
    d1.sum().backward()
    print(x.grad)


torch.manual_seed(0)
print("Square")
x = torch.rand(3, 3, requires_grad=True, dtype=torch.double)
twice(Square.apply, x)

print("Exp")
x = torch.tensor(1., requires_grad=True, dtype=torch.double)
twice(Exp.apply, x)

print("Cube")
x = torch.tensor(2., requires_grad=True, dtype=torch.double)
twice(Cube.apply, x)

# The same, with a gradient seed other than ones: CubeBackward's backward reads
# the grad_out it saved.
print("Cube, seeded")
x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True, dtype=torch.double)
y = Cube.apply(x)
d1, = torch.autograd.grad(y, x, grad_outputs=torch.tensor([1.0, 2.0, 3.0], dtype=torch.double), create_graph=True)
print(d1)
d1.sum().backward()
print(x.grad)
