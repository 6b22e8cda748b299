# The PyTorch program that examples/stn_digits.act mirrors, line for line:
# PyTorch's "Spatial Transformer Networks Tutorial" (Ghassen Hamrouni,
# pytorch/tutorials intermediate_source/spatial_transformer_tutorial.py):
# its network (a localization network regressing a 2x3 affine matrix,
# started at the identity, then F.affine_grid and F.grid_sample in front of
# a small classifier with nn.Dropout2d), its train() and test(), line for
# line, on the 8x8 digits. Adapted to run in seconds on the CPU:
# - Data: data/digits_x.npy and data/digits_labels.npy made 28x28 with
#   F.interpolate(mode='bilinear') (the tutorial's layer sizes are MNIST's),
#   normalized with the tutorial's MNIST mean and std, with a little noise
#   (standard deviation 0.01), in TensorDatasets: the first 1280 images to
#   train on, the next 512 to test on, where the tutorial downloads MNIST
#   through torchvision. The noise keeps the max-pooling windows of the
#   constant background from holding equal maxima: there the last bit of
#   each convolution, which PyTorch's f64 dgemm rounds differently from
#   graphc for some shapes (docs/NUMERICS.md, "Convolutions"), would decide
#   which pixel gets the gradient.
# - 3 epochs, where the tutorial runs 20, and a line every 5 batches, where
#   it prints every 500.
# - f64: `.double()` on the model and the images, so that every number is
#   PyTorch's bit for bit on any machine (PyTorch's f32 convolutions are
#   oneDNN's, whose rounding depends on the CPU).
# - No device (graphc runs on the CPU), no num_workers, and no
#   visualize_stn (torchvision's make_grid and matplotlib).

import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../examples/data")

torch.manual_seed(0)

digits = torch.from_numpy(np.load(os.path.join(data, "digits_x.npy"))).reshape(-1, 1, 8, 8).double()
images = (F.interpolate(digits, size=(28, 28), mode='bilinear', align_corners=False) - 0.1307) / 0.3081
images = images + 0.01 * torch.randn(images.shape, dtype=torch.float64)
labels = torch.from_numpy(np.load(os.path.join(data, "digits_labels.npy")))

# Training dataset
train_loader = DataLoader(TensorDataset(images[:1280], labels[:1280]), batch_size=64, shuffle=True)
# Test dataset
test_loader = DataLoader(TensorDataset(images[1280:1792], labels[1280:1792]), batch_size=64, shuffle=True)


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d()
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)

        # Spatial transformer localization-network
        self.localization = nn.Sequential(
            nn.Conv2d(1, 8, kernel_size=7),
            nn.MaxPool2d(2, stride=2),
            nn.ReLU(True),
            nn.Conv2d(8, 10, kernel_size=5),
            nn.MaxPool2d(2, stride=2),
            nn.ReLU(True)
        )

        # Regressor for the 3 * 2 affine matrix
        self.fc_loc = nn.Sequential(
            nn.Linear(10 * 3 * 3, 32),
            nn.ReLU(True),
            nn.Linear(32, 3 * 2)
        )

        # Initialize the weights/bias with identity transformation
        self.fc_loc[2].weight.data.zero_()
        self.fc_loc[2].bias.data.copy_(torch.tensor([1, 0, 0, 0, 1, 0], dtype=torch.float))

    # Spatial transformer network forward function
    def stn(self, x):
        xs = self.localization(x)
        xs = xs.view(-1, 10 * 3 * 3)
        theta = self.fc_loc(xs)
        theta = theta.view(-1, 2, 3)

        grid = F.affine_grid(theta, x.size())
        x = F.grid_sample(x, grid)

        return x

    def forward(self, x):
        # transform the input
        x = self.stn(x)

        # Perform the usual forward pass
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        x = x.view(-1, 320)
        x = F.relu(self.fc1(x))
        x = F.dropout(x, training=self.training)
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)


model = Net().double()

optimizer = optim.SGD(model.parameters(), lr=0.01)


def train(epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % 5 == 0:
            print('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(
                epoch, batch_idx * len(data), len(train_loader.dataset),
                100. * batch_idx / len(train_loader), loss.item()))
#
# A simple test procedure to measure the STN performances on MNIST.
#


def test():
    with torch.no_grad():
        model.eval()
        test_loss = 0
        correct = 0
        for data, target in test_loader:
            output = model(data)

            # sum up batch loss
            test_loss += F.nll_loss(output, target, size_average=False).item()
            # get the index of the max log-probability
            pred = output.max(1, keepdim=True)[1]
            correct += pred.eq(target.view_as(pred)).sum().item()

        test_loss /= len(test_loader.dataset)
        print('\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\n'
              .format(test_loss, correct, len(test_loader.dataset),
                      100. * correct / len(test_loader.dataset)))


for epoch in range(1, 3 + 1):
    train(epoch)
    test()
