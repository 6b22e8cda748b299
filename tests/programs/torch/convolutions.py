# Convolutions and max pooling as torch.nn.functional computes them, with the
# gradients autograd derives through them: conv2d with a bias, stride,
# padding, dilation and groups; conv1d, padding="same" and an unbatched input;
# conv_transpose2d with output_padding, the gradient of conv2d for its input;
# max_pool2d with indices and ceil_mode, max_pool1d; and the in-place
# activations (F.relu_, Tensor.sigmoid_) that CNN code applies to them.
# graphc's examples/convolutions.act is this file line for line.
import torch
import torch.nn.functional as F

torch.manual_seed(0)
x = torch.rand(2, 4, 7, 6, dtype=torch.float64, requires_grad=True)
w = torch.rand(6, 2, 3, 2, dtype=torch.float64, requires_grad=True)
b = torch.rand(6, dtype=torch.float64, requires_grad=True)
y = F.conv2d(x, w, b, stride=2, padding=1, dilation=(1, 2), groups=2)
print(y.shape)
print(y[1, 5])
y.pow(2).sum().backward()
print(x.grad[1, 3])
print(w.grad[5, 1])
print(b.grad)

# conv_transpose2d is conv2d's gradient for its input
g = torch.rand(2, 6, 4, 3, dtype=torch.float64)
t = F.conv_transpose2d(g, w, stride=2, padding=1, output_padding=(0, 1), dilation=(1, 2), groups=2)
print(t.shape)
x2 = x.detach().requires_grad_()
F.conv2d(x2, w, stride=2, padding=1, dilation=(1, 2), groups=2).backward(g)
print((t - x2.grad).abs().max())

# float32, one dimension, "same" padding, unbatched
torch.manual_seed(1)
signal = torch.randn(3, 10, requires_grad=True)
kernel = torch.randn(5, 3, 3, requires_grad=True)
h = F.conv1d(signal, kernel, padding="same")
print(h)
h.sum().backward()
print(signal.grad)
print(kernel.grad[0])

# Max pooling picks the largest of each window; its gradient goes there
torch.manual_seed(2)
img = torch.randn(1, 2, 5, 5, requires_grad=True)
m, idx = F.max_pool2d(img, 2, return_indices=True, ceil_mode=True)
print(m)
print(idx)
m.sum().backward()
print(img.grad[0, 0])
p = F.max_pool2d(img, kernel_size=3, stride=1, padding=1)
print(p[0, 1])
q = F.max_pool1d(signal, 3)
print(q)

# In-place activations, as CNN code applies them after each layer
img.grad = None
z = F.conv2d(img, torch.ones(3, 2, 2, 2) / 8)
F.relu_(z)
print(z[0, 0])
s = F.conv2d(img, torch.ones(1, 2, 3, 3) / 18)
s.sigmoid_()
print(s)
(z.sum() + s.sum()).backward()
print(img.grad[0, 1])
