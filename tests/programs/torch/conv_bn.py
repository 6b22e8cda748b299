# PyTorch's tutorial "Fusing Convolution and Batch Norm using Custom Function"
# (https://pytorch.org/tutorials/intermediate/custom_function_conv_bn_tutorial.html):
# Conv2D and BatchNorm as autograd Functions with hand-written backwards,
# FusedConvBN2DFunction, which saves only the convolution's input and weight
# and computes the convolution again in its backward, the FusedConvBN module,
# and the MNIST example's Net trained with it (fused=True) and with
# nn.Conv2d and nn.BatchNorm2d (fused=False). Adapted to run on the CPU on
# the 8x8 digits:
# - Data: examples/data/digits_x.npy, already scaled to [0, 1] (mean 0.305,
#   std 0.376), kept as it is where the tutorial normalizes MNIST with
#   transforms.Normalize; the first 1500 images train, the other 297 test,
#   each `x.reshape(-1, 1, 8, 8)`. A loader is the list of its batches of 250,
#   sliced in order (no DataLoader, no shuffling), so the training loader has
#   6 batches; `len(loader.dataset)` is `dataset_len(loader)`.
# - Net: the sizes for 8x8 inputs (3x3 convolutions make 6x6, then 4x4,
#   max_pool2d 2x2, so fc1 is nn.Linear(256, 128) where MNIST's is
#   nn.Linear(9216, 128)); 2 epochs of each variant where the tutorial runs
#   one; the CUDA memory records and the peak-memory comparison are left out.
# - The tutorial's gradchecks print their results (True). Before each, with
#   torch.manual_seed(0), the Function's output and its inputs' gradients are
#   printed: for a gradient of ones for Conv2D, and of torch.rand_like draws
#   for BatchNorm and FusedConvBN2DFunction, whose gradients for ones are zero
#   up to rounding.
# - One short section compares Conv2D's gradients with those autograd derives
#   through F.conv2d (stride 1, padding 0, as the tutorial hard-codes them).
# Its .act translation, line for line, is to be examples/conv_bn.act.
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.autograd.function import once_differentiable
from torch.optim.lr_scheduler import StepLR


def convolution_backward(grad_out, X, weight):
    grad_input = F.conv2d(X.transpose(0, 1), grad_out.transpose(0, 1)).transpose(0, 1)
    grad_X = F.conv_transpose2d(grad_out, weight)
    return grad_X, grad_input


class Conv2D(torch.autograd.Function):
    @staticmethod
    def forward(ctx, X, weight):
        ctx.save_for_backward(X, weight)
        return F.conv2d(X, weight)

    # Use @once_differentiable by default unless we intend to double backward
    @staticmethod
    @once_differentiable
    def backward(ctx, grad_out):
        X, weight = ctx.saved_tensors
        return convolution_backward(grad_out, X, weight)


# When testing with gradcheck, it is important to use double precision
torch.manual_seed(0)
weight = torch.rand(5, 3, 3, 3, requires_grad=True, dtype=torch.double)
X = torch.rand(10, 3, 7, 7, requires_grad=True, dtype=torch.double)
out = Conv2D.apply(X, weight)
print(out[0, 0, 0])
out.backward(torch.ones_like(out))
print(X.grad[0, 0])
print(weight.grad[0, 0])
print(torch.autograd.gradcheck(Conv2D.apply, (X, weight)))

# The same gradients through autograd's own conv2d
X2 = X.detach().requires_grad_()
weight2 = weight.detach().requires_grad_()
out2 = F.conv2d(X2, weight2)
print(out2[0, 0, 0])
out2.backward(torch.ones_like(out2))
print((X2.grad - X.grad).abs().max() < 1e-12, (weight2.grad - weight.grad).abs().max() < 1e-12)


def unsqueeze_all(t):
    # Helper function to ``unsqueeze`` all the dimensions that we reduce over
    return t[None, :, None, None]


