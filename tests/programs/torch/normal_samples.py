# The PyTorch program that examples/normal_samples.act mirrors line for line:
# torch.normal with one mean and one std, as d2l's linear regression makes its
# synthetic data (features ~ N(0, 1), noise ~ N(0, 0.01)), below and above the
# 16 elements where PyTorch's CPU kernel changes method, in f32 and f64.
import torch

torch.manual_seed(0)
true_w = torch.tensor([2, -3.4])
true_b = 4.2
X = torch.normal(0, 1, (1000, len(true_w)))
y = torch.matmul(X, true_w) + true_b
y += torch.normal(0, 0.01, y.shape)
labels = y.reshape((-1, 1))
print(X[:3], labels[:3])
print(torch.normal(2.0, 0.5, (20,)))
print(torch.normal(-1.3, 3.7, (3,)), torch.normal(-1.3, 3.7, (2, 2), dtype=torch.float64))
w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
print(w)
