# Writes random_ints.torch-2.15.json: torch.randperm and torch.randint as PyTorch 2.15
# draws them on CPU, for runtime/tests/random_ints.rs. Each case seeds the generator,
# then runs its calls in order; a short result is stored whole, a long one as its
# length, first and last values and a digest: the sum of v[i] * (2i + 1) modulo 2^64,
# which changes when any two values trade places.
import json, sys, numpy as np, torch

def digest(t):
    v = t.flatten().numpy().astype(np.uint64)
    w = np.arange(v.size, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    return f"{int((v * w).sum(dtype=np.uint64)):016x}"

def record(t):
    if t.numel() <= 64:
        return {"values": t.flatten().tolist()}
    return {"numel": t.numel(), "head": t.flatten()[:8].tolist(), "tail": t.flatten()[-8:].tolist(), "digest": digest(t)}

big = "--big" in sys.argv
cases = []
for seed in [0, 1, 42, 2**32 + 7]:
    for n in [0, 1, 2, 3, 10, 64, 1000, 1797]:
        torch.manual_seed(seed)
        cases.append({"seed": seed, "calls": [["randperm", n]], "results": [record(torch.randperm(n))]})
for seed, low, high, shape in [(0, 0, 10, [20]), (1, -5, 5, [3, 4]), (7, 0, 2**32, [16]), (3, -(2**62), 2**62, [10]), (9, 3, 4, [5]), (11, 0, 1797, [1000])]:
    torch.manual_seed(seed)
    cases.append({"seed": seed, "calls": [["randint", low, high, shape]], "results": [record(torch.randint(low, high, shape))]})
# One generator: normals, a permutation and integers interleave, the cached normal sample included.
torch.manual_seed(5)
a, b, c, d = torch.randn(1, dtype=torch.float64), torch.randperm(7), torch.randn(1, dtype=torch.float64), torch.randint(0, 100, (4,))
cases.append({"seed": 5, "calls": [["randn", 1], ["randperm", 7], ["randn", 1], ["randint", 0, 100, [4]]],
              "results": [{"floats": a.tolist()}, record(b), {"floats": c.tolist()}, record(d)]})
if big:
    # From u32::MAX / 20 elements on, randperm_cpu switches to its random64 shuffle.
    for n in [214748363, 214748364]:
        torch.manual_seed(0)
        cases.append({"seed": 0, "calls": [["randperm", n]], "results": [record(torch.randperm(n))]})
json.dump({"torch": torch.__version__, "cases": cases}, sys.stdout, indent=None)
print()
