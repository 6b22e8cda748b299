"""Writes elementwise_ref.txt: PyTorch's results for graphc's elementwise builtins.

Run with the project's PyTorch (2.15.0): `~/peers/bin/python elementwise_ref.py`.
For each op, N points evenly spaced over a domain are computed in float64 as
`lo + (hi - lo) * i / (N - 1)` (runtime/tests/elementwise_ref.rs computes the
same points with the same operations, so both sides see identical inputs); the
float32 inputs are those points rounded to float32. Each op runs once on the
whole contiguous tensor, which is PyTorch's vectorized CPU path (SLEEF for
many of these ops). The file holds one line `op NAME LO HI N` per op (for a
two-operand op `op2 NAME LO HI LO2 HI2 N`, the second operand's points made the
same way), then N lines `F32 F64`: the results' bit patterns in hex.

PyTorch runs some of these ops with MKL, whose results depend on the CPU (tan,
asin, acos, atan, erf and erfc moved by an ulp on some points between the
machine that wrote the file and a later one): to add an op, run the script and
append only the new op's block to the committed file.
"""

import numpy as np
import torch
import torch.nn.functional as F

N = 2000

# (builtin name, PyTorch function, domain).
OPS = [
    ("square", torch.square, -10.0, 10.0),
    ("reciprocal", torch.reciprocal, -10.0, 10.0),
    ("rsqrt", torch.rsqrt, 0.0, 100.0),
    ("exp2", torch.exp2, -140.0, 140.0),
    ("log2", torch.log2, 0.0, 1000.0),
    ("log10", torch.log10, 0.0, 1000.0),
    ("tan", torch.tan, -10.0, 10.0),
    ("asin", torch.asin, -1.0, 1.0),
    ("acos", torch.acos, -1.0, 1.0),
    ("atan", torch.atan, -20.0, 20.0),
    ("asinh", torch.asinh, -20.0, 20.0),
    ("acosh", torch.acosh, 1.0, 20.0),
    ("atanh", torch.atanh, -1.0, 1.0),
    ("floor", torch.floor, -10.0, 10.0),
    ("ceil", torch.ceil, -10.0, 10.0),
    ("round", torch.round, -10.0, 10.0),
    ("trunc", torch.trunc, -10.0, 10.0),
    ("sign", torch.sign, -10.0, 10.0),
    ("silu", F.silu, -20.0, 20.0),
    ("mish", F.mish, -20.0, 20.0),
    ("erf", torch.erf, -6.0, 6.0),
    ("erfc", torch.erfc, -6.0, 30.0),
    # gelu's two modes are two rows of the op table, found by their IR names.
    # Below -2 the result is x times a cancellation (1 + erf(...) near 0), where
    # an ulp of difference in erf or tanh is thousands of ulps of the result.
    ("gelu", F.gelu, -2.0, 10.0),
    ("gelu_tanh", lambda t: F.gelu(t, approximate="tanh"), -2.0, 10.0),
    ("sinc", torch.sinc, -10.0, 10.0),
    ("erfinv", torch.erfinv, -1.0, 1.0),
    ("lgamma", torch.lgamma, -10.0, 40.0),
    ("digamma", torch.digamma, -10.0, 40.0),
    ("trigamma", lambda t: torch.polygamma(1, t), -10.0, 40.0),
    ("ndtri", torch.special.ndtri, 0.0, 1.0),
    ("i0", torch.i0, -20.0, 20.0),
    ("i0e", torch.special.i0e, -20.0, 20.0),
    ("i1", torch.special.i1, -20.0, 20.0),
    ("i1e", torch.special.i1e, -20.0, 20.0),
    ("erfcx", torch.special.erfcx, -20.0, 60.0),
    ("log_ndtr", torch.special.log_ndtr, -40.0, 10.0),
]

# Ops with scalar parameters, with the parameters runtime/tests/elementwise_ref.rs
# gives them: (name, function, domain). Written as `opa NAME LO HI N` blocks.
ACTIVATIONS = [
    ("clamp", lambda t: torch.clamp(t, min=-0.5, max=0.5), -3.0, 3.0),
    ("hardtanh", lambda t: F.hardtanh(t, -1.0, 1.0), -3.0, 3.0),
    ("leaky_relu", lambda t: F.leaky_relu(t, 0.2), -10.0, 10.0),
    ("elu", lambda t: F.elu(t, alpha=1.5), -20.0, 20.0),
    ("softplus", lambda t: F.softplus(t, beta=2.0, threshold=10.0), -20.0, 20.0),
    ("round_decimals", lambda t: torch.round(t, decimals=2), -10.0, 10.0),
    ("polygamma", lambda t: torch.polygamma(3, t), -5.0, 30.0),
]

# Two-operand ops: (name, function, domain of input, domain of other). The
# other operand runs over its domain backwards, so that the points sweep all
# four quadrants for atan2.
BINARY_OPS = [
    ("atan2", torch.atan2, -10.0, 10.0, 7.0, -7.0),
]


def main():
    i = np.arange(N, dtype=np.float64)
    lines = []
    for name, f, lo, hi in OPS:
        x64 = lo + (hi - lo) * i / (N - 1)
        y64 = f(torch.from_numpy(x64)).numpy()
        y32 = f(torch.from_numpy(x64.astype(np.float32))).numpy()
        lines.append(f"op {name} {lo!r} {hi!r} {N}")
        for a, b in zip(y32.view(np.uint32), y64.view(np.uint64)):
            lines.append(f"{int(a):08x} {int(b):016x}")
    for name, f, lo, hi in ACTIVATIONS:
        x64 = lo + (hi - lo) * i / (N - 1)
        y64 = f(torch.from_numpy(x64)).numpy()
        y32 = f(torch.from_numpy(x64.astype(np.float32))).numpy()
        lines.append(f"opa {name} {lo!r} {hi!r} {N}")
        for a, b in zip(y32.view(np.uint32), y64.view(np.uint64)):
            lines.append(f"{int(a):08x} {int(b):016x}")
    for name, f, lo, hi, lo2, hi2 in BINARY_OPS:
        a64 = lo + (hi - lo) * i / (N - 1)
        b64 = lo2 + (hi2 - lo2) * i / (N - 1)
        y64 = f(torch.from_numpy(a64), torch.from_numpy(b64)).numpy()
        y32 = f(torch.from_numpy(a64.astype(np.float32)), torch.from_numpy(b64.astype(np.float32))).numpy()
        lines.append(f"op2 {name} {lo!r} {hi!r} {lo2!r} {hi2!r} {N}")
        for a, b in zip(y32.view(np.uint32), y64.view(np.uint64)):
            lines.append(f"{int(a):08x} {int(b):016x}")
    with open(__file__.replace(".py", ".txt"), "w") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
