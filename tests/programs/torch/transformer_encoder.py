# The PyTorch program that examples/transformer_encoder.act mirrors: a small
# transformer (nn.TransformerEncoderLayer, batch first, dropout 0.1, copied
# into a two-layer nn.TransformerEncoder with a final LayerNorm) trained with
# Adam under a causal mask to predict the running sums of a sequence.
import torch
from torch import nn
import torch.nn.functional as F


class Model(nn.Module):
    def __init__(self, d=16, heads=4, layers=2):
        super().__init__()
        self.embed = nn.Linear(1, d)
        layer = nn.TransformerEncoderLayer(d, heads, dim_feedforward=32, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, norm=nn.LayerNorm(d))
        self.head = nn.Linear(d, 1)

    def forward(self, x, mask):
        h = self.encoder(self.embed(x.unsqueeze(-1)), mask=mask)
        return self.head(h).squeeze(-1)


torch.manual_seed(0)
model = Model()
print(sum(p.numel() for p in model.parameters()))
mask = torch.triu(torch.full((8, 8), float("-inf")), diagonal=1)
x = torch.randn(16, 8)
y = x.cumsum(1)
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
for step in range(20):
    opt.zero_grad()
    loss = F.mse_loss(model(x, mask), y)
    loss.backward()
    opt.step()
    if step % 4 == 0:
        print(f"step {step}: loss {loss.item():.4f}")
model.eval()
with torch.no_grad():
    print(model(x[:2], mask))
