"""Measures, op by op and dtype by dtype, which implementation PyTorch's CPU
kernels agree with on this machine (docs/NUMERICS.md).

Needs PyTorch (`~/peers/bin/python measure.py`) and a C compiler: the SLEEF
functions linked into libtorch_cpu.so are called through a small shim
(`shim.c`, built into /tmp), and glibc's libm through ctypes. For each op it
prints how many of 100,000 seeded inputs (inputs.py) give PyTorch's bits with
each candidate, and the largest distance in ulps.
"""

import ctypes
import os
import subprocess
import sys

import numpy as np
import torch

from inputs import inputs

N = int(os.environ.get("N", "100000"))
# graphc reproduces PyTorch's one-thread split of large tensors (docs/NUMERICS.md).
torch.set_num_threads(int(os.environ.get("THREADS", "1")))
HERE = os.path.dirname(os.path.abspath(__file__))
TORCH_LIB = os.path.join(os.path.dirname(torch.__file__), "lib", "libtorch_cpu.so")
SHIM = "/tmp/graphc_numerics_shim.so"
if not os.path.exists(SHIM):
    subprocess.check_call(["gcc", "-O2", "-mavx512f", "-mfma", "-shared", "-fPIC", "-o", SHIM,
                           os.path.join(HERE, "shim.c")])
shim = ctypes.CDLL(SHIM)
tlib = ctypes.CDLL(TORCH_LIB)
libm = ctypes.CDLL("libm.so.6")


def sleef(name, x):
    """SLEEF's vector function `name` (e.g. "expf16_u10") over x."""
    fn = ctypes.cast(getattr(tlib, "Sleef_" + name), ctypes.c_void_p)
    out = np.empty_like(x)
    width = {"f16": "apply_f16", "d8": "apply_d8", "f8": "apply_f8", "d4": "apply_d4"}
    kind = next(k for k in width if k in name.split("_")[0][-3:] or name.split("_")[0].endswith(k))
    getattr(shim, width[kind])(fn, x.ctypes.data_as(ctypes.c_void_p), out.ctypes.data_as(ctypes.c_void_p),
                               ctypes.c_long(len(x)))
    return out


def glibc(name, x):
    """glibc's scalar `name` (float or double version by x's dtype)."""
    if x.dtype == np.float32:
        f = getattr(libm, name + "f")
        f.restype, f.argtypes = ctypes.c_float, [ctypes.c_float]
    else:
        f = getattr(libm, name)
        f.restype, f.argtypes = ctypes.c_double, [ctypes.c_double]
    return np.array([f(float(v)) for v in x], dtype=x.dtype)


def ulps(a, b):
    """Elementwise distance in ulps (0 for two NaNs, huge for NaN against a number)."""
    if a.dtype == np.float32:
        ia, ib = a.view(np.int32).astype(np.int64), b.view(np.int32).astype(np.int64)
        ia = np.where(ia < 0, -(ia & 0x7FFFFFFF), ia)
        ib = np.where(ib < 0, -(ib & 0x7FFFFFFF), ib)
        d = np.abs(ia - ib)
    else:
        ia, ib = a.view(np.int64), b.view(np.int64)
        ia = np.where(ia < 0, -(ia & 0x7FFFFFFFFFFFFFFF), ia).astype(object)
        ib = np.where(ib < 0, -(ib & 0x7FFFFFFFFFFFFFFF), ib).astype(object)
        d = np.array([min(abs(p - q), 2**62) for p, q in zip(ia, ib)], dtype=np.int64)
    na, nb = np.isnan(a), np.isnan(b)
    d = np.where(na & nb, 0, d)
    d = np.where(na ^ nb, 2**62, d)
    return d


def same(a, b):
    return int(np.sum(ulps(a, b) == 0))


def sigmoid_sleef(x, exp_name):
    e = sleef(exp_name, -x)
    one = x.dtype.type(1)
    return (one / (e + one)).astype(x.dtype)


