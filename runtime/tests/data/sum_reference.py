"""Writes sum_reference.json: inputs and real PyTorch outputs for `sum` and `mean`.

Run with the project's PyTorch (2.15, CPU):  python sum_reference.py > sum_reference.json
Every number in the JSON is `repr` of a Python float, so it is exact. Inputs are
stored once, as float64; the float32 cases use the same values rounded to float32
(`.float()`, round to nearest), which the Rust test reproduces with `as f32`.
PyTorch runs with one thread, because above 32768 elements (GRAIN_SIZE) a
multi-threaded full reduction is split into per-thread chunks; graphc reproduces
the single-threaded order. The grouping also depends on the SIMD width, so the
script refuses to run unless PyTorch dispatches to its AVX2 kernels.
"""
import json
import sys

import torch

torch.set_num_threads(1)
cap = torch.backends.cpu.get_cpu_capability()
if cap != "AVX2":
    sys.exit(f"expected PyTorch's AVX2 kernels, got {cap}: the lane counts would differ")

g = torch.Generator().manual_seed(20240615)


def values(n):
    # Mixed magnitudes make the rounding of each addition visible, so a wrong
    # grouping changes the last bits.
    x = torch.randn(n, dtype=torch.float64, generator=g)
    scale = torch.exp(2.0 * torch.randn(n, dtype=torch.float64, generator=g))
    return x * scale


def results(x):
    out = {"sum": x.sum().item(), "mean": x.mean().item(), "dims": []}
    for d in range(x.dim()):
        out["dims"].append({
            "sum": x.sum(dim=d).flatten().tolist(),
            "mean": x.mean(dim=d).flatten().tolist(),
        })
    return out


def multi(x, dims_list):
    return [{"dims": list(ds), "sum": x.sum(dim=ds, keepdim=True).flatten().tolist()}
            for ds in dims_list]


cases = []
shapes = [[n] for n in list(range(1, 71)) + [100, 1000, 5000, 32768]]
shapes += [[3, 5], [5, 3], [17, 9], [9, 33], [4, 100], [100, 4], [2, 3, 4],
           [7, 70], [33, 40], [5, 8, 37], [6, 17, 5], [3, 1, 5], [64, 20], [20, 64]]
for shape in shapes:
    n = 1
    for s in shape:
        n *= s
    x64 = values(n).reshape(shape)
    x32 = x64.float()
    case = {"shape": shape, "x": x64.flatten().tolist(),
            "f64": results(x64), "f32": results(x32)}
    if len(shape) == 3:
        ds = [(0, 1), (0, 2), (1, 2), (0, 1, 2)]
        case["f64"]["multi"] = multi(x64, ds)
        case["f32"]["multi"] = multi(x32, ds)
    cases.append(case)

# A sum of negative zeros is +0.0, because the output starts at +0.0 and the
# kernel adds its result to it.
z = torch.tensor([-0.0, -0.0, -0.0], dtype=torch.float64)
cases.append({"shape": [3], "x": z.tolist(), "f64": results(z), "f32": results(z.float())})

json.dump({"torch": torch.__version__, "capability": cap, "cases": cases},
          sys.stdout, separators=(",", ":"))
