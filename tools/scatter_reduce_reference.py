"""Writes compiler/tests/data/scatter_reduce_reference.json: PyTorch's values of
scatter_reduce and its gradients, in f64, for every reduction with and without
include_self, which compiler/tests/scatter_reduce_reference.rs compares bit for
bit with graphc's.

Run with PyTorch 2.15 (CPU): ~/peers/bin/python tools/scatter_reduce_reference.py
The inputs have three decimals, so the .act literals parse to the same f64s; the
index repeats positions many times, so sums and means round in PyTorch's order;
the sources hold zeros (one and two at a position) and ties.
"""
import json
import pathlib

import torch

torch.manual_seed(7)
OUT = pathlib.Path(__file__).resolve().parent.parent / "compiler/tests/data/scatter_reduce_reference.json"


def three_decimals(*shape):
    return (torch.randn(*shape, dtype=torch.float64) * 1000).round() / 1000


cases = []
x = three_decimals(3, 5)
s = three_decimals(6, 5)
s[1, 0] = 0.0
s[2, 1] = 0.0
s[4, 1] = 0.0
s[3, 2] = s[0, 2]
x[1, 3] = 0.0
index = torch.randint(0, 3, (6, 5))
index[3, 2] = index[0, 2]
w = three_decimals(3, 5)
for dim, idx, src in [(0, index, s), (1, (index[:3, :4] * 2 + 1) % 5, s[:3, :4])]:
    for reduce in ["sum", "prod", "mean", "amax", "amin"]:
        for include_self in [True, False]:
            xl = x.clone().requires_grad_()
            sl = src.clone().requires_grad_()
            y = torch.scatter_reduce(xl, dim, idx, sl, reduce, include_self=include_self)
            (y * w).sum().backward()
            cases.append({
                "x": x.tolist(),
                "dim": dim,
                "index": idx.tolist(),
                "src": src.tolist(),
                "w": w.tolist(),
                "reduce": reduce,
                "include_self": include_self,
                "result": y.detach().flatten().tolist(),
                "x_grad": xl.grad.flatten().tolist(),
                "src_grad": sl.grad.flatten().tolist(),
            })
lines = ",\n".join(json.dumps(c) for c in cases)
OUT.write_text(f'{{"torch": "{torch.__version__}", "cases": [\n{lines}\n]}}\n')
print(f"{len(cases)} cases written to {OUT}")
