#!/usr/bin/env python3
"""Writes the inputs of digits_step.act as .npy files into DIR (default /tmp/digits_step):
x and labels are the first 1500 digits when ../../shared/data has them, else
stand-ins of the same shapes and ranges (pixels 0..16, classes 0..9), seeded; the
parameters are train_digits.py's initial ones (torch.manual_seed(0)).
Usage: digits_inputs.py [DIR]; run it with ~/peers/bin/python."""
import os, sys
import numpy as np, torch

out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/digits_step"
os.makedirs(out, exist_ok=True)
data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data")
if os.path.exists(os.path.join(data, "digits_x.npy")):
    x = np.load(os.path.join(data, "digits_x.npy"))[:1500].astype(np.float32)
    labels = np.load(os.path.join(data, "digits_labels.npy"))[:1500].astype(np.int64)
else:
    rng = np.random.default_rng(0)
    x = (rng.integers(0, 17, size=(1500, 64)) / 16.0).astype(np.float32)
    labels = rng.integers(0, 10, size=1500).astype(np.int64)
torch.manual_seed(0)
params = {"w1": torch.randn(64, 32) * 0.1, "b1": torch.zeros(32), "w2": torch.randn(32, 10) * 0.1, "b2": torch.zeros(10)}
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "labels.npy"), labels)
for name, p in params.items():
    np.save(os.path.join(out, name + ".npy"), p.numpy())
print(" ".join(f"--input {n}={os.path.join(out, n)}.npy" for n in ["x", "labels", "w1", "b1", "w2", "b2"]))
