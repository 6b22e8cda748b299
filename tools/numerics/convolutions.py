"""Measures graphc's convolutions against PyTorch 2.15's on this machine
(docs/NUMERICS.md, "Convolutions"): for each case, `F.conv2d` forward and its
input and weight gradients in f32 (oneDNN) and f64 (PyTorch's slow_conv2d with
MKL's products), against `graphc run --exact` of the same program on the same
inputs, printing how many elements are identical and the largest difference
relative to max(1, |PyTorch's value|).

Run from a scratch directory: `~/peers/bin/python tools/numerics/convolutions.py
[path/to/graphc]` (it writes its .npy and .act files there).
"""
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F

graphc = sys.argv[1] if len(sys.argv) > 1 else "graphc"
torch.set_num_threads(1)
cases = [  # (N, C, H, W, O, k, stride, pad, dil, groups)
  (10, 3, 7, 7, 5, 3, 1, 0, 1, 1),
  (250, 1, 8, 8, 32, 3, 1, 0, 1, 1),
  (250, 32, 6, 6, 64, 3, 1, 0, 1, 1),
  (8, 16, 28, 28, 32, 5, 2, 2, 1, 1),
  (4, 8, 15, 15, 8, 3, 1, 2, 2, 4),
]
res = []
for dt in (np.float32, np.float64):
  for k, (n, c, h, w, o, ks, s, p, d, g) in enumerate(cases):
    rng = np.random.default_rng(k)
    x = rng.standard_normal((n, c, h, w)).astype(dt); wt = rng.standard_normal((o, c // g, ks, ks)).astype(dt)
    np.save("x.npy", x); np.save("w.npy", wt)
    X = torch.from_numpy(x).requires_grad_(); W = torch.from_numpy(wt).requires_grad_()
    y = F.conv2d(X, W, stride=s, padding=p, dilation=d, groups=g)
    gy = torch.from_numpy(rng.standard_normal(tuple(y.shape)).astype(dt))
    np.save("g.npy", gy.numpy())
    y.backward(gy)
    act = f'''x = load("x.npy")
w = load("w.npy")
gy = load("g.npy")
x.requires_grad_()
w.requires_grad_()
y = conv2d(x, w, stride={s}, padding={p}, dilation={d}, groups={g})
y.backward(gy)
save(y, "y_g.npy")
save(x.grad, "dx_g.npy")
save(w.grad, "dw_g.npy")
'''
    open("c.act", "w").write(act)
    subprocess.run([graphc, "run", "--exact", "c.act"], check=True)
    row = [np.dtype(dt).name, (n, c, h, w, o, ks, s, p, d, g)]
    for name, t in (("y", y), ("dx", X.grad), ("dw", W.grad)):
      a = np.load(f"{name}_g.npy"); b = t.detach().numpy()
      same = int((a == b).sum()); rel = float((np.abs(a - b) / np.maximum(1, np.abs(b))).max())
      row.append(f"{name}: {same}/{b.size} same, max rel {rel:.1e}")
    print(row)
