# Makes format_int.json: str(tensor) of int64 and bool tensors as PyTorch 2.15
# prints them, for runtime/tests/format_int.rs. Run with the project's PyTorch:
#   ~/peers/bin/python runtime/tests/data/format_int.py > runtime/tests/data/format_int.json
import json
import torch

cases = [
    torch.tensor([1, 2]),
    torch.tensor([-3, 10, 200]),
    torch.tensor(3),
    torch.tensor(-12),
    torch.tensor([[1, -2, 3], [40, 5, -600]]),
    torch.arange(100),
    torch.arange(-50, 50, 3),
    torch.arange(2000),
    torch.arange(1200).reshape(40, 30),
    torch.arange(24).reshape(2, 3, 4),
    torch.tensor([2**62, -2**63, 0]),
    torch.tensor([9007199254740993, 1]),
    torch.tensor([], dtype=torch.int64),
    torch.zeros(0, 3, dtype=torch.int64),
    torch.tensor([True, False]),
    torch.tensor([True, True]),
    torch.tensor([False]),
    torch.tensor(True),
    torch.tensor(False),
    torch.tensor([[True, False, True], [False, False, True]]),
    torch.arange(1500) % 3 == 0,
    torch.arange(100) % 2 == 0,
    torch.tensor([], dtype=torch.bool),
]
out = []
for t in cases:
    out.append({
        "dtype": {torch.int64: "i64", torch.bool: "bool"}[t.dtype],
        "shape": list(t.shape),
        "values": [int(v) for v in t.reshape(-1).tolist()],
        "str": str(t),
    })
print("[\n" + ",\n".join(json.dumps(c) for c in out) + "\n]")
