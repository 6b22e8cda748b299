# Measures whether PyTorch's softmax and log_softmax over an inner dimension
# give the same bits on 1, 2 and 4 threads (docs/NUMERICS.md, "Reductions").
# Prints, per case, how many elements differ from the 1-thread result.
import torch

torch.manual_seed(0)
SHAPES = [((1000, 37), 0), ((64, 1000, 3), 1), ((5, 4097), 0), ((300, 300), 0), ((7, 33, 129), 1),
          ((2, 100000), 0), ((100, 17, 31), 0), ((1000, 37), 1), ((300, 300), 1)]
for dt in (torch.float32, torch.float64):
    for shape, dim in SHAPES:
        x = torch.randn(*shape, dtype=dt) * 4
        outs = []
        for t in (1, 2, 4):
            torch.set_num_threads(t)
            outs.append((torch.softmax(x, dim), torch.log_softmax(x, dim)))
        r = [(int((a != outs[0][0]).sum()), int((b != outs[0][1]).sum())) for a, b in outs[1:]]
        print(dt, shape, dim, "softmax, log_softmax differing on 2 threads:", r[0], "on 4:", r[1], "of", x.numel())
