# The PyTorch program that examples/big_ints.act mirrors.
import torch

big = 2**60 + 1
print(big, 2**53 + 1, 9007199254740993)
print(9223372036854775807, -9223372036854775807 - 1)
print(2**62 - 1 + 2**62, -(2**63), -9223372036854775808, 2**64 // 2**2, 2**64 * 1.0)

n = 9223372036854775807
print(n // 10, n % 10, -n // 10, -n % 10, n // -7, n % -7)
print(abs(-n), min(n, n - 1), max(-n, 1 - n), int(n), n - (n - 1))
print(n == 2**63 - 1, n > 2**63 - 2, 2**53 + 1 > 2.0**53, 2**53 + 1 == 2.0**53)
print(3**39, (-3)**39, 2**-2, 7 // 2 * 2**58)
print(float(2**60 + 1), 2**60 + 0.5, (2**60 + 1) / 1)
print(f"{big} {big:,} {n:x} {big:>22d}")

t = torch.tensor([2**60 + 1, -9223372036854775807 - 1, 9223372036854775807])
print(t, t.dtype)
print(torch.full((2,), 2**60 + 1), torch.full((2, 1), -(2**62)))
print(t[0] - (2**60), t + 0, t[2] - 9223372036854775807)
print(torch.tensor([2**60, 1]) // 3, torch.tensor([2**60 + 3]) % 2**31)
print(torch.arange(2**60, 2**60 + 3))
print(t[0].item())

torch.manual_seed(2**64 - 1)
print(torch.randn(3))
torch.manual_seed(18446744073709551615)
print(torch.randn(3))
torch.manual_seed(2**63)
print(torch.randn(3))
torch.manual_seed(-5)
print(torch.randn(3))
torch.manual_seed(-(2**63))
print(torch.randn(3))
