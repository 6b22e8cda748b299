# The PyTorch program that examples/digits_split.act mirrors: the training
# loop PyTorch's tutorials teach, over the 8x8 digits. The data are split
# with a seeded generator, as torch.utils.data.random_split's documentation
# shows, so the split is the same on every run; each epoch trains with a
# shuffling loader and then evaluates under torch.no_grad().
import os

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset, random_split

data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../examples/data")

torch.manual_seed(0)
X = torch.tensor(np.load(os.path.join(data, "digits_x.npy")), dtype=torch.float32)
y = torch.tensor(np.load(os.path.join(data, "digits_labels.npy")), dtype=torch.long)
ds = TensorDataset(X, y)
train_ds, val_ds = random_split(ds, [0.8, 0.2], generator=torch.Generator().manual_seed(42))
train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=256)
model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(5):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        total += loss.item() * xb.size(0)
    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in val_loader:
            pred = model(xb).argmax(dim=1)
            correct += (pred == yb).sum().item()
    print(f"epoch {epoch}: loss {total / len(train_ds):.4f} acc {correct / len(val_ds):.3f}")
