# Writes the two moons of tiny-diffusion's `moons_dataset` (its datasets.py,
# needs scikit-learn): sklearn's make_moons(n_samples=1000, random_state=42,
# noise=0.03), with the first coordinate mapped by (x + 0.3) * 2 - 1 and the
# second by (y + 0.3) * 3 - 1, as float32. tiny-diffusion draws 8000 points;
# 1000 keep the example quick.
import numpy as np
from sklearn.datasets import make_moons

X, _ = make_moons(n_samples=1000, random_state=42, noise=0.03)
X[:, 0] = (X[:, 0] + 0.3) * 2 - 1
X[:, 1] = (X[:, 1] + 0.3) * 3 - 1
np.save("moons.npy", X.astype(np.float32))
