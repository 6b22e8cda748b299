# The PyTorch program that examples/mask_index.act mirrors, line for line:
# stores through a boolean mask beside other index items, whose shape stays
# static, and index tensors computed with negative entries, which count from
# the end.
import torch
torch.manual_seed(0)
# Detections: x, y, w, h and a score per row; rows with a negative score get
# score 0 and their box moved to the origin.
boxes = torch.randn(4, 5)
low = boxes[:, 4] < 0
print(low)
boxes[low, 4] = 0.0
boxes[low, :2] = torch.tensor([0.0, 0.0])
print(boxes)
# Attention scores of 2 heads: padded keys are masked in every head and query.
scores = torch.randn(2, 3, 4)
pad = torch.tensor([False, True, False, True])
scores[:, :, pad] = -1e9
print(scores.softmax(dim=-1))
# Gradients through a masked update and a masked store of a broadcast row.
w = torch.ones(3, 4, requires_grad=True)
v = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
keep = torch.tensor([True, False, True])
y = w * 2
y[keep, 1:] += v * v
print(y)
y[1, torch.tensor([True, False, False, True])] = torch.tensor(-1.0)
print(y)
(y * torch.arange(12.0).reshape(3, 4)).sum().backward()
print(w.grad)
print(v.grad)
# Computed indices with negative entries count from the end.
x = torch.arange(12.0).reshape(3, 4)
last = torch.tensor([3, 0, 2]) - 4
print(last)
print(x[torch.arange(3), last])
print(x[last[1:] + 1])
x[torch.arange(3), last] = -x[torch.arange(3), last]
print(x)
x.index_put_((last[:2] + 2, last[:2]), torch.tensor(100.0), accumulate=True)
print(x)
