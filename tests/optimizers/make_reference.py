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


def to_python(src):
    src = src.replace("true", "True").replace("false", "False")
    src = re.sub(r"\b(manual_seed|randn)\(", r"torch.\1(", src)
    src = src.replace("dtype=f64", "dtype=torch.float64")
    src = re.sub(r"\b(SGD|AdamW|Adam)\(", r"torch.optim.\1(", src)
    return src


for path in sorted(HERE.glob("*.act")):
    scope = {"torch": torch}
    exec(to_python(path.read_text()), scope)
    for p in "wbvu":
        np.save(HERE / f"{path.stem}.{p}.npy", scope[f"{p}_final"].detach().numpy())
