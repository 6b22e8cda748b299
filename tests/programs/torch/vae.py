# The variational autoencoder of pytorch/examples (vae/main.py) on the 8x8
# digits: the same layers scaled down (64-32-8 and back), the reparameterization
# trick, the summed binary cross-entropy plus the KL divergence, Adam with
# lr=1e-3, shuffled mini-batches of 125, and the test loss each epoch.
# graphc's examples/vae.act is this file line for line.
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../examples/data")
x = torch.from_numpy(np.load(os.path.join(data, "digits_x.npy")))
train, test = x[:1500], x[1500:]

torch.manual_seed(1)


def init(fan_in, fan_out):
    bound = 1 / math.sqrt(fan_in)
    w = torch.empty(fan_out, fan_in).uniform_(-bound, bound).requires_grad_()
    b = torch.empty(fan_out).uniform_(-bound, bound).requires_grad_()
    return [w, b]


fc1, fc21, fc22, fc3, fc4 = init(64, 32), init(32, 8), init(32, 8), init(8, 32), init(32, 64)
params = fc1 + fc21 + fc22 + fc3 + fc4
optimizer = torch.optim.Adam(params, lr=1e-3)


def encode(x):
    h1 = F.relu(F.linear(x, *fc1))
    return F.linear(h1, *fc21), F.linear(h1, *fc22)


def reparameterize(mu, logvar):
    std = torch.exp(0.5 * logvar)
    eps = torch.randn_like(std)
    return mu + eps * std


def decode(z):
    h3 = F.relu(F.linear(z, *fc3))
    return torch.sigmoid(F.linear(h3, *fc4))


def model(x):
    mu, logvar = encode(x)
    z = reparameterize(mu, logvar)
    return decode(z), mu, logvar


# Reconstruction + KL divergence losses summed over all elements and batch
def loss_function(recon_x, x, mu, logvar):
    BCE = F.binary_cross_entropy(recon_x, x, reduction="sum")
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return BCE + KLD


for epoch in range(1, 11):
    perm = torch.randperm(1500)
    train_loss = 0.0
    for i in range(0, 1500, 125):
        batch = train[perm[i : i + 125]]
        optimizer.zero_grad()
        recon_batch, mu, logvar = model(batch)
        loss = loss_function(recon_batch, batch, mu, logvar)
        loss.backward()
        train_loss += loss.item()
        optimizer.step()
    with torch.no_grad():
        recon, mu, logvar = model(test)
        test_loss = loss_function(recon, test, mu, logvar).item()
    print(f"====> Epoch: {epoch} Average loss: {train_loss / 1500:.4f}  Test set loss: {test_loss / 297:.4f}")
