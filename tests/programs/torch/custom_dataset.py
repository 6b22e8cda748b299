# The PyTorch program that examples/custom_dataset.act mirrors: a training
# script as published ones are written. A `Dataset` class over the 8x8
# digits, split with random_split; a model whose __init__ initialises its
# layers with `self.apply(self._init_weights)`; the best weights kept with
# `copy.deepcopy(model.state_dict())` and restored with load_state_dict.
import copy
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset, random_split

data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../examples/data")


class DigitsDataset(Dataset):
    """The 8x8 digits as one-channel images, with their labels."""

    def __init__(self, images, labels, flip=False):
        self.images = images
        self.labels = labels
        self.flip = flip

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        image = self.images[idx].view(1, 8, 8)
        if self.flip:
            image = image.flip(2)
        return image, self.labels[idx]


class Net(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(64, hidden)
        self.fc2 = nn.Linear(hidden, 10)
        self.apply(self._init_weights)

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            nn.init.xavier_uniform_(module.weight)
            nn.init.zeros_(module.bias)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(self.flatten(x))))


def evaluate(model, loader):
    model.eval()
    correct = 0
    total_loss = 0.0
    with torch.no_grad():
        for images, labels in loader:
            out = model(images)
            total_loss += F.cross_entropy(out, labels, reduction="sum").item()
            correct += (out.argmax(1) == labels).sum().item()
    n = len(loader.dataset)
    return total_loss / n, correct / n


torch.manual_seed(0)
x = torch.from_numpy(np.load(os.path.join(data, "digits_x.npy")))
y = torch.from_numpy(np.load(os.path.join(data, "digits_labels.npy")))
full = DigitsDataset(x[:1500], y[:1500])
train_ds, val_ds = random_split(full, [1200, 300])
test_ds = DigitsDataset(x[1500:], y[1500:])
print(len(full), len(train_ds), len(val_ds), len(test_ds))
image, label = test_ds[3]
print(image.shape, label)
print(DigitsDataset(x, y, flip=True)[3][0][0, 0])
print(isinstance(full, Dataset), isinstance(full, nn.Module))
train_loader = DataLoader(train_ds, batch_size=100, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=100)
test_loader = DataLoader(test_ds, batch_size=100)
print(len(train_loader), len(val_loader), len(test_loader))

model = Net()
print(model)
print([name for name, m in model.named_modules()])
print(model.fc2.bias)
print(model.fc1.weight[0, :4])
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
best_acc = 0.0
best_state = copy.deepcopy(model.state_dict())
print(list(best_state.keys()))
for epoch in range(6):
    model.train()
    for images, labels in train_loader:
        opt.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        opt.step()
    val_loss, acc = evaluate(model, val_loader)
    print(f"epoch {epoch}: val loss {val_loss:.4f}, accuracy {acc:.3f}")
    if acc > best_acc:
        best_acc = acc
        best_state = copy.deepcopy(model.state_dict())
print(f"best {best_acc:.3f}")
print(model.load_state_dict(best_state))
test_loss, test_acc = evaluate(model, test_loader)
print(f"test loss {test_loss:.4f}, accuracy {test_acc:.3f}")
print(model.fc2.bias)
