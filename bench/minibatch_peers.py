#!/usr/bin/env python3
"""Times tests/programs/torch/minibatch_adam.py without its figure in PyTorch
eager, as `graphc bench bench/minibatch_train.act` times the .act version: the
original's text up to its figure (data loading, seed, parameters, 8 epochs of
15 Adam steps on shuffled batches of 100, the test accuracy) executed once a
run, its prints discarded. Prints one JSON line: the median and minimum of the
runs in ms, and the last run's losses, which must equal the .act program's.
Usage: minibatch_peers.py [RUNS] (default 20, after 3 warmup runs), with
~/peers/bin/python; 2 threads, as the other peers sittings."""
import contextlib, io, json, os, sys, time
import torch

torch.set_num_threads(2)
original = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "programs", "torch", "minibatch_adam.py")
with open(original) as f:
    text = f.read()
# The program before its figure: matplotlib's rendering would outweigh the training.
code = compile(text[:text.index("plt.semilogy")], original, "exec")

runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
times = []
for r in range(3 + runs):
    scope = {"__file__": original, "__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()):
        start = time.perf_counter()
        exec(code, scope)
        elapsed = (time.perf_counter() - start) * 1e3
    if r >= 3:
        times.append(elapsed)
times.sort()
print(json.dumps({"runs": runs, "threads": 2, "torch_median_ms": round(times[len(times) // 2], 3),
                  "torch_min_ms": round(times[0], 3), "losses": [round(float(v), 6) for v in scope["losses"]]}))
