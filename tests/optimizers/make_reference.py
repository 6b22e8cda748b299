"""Runs each optimizer program of this folder in PyTorch and saves its final
parameters as <name>.<param>.npy, the reference tests/optimizers.rs compares
graphc's with, bit for bit. Run with PyTorch 2.15:
    ~/peers/bin/python tests/optimizers/make_reference.py
Each .act file is Python once `true`/`false` are capitalised, the builtins get
their `torch.` prefix (`f64` is `torch.float64`) and the optimizer its `torch.optim.` prefix."""
import pathlib
import re

import numpy as np
import torch

HERE = pathlib.Path(__file__).parent

# MKL's square root, which PyTorch's `sqrt` runs, is not correctly rounded, and
# how often it is off depends on the CPU (1 ulp in 429 of 100,000 f32 values on
# the Intel machine of docs/NUMERICS.md, in 155,590 of 1,000,000 on an AMD EPYC
# of the Zen 3 family). graphc's square root is IEEE's, so the references are
# made with IEEE's too: every square root an optimizer takes is NumPy's.
torch.Tensor.sqrt = lambda t: torch.from_numpy(np.sqrt(t.detach().numpy()))
torch.Tensor.sqrt_ = lambda t: t.copy_(torch.from_numpy(np.sqrt(t.detach().numpy())))


def to_python(src):
    src = src.replace("true", "True").replace("false", "False")
    src = re.sub(r"\b(manual_seed|randn)\(", r"torch.\1(", src)
    src = src.replace("dtype=f64", "dtype=torch.float64")
    src = re.sub(r"\b(SGD|AdamW|Adamax|Adam|RMSprop|Adagrad|Adadelta|NAdam|RAdam|ASGD|Rprop)\(", r"torch.optim.\1(", src)
    return src


for path in sorted(HERE.glob("*.act")):
    scope = {"torch": torch}
    exec(to_python(path.read_text()), scope)
    for p in "wbvu":
        np.save(HERE / f"{path.stem}.{p}.npy", scope[f"{p}_final"].detach().numpy())
