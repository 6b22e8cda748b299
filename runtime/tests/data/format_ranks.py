# Generates format_ranks.txt: PyTorch 2.15's str(tensor) for tensors of ranks 0 to 5,
# summarized and not. Element i of a case is ((i * 37 + offset) % 101) / 8 - 6, times
# `scale`, so every value is exact in float32 and the Rust test rebuilds it bit for bit.
# Run: ~/peers/bin/python runtime/tests/data/format_ranks.py > runtime/tests/data/format_ranks.txt
import torch

CASES = [
    # (shape, dtype, offset, scale)
    ((), "f32", 5, 1.0),
    ((2, 3, 4), "f32", 0, 1.0),
    ((2, 2, 2, 3), "f32", 1, 1.0),
    ((3, 1, 2), "f64", 2, 1.0),
    ((1, 1, 1), "f32", 3, 1.0),
    ((2, 2, 30), "f32", 4, 1.0),
    ((2, 3, 4), "f32", 0, 1.0e-5),
    ((2, 2, 3), "f32", 0, 1.0e9),
    ((1001,), "f32", 6, 1.0),
    ((40, 30), "f32", 7, 1.0),
    ((11, 10, 10), "f32", 8, 1.0),
    ((2, 3, 200), "f64", 9, 1.0),
    ((4, 4, 4, 4, 4), "f32", 10, 1.0),
    ((2, 600), "f32", 11, 1.0),
    ((1001, 1), "f32", 12, 1.0),
    ((2, 0, 3), "f32", 0, 1.0),
    ((8, 8, 8, 2), "f32", 13, 0.25),
]

for shape, dtype, offset, scale in CASES:
    n = 1
    for d in shape:
        n *= d
    values = [(((i * 37 + offset) % 101) / 8 - 6) * scale for i in range(n)]
    t = torch.tensor(values, dtype=torch.float32 if dtype == "f32" else torch.float64).reshape(shape)
    print("== " + " ".join(str(d) for d in shape) + f" | {dtype} {offset} {scale!r}")
    print(str(t))
