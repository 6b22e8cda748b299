# Writes layer_norm_ref.json: PyTorch 2.15's layer_norm forward and gradients,
# as bit patterns, for runtime/tests/layer_norm_reference.rs. The inputs are
# exact formulas of the index (no generator), which the test recomputes.
# Run with one thread: graphc follows PyTorch's one-thread order for the
# weight and bias gradients (more threads sum each thread's rows apart).
import json
import numpy as np
import torch

torch.set_num_threads(1)


def inputs(rows, n, dtype):
    i = np.arange(rows * n, dtype=np.int64)
    x = ((i * 7919) % 1009) / 97.0 - 5.0
    g = ((i * 104729) % 1013) / 211.0 - 2.4
    j = np.arange(n, dtype=np.int64)
    w = ((j * 31) % 17) / 8.0 - 0.9
    b = ((j * 13) % 11) / 4.0 - 1.3
    t = lambda a, shape: torch.tensor(a, dtype=torch.float64).to(dtype).reshape(shape)
    return t(x, (rows, n)), t(g, (rows, n)), t(w, (n,)), t(b, (n,))


def bits(t):
    a = t.detach().contiguous().numpy()
    view = np.uint32 if a.dtype == np.float32 else np.uint64
    return [format(int(v), "x") for v in a.reshape(-1).view(view)]


cases = []
for dtype in (torch.float32, torch.float64):
    for n in (1, 3, 7, 8, 9, 16, 17, 31, 33, 100, 257, 1000, 2100):
        modes = ("none", "weight", "bias", "both") if n <= 257 else ("both",)
        for mode in modes:
            x, g, w, b = inputs(2, n, dtype)
            x.requires_grad_()
            w = w.requires_grad_() if mode in ("weight", "both") else None
            b = b.requires_grad_() if mode in ("bias", "both") else None
            y = torch.nn.functional.layer_norm(x, (n,), w, b, 1e-5)
            wrt = [x] + [p for p in (w, b) if p is not None]
            grads = torch.autograd.grad(y, wrt, g)
            case = {"dtype": str(dtype)[6:], "n": n, "mode": mode, "y": bits(y), "dx": bits(grads[0])}
            k = 1
            if w is not None:
                case["dw"] = bits(grads[k])
                k += 1
            if b is not None:
                case["db"] = bits(grads[k])
            cases.append(case)

with open("layer_norm_ref.json", "w") as f:
    json.dump({"torch": torch.__version__, "rows": 2, "eps": 1e-5, "cases": cases}, f, separators=(",", ":"))
