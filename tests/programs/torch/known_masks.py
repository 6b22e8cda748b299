# Masks whose values are known before the run, and the operator `~`, as PyTorch
# programs write them: graphc's examples/known_masks.act is this file line for line.
import torch

# `~` inverts a bool tensor elementwise, and an integer tensor bit by bit.
valid = torch.tensor([True, False, True, True])
print(~valid)
print(~torch.tensor([0, 5, -3]))
print(~5, ~-1)

# Python's float and int of strings.
print(float("nan"), float("-inf"), float("1e-3"), int("42"))

# A ratings matrix with unknown entries marked as NaN: the known ones are
# selected with a mask, the way masked losses are written.
R = torch.tensor([[5.0, 3.0, 0.0, 1.0],
                  [4.0, 0.0, 0.0, 1.0],
                  [1.0, 1.0, 0.0, 5.0]])
R[R == 0] = float("nan")
known = ~torch.isnan(R)
print(known)
print(R[known])
print(R[known].shape, known.sum())

# A mask over the columns only, and one after an ellipsis.
cols = torch.tensor([True, False, False, True])
print(R[:, cols])
print(R[..., cols].sum(dim=1))
# Masks combine with `&`, `|` and `^`, which bind tighter than comparisons.
low = (R > 0) & (R < 4)
print(low.sum(), R[low])
print((R < 2) | (R > 4))
print((R < 2) ^ known, True ^ False, 6 & 3, 6 | 3)
# `&=`, `|=` and `^=` update a mask in place: every name holding it sees it.
keep = known.clone()
alias = keep
keep &= R > 1
keep |= cols
keep ^= R == 5
flags = 6
flags ^= 3
print(alias, flags)
# A mask that selects nothing gives an empty tensor.
print(R[torch.zeros(3, 4, dtype=torch.bool)])

# Gradients flow to the selected elements only.
torch.manual_seed(0)
P = torch.randn(3, 4, requires_grad=True)
loss = ((P - R)[known] ** 2).mean()
loss.backward()
print(loss)
print(P.grad)

# The same mask read in a loop: the masked mean squared error, minimised.
with torch.no_grad():
    P.grad = None
for step in range(50):
    loss = ((P - R)[known] ** 2).mean()
    loss.backward()
    with torch.no_grad():
        P -= 0.5 * P.grad
        P.grad = None
    if step % 10 == 9:
        print(step + 1, loss.item())
print(torch.where(known, P, torch.zeros_like(P)))
