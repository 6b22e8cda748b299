# Python values at run time: `.item()`, printing floats as Python does,
# f-strings with format specs, and arithmetic, comparisons and builtins on
# numbers known only when the program runs. examples/host_values.act is the
# same program in .act; this is its reference output under PyTorch 2.15.
import math
from math import pi, e, inf, nan, sqrt, exp, floor, ceil
import torch

torch.manual_seed(0)
w = torch.randn(4, requires_grad=True)
x = torch.randn(8, 4)
y = torch.randn(8)

# One gradient step, with the loss before and after as Python floats.
# (The product is written as a sum, whose order matches PyTorch's to the last
# bit; a matrix-vector product can differ in the last bit of the f32 loss.)
loss = (((x * w).sum(dim=1) - y) ** 2).mean()
loss.backward()
before = loss.item()
w2 = w.detach() - 0.1 * w.grad
after = (((x * w2).sum(dim=1) - y) ** 2).mean().item()
print(before)
print(after)
print(f"loss {before:.4f} -> {after:.4f} ({(after - before) / before:+.2%})")
print(f"{before:10.3e}|{after:<12.6g}|{after:^14.5f}|{before:*>12,.2f}")

# Python's arithmetic on run-time numbers.
step = int(before * 100)
print(step, step // 7, step % 7, -step // 7, -step % 7, step / 4, step ** 2)
print(before // 0.3, before % 0.3, -before % 0.3, round(before), round(after * 10))
print(before > after, before == after, not before > after, after < 1 and before > 0)
print(max(before, after), min(before, after, 0.5), abs(after - before))
print(f"{step:5d}|{step:<5d}|{step:^7d}|{step:+d}|{step:#x}|{step:08b}|{step:,}")
print(f"{step * 1000000:,}|{step * 1000000:_d}|{-step:=8d}|{step:e}")
print(float(step), int(after * 1000), bool(step), bool(step - step))

# Constants, and the values printed with `print` as Python prints them; a fn reads
# the constants too.
def area(r):
    return pi * r ** 2
print(pi, e, inf, -inf, nan)
print(f"{pi:.10f} {e:.3g} {inf:f} {nan:+} {1e-05} {1e16} {0.1 + 0.2}")
print(sqrt(before), exp(after) - 1, floor(before * 3), ceil(after))
print(area(2), area(after), f"{area(0.5):.6f}")

# A run-time number meeting a tensor is a wrapped number.
scale = after / before
print(w2 * scale)
print(w2 - after, after - w2)
print(x[0] > after)

# Tensors, lists and strings inside f-strings.
name = "digits"
print(f"{name!r} {name:>8} {name:.3} {[1, 2.5]} {w2}")
print(f"{loss} {loss:.3f} {x.shape[0]} {len(x)} {{literal}}")
