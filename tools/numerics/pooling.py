"""Measures graphc's average pooling against PyTorch 2.15's on this machine
(docs/NUMERICS.md, "Pooling"): `F.avg_pool2d` and `F.adaptive_avg_pool2d`
forward and input gradient, f32 and f64, against `graphc run --exact` of the
same program on the same inputs: identical elements and the largest
difference relative to max(1, |PyTorch's value|).

Run from a scratch directory: `~/peers/bin/python tools/numerics/pooling.py
path/to/graphc` (it writes its .npy and .act files there).
"""
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F

graphc = sys.argv[1] if len(sys.argv) > 1 else "graphc"
cases = [
    ("avg_pool2d(x, 2)", lambda x: F.avg_pool2d(x, 2)),
    ("avg_pool2d(x, 3, stride=2, padding=1)", lambda x: F.avg_pool2d(x, 3, stride=2, padding=1)),
    ("avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=true, count_include_pad=false)",
     lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
    ("adaptive_avg_pool2d(x, (5, 7))", lambda x: F.adaptive_avg_pool2d(x, (5, 7))),
    ("adaptive_avg_pool2d(x, 1)", lambda x: F.adaptive_avg_pool2d(x, 1)),
]
for dt in (np.float32, np.float64):
    for k, (act, torch_fn) in enumerate(cases):
        rng = np.random.default_rng(k)
        x = (rng.standard_normal((16, 8, 23, 29)) * 3).astype(dt)
        X = torch.from_numpy(x).requires_grad_()
        y = torch_fn(X)
        g = rng.standard_normal(tuple(y.shape)).astype(dt)
        y.backward(torch.from_numpy(g))
        np.save("x.npy", x)
        np.save("g.npy", g)
        open("c.act", "w").write(f'''x = load("x.npy")
g = load("g.npy")
x.requires_grad_()
y = {act}
y.backward(g)
save(y, "y_g.npy")
save(x.grad, "dx_g.npy")
''')
        subprocess.run([graphc, "run", "--exact", "c.act"], check=True)
        row = [np.dtype(dt).name, act]
        for name, t in (("y", y), ("dx", X.grad)):
            a = np.load(f"{name}_g.npy")
            b = t.detach().numpy()
            rel = float((np.abs(a - b) / np.maximum(1, np.abs(b))).max())
            row.append(f"{name} {int((a == b).sum())}/{b.size} {rel:.1e}")
        print(" | ".join(row))
