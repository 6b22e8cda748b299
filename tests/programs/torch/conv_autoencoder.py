# The PyTorch program that examples/conv_autoencoder.act mirrors: a small
# convolutional autoencoder of the 8x8 digits, as tutorials write one. The
# encoder pools the images down to 4 channels of 2x2; the decoder upsamples
# them with nn.Upsample (nearest), a convolution normalized by nn.GroupNorm
# and a sub-pixel convolution (nn.PixelShuffle).
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../examples/data")


class AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 4, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.decoder = nn.Sequential(
            nn.Upsample(scale_factor=2),
            nn.Conv2d(4, 8, 3, padding=1),
            nn.GroupNorm(2, 8),
            nn.ReLU(),
            nn.Conv2d(8, 4, 3, padding=1),
            nn.PixelShuffle(2),
            nn.Sigmoid(),
        )

    def forward(self, x):
        return self.decoder(self.encoder(x))


torch.manual_seed(0)
images = torch.from_numpy(np.load(os.path.join(data, "digits_x.npy"))).view(-1, 1, 8, 8)
train, test = images[:1500], images[1500:]
loader = DataLoader(TensorDataset(train), batch_size=100, shuffle=True)
model = AutoEncoder()
print(model)
print(sum(p.numel() for p in model.parameters()), "parameters")
code = model.encoder(test[:1])
print(code.shape, model(test[:1]).shape)
opt = torch.optim.Adam(model.parameters(), lr=5e-3)
for epoch in range(10):
    total = 0.0
    for (batch,) in loader:
        opt.zero_grad()
        loss = F.mse_loss(model(batch), batch)
        loss.backward()
        opt.step()
        total += loss.item() * len(batch)
    print(f"epoch {epoch}: train loss {total / len(train):.4f}")
model.eval()
with torch.no_grad():
    recon = model(test)
    print(f"test loss {F.mse_loss(recon, test).item():.4f}")
    print((recon[0, 0] * 16).round())
    print((test[0, 0] * 16).round())