def batch_norm_backward(grad_out, X, sum, sqrt_var, N, eps):
    # We use the formula: ``out = (X - mean(X)) / (sqrt(var(X)) + eps)``
    # in batch norm 2D forward. To simplify our derivation, we follow the
    # chain rule and compute the gradients as follows before accumulating
    # them all into a final grad_input.
    # 1) ``grad of out wrt var(X)`` * ``grad of var(X) wrt X``
    # 2) ``grad of out wrt mean(X)`` * ``grad of mean(X) wrt X``
    # 3) ``grad of out wrt X in the numerator`` * ``grad of X wrt X``
    # We then rewrite the formulas to use as few extra buffers as possible
    tmp = ((X - unsqueeze_all(sum) / N) * grad_out).sum(dim=(0, 2, 3))
    tmp *= -1
    d_denom = tmp / (sqrt_var + eps)**2  # ``d_denom = -num / denom**2``
    # It is useful to delete tensors when you no longer need them with ``del``
    # For example, we could've done ``del tmp`` here because we won't use it later
    # In this case, it's not a big difference because ``tmp`` only has size of (C,)
    # The important thing is avoid allocating NCHW-sized tensors unnecessarily
    d_var = d_denom / (2 * sqrt_var)  # ``denom = torch.sqrt(var) + eps``
    # Compute ``d_mean_dx`` before allocating the final NCHW-sized grad_input buffer
    d_mean_dx = grad_out / unsqueeze_all(sqrt_var + eps)
    d_mean_dx = unsqueeze_all(-d_mean_dx.sum(dim=(0, 2, 3)) / N)
    # ``d_mean_dx`` has already been reassigned to a C-sized buffer so no need to worry

    # ``(1) unbiased_var(x) = ((X - unsqueeze_all(mean))**2).sum(dim=(0, 2, 3)) / (N - 1)``
    grad_input = X * unsqueeze_all(d_var * N)
    grad_input += unsqueeze_all(-d_var * sum)
    grad_input *= 2 / ((N - 1) * N)
    # (2) mean (see above)
    grad_input += d_mean_dx
    # (3) Add 'grad_out / <factor>' without allocating an extra buffer
    grad_input *= unsqueeze_all(sqrt_var + eps)
    grad_input += grad_out
    grad_input /= unsqueeze_all(sqrt_var + eps)  # ``sqrt_var + eps > 0!``
    return grad_input


class BatchNorm(torch.autograd.Function):
    @staticmethod
    def forward(ctx, X, eps=1e-3):
        # Don't save ``keepdim`` values for backward
        sum = X.sum(dim=(0, 2, 3))
        var = X.var(unbiased=True, dim=(0, 2, 3))
        N = X.numel() / X.size(1)
        sqrt_var = torch.sqrt(var)
        ctx.save_for_backward(X)
        ctx.eps = eps
        ctx.sum = sum
        ctx.N = N
        ctx.sqrt_var = sqrt_var
        mean = sum / N
        denom = sqrt_var + eps
        out = X - unsqueeze_all(mean)
        out /= unsqueeze_all(denom)
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_out):
        X, = ctx.saved_tensors
        return batch_norm_backward(grad_out, X, ctx.sum, ctx.sqrt_var, ctx.N, ctx.eps)


# Testing with gradcheck
torch.manual_seed(0)
a = torch.rand(1, 2, 3, 4, requires_grad=True, dtype=torch.double)
out = BatchNorm.apply(a)
print(out[0, 0])
out.backward(torch.rand_like(out))
print(a.grad[0, 0])
print(torch.autograd.gradcheck(BatchNorm.apply, (a,), fast_mode=False))


class FusedConvBN2DFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, X, conv_weight, eps=1e-3):
        assert X.ndim == 4  # N, C, H, W
        # (1) Only need to save this single buffer for backward!
        ctx.save_for_backward(X, conv_weight)

        # (2) Exact same Conv2D forward from example above
        X = F.conv2d(X, conv_weight)
        # (3) Exact same BatchNorm2D forward from example above
        sum = X.sum(dim=(0, 2, 3))
        var = X.var(unbiased=True, dim=(0, 2, 3))
        N = X.numel() / X.size(1)
        sqrt_var = torch.sqrt(var)
        ctx.eps = eps
        ctx.sum = sum
        ctx.N = N
        ctx.sqrt_var = sqrt_var
        mean = sum / N
        denom = sqrt_var + eps
        # Try to do as many things in-place as possible
        # Instead of `out = (X - a) / b`, doing `out = X - a; out /= b`
        # avoids allocating one extra NCHW-sized buffer here
        out = X - unsqueeze_all(mean)
        out /= unsqueeze_all(denom)
        return out

    @staticmethod
    def backward(ctx, grad_out):
        X, conv_weight, = ctx.saved_tensors
        # (4) Batch norm backward
        # (5) We need to recompute conv
        X_conv_out = F.conv2d(X, conv_weight)
        grad_out = batch_norm_backward(grad_out, X_conv_out, ctx.sum, ctx.sqrt_var,
                                       ctx.N, ctx.eps)
        # (6) Conv2d backward
        grad_X, grad_input = convolution_backward(grad_out, X, conv_weight)
        return grad_X, grad_input, None, None, None, None, None


