# The PyTorch program that examples/partial_batches.act mirrors line for line:
# mini-batches whose last one is shorter (Python clamps a slice at the end of its
# tensor), a name whose shape changes after the first iteration, a `range` as an
# index, functions held in names and passed as arguments, and a user function
# with a builtin's name beside the tensor method of that name.
import torch

x = torch.arange(20.0).reshape(10, 2)
bs = 4
xb = x[0:bs]
for epoch in range(2):
    for i in range((10 - 1) // bs + 1):
        xb = x[i * bs:(i + 1) * bs]
        print(epoch, i, xb.shape[0], xb.sum().item())
print("last batch", xb)

# A window that runs past the end in its last two iterations, and a strided slice.
for i in range(8):
    w = x[i:i + 5:2, 0]
    print(i, w)

# A name that is a vector of two after the first iteration.
h = torch.zeros(1)
for i in range(3):
    h = torch.zeros(2) + i
print(h)

# `range` as an index, as the nn tutorial's `nll` uses it.
scores = torch.arange(12.0).reshape(4, 3)
target = torch.tensor([2, 0, 1, 1])
print(scores[range(target.shape[0]), target])
print(scores[[0, 2], target[:2]], len(range(2, 11, 3)))

# Functions as values.
def softmax(x):
    return x.exp() / x.exp().sum(-1, keepdim=True)

def apply(g, v):
    return g(v)

act = torch.relu
v = torch.tensor([-1.0, 0.5, 2.0])
print(act(v), apply(softmax, v), apply(torch.tanh, v))
print(softmax(v) - v.softmax(dim=-1))
