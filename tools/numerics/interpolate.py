"""Measures graphc's linear interpolation against PyTorch 2.15's on this
machine (docs/NUMERICS.md, "Interpolation"): `F.interpolate` with modes
"linear", "bilinear" and "trilinear" on random shapes (outputs of both of
ATen's 2-D kernels, channel counts on both sides of its vector width),
sizes and scale factors, both `align_corners`, f32 and f64, forward and
input gradient, against `graphc run --exact` of the same program on the
same inputs: identical elements of each, and the cases with any difference.

Run from a scratch directory: `~/peers/bin/python tools/numerics/interpolate.py
path/to/graphc` (it writes its .npy and .act files there).
"""
import random
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F

graphc = sys.argv[1] if len(sys.argv) > 1 else "graphc"
modes = {1: "linear", 2: "bilinear", 3: "trilinear"}
rng = random.Random(1)
totals = {"y": [0, 0], "dx": [0, 0]}
differing = []
for case in range(80):
    spatial = rng.choice([1, 2, 2, 2, 3])
    channels = rng.choice([1, 2, 3, 5, 8, 11, 16, 19])
    ins = [rng.randint(1, 9) for _ in range(spatial)]
    dt = rng.choice([np.float32, np.float64])
    align = rng.random() < 0.4
    if rng.random() < 0.5:
        outs = [rng.randint(1, 70 if spatial == 2 else 12) for _ in range(spatial)]
        how, act_how = dict(size=outs), f"size={tuple(outs)}"
    else:
        factors = [rng.choice([0.5, 1.5, 2.0, 2.5, 3.3, 7.0]) for _ in range(spatial)]
        if min(int(i * f) for i, f in zip(ins, factors)) < 1:
            continue
        how, act_how = dict(scale_factor=factors), f"scale_factor={tuple(factors)}"
    x = np.random.default_rng(case).standard_normal([rng.randint(1, 2), channels] + ins).astype(dt)
    X = torch.from_numpy(x).requires_grad_()
    y = F.interpolate(X, mode=modes[spatial], align_corners=align, **how)
    g = np.random.default_rng(1000 + case).standard_normal(tuple(y.shape)).astype(dt)
    y.backward(torch.from_numpy(g))
    np.save("x.npy", x)
    np.save("g.npy", g)
    act = f'interpolate(x, {act_how}, mode="{modes[spatial]}", align_corners={str(align).lower()})'
    open("c.act", "w").write(f'''x = load("x.npy")
g = load("g.npy")
x.requires_grad_()
y = {act}
y.backward(g)
save(y, "y_g.npy")
save(x.grad, "dx_g.npy")
''')
    subprocess.run([graphc, "run", "--exact", "c.act"], check=True, stdout=subprocess.DEVNULL)
    for name, t in (("y", y), ("dx", X.grad)):
        a, b = np.load(f"{name}_g.npy"), t.detach().numpy()
        same = int((a == b).sum())
        totals[name][0] += same
        totals[name][1] += b.size
        if same != b.size:
            differing.append(f"{np.dtype(dt).name} {list(x.shape)} {act}: {name} {same}/{b.size}")
for name, (same, count) in totals.items():
    print(f"{name}: {same}/{count} elements identical")
print("\n".join(differing) if differing else "no case differs")
