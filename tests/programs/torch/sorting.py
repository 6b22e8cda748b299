# The PyTorch program that examples/sorting.act mirrors: torch.sort, argsort
# and topk, with ties and NaN; the accuracy@k function of PyTorch's ImageNet
# example (pytorch/examples, imagenet/main.py), which many training scripts
# copy; and a gradient through sorted values (a trimmed mean).
import torch


def accuracy(output, target, topk=(1,)):
    """Computes the accuracy over the k top predictions for the specified values of k"""
    with torch.no_grad():
        maxk = max(topk)
        batch_size = target.size(0)

        _, pred = output.topk(maxk, 1, True, True)
        pred = pred.t()
        correct = pred.eq(target.view(1, -1).expand_as(pred))

        res = []
        for k in topk:
            correct_k = correct[:k].reshape(-1).float().sum(0, keepdim=True)
            res.append(correct_k.mul_(100.0 / batch_size))
        return res


torch.manual_seed(0)
# Many equal values: where the sort puts ties is PyTorch's algorithm's.
x = torch.randint(0, 4, (24,))
print(x)
values, indices = torch.sort(x)
print(values)
print(indices)
print(torch.sort(x, descending=True))
print(torch.sort(x, stable=True).indices)
print(torch.argsort(x, descending=True))

m = torch.randn(3, 5)
print(m.sort(dim=0))
print(m.argsort(dim=1))
print(torch.topk(m, 2))
print(m.topk(2, dim=0, largest=False))
print(m.topk(3, sorted=False).values)

# NaN sorts above every number.
n = torch.tensor([0.5, float("nan"), -1.0, float("inf"), 2.0])
print(torch.sort(n))
print(torch.topk(n, 2))

# Top-1 and top-5 accuracy of scores for 64 samples of 10 classes.
output = torch.randn(64, 10)
target = torch.randint(0, 10, (64,))
acc1, acc5 = accuracy(output, target, topk=(1, 5))
print(acc1, acc5)
print(accuracy(output, target))

# A trimmed mean: the mean of each row without its two smallest and two
# largest values; the gradient reaches the elements that were kept.
w = torch.randn(4, 9, requires_grad=True)
s, _ = w.sort(dim=1)
trimmed = s[:, 2:-2].mean(dim=1)
print(trimmed)
trimmed.sum().backward()
print(w.grad)
