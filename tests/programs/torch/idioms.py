# The PyTorch program that examples/idioms.act mirrors: shape queries used as
# numbers, tuples of results, and integer tensors through the shape ops.
import torch

torch.manual_seed(0)
x = torch.randn(2, 3, 4)
print(x.shape[0], x.shape[-1], x.shape[1:])
n, d = x.shape[0], x.shape[-1]
if x.dim() == 3 and d > 2:
    print("batch of", n, "sequences of width", d)
var, mean = torch.var_mean(x, dim=-1, keepdim=True)
print(var.shape, mean.shape)
print(((x - mean) / torch.sqrt(var + 1e-5)).sum(dim=-1))
labels = torch.tensor([[0, 2, 1], [1, 1, 0]])
print(labels.permute(1, 0))
print(torch.cat([labels, labels + 3], dim=1))
print(labels[1, 1:], labels[:, 0])
print((labels == 1).sum(), (labels > 0).sum(dim=1))
counts = torch.tensor([[[1, 2]], [[3, 4]]]) @ torch.tensor([[1], [2]])
print(counts)
print(counts.reshape(-1).float() / d)
