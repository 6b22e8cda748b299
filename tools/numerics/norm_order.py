"""Finds the order in which PyTorch 2.15 sums the squares of a 2-norm over the
last dimension (docs/NUMERICS.md, "Reductions"), by building candidate orders
in the dtype and comparing their bits with `torch.linalg.vector_norm`.

`~/peers/bin/python norm_order.py` prints, per dtype, how many of the rows
(lengths 1 to 299, one row per length and seed, inputs of `reductions.values`)
each candidate reproduces, then checks the winning order on other layouts:
rows of a matrix, the full reduction of a matrix, two trailing dimensions of
a 3-d tensor, and `torch.norm`. A candidate is: the number of accumulator
lanes, whether the vector part fuses its multiply-add, how the lanes are
combined (in order or halving), and how the scalar tail is summed (rounded
squares, fused multiply-adds, or whole groups of 4 rounded squares followed
by fused multiply-adds, which is what the compiled kernel does).

Fused multiply-adds come from the C library's `fmaf` and `fma` (correctly
rounded), so the comparison is exact.
"""

import ctypes
import itertools

import numpy as np
import torch

from reductions import values

libm = ctypes.CDLL("libm.so.6")
libm.fmaf.argtypes = [ctypes.c_float] * 3
libm.fmaf.restype = ctypes.c_float
libm.fma.argtypes = [ctypes.c_double] * 3
libm.fma.restype = ctypes.c_double


def fma(dt, a, b, c):
    f = libm.fmaf if dt == np.float32 else libm.fma
    return dt(f(float(a), float(b), float(c)))


def candidate(run, bits, vector_fma, combine, tail):
    """The 2-norm of `run` with `bits`-bit accumulator lanes and the given choices."""
    dt = run.dtype.type
    lanes = bits // 8 // run.dtype.itemsize
    whole = len(run) - len(run) % lanes
    acc = [dt(0)] * lanes
    for i in range(0, whole, lanes):
        for j in range(lanes):
            v = run[i + j]
            acc[j] = fma(dt, v, v, acc[j]) if vector_fma else dt(acc[j] + dt(v * v))
    if combine == "in order":
        total = acc[0]
        for a in acc[1:]:
            total = dt(total + a)
    else:
        while len(acc) > 1:
            half = len(acc) // 2
            acc = [dt(acc[k] + acc[k + half]) for k in range(half)]
        total = acc[0]
    rest = run[whole:]
    grouped = {"rounded": len(rest), "fused": 0, "groups of 4, then fused": len(rest) - len(rest) % 4}[tail]
    for v in rest[:grouped]:
        total = dt(total + dt(v * v))
    for v in rest[grouped:]:
        total = fma(dt, v, v, total)
    return dt(np.sqrt(total))


CHOICES = list(itertools.product((128, 256, 512), (False, True), ("in order", "halving"),
                                 ("rounded", "fused", "groups of 4, then fused")))
WINNER = (256, False, "in order", "groups of 4, then fused")


def main():
    torch.set_num_threads(1)
    for dt in ("f32", "f64"):
        score = dict.fromkeys(CHOICES, 0)
        rows = 0
        for seed_base in (100000, 200000):
            for n in range(1, 300):
                x = values(seed_base + n, n, dt, False)
                want = torch.linalg.vector_norm(torch.from_numpy(x), 2).numpy().tobytes()
                rows += 1
                for c in CHOICES:
                    score[c] += candidate(x, *c).tobytes() == want
        print(f"{dt}: {rows} rows")
        for c, s in sorted(score.items(), key=lambda kv: -kv[1])[:6]:
            print(f"  {s:4} {c}")
        # The winner on other layouts that reach the same last-dimension kernel.
        same = total = 0
        for n in range(1, 90):
            m = 3
            x = values(700000 + n, m * n, dt, False)
            t = torch.from_numpy(x)
            mine_rows = np.array([candidate(x[r * n:(r + 1) * n], *WINNER) for r in range(m)])
            for got in (torch.linalg.vector_norm(t.reshape(m, n), 2, dim=1),
                        torch.norm(t.reshape(m, n), 2, dim=1),
                        torch.linalg.vector_norm(t.reshape(m, 1, n), 2, dim=(1, 2))):
                same += got.numpy().tobytes() == mine_rows.tobytes()
                total += 1
            same += torch.linalg.vector_norm(t.reshape(m, n), 2).numpy().tobytes() == candidate(x, *WINNER).tobytes()
            total += 1
        print(f"  winner {WINNER} on rows, torch.norm, trailing dims and full matrices: {same} of {total}")
        # Columns (dimension 0 of a matrix with more than one column) take
        # `NormTwoOps` one element at a time: rounded squares, or fused ones?
        counts = {"rounded": 0, "fused": 0}
        columns = 0
        for n in range(2, 90):
            m = 3
            x = values(700000 + n, m * n, dt, False).reshape(m, n)
            want = torch.linalg.vector_norm(torch.from_numpy(x), 2, dim=0).numpy()
            for c in range(n):
                columns += 1
                for tail in counts:
                    # One lane of 512 bits never fills for 3 elements, so the whole column is tail.
                    counts[tail] += candidate(x[:, c].copy(), 512, False, "in order", tail).tobytes() == want[c].tobytes()
        print(f"  columns: {columns}, rounded squares match {counts['rounded']}, fused {counts['fused']}")


if __name__ == "__main__":
    main()
