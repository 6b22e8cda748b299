"""Measures graphc's reductions against PyTorch 2.15's on this machine
(docs/NUMERICS.md, "Reductions"), and writes the compact reference data that
runtime/tests/numerics_reduce.rs checks without PyTorch.

`~/peers/bin/python reductions.py --dump DIR` writes, for every case, PyTorch's
full output (DIR/NNN.y, raw little-endian) and DIR/cases.json; the ignored test
`measure_reductions_against_full_pytorch_outputs` then counts graphc's identical
elements and worst ulps per op. `--json FILE` writes the compact data instead:
per case an FNV-1a digest of PyTorch's output bits and its first elements.

Inputs (`values` below, reproduced step for step, with `fnv`, by
runtime/tests/common/reductions_py.rs for the Rust tests): element i of
a case is one splitmix64 draw z from the case's seed; u = (z >> 11) * 2^-53;
for `prod`, 1 + (2u - 1) / 64 (products that neither overflow nor vanish), for
the others (2u - 1) * 2^e with e = (z & 0xff) % 17 - 8, so that magnitudes
differ and every grouping of the additions shows in the last bits; computed in
float64, then rounded to the dtype. PyTorch runs with one thread and its
default (AVX-512) kernels. Matrix products (`matmul`, shape [m, k, n]: the
first m*k values are the left operand, the next k*n the right one) are
measured alongside, and so are the softmax gradients (`backward_cases`, the
kernels called directly, and `autograd_cases`, x.grad through autograd).
"""

import json
import os
import sys

import numpy as np
import torch

MASK = (1 << 64) - 1
FNV_OFFSET, FNV_PRIME = 0xCBF29CE484222325, 0x100000001B3


def values(seed, n, dtype, prod):
    state = seed & MASK
    out = np.empty(n, dtype=np.float64)
    for i in range(n):
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        z ^= z >> 31
        u = (z >> 11) * 2.0**-53
        out[i] = 1.0 + (2.0 * u - 1.0) / 64.0 if prod else (2.0 * u - 1.0) * 2.0 ** ((z & 0xFF) % 17 - 8)
    return out.astype(np.float32 if dtype == "f32" else np.float64)


def fnv(a):
    h = FNV_OFFSET
    for b in a.tobytes():
        h = ((h ^ b) * FNV_PRIME) & MASK
    return f"{h:016x}"


SIZES = [1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 255, 256, 257,
         1000, 1023, 1024, 1025, 4096, 10000, 32768, 32769, 100000]
SHAPES2 = [(3, 5), (7, 33), (33, 7), (16, 16), (17, 100), (100, 17), (64, 129), (129, 64), (1000, 10),
           (10, 1000), (256, 256)]
SHAPES3 = [(4, 5, 6), (8, 17, 33), (33, 17, 8), (2, 64, 40)]


def dims_of(rank):
    """The reduced dimensions tried per rank: each one alone, then all (None)."""
    ds = [(d,) for d in range(rank)] + [None]
    if rank == 3:
        ds.insert(3, (0, 2))
    return ds


# op: (function of (x, dims), kinds of dims it takes: "many", "one" or "one_or_all")
def _all(dims, x):
    return tuple(range(x.dim())) if dims is None else dims


OPS = {
    "sum": (lambda x, d: x.sum() if d is None else x.sum(dim=d), "many"),
    "mean": (lambda x, d: x.mean() if d is None else x.mean(dim=d), "many"),
    "prod": (lambda x, d: x.prod() if d is None else x.prod(dim=d[0]), "one_or_all"),
    "var": (lambda x, d: x.var(dim=d, correction=1), "many"),
    "std": (lambda x, d: x.std(dim=d, correction=1), "many"),
    "logsumexp": (lambda x, d: torch.logsumexp(x, dim=_all(d, x)), "many"),
    "norm2": (lambda x, d: torch.linalg.vector_norm(x, 2, dim=d), "many"),
    "norm1": (lambda x, d: torch.linalg.vector_norm(x, 1, dim=d), "many"),
    "softmax": (lambda x, d: torch.softmax(x, dim=d[0]), "one"),
    "log_softmax": (lambda x, d: torch.log_softmax(x, dim=d[0]), "one"),
    "cumsum": (lambda x, d: torch.cumsum(x, dim=d[0]), "one"),
}


