# A vanilla RNN that learns to finish palindromes: the University of
# Amsterdam's Deep Learning course (2018), assignment 2, part 1
# (uvadlc/uvadlc_practicals_2018: assignment_2/part1/vanilla_rnn.py,
# dataset.py, train.py), written without nn.Module: the model reads the first
# digits of a palindrome one time step at a time and predicts the last, which
# is the first digit it read. As the assignment's train.py trains it: RMSprop,
# and torch.nn.utils' clip_grad_norm_ between the backward and the step (the
# 2018 assignment called it clip_grad_norm, since renamed); smaller sizes, so
# that the example runs in a second. The model computes in float64: in float32
# the matrix products' last bits (docs/act-language.md) move the last printed
# digits of the losses after some steps.
import math

import torch
import torch.nn.functional as F

torch.manual_seed(42)

seq_length = 5
input_dim = 1
num_hidden = 32
num_classes = 10
batch_size = 64
learning_rate = 0.01
train_steps = 200
max_norm = 10.0


# dataset.py: a random first half, mirrored; the input is every digit but the
# last, the target the last.
def palindromes(batch_size, seq_length):
    left = torch.randint(0, 10, (batch_size, math.ceil(seq_length / 2)))
    full = torch.cat([left, left.flip(1)[:, seq_length % 2:]], dim=1)
    return full[:, :-1].double(), full[:, -1]


# vanilla_rnn.py: h(t) = tanh(W_hx x(t) + W_hh h(t-1) + b_h), p = W_ph h(T) + b_p.
std = 1 / math.sqrt(num_hidden)
W_hx = (torch.randn(num_hidden, input_dim, dtype=torch.float64) * std).requires_grad_()
W_hh = (torch.randn(num_hidden, num_hidden, dtype=torch.float64) * std).requires_grad_()
b_h = torch.zeros(num_hidden, 1, dtype=torch.float64, requires_grad=True)
W_ph = (torch.randn(num_classes, num_hidden, dtype=torch.float64) * std).requires_grad_()
b_p = torch.zeros(num_classes, 1, dtype=torch.float64, requires_grad=True)
params = [W_hx, W_hh, b_h, W_ph, b_p]


def model(x):
    h = torch.zeros(num_hidden, batch_size, dtype=torch.float64)
    for t in range(seq_length - 1):
        h = torch.tanh(W_hx @ x[:, t].view(1, -1) + W_hh @ h + b_h)
    return (W_ph @ h + b_p).t()


optimizer = torch.optim.RMSprop(params, lr=learning_rate)
for step in range(train_steps):
    x, y = palindromes(batch_size, seq_length)
    logits = model(x)
    loss = F.cross_entropy(logits, y)
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, max_norm=max_norm)
    optimizer.step()
    accuracy = (logits.argmax(1) == y).float().mean()
    if step % 25 == 0 or step == train_steps - 1:
        print(f"[step {step:3d}] loss {loss.item():.4f}  accuracy {accuracy.item():.3f}")
