# The PyTorch program that examples/scatter_reduce.act mirrors.
import torch
# `scatter_reduce` and `scatter(reduce=)`, from the examples of PyTorch's
# `torch.Tensor.scatter_reduce_` and `torch.Tensor.scatter_` pages, and the
# gradients of each reduction (ScatterReduceBackward0): repeated indices, ties
# that share the gradient evenly, a zero in a product, and integer means that
# divide with floor. `scatter(reduce=)` has no derivative in PyTorch (its
# grad_fn prints NotImplemented; a backward through it is E0410).
src = torch.tensor([1., 2., 3., 4., 5., 6.])
index = torch.tensor([0, 1, 0, 1, 2, 1])
input = torch.tensor([1., 2., 3., 4.])
print(input.scatter_reduce(0, index, src, reduce="sum"))
print(input.scatter_reduce(0, index, src, reduce="sum", include_self=False))
input2 = torch.tensor([5., 4., 3., 2.])
print(input2.scatter_reduce(0, index, src, reduce="amax"))
print(input2.scatter_reduce(0, index, src, reduce="amax", include_self=False))
print(torch.full((2, 4), 2.).scatter_(1, torch.tensor([[2], [3]]), 1.23, reduce="multiply"))
print(torch.full((2, 4), 2.).scatter_(1, torch.tensor([[2], [3]]), 1.23, reduce="add"))

# Every reduction, with and without the input's own elements.
x = torch.tensor([[0.5, -1.0, 2.0], [3.0, 0.0, -2.5]], requires_grad=True)
s = torch.tensor([[1.5, 2.0, -3.0], [1.5, 4.0, 0.0], [-1.0, 0.25, 2.0]], requires_grad=True)
i = torch.tensor([[0, 1, 1], [0, 0, 1], [1, 1, 0]])
for r in ["sum", "prod", "mean", "amax", "amin"]:
    for keep in [True, False]:
        y = torch.scatter_reduce(x, 0, i, s, r, include_self=keep)
        print(r, keep, y)
        (y * torch.tensor([[1.0, -2.0, 0.5], [3.0, 1.0, -1.0]])).sum().backward()
        print(x.grad)
        print(s.grad)
        x.grad = None
        s.grad = None

# Ties share the gradient: two sources equal to the maximum, and the input's
# element equal to the minimum.
a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
b = torch.tensor([4.0, 4.0, 2.0, 0.5], requires_grad=True)
j = torch.tensor([0, 0, 2, 1])
m = a.scatter_reduce(0, j, b, "amax")
print(m)
m.sum().backward()
print(a.grad, b.grad)
n = torch.scatter_reduce(a * 1, 0, torch.tensor([1, 1]), torch.tensor([2.0, 5.0]), "amin")
print(n)
a.grad = None
n.sum().backward()
print(a.grad)

# Integers: means divide with floor, sums and products stay i64.
k = torch.tensor([1, -2, 3, 4])
print(torch.scatter_reduce(k, 0, torch.tensor([0, 1, 0]), torch.tensor([-5, 6, 8]), "mean"))
print(torch.scatter_reduce(k, 0, torch.tensor([0, 1, 0]), torch.tensor([-5, 6, 8]), "mean", include_self=False))
print(k.scatter_reduce(0, torch.tensor([3, 3]), torch.tensor([2, 5]), "prod"))

# NaN wins in amax and amin, as PyTorch's kernel takes a NaN source.
print(torch.scatter_reduce(torch.tensor([1.0, 2.0]), 0, torch.tensor([0, 1, 1]), torch.tensor([float("nan"), 7.0, 1.0]), "amax"))
print(torch.scatter_reduce(torch.tensor([float("nan"), 2.0]), 0, torch.tensor([0, 1, 1]), torch.tensor([1.0, 7.0, float("nan")]), "amin", include_self=False))

# In place, and the grad_fn of each form.
w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
z = w * 2
z.scatter_reduce_(0, torch.tensor([0, 0]), torch.tensor([10.0, 20.0]), "mean", include_self=False)
print(z)
print(torch.scatter(w, 0, torch.tensor([2]), torch.tensor([5.0]), reduce="add"))
print(w.scatter(0, torch.tensor([1]), 3.0, reduce="multiply"))