def cases():
    seed = 5000
    for op, (fn, kind) in OPS.items():
        for dt in ("f32", "f64"):
            shapes = [(n,) for n in SIZES] + SHAPES2 + SHAPES3
            for shape in shapes:
                for dims in dims_of(len(shape)):
                    if kind == "one" and dims is None:
                        continue
                    if kind != "many" and dims is not None and len(dims) > 1:
                        continue
                    if len(shape) == 1 and dims is not None and kind != "one":
                        continue  # a 1-d tensor over dim 0 is the full reduction
                    seed += 1
                    yield {"op": op, "dtype": dt, "shape": list(shape),
                           "dims": None if dims is None else list(dims), "seed": seed}


# Matrix products (m, k, n), measured alongside: MKL's closed sgemm/dgemm.
MATMULS = [(2, 3, 4), (16, 16, 16), (64, 64, 64), (100, 50, 30), (1, 1000, 1), (64, 784, 100), (128, 256, 64),
           (500, 10, 1)]


def matmul_cases(seed):
    for dt in ("f32", "f64"):
        for mkn in MATMULS:
            seed += 1
            yield {"op": "matmul", "dtype": dt, "shape": list(mkn), "dims": None, "seed": seed}


# softmax and log_softmax shapes beyond the common ones, numbered after the
# matrix products so that the other cases keep their seeds: a dimension followed
# only by size-1 dimensions (PyTorch's inner-dimension kernel, scalar path),
# and log_softmax's column chunks over a long dimension with a partial last
# chunk.
SOFTMAX_SHAPES = [(5, 1), (3, 40, 1), (1024, 300), (2, 600, 70)]


def softmax_cases(seed):
    for op in ("softmax", "log_softmax"):
        for dt in ("f32", "f64"):
            for shape in SOFTMAX_SHAPES:
                for d in range(len(shape)):
                    seed += 1
                    yield {"op": op, "dtype": dt, "shape": list(shape), "dims": [d], "seed": seed}


# The backward kernels (`_softmax_backward_data`, `_log_softmax_backward_data`):
# the gradient is `values` of the case's seed plus 1,000,000, the forward output
# PyTorch's softmax (or log_softmax) of `values` of the seed.
BACKWARD_SHAPES = [(1,), (7,), (16,), (33,), (100,), (1000, 10), (10, 1000), (17, 100), (8, 17, 33), (5, 1), (1024, 300)]


def backward_cases(seed):
    for op in ("softmax_backward", "log_softmax_backward"):
        for dt in ("f32", "f64"):
            for shape in BACKWARD_SHAPES:
                for d in range(len(shape)):
                    seed += 1
                    yield {"op": op, "dtype": dt, "shape": list(shape), "dims": [d], "seed": seed}


def run_backward(case):
    n, shape, d = int(np.prod(case["shape"])), case["shape"], case["dims"][0]
    x = torch.from_numpy(values(case["seed"], n, case["dtype"], False)).reshape(shape)
    g = torch.from_numpy(values(case["seed"] + 1000000, n, case["dtype"], False)).reshape(shape)
    if case["op"] == "log_softmax_backward":
        y = torch._log_softmax_backward_data(g, torch.log_softmax(x, dim=d), d, x.dtype)
    else:
        y = torch._softmax_backward_data(g, torch.softmax(x, dim=d), d, x.dtype)
    return y.contiguous().numpy().reshape(-1)


