# Saves PyTorch's `torch.sin(torch.linspace(-math.pi, math.pi, 2000))`, the
# targets of the Legendre fit (polynomial_custom_function.py), as
# legendre_sin.npy. PyTorch takes this `sin` from MKL, whose last bits graphc
# does not reproduce; tests/training_examples.rs runs the example on these
# values to show that everything else in the fit is PyTorch's bit for bit.
import math

import numpy as np
import torch

x = torch.linspace(-math.pi, math.pi, 2000, dtype=torch.float)
np.save("legendre_sin.npy", torch.sin(x).numpy())
