# The PyTorch program that examples/nn_modules.act mirrors.
import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(0)


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(8 * 8, 32),
            nn.ReLU(),
            nn.Linear(32, 32),
            nn.ReLU(),
            nn.Linear(32, 10),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


model = NeuralNetwork()
print(model)
X = torch.rand(3, 8, 8)
logits = model(X)
pred_probab = nn.Softmax(dim=1)(logits)
y_pred = pred_probab.argmax(1)
print(f"Predicted class: {y_pred}")
for name, param in model.named_parameters():
    print(f"Layer: {name} | Size: {param.size()} | Values : {param[:2]} \n")

loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
y = torch.tensor([1, 2, 3])
for t in range(5):
    pred = model(X)
    loss = loss_fn(pred, y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    print(t, loss.item())
model.eval()
print(model.training, model.linear_relu_stack.training)

# A class derived from another, and the modules' own methods.

torch.manual_seed(1)


class Block(nn.Module):
    def __init__(self, n, scale=2.0):
        super().__init__()
        self.scale = scale
        self.fc = nn.Linear(n, n, bias=False)
        self.gain = nn.Parameter(torch.ones(n))
        self.register_buffer("offset", torch.zeros(n))
        self.calls = 0

    def forward(self, x):
        self.calls += 1
        return torch.tanh(self.fc(x)) * self.gain * self.scale + self.offset


class Deeper(Block):
    def __init__(self, n):
        super().__init__(n, scale=0.5)
        self.layers = nn.ModuleList([nn.Linear(n, n) for _ in range(2)])
        self.act = F.relu

    def forward(self, x):
        x = super().forward(x)
        for layer in self.layers:
            x = self.act(layer(x))
        return self.layers[-1](x)


net = Deeper(3)
print(net)
print(net.gain)
print(len(list(net.parameters())), [n for n, _ in net.named_parameters()])
x = torch.randn(4, 3)
y = net(x)
print(y)
print(net.calls)
y.sum().backward()
print(net.fc.weight.grad)
print(net.gain.grad)
net.zero_grad()
print(net.gain.grad)
net.train(False)
print(net.training, net.layers[0].training, net.layers.training)
print(nn.Conv2d(1, 4, 3, padding=1), nn.MaxPool2d(2), nn.Dropout(0.25), nn.LayerNorm(5), nn.GELU(), nn.LeakyReLU(0.2), nn.MSELoss())
