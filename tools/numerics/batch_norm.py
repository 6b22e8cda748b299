"""Measures graphc's `batch_norm` against PyTorch 2.15's on this machine
(docs/NUMERICS.md, "Batch norm"): for each case, `F.batch_norm` in training
(output, input/weight/bias gradients, running mean and variance updated in
place) and in evaluation, f32 and f64, against `graphc run --exact` of the
same program on the same inputs: identical elements and the largest
difference relative to max(1, |PyTorch's value|).

Run from a scratch directory: `~/peers/bin/python tools/numerics/batch_norm.py
path/to/graphc [threads]` (PyTorch's threads, 1 by default; it writes its .npy
and .act files there).
"""
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F

graphc = sys.argv[1]
torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
for dt in (np.float32, np.float64):
  for k, shape in enumerate([(8, 3, 5, 5), (250, 32, 6, 6), (64, 16), (300, 37), (4, 5, 11)]):
    rng = np.random.default_rng(k)
    x = (rng.standard_normal(shape) * 3 + 1).astype(dt); C = shape[1]
    w = (rng.random(C) + 0.5).astype(dt); b = rng.standard_normal(C).astype(dt)
    g = rng.standard_normal(shape).astype(dt)
    rm = rng.standard_normal(C).astype(dt); rv = (rng.random(C) + 0.5).astype(dt)
    for n, a in (("x", x), ("w", w), ("b", b), ("g", g), ("rm", rm), ("rv", rv)): np.save(f"{n}.npy", a)
    X = torch.from_numpy(x).requires_grad_(); W = torch.from_numpy(w).requires_grad_(); B = torch.from_numpy(b).requires_grad_()
    RM = torch.from_numpy(rm.copy()); RV = torch.from_numpy(rv.copy())
    y = F.batch_norm(X, RM, RV, W, B, training=True, momentum=0.1, eps=1e-5)
    y.backward(torch.from_numpy(g))
    e = F.batch_norm(X.detach(), RM, RV, W.detach(), B.detach(), training=False, eps=1e-5)
    open("c.act", "w").write('''x = load("x.npy")
w = load("w.npy")
b = load("b.npy")
g = load("g.npy")
rm = load("rm.npy")
rv = load("rv.npy")
x.requires_grad_()
w.requires_grad_()
b.requires_grad_()
y = batch_norm(x, rm, rv, w, b, training=true, momentum=0.1, eps=1e-5)
y.backward(g)
e = batch_norm(x.detach(), rm, rv, w.detach(), b.detach(), training=false, eps=1e-5)
save(y, "y_g.npy")
save(x.grad, "dx_g.npy")
save(w.grad, "dw_g.npy")
save(b.grad, "db_g.npy")
save(rm, "rm_g.npy")
save(rv, "rv_g.npy")
save(e, "e_g.npy")
''')
    subprocess.run([graphc, "run", "--exact", "c.act"], check=True)
    row = [np.dtype(dt).name, shape]
    for name, t in (("y", y), ("dx", X.grad), ("dw", W.grad), ("db", B.grad), ("rm", RM), ("rv", RV), ("e", e)):
      a = np.load(f"{name}_g.npy"); bb = t.detach().numpy()
      same = int((a == bb).sum()); rel = float((np.abs(a - bb) / np.maximum(1, np.abs(bb))).max())
      row.append(f"{name} {same}/{bb.size} {rel:.1e}")
    print(" ".join(str(r) for r in row))
