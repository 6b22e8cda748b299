# A sequence-to-sequence nn.Transformer trained on the token task of James
# McCaffrey's "Simplest Transformer Seq-to-Seq Example" (2022): the source is
# SOS, eight tokens from 4 to 9 and EOS; the target adds one to each token
# (9 wraps around to 4). Teacher forcing with a causal target mask, then
# greedy decoding one token at a time. The model runs in float64 (see the
# .act file for why).
import torch
from torch import nn
import torch.nn.functional as F

SOS, EOS, VOCAB = 1, 2, 12


class TransformerNet(nn.Module):
    def __init__(self, d_model=16, max_len=10):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, d_model)
        self.pos = nn.Embedding(max_len, d_model)
        self.transformer = nn.Transformer(
            d_model,
            nhead=2,
            num_encoder_layers=2,
            num_decoder_layers=2,
            dim_feedforward=32,
            dropout=0.1,
            batch_first=True,
        )
        self.fc = nn.Linear(d_model, VOCAB)

    def forward(self, src, tgt):
        mask = self.transformer.generate_square_subsequent_mask(tgt.size(1))
        s = self.embed(src) + self.pos(torch.arange(src.size(1)))
        t = self.embed(tgt) + self.pos(torch.arange(tgt.size(1)))
        return self.fc(self.transformer(s, t, tgt_mask=mask))


def make_data(n):
    body = torch.randint(4, 10, (n, 8))
    shifted = (body - 4 + 1) % 6 + 4
    sos = torch.full((n, 1), SOS)
    eos = torch.full((n, 1), EOS)
    return torch.cat([sos, body, eos], 1), torch.cat([sos, shifted, eos], 1)


torch.manual_seed(1)
src, tgt = make_data(256)
print("source", src[0].tolist())
print("target", tgt[0].tolist())
model = TransformerNet().double()
print(f"{sum(p.numel() for p in model.parameters())} parameters")
opt = torch.optim.Adam(model.parameters(), lr=0.003)
for epoch in range(30):
    model.train()
    perm = torch.randperm(256)
    total = 0.0
    for i in range(0, 256, 32):
        idx = perm[i : i + 32]
        s, t = src[idx], tgt[idx]
        logits = model(s, t[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, VOCAB), t[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item()
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1}: loss {total / 8:.4f}")

model.eval()
with torch.no_grad():
    test_src, test_tgt = make_data(16)
    ys = torch.full((16, 1), SOS)
    for i in range(9):
        logits = model(test_src, ys)
        nxt = logits[:, -1].argmax(-1)
        ys = torch.cat([ys, nxt.unsqueeze(1)], 1)
    print(test_src[:3])
    print(ys[:3])
    print(f"correct tokens: {(ys == test_tgt).sum().item()} of {test_tgt.numel()}")
