# Writes group_norm_ref.json: PyTorch 2.15's group_norm forward and gradients,
# as bit patterns, for runtime/tests/group_norm_reference.rs. The inputs are
# exact formulas of the index (no generator), which the test recomputes.
# The results do not depend on the number of threads (each (sample, group)
# and each plane is one thread's; the weight and bias sums are sequential).
import json
import numpy as np
import torch


def inputs(shape, dtype):
    numel = int(np.prod(shape))
    i = np.arange(numel, dtype=np.int64)
    x = ((i * 7919) % 1009) / 97.0 - 5.0
    g = ((i * 104729) % 1013) / 211.0 - 2.4
    j = np.arange(shape[1], dtype=np.int64)
    w = ((j * 31) % 17) / 8.0 - 0.9
    b = ((j * 13) % 11) / 4.0 - 1.3
    t = lambda a, s: torch.tensor(a, dtype=torch.float64).to(dtype).reshape(s)
    return t(x, shape), t(g, shape), t(w, (shape[1],)), t(b, (shape[1],))


def bits(t):
    a = t.detach().contiguous().numpy()
    view = np.uint32 if a.dtype == np.float32 else np.uint64
    return [format(int(v), "x") for v in a.reshape(-1).view(view)]


# (shape, groups): planes shorter than a vector, with a partial last vector and
# of whole vectors; groups of fewer channels than a vector, with channels past
# the last whole vector (one half vector or more) and of whole vectors; rows
# long enough for the moments' cascade.
SHAPES = [
    ((2, 6, 5, 3), 3),
    ((3, 16, 7), 4),
    ((2, 8, 9, 9), 2),
    ((4, 24, 11), 3),
    ((2, 32, 4, 4), 8),
    ((5, 6), 2),
    ((2, 12, 5), 2),
    ((3, 14, 3), 2),
    ((2, 10, 9), 2),
    ((2, 12, 6), 1),
    ((2, 13, 3), 1),
    ((3, 15, 17), 1),
    ((2, 7, 9), 1),
    ((2, 2, 35, 30), 1),
]

cases = []
for dtype in (torch.float32, torch.float64):
    for shape, groups in SHAPES:
        for mode in (("none", "weight", "bias", "both") if np.prod(shape) < 1000 else ("both",)):
            x, g, w, b = inputs(shape, dtype)
            x.requires_grad_()
            w = w.requires_grad_() if mode in ("weight", "both") else None
            b = b.requires_grad_() if mode in ("bias", "both") else None
            y = torch.nn.functional.group_norm(x, groups, w, b, 1e-5)
            wrt = [x] + [p for p in (w, b) if p is not None]
            grads = torch.autograd.grad(y, wrt, g)
            case = {"dtype": str(dtype)[6:], "shape": list(shape), "groups": groups, "mode": mode, "y": bits(y), "dx": bits(grads[0])}
            k = 1
            if w is not None:
                case["dw"] = bits(grads[k])
                k += 1
            if b is not None:
                case["db"] = bits(grads[k])
            cases.append(case)

with open("group_norm_ref.json", "w") as f:
    json.dump({"torch": torch.__version__, "eps": 1e-5, "cases": cases}, f, separators=(",", ":"))
