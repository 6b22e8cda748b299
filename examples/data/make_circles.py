# Writes the data of learnpytorch.io's "02. PyTorch Neural Network
# Classification" (needs scikit-learn): sklearn's make_circles(1000,
# noise=0.03, random_state=42), split by train_test_split(test_size=0.2,
# random_state=42), features as float32 and labels as float32, as the
# notebook's torch.from_numpy(...).type(torch.float) makes them.
import numpy as np
from sklearn.datasets import make_circles
from sklearn.model_selection import train_test_split

X, y = make_circles(1000, noise=0.03, random_state=42)
X = X.astype(np.float32)
y = y.astype(np.float32)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
np.save("circles_x_train.npy", X_train)
np.save("circles_x_test.npy", X_test)
np.save("circles_y_train.npy", y_train)
np.save("circles_y_test.npy", y_test)
