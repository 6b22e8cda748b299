# Batched matrix products and dimension reorderings, with the gradients that
# flow back through them and the grad_fn PyTorch shows for each.
#
# `@` follows PyTorch's matmul for any rank: the dimensions before the last two
# are a batch and broadcast (NumPy rules); a 1-D operand is a row on the left
# and a column on the right. The grad_fn names the kernel PyTorch ran.
import torch
torch.manual_seed(0)
a = torch.randn(2, 3, 4, requires_grad=True)
b = torch.randn(4, 5, requires_grad=True)
c = a @ b                  # [2, 3, 4] @ [4, 5]: folded into one product
print(c)
d = torch.randn(2, 5, 3, requires_grad=True)
e = c @ d                  # two batches of 2
print(e)
f = torch.bmm(a, a.mT)     # bmm takes exactly two 3-D tensors; .mT swaps the last two dimensions
print(f)
p = a.permute(2, 0, 1)     # result dimension i is dimension dims[i] of a
print(p)
t = a.transpose(0, 2)
print(t)
v = torch.randn(4, requires_grad=True)
print(a @ v)               # a vector on the right: the last dimension goes away
w = torch.randn(3, requires_grad=True)
print(w @ a)               # a vector on the left
k = torch.randn(2, 3, requires_grad=True)
print(k @ a)               # a matrix times a batch
q = torch.randn(1, 2, 3, requires_grad=True)
print(q @ torch.randn(5, 3, 2))  # a batch of 1 broadcast against 5
print(torch.randn(7, 1, 2, 3) @ torch.randn(4, 3, 2))
loss = (e.sum() + (f * f).sum() + (p * t.permute(0, 2, 1)).sum() + (a @ v).sum() + (w @ a).sum() + (k @ a).sum())
loss.backward()
print(a.grad)
print(b.grad)
print(d.grad)
print(v.grad)
print(w.grad)
print(k.grad)