class FusedConvBN(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, exp_avg_factor=0.1,
                 eps=1e-3, device=None, dtype=None):
        super(FusedConvBN, self).__init__()
        factory_kwargs = {'device': device, 'dtype': dtype}
        # Conv parameters
        weight_shape = (out_channels, in_channels, kernel_size, kernel_size)
        self.conv_weight = nn.Parameter(torch.empty(*weight_shape, **factory_kwargs))
        # Batch norm parameters
        num_features = out_channels
        self.num_features = num_features
        self.eps = eps
        # Initialize
        self.reset_parameters()

    def forward(self, X):
        return FusedConvBN2DFunction.apply(X, self.conv_weight, self.eps)

    def reset_parameters(self) -> None:
        nn.init.kaiming_uniform_(self.conv_weight, a=math.sqrt(5))


# Use gradcheck to validate the correctness of our backward formula
torch.manual_seed(0)
weight = torch.rand(5, 3, 3, 3, requires_grad=True, dtype=torch.double)
X = torch.rand(2, 3, 4, 4, requires_grad=True, dtype=torch.double)
out = FusedConvBN2DFunction.apply(X, weight)
print(out[0, 0])
out.backward(torch.rand_like(out))
print(X.grad[0, 0])
print(weight.grad[0, 0])
print(torch.autograd.gradcheck(FusedConvBN2DFunction.apply, (X, weight)))


# Testing out our new Layer
class Net(nn.Module):
    def __init__(self, fused=True):
        super(Net, self).__init__()
        self.fused = fused
        if fused:
            self.convbn1 = FusedConvBN(1, 32, 3)
            self.convbn2 = FusedConvBN(32, 64, 3)
        else:
            self.conv1 = nn.Conv2d(1, 32, 3, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(32, affine=False, track_running_stats=False)
            self.conv2 = nn.Conv2d(32, 64, 3, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(64, affine=False, track_running_stats=False)
        self.fc1 = nn.Linear(256, 128)
        self.dropout = nn.Dropout(0.5)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        if self.fused:
            x = self.convbn1(x)
        else:
            x = self.conv1(x)
            x = self.bn1(x)
        F.relu_(x)
        if self.fused:
            x = self.convbn2(x)
        else:
            x = self.conv2(x)
            x = self.bn2(x)
        F.relu_(x)
        x = F.max_pool2d(x, 2)
        F.relu_(x)
        x = x.flatten(1)
        x = self.fc1(x)
        x = self.dropout(x)
        F.relu_(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output


def dataset_len(loader):
    # ``len(loader.dataset)``: the samples of all its batches
    return sum(len(target) for _, target in loader)


def train(model, device, train_loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % 2 == 0:
            print('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(
                epoch, batch_idx * len(data), dataset_len(train_loader),
                100. * batch_idx / len(train_loader), loss.item()))


def test(model, device, test_loader):
    model.eval()
    test_loss = 0
    correct = 0
    # Use inference mode instead of no_grad, for free improved test-time performance
    with torch.inference_mode():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            # sum up batch loss
            test_loss += F.nll_loss(output, target, reduction='sum').item()
            # get the index of the max log-probability
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()

    test_loss /= dataset_len(test_loader)

    print('Test set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)'.format(
        test_loss, correct, dataset_len(test_loader),
        100. * correct / dataset_len(test_loader)))


device = torch.device("cpu")
train_kwargs = {'batch_size': 250}
test_kwargs = {'batch_size': 250}

data_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../examples/data")
x = torch.from_numpy(np.load(os.path.join(data_dir, "digits_x.npy"))).reshape(-1, 1, 8, 8)
labels = torch.from_numpy(np.load(os.path.join(data_dir, "digits_labels.npy")))
x_train, y_train = x[:1500], labels[:1500]
x_test, y_test = x[1500:], labels[1500:]
train_loader = [(x_train[i : i + train_kwargs['batch_size']], y_train[i : i + train_kwargs['batch_size']])
                for i in range(0, len(x_train), train_kwargs['batch_size'])]
test_loader = [(x_test[i : i + test_kwargs['batch_size']], y_test[i : i + test_kwargs['batch_size']])
               for i in range(0, len(x_test), test_kwargs['batch_size'])]

for fused in (True, False):
    print(f"fused={fused}")
    torch.manual_seed(123456)

    model = Net(fused=fused).to(device)
    optimizer = optim.Adadelta(model.parameters(), lr=1.0)
    scheduler = StepLR(optimizer, step_size=1, gamma=0.7)

    for epoch in range(2):
        train(model, device, train_loader, optimizer, epoch)
        test(model, device, test_loader)
        scheduler.step()
