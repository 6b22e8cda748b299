# Writes the data of Daniel Godoy's "Understanding PyTorch with an Example: A
# Step-by-Step Tutorial" (needs numpy): y = 1 + 2x + noise, 100 points drawn
# with np.random.seed(42), shuffled, the first 80 for training.
import numpy as np
np.random.seed(42)
x = np.random.rand(100, 1)
y = 1 + 2 * x + .1 * np.random.randn(100, 1)
idx = np.arange(100)
np.random.shuffle(idx)
train_idx = idx[:80]
val_idx = idx[80:]
x_train, y_train = x[train_idx], y[train_idx]
x_val, y_val = x[val_idx], y[val_idx]
np.save("regression_x_train.npy", x_train)
np.save("regression_y_train.npy", y_train)
np.save("regression_x_val.npy", x_val)
np.save("regression_y_val.npy", y_val)
