# The PyTorch program that examples/one_hot.act mirrors.
import torch
import torch.nn.functional as F
y = torch.tensor([0, 2, 1, 2])
print(F.one_hot(y))
print(F.one_hot(y, 4))
z = torch.tensor([[1, 0], [2, 1]])
print(F.one_hot(z, num_classes=3))
print(F.one_hot(y.argmax().reshape(1), 2))
