# The PyTorch program that examples/attention_block.act mirrors: a causal
# self-attention block (nn.MultiheadAttention, batch first, with a bool
# causal mask and need_weights=False, as transformer blocks call it), a
# residual LayerNorm and a linear head, trained with Adam to predict running
# sums of a sequence.
import torch
from torch import nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, 1)

    def forward(self, x, mask):
        a, _ = self.attn(x, x, x, attn_mask=mask, need_weights=False)
        return self.head(self.norm(x + a)).squeeze(-1)


torch.manual_seed(0)
model = Block(16, 4)
print(model)
mask = torch.triu(torch.ones(6, 6), diagonal=1).bool()
x = torch.randn(32, 6, 16)
y = x.cumsum(1)[:, :, 0]
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(30):
    opt.zero_grad()
    loss = F.mse_loss(model(x, mask), y)
    loss.backward()
    opt.step()
    if step % 5 == 0:
        print(f"step {step}: loss {loss.item():.4f}")
