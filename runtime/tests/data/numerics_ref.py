"""Writes numerics_ref.json: compact PyTorch 2.15 reference data for
runtime/tests/numerics_ref.rs, so that CI checks graphc's agreement with
PyTorch (docs/NUMERICS.md) without PyTorch installed.

Run from this folder with the project's PyTorch: `~/peers/bin/python numerics_ref.py`.
Inputs are not stored: they come from the seeded generator of
tools/numerics/inputs.py, which the Rust test reproduces step for step. For
each case the file holds PyTorch's output over those inputs as an FNV-1a
64-bit digest of the little-endian bit patterns (for ops graphc must match bit
for bit) and every STRIDE-th output's bits (for the others, and to say which
element differs when a digest does not match).
"""

import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools", "numerics"))
from inputs import inputs  # noqa: E402

N = 100_000
STRIDE = 397
FNV_OFFSET, FNV_PRIME, MASK = 0xCBF29CE484222325, 0x100000001B3, (1 << 64) - 1


def fnv(a):
    h = FNV_OFFSET
    for b in a.tobytes():
        h = ((h ^ b) * FNV_PRIME) & MASK
    return f"{h:016x}"


def bits(a):
    width = 8 if a.dtype == np.float32 else 16
    u = a.view(np.uint32 if a.dtype == np.float32 else np.uint64)
    return [f"{int(v):0{width}x}" for v in u]


# Ops graphc computes bit for bit as PyTorch (open paths), then ops on MKL's
# closed paths, checked within 1 ulp: (name, torch function, lo, hi, seed,
# and for EXACT the dtypes graphc reproduces).
EXACT = [
    ("sigmoid", torch.sigmoid, -20.0, 20.0, 2001, ("f32", "f64")),
    ("exp2", torch.exp2, -140.0, 140.0, 2002, ("f32", "f64")),
    ("expm1", torch.expm1, -20.0, 20.0, 2003, ("f32", "f64")),
    ("log1p", torch.log1p, -1.0, 100.0, 2004, ("f32", "f64")),
    ("atanh", torch.atanh, -1.0, 1.0, 2005, ("f32", "f64")),
    ("sinh", torch.sinh, -10.0, 10.0, 2006, ("f32", "f64")),
    ("cosh", torch.cosh, -10.0, 10.0, 2007, ("f32", "f64")),
    ("mish", torch.nn.functional.mish, -20.0, 20.0, 2008, ("f32", "f64")),
    ("gelu_tanh", lambda x: torch.nn.functional.gelu(x, approximate="tanh"), -10.0, 10.0, 2009, ("f32", "f64")),
]
CLOSE = [
    ("exp", torch.exp, -100.0, 100.0, 1000),
    ("log", torch.log, 0.0, 1000.0, 1001),
    ("sin", torch.sin, -10.0, 10.0, 1002),
    ("cos", torch.cos, -10.0, 10.0, 1003),
    ("tan", torch.tan, -10.0, 10.0, 1004),
    ("tanh", torch.tanh, -10.0, 10.0, 1005),
    ("sqrt", torch.sqrt, 0.0, 1000.0, 1006),
    ("erfc", torch.erfc, -6.0, 30.0, 1007),
]
SIZES = [1, 7, 8, 15, 16, 17, 100, 1000, N]
RANDN_SEEDS = [0, 1, 42]


def main():
    # PyTorch splits tensors of more than 32768 elements among its threads, and
    # its vectorized kernels then take a scalar tail per thread; graphc
    # reproduces the one-thread split (docs/NUMERICS.md).
    torch.set_num_threads(1)
    out = {"torch": torch.__version__, "n": N, "stride": STRIDE, "exact": [], "close": [], "randn": []}
    for name, fn, lo, hi, seed, dtypes in EXACT:
        for dt in dtypes:
            for n in SIZES:
                x = inputs(seed, n, lo, hi, dt)
                y = fn(torch.from_numpy(x)).numpy()
                out["exact"].append({"op": name, "dtype": dt, "seed": seed, "lo": lo, "hi": hi, "n": n,
                                     "fnv": fnv(y), "sample": bits(y[::STRIDE])})
    for name, fn, lo, hi, seed in CLOSE:
        for dt in ("f32", "f64"):
            x = inputs(seed, N, lo, hi, dt)
            y = fn(torch.from_numpy(x)).numpy()
            out["close"].append({"op": name, "dtype": dt, "seed": seed, "lo": lo, "hi": hi, "n": N,
                                 "sample": bits(y[::STRIDE])})
    for seed in RANDN_SEEDS:
        for dt, tdt in (("f32", torch.float32), ("f64", torch.float64)):
            for n in SIZES:
                torch.manual_seed(seed)
                y = torch.randn(n, dtype=tdt).numpy()
                out["randn"].append({"seed": seed, "dtype": dt, "n": n, "fnv": fnv(y), "sample": bits(y[::STRIDE])})
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "numerics_ref.json"), "w") as f:
        json.dump(out, f, indent=0)
        f.write("\n")


if __name__ == "__main__":
    main()
