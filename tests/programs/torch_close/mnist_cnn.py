# PyTorch's canonical MNIST example (pytorch/examples, mnist/main.py): Net's
# two 3x3 convolutions, max pooling, the two nn.Dropout layers and two linear
# layers, trained with Adadelta(lr=1.0) and StepLR(step_size=1, gamma=0.7)
# after torch.manual_seed(1), printing main.py's training and test lines.
# Adapted to run in seconds on the CPU on the 8x8 digits:
# - Data: examples/data/digits_x.npy, already scaled to [0, 1], kept as it is
#   where main.py's transforms turn MNIST into tensors (ToTensor) and
#   normalize them (Normalize((0.1307,), (0.3081,))); the first 1500 images
#   train, the other 297 test, each `x.reshape(-1, 1, 8, 8)`, in a
#   TensorDataset where main.py has datasets.MNIST. The DataLoaders are
#   main.py's (batches of 64 and 1000, no shuffling on the CPU), so the
#   training loader has 24 batches, the last of 28, and the test loader one
#   of 297.
# - Net: the sizes for 8x8 inputs (conv1 makes 6x6, conv2 4x4, max_pool2d
#   2x2, so torch.flatten gives 64*2*2 = 256 features and fc1 is
#   nn.Linear(256, 128) where MNIST's is nn.Linear(9216, 128)).
# - No argparse: its defaults are plain variables, with 2 epochs where main.py
#   runs 14, and `train` takes `log_interval` where main.py passes `args`;
#   --dry-run and --save-model are left out, and so is the accelerator: the
#   device is the CPU.
# Its .act translation, line for line, is examples/mnist_cnn.act. Its output
# is PyTorch's but for the last digit of the first loss of epoch 2 (1.442615
# for PyTorch's 1.442614, 2.5e-7 relative), which the f32 convolutions and
# matrix products of the first epoch carry (docs/NUMERICS.md).
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(256, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output


def train(log_interval, model, device, train_loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % log_interval == 0:
            print('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(
                epoch, batch_idx * len(data), len(train_loader.dataset),
                100. * batch_idx / len(train_loader), loss.item()))


def test(model, device, test_loader):
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction='sum').item()  # sum up batch loss
            pred = output.argmax(dim=1, keepdim=True)  # get the index of the max log-probability
            correct += pred.eq(target.view_as(pred)).sum().item()

    test_loss /= len(test_loader.dataset)

    print('\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\n'.format(
        test_loss, correct, len(test_loader.dataset),
        100. * correct / len(test_loader.dataset)))


def main():
    # Training settings: main.py's argparse defaults
    batch_size = 64
    test_batch_size = 1000
    epochs = 2
    lr = 1.0
    gamma = 0.7
    seed = 1
    log_interval = 10

    torch.manual_seed(seed)

    device = torch.device("cpu")

    train_kwargs = {'batch_size': batch_size}
    test_kwargs = {'batch_size': test_batch_size}

    data_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../examples/data")
    x = torch.from_numpy(np.load(os.path.join(data_dir, "digits_x.npy"))).reshape(-1, 1, 8, 8)
    labels = torch.from_numpy(np.load(os.path.join(data_dir, "digits_labels.npy")))
    x_train, y_train = x[:1500], labels[:1500]
    x_test, y_test = x[1500:], labels[1500:]
    dataset1 = torch.utils.data.TensorDataset(x_train, y_train)
    dataset2 = torch.utils.data.TensorDataset(x_test, y_test)
    train_loader = torch.utils.data.DataLoader(dataset1,**train_kwargs)
    test_loader = torch.utils.data.DataLoader(dataset2, **test_kwargs)

    model = Net().to(device)
    optimizer = optim.Adadelta(model.parameters(), lr=lr)

    scheduler = StepLR(optimizer, step_size=1, gamma=gamma)
    for epoch in range(1, epochs + 1):
        train(log_interval, model, device, train_loader, optimizer, epoch)
        test(model, device, test_loader)
        scheduler.step()


if __name__ == '__main__':
    main()
