# Run-time `if` on a 0-d bool tensor (Python's `if tensor:`), with `elif` and `else`,
# inside a loop and at the top level.
import torch
torch.manual_seed(0)
x = torch.randn(4)
total = torch.zeros(4)
count = torch.tensor(0.0)
for step in range(6):
    r = torch.randn(4)
    if r.sum() > 0:
        total = total + r
        count = count + 1
        print("positive", r.sum())
    elif r.sum() < -1:
        total = total - r
        print("very negative")
    else:
        print("slightly negative")
print(total, count)
if x.sum() > 100:
    y = x * 2
else:
    y = x * 3
print(y)
