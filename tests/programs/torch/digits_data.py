# The PyTorch program that examples/digits_data.act mirrors: the digits data from
# examples/data, a shuffle and one mini-batch picked with an integer tensor.
import os
import numpy as np, torch
data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../examples/data")
x = torch.from_numpy(np.load(os.path.join(data, "digits_x.npy")))
labels = torch.from_numpy(np.load(os.path.join(data, "digits_labels.npy")))
print(x.shape, x.dtype)
print(labels.shape, labels.dtype)
print(x[0].view(8, 8))
print(labels[:20])
x_train, y_train = x[:1500], labels[:1500]
print(x_train.shape, y_train.shape)
torch.manual_seed(0)
perm = torch.randperm(1500)
print(perm[:12])
xb, yb = x_train[perm[0:64]], y_train[perm[0:64]]
print(xb.shape, yb.shape)
print(yb)
print(xb[:2, 16:24])
print(xb.mean(dim=0).view(8, 8)[3])
print(torch.randint(10, (8,)), torch.randint(-3, 3, (2, 4)))