# The same cases through autograd (`softmax_grad`, `log_softmax_grad`): x.grad
# after `softmax(x, dim).backward(g)`, with the seeds of the kernel cases, so
# that each digest is also that of the kernel case of its seed. graphc's test
# (compiler/tests/softmax_gradients.rs) differentiates through its compiler.
def autograd_cases(seed):
    for case in backward_cases(seed):
        yield dict(case, op=case["op"].replace("_backward", "_grad"))


# cross_entropy (log_softmax, then nll_loss with mean reduction) of a samples x
# classes input against the targets t[i] = i % classes: x.grad after
# `cross_entropy(x, t).backward()`, whose last step is `_log_softmax_backward_data`.
CROSS_ENTROPY_SHAPES = [(1000, 10), (10, 1000), (17, 100), (3, 5)]


def cross_entropy_cases(seed):
    for dt in ("f32", "f64"):
        for shape in CROSS_ENTROPY_SHAPES:
            seed += 1
            yield {"op": "cross_entropy_grad", "dtype": dt, "shape": list(shape), "dims": [1], "seed": seed}


def run_autograd(case):
    n, shape, d = int(np.prod(case["shape"])), case["shape"], case["dims"][0]
    x = torch.from_numpy(values(case["seed"], n, case["dtype"], False)).reshape(shape).requires_grad_()
    g = torch.from_numpy(values(case["seed"] + 1000000, n, case["dtype"], False)).reshape(shape)
    if case["op"] == "cross_entropy_grad":
        t = torch.arange(shape[0]) % shape[1]
        torch.nn.functional.cross_entropy(x, t).backward()
        return x.grad.contiguous().numpy().reshape(-1)
    y = torch.log_softmax(x, dim=d) if case["op"] == "log_softmax_grad" else torch.softmax(x, dim=d)
    y.backward(g)
    return x.grad.contiguous().numpy().reshape(-1)


def run(case):
    if case["op"].endswith("_grad"):
        return run_autograd(case)
    if case["op"].endswith("_backward"):
        return run_backward(case)
    if case["op"] == "matmul":
        m, k, n = case["shape"]
        x = values(case["seed"], m * k + k * n, case["dtype"], False)
        a, b = torch.from_numpy(x[:m * k]).reshape(m, k), torch.from_numpy(x[m * k:]).reshape(k, n)
        return (a @ b).contiguous().numpy().reshape(-1)
    x = values(case["seed"], int(np.prod(case["shape"])), case["dtype"], case["op"] == "prod")
    t = torch.from_numpy(x).reshape(case["shape"])
    dims = None if case["dims"] is None else tuple(case["dims"])
    return OPS[case["op"]][0](t, dims).contiguous().numpy().reshape(-1)


def main():
    torch.set_num_threads(1)
    mode, path = sys.argv[1], sys.argv[2]
    all_cases = list(cases())
    all_cases += list(matmul_cases(9000))
    all_cases += list(softmax_cases(9500))
    all_cases += list(backward_cases(9700))
    all_cases += list(autograd_cases(9700))
    all_cases += list(cross_entropy_cases(9800))
    if mode == "--dump":
        os.makedirs(path, exist_ok=True)
        for i, c in enumerate(all_cases):
            run(c).tofile(os.path.join(path, f"{i:04}.y"))
        with open(os.path.join(path, "cases.json"), "w") as f:
            json.dump(all_cases, f)
    else:
        out = {"torch": torch.__version__, "capability": torch.backends.cpu.get_cpu_capability(), "cases": []}
        for c in all_cases:
            y = run(c)
            width = 8 if y.dtype == np.float32 else 16
            head = y[:4].view(np.uint32 if y.dtype == np.float32 else np.uint64)
            out["cases"].append(dict(c, fnv=fnv(y), head=[f"{int(v):0{width}x}" for v in head]))
        with open(path, "w") as f:
            json.dump(out, f, indent=0)
            f.write("\n")


if __name__ == "__main__":
    main()
