# Measures graphc's logsigmoid and its gradient against PyTorch's, bit for bit
# (docs/NUMERICS.md, "Elementwise ops"): 100,000 f32 and f64 inputs (normal
# and uniform values, both zeros, infinities, NaN, exp's edges), PyTorch's
# output and x.grad for a random seed, then graphc's from the same .npy files.
# Run from the repository root with the release build: python3 tools/numerics/log_sigmoid.py
import os
import subprocess
import tempfile

import numpy as np
import torch

torch.manual_seed(1)
x = torch.cat([torch.randn(50000) * 8, (torch.rand(49990) - 0.5) * 200,
               torch.tensor([0.0, -0.0, float("inf"), -float("inf"), float("nan"), 1e-30, -1e-30, 88.7, -88.7, 104.0])])
g = torch.randn(100000)
work = tempfile.mkdtemp()
program = ""
for dt, s in [(torch.float32, "32"), (torch.float64, "64")]:
    np.save(os.path.join(work, f"x{s}.npy"), x.to(dt).numpy())
    np.save(os.path.join(work, f"g{s}.npy"), g.to(dt).numpy())
    xx = x.to(dt).clone().requires_grad_()
    y = torch.nn.functional.logsigmoid(xx)
    (gx,) = torch.autograd.grad(y, xx, g.to(dt))
    np.save(os.path.join(work, f"ty{s}.npy"), y.detach().numpy())
    np.save(os.path.join(work, f"tg{s}.npy"), gx.numpy())
    program += (f'x{s} = load("x{s}.npy").requires_grad_()\ny{s} = logsigmoid(x{s})\ny{s}.backward(load("g{s}.npy"))\n'
                f'save(y{s}.detach(), "gy{s}.npy")\nsave(x{s}.grad, "gg{s}.npy")\n')
with open(os.path.join(work, "p.act"), "w") as f:
    f.write(program)
subprocess.run(["target/release/graphc", "run", os.path.join(work, "p.act")], check=True)
for s, view in [("32", np.uint32), ("64", np.uint64)]:
    for torch_name, graphc_name, what in [("ty", "gy", "logsigmoid"), ("tg", "gg", "its gradient")]:
        t = np.load(os.path.join(work, f"{torch_name}{s}.npy")).view(view)
        r = np.load(os.path.join(work, f"{graphc_name}{s}.npy")).view(view)
        print(f"f{s} {what}: {(t == r).sum()} of {t.size} with PyTorch's bits")
