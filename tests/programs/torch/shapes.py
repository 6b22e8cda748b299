# Tensors of any rank: a small attention-like computation on a batch of
# sequences, written with batched matmul, permute, view, cat, stack, split and
# subscripts, then a backward through all of them.
#
# Shapes are checked at compile time: `graphc check` reports a mismatch before
# anything runs. Tensors of more than 1000 elements print summarized, as PyTorch
# prints them.
import torch
torch.manual_seed(0)
batch = 2
tokens = 3
dim = 4
x = torch.randn(batch, tokens, dim, requires_grad=True)      # [2, 3, 4]
wq = torch.randn(dim, dim, requires_grad=True)
wk = torch.randn(dim, dim, requires_grad=True)
print(x)

q = x @ wq                       # [2, 3, 4] @ [4, 4]: one folded product
k = x @ wk
scores = q @ k.mT / 2.0          # batched: [2, 3, 4] @ [2, 4, 3] -> [2, 3, 3]
print(scores)

heads = q.view(batch, tokens, 2, 2).permute(0, 2, 1, 3)  # [2, 2, 3, 2]
print(heads)
merged = heads.transpose(1, 2).reshape(batch, tokens, dim)   # the two reorderings cancel: a view again
print(merged)

first = x[:, 0]                  # [2, 4]: the first token of each sequence
rest = x[:, 1:]                  # [2, 2, 4]
every_other = x[..., ::2]        # [2, 3, 2]
print(first)
print(every_other)

pieces = scores.split(1, -1)     # three [2, 3, 1] columns
joined = torch.cat([pieces[2], pieces[0]], -1)
stacked = torch.stack([first, rest.sum(1)], 1)   # [2, 2, 4]
print(joined)
print(stacked)

loss = scores.sum() + (merged * x).sum() + (joined ** 2).mean() + (stacked[:, None] * rest[:, :, None]).sum()
loss.backward()
print(x.grad)
print(wq.grad)

big = torch.arange(1500.0).reshape(3, 5, 10, 10) / 7
print(big)