# (op, torch function, domain, glibc name, SLEEF base name and accuracy)
OPS = [
    ("sigmoid", torch.sigmoid, (-20, 20), None, ("exp", "u10")),
    ("exp", torch.exp, (-100, 100), "exp", ("exp", "u10")),
    ("log", torch.log, (0, 1000), "log", ("log", "u10")),
    ("sin", torch.sin, (-10, 10), "sin", ("sin", "u10")),
    ("cos", torch.cos, (-10, 10), "cos", ("cos", "u10")),
    ("tan", torch.tan, (-10, 10), "tan", ("tan", "u10")),
    ("tanh", torch.tanh, (-10, 10), "tanh", ("tanh", "u10")),
    ("sqrt", torch.sqrt, (0, 1000), "sqrt", ("sqrt", "u05")),
    ("expm1", torch.expm1, (-10, 10), "expm1", ("expm1", "u10")),
    ("log1p", torch.log1p, (-1, 100), "log1p", ("log1p", "u10")),
    ("sinh", torch.sinh, (-10, 10), "sinh", ("sinh", "u10")),
    ("cosh", torch.cosh, (-10, 10), "cosh", ("cosh", "u10")),
    ("exp2", torch.exp2, (-140, 140), "exp2", ("exp2", "u10")),
    ("log2", torch.log2, (0, 1000), "log2", ("log2", "u10")),
    ("log10", torch.log10, (0, 1000), "log10", ("log10", "u10")),
    ("asin", torch.asin, (-1, 1), "asin", ("asin", "u10")),
    ("acos", torch.acos, (-1, 1), "acos", ("acos", "u10")),
    ("atan", torch.atan, (-20, 20), "atan", ("atan", "u10")),
    ("asinh", torch.asinh, (-20, 20), "asinh", ("asinh", "u10")),
    ("acosh", torch.acosh, (1, 20), "acosh", ("acosh", "u10")),
    ("atanh", torch.atanh, (-1, 1), "atanh", ("atanh", "u10")),
    ("erf", torch.erf, (-6, 6), "erf", ("erf", "u10")),
    ("erfc", torch.erfc, (-6, 30), "erfc", ("erfc", "u15")),
]


def main():
    args = sys.argv[1:]
    dump = None
    if args[:1] == ["--dump"]:
        dump, args = args[1], args[2:]
        os.makedirs(dump, exist_ok=True)
    only = args
    for seed, (name, fn, (lo, hi), gname, (sname, acc)) in enumerate(OPS):
        if only and name not in only:
            continue
        for dt in ("f32", "f64"):
            x = inputs(1000 + seed, N, lo, hi, dt)
            t = fn(torch.from_numpy(x)).numpy()
            if dump:
                x.tofile(os.path.join(dump, f"{name}_{dt}.x"))
                t.tofile(os.path.join(dump, f"{name}_{dt}.y"))
            ts = fn(torch.from_numpy(np.repeat(x, 2))[::2]).numpy()  # strided input
            if gname is None:
                # sigmoid: PyTorch's two lambdas, 1/(1+exp(-x)) with glibc and with SLEEF.
                one = x.dtype.type(1)
                cands = {"scalar_glibc": (one / (one + glibc("exp", -x))).astype(x.dtype),
                         "vector_sleef": sigmoid_sleef(x, "expf16_u10" if dt == "f32" else "expd8_u10")}
                print(f"{name:6} {dt} strided==contig:{same(t, ts)}  " + "  ".join(
                    f"{k}:{same(t, v)}/max{int(ulps(t, v).max())}" for k, v in cands.items()), flush=True)
                continue
            cands = {"glibc": glibc(gname, x)}
            w = "f16" if dt == "f32" else "d8"
            w2 = "f8" if dt == "f32" else "d4"
            for a in (acc, "u35"):
                try:
                    cands[f"sleef512_{a}"] = sleef(f"{sname}{w}_{a}", x)
                    cands[f"sleef256_{a}"] = sleef(f"{sname}{w2}_{a}avx2", x)
                except AttributeError:
                    pass
            parts = [f"{name:6} {dt} strided==contig:{same(t, ts)}"]
            for k, v in cands.items():
                u = ulps(t, v)
                parts.append(f"{k}:{int(np.sum(u == 0))}/max{int(u.max()) if u.max() < 2**60 else 'nan'}")
            print("  ".join(parts), flush=True)


if __name__ == "__main__":
    main()
