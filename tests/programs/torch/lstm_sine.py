# The PyTorch program that examples/lstm_sine.act mirrors: sequence
# prediction with a two-layer LSTM, as time-series tutorials write it (sine
# windows, predict the next value). PyTorch runs an f32 nn.LSTM through
# oneDNN on the CPU; graphc computes ATen's native cells, so full-precision
# losses differ in the last bits (measured below 6e-7 relative over 60 steps).
import math
import torch
from torch import nn

torch.manual_seed(0)
t = torch.linspace(0, 8 * math.pi, 400)
series = torch.sin(t) + 0.1 * torch.randn(400)
window = 20
xs = torch.stack([series[i:i + window] for i in range(0, 360, 4)]).unsqueeze(-1)
ys = torch.stack([series[i + window] for i in range(0, 360, 4)]).unsqueeze(-1)
print(xs.shape, ys.shape)


class SeqModel(nn.Module):
    def __init__(self, hidden=16):
        super().__init__()
        self.lstm = nn.LSTM(1, hidden, num_layers=2, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, (h, c) = self.lstm(x)
        return self.head(out[:, -1])


model = SeqModel()
print(model)
opt = torch.optim.Adam(model.parameters(), lr=0.01)
loss_fn = nn.MSELoss()
for epoch in range(60):
    opt.zero_grad()
    loss = loss_fn(model(xs), ys)
    loss.backward()
    opt.step()
    if epoch % 10 == 0:
        print(f"epoch {epoch}: loss {loss.item():.6f}")
model.eval()
with torch.no_grad():
    pred = model(xs[:3])
print(pred.squeeze(), ys[:3].squeeze())
