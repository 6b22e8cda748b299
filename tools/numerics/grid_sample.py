"""Measures graphc's `grid_sample` and `affine_grid` against PyTorch 2.15's
on this machine (docs/NUMERICS.md, "Grid sampling"): random inputs of 1 to
19 channels and 1x1 to 12x12 pixels read at random grids (positions inside,
on and beyond the image's edges, sparse and dense, so that many positions
share a pixel), both modes, all three padding modes, both `align_corners`,
f32 and f64: the output and the input's and the grid's gradients, against
`graphc run --exact` of the same program on the same inputs; then
`affine_grid`'s grid and its gradient for theta on 1x1 to 40x40 sizes.
Prints the identical elements of each, the worst relative difference where
some differ, and the cases with any difference.

Run from a scratch directory: `~/peers/bin/python tools/numerics/grid_sample.py
path/to/graphc` (it writes its .npy and .act files there).
"""
import random
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F

graphc = sys.argv[1] if len(sys.argv) > 1 else "graphc"
rng = random.Random(2)
totals = {}
worst = {}
differing = []


def compare(name, ours, theirs, what):
    same = int((ours == theirs).sum())
    t = totals.setdefault(name, [0, 0])
    t[0] += same
    t[1] += theirs.size
    if same != theirs.size:
        differing.append(f"{what}: {name} {same}/{theirs.size}")
        rel = np.abs(ours - theirs) / np.maximum(np.abs(theirs), np.finfo(theirs.dtype).tiny)
        key = f"{name} {theirs.dtype}"
        worst[key] = max(worst.get(key, 0.0), float(rel.max()))


for case in range(120):
    dt = rng.choice([np.float32, np.float64])
    n, c = rng.randint(1, 2), rng.choice([1, 2, 3, 5, 8, 19])
    h, w = rng.randint(1, 12), rng.randint(1, 12)
    ho, wo = rng.randint(1, 16), rng.randint(1, 16)
    mode = rng.choice(["bilinear", "bilinear", "nearest"])
    padding = rng.choice(["zeros", "border", "reflection"])
    align = rng.random() < 0.5
    spread = rng.choice([0.5, 1.0, 1.3, 3.0])
    r = np.random.default_rng(case)
    x = r.standard_normal([n, c, h, w]).astype(dt)
    grid = ((r.random([n, ho, wo, 2]) * 2 - 1) * spread).astype(dt)
    if rng.random() < 0.3:
        # Positions exactly on pixel centres and edges, where floors and rounding tie.
        grid = (np.round(grid * 4) / 4).astype(dt)
    X = torch.from_numpy(x).requires_grad_()
    G = torch.from_numpy(grid).requires_grad_()
    y = F.grid_sample(X, G, mode=mode, padding_mode=padding, align_corners=align)
    g = r.standard_normal(tuple(y.shape)).astype(dt)
    y.backward(torch.from_numpy(g))
    for name, a in (("x", x), ("grid", grid), ("g", g)):
        np.save(f"{name}.npy", a)
    call = f'grid_sample(x, grid, mode="{mode}", padding_mode="{padding}", align_corners={str(align).lower()})'
    open("c.act", "w").write(f'''x = load("x.npy")
grid = load("grid.npy")
g = load("g.npy")
x.requires_grad_()
grid.requires_grad_()
y = {call}
y.backward(g)
save(y, "y_g.npy")
save(x.grad, "dx_g.npy")
save(grid.grad, "dgrid_g.npy")
''')
    subprocess.run([graphc, "run", "--exact", "c.act"], check=True, stdout=subprocess.DEVNULL)
    what = f"{np.dtype(dt).name} {list(x.shape)} grid {list(grid.shape)} {call}"
    for name, t in (("y", y), ("dx", X.grad), ("dgrid", G.grad)):
        compare(name, np.load(f"{name}_g.npy"), t.detach().numpy(), what)

for case in range(30):
    dt = rng.choice([np.float32, np.float64])
    n, h, w = rng.randint(1, 3), rng.randint(1, 40), rng.randint(1, 40)
    align = rng.random() < 0.5
    r = np.random.default_rng(500 + case)
    theta = r.standard_normal([n, 2, 3]).astype(dt)
    T = torch.from_numpy(theta).requires_grad_()
    grid = F.affine_grid(T, [n, 1, h, w], align_corners=align)
    g = r.standard_normal(tuple(grid.shape)).astype(dt)
    grid.backward(torch.from_numpy(g))
    np.save("theta.npy", theta)
    np.save("g.npy", g)
    call = f"affine_grid(theta, [{n}, 1, {h}, {w}], align_corners={str(align).lower()})"
    open("c.act", "w").write(f'''theta = load("theta.npy")
g = load("g.npy")
theta.requires_grad_()
grid = {call}
grid.backward(g)
save(grid, "grid_g.npy")
save(theta.grad, "dtheta_g.npy")
''')
    subprocess.run([graphc, "run", "--exact", "c.act"], check=True, stdout=subprocess.DEVNULL)
    what = f"{np.dtype(dt).name} {call}"
    compare("affine_grid", np.load("grid_g.npy"), grid.detach().numpy(), what)
    compare("affine_grid dtheta", np.load("dtheta_g.npy"), T.grad.numpy(), what)

for name, (same, count) in totals.items():
    print(f"{name}: {same}/{count} elements identical")
for key, rel in worst.items():
    print(f"{key}: worst relative difference {rel:.2e}")
print("\n".join(differing) if differing else "no case differs")
