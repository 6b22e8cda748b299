#!/usr/bin/env python3
"""Times tests/programs/torch/minibatch_adam.py without its figure in PyTorch
eager, as `graphc bench bench/minibatch_train.act` times the .act version: the
whole program after loading the data (seed, parameters, 8 epochs of 15 Adam
steps on shuffled batches of 100, the test accuracy), its prints discarded.
Prints one JSON line: the median and minimum of the runs in ms, and the last
run's losses, which must equal the .act program's.
Usage: minibatch_peers.py [RUNS] (default 20, after 3 warmup runs), with
~/peers/bin/python; 2 threads, as the other peers sittings."""
import contextlib, io, json, os, sys, time
import numpy as np, torch
import torch.nn.functional as F

torch.set_num_threads(2)
data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "data")
x = torch.from_numpy(np.load(os.path.join(data, "digits_x.npy")))
labels = torch.from_numpy(np.load(os.path.join(data, "digits_labels.npy")))

class SelfDefinedTanh(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        exp_x = torch.exp(input)
        exp_x_ = torch.exp(-input)
        result = torch.divide((exp_x - exp_x_), (exp_x + exp_x_))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        result, = ctx.saved_tensors
        return grad_output * (1 - result.pow(2))

def program():
    # minibatch_adam.py line for line from its split of the data to its prints.
    x_train, y_train = x[:1500], labels[:1500]
    x_test, y_test = x[1500:], labels[1500:]
    torch.manual_seed(0)
    w1 = (torch.randn(64, 32) * 0.1).requires_grad_()
    b1 = torch.zeros(32, requires_grad=True)
    w2 = (torch.randn(32, 10) * 0.1).requires_grad_()
    b2 = torch.zeros(10, requires_grad=True)
    params = [w1, b1, w2, b2]
    optimizer = torch.optim.Adam(params, lr=0.01)

    def model(x):
        h = SelfDefinedTanh.apply(x @ w1 + b1)
        return h @ w2 + b2

    batch_size = 100
    n_batches = x_train.shape[0] // batch_size
    n_epochs = 8
    losses = torch.zeros(n_epochs)
    for epoch in range(n_epochs):
        perm = torch.randperm(x_train.shape[0])
        total = 0.0
        for i in range(n_batches):
            idx = perm[i * batch_size:(i + 1) * batch_size]
            xb, yb = x_train[idx], y_train[idx]
            loss = F.cross_entropy(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item()
        losses[epoch] = total / n_batches
        print(f"epoch {epoch}  mean loss {total / n_batches:.4f}  last batch {loss.item():.4f}")
    with torch.no_grad():
        accuracy = (model(x_test).argmax(dim=1) == y_test).float().mean()
    print("losses", losses)
    print("test accuracy", accuracy)
    return losses

runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
times = []
for r in range(3 + runs):
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink):
        start = time.perf_counter()
        losses = program()
        elapsed = (time.perf_counter() - start) * 1e3
    if r >= 3:
        times.append(elapsed)
times.sort()
print(json.dumps({"runs": runs, "threads": 2, "torch_median_ms": round(times[len(times) // 2], 3),
                  "torch_min_ms": round(times[0], 3), "losses": [round(float(v), 6) for v in losses]}))
