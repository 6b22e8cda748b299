"""The seeded inputs of graphc's numerics measurements (docs/NUMERICS.md).

`runtime/tests/numerics_ref.rs` makes the same values with the same integer
steps, so reference data need store only PyTorch's outputs, not the inputs.
Element i of an op's inputs, from a splitmix64 stream seeded with the op's seed:
one draw per element; i % 10 < 5: uniform in the op's domain (computed in
float64, then rounded to the dtype); i % 10 < 9: a random bit pattern of the
dtype (every exponent, subnormals, infinities and NaNs included); i % 10 == 9:
the next of the special values below, in turn.
"""

import numpy as np

MASK = (1 << 64) - 1


def splitmix64(state):
    """One step: (new state, output)."""
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


SPECIAL32 = [0.0, -0.0, 1.0, -1.0, float("inf"), float("-inf"), float("nan"),
             1e-45, -1e-45, 1.1754942e-38, 1.17549435e-38, 3.4028235e38, -3.4028235e38,
             88.72283, 88.72284, -87.33654, -103.97208, -103.97209, 9.0, -9.0, 0.5, 1e-8, -1e-8, 20.0]
SPECIAL64 = [0.0, -0.0, 1.0, -1.0, float("inf"), float("-inf"), float("nan"),
             5e-324, -5e-324, 2.225073858507201e-308, 2.2250738585072014e-308, 1.7976931348623157e308,
             -1.7976931348623157e308, 709.782712893384, 709.7827128933841, -708.3964185322641,
             -745.1332191019411, -745.1332191019412, 9.0, -9.0, 0.5, 1e-17, -1e-17, 40.0]


def inputs(seed, n, lo, hi, dtype):
    """n inputs of `dtype` ("f32" or "f64") as a NumPy array."""
    state = seed & MASK
    out = np.empty(n, dtype=np.float32 if dtype == "f32" else np.float64)
    special = SPECIAL32 if dtype == "f32" else SPECIAL64
    s = 0
    for i in range(n):
        state, z = splitmix64(state)
        k = i % 10
        if k < 5:
            u = (z >> 11) * 2.0**-53
            out[i] = lo + (hi - lo) * u
        elif k < 9:
            if dtype == "f32":
                out[i] = np.array([z >> 32], dtype=np.uint32).view(np.float32)[0]
            else:
                out[i] = np.array([z], dtype=np.uint64).view(np.float64)[0]
        else:
            out[i] = special[s % len(special)]
            s += 1
    return out
