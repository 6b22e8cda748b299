# WGAN-GP (Gulrajani et al., 2017) on a toy 2-D distribution, after
# caogang/wgan-gp's gan_toy.py: an MLP generator and critic trained with Adam,
# five critic steps per generator step, and the gradient penalty taken with
# autograd.grad(..., create_graph=True) at points between real and fake
# samples. The 8-gaussians data come from torch's generator here (gan_toy.py
# draws them with numpy), and the networks are smaller.
# graphc's examples/wgan_gp_toy.act is this file line for line.
import math

import torch
from torch import autograd

torch.manual_seed(1)
DIM = 32
LAMBDA = 0.1
CRITIC_ITERS = 5
BATCH_SIZE = 64
ITERS = 60


def init(fan_in, fan_out):
    bound = 1 / math.sqrt(fan_in)
    return [
        torch.empty(fan_out, fan_in).uniform_(-bound, bound).requires_grad_(),
        torch.empty(fan_out).uniform_(-bound, bound).requires_grad_(),
    ]


G = init(2, DIM) + init(DIM, DIM) + init(DIM, 2)
D = init(2, DIM) + init(DIM, DIM) + init(DIM, 1)


def mlp(x, p):
    h = torch.relu(torch.nn.functional.linear(x, p[0], p[1]))
    h = torch.relu(torch.nn.functional.linear(h, p[2], p[3]))
    return torch.nn.functional.linear(h, p[4], p[5])


centers = torch.tensor([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0],
                        [0.7071, 0.7071], [0.7071, -0.7071], [-0.7071, 0.7071], [-0.7071, -0.7071]]) * 2


def real_batch():
    which = torch.randint(0, 8, (BATCH_SIZE,))
    return (centers[which] + 0.02 * torch.randn(BATCH_SIZE, 2)) / 1.414


def calc_gradient_penalty(real_data, fake_data):
    alpha = torch.rand(BATCH_SIZE, 1)
    interpolates = (alpha * real_data + (1 - alpha) * fake_data).requires_grad_(True)
    disc_interpolates = mlp(interpolates, D)
    gradients = autograd.grad(outputs=disc_interpolates, inputs=interpolates,
                              grad_outputs=torch.ones(disc_interpolates.size()),
                              create_graph=True, retain_graph=True, only_inputs=True)[0]
    return ((gradients.norm(2, dim=1) - 1) ** 2).mean() * LAMBDA


optimizerD = torch.optim.Adam(D, lr=1e-4, betas=(0.5, 0.9))
optimizerG = torch.optim.Adam(G, lr=1e-4, betas=(0.5, 0.9))
one = torch.tensor(1.0)
mone = one * -1

for iteration in range(ITERS):
    for iter_d in range(CRITIC_ITERS):
        real_data = real_batch()
        optimizerD.zero_grad()
        D_real = mlp(real_data, D).mean()
        D_real.backward(mone)
        noise = torch.randn(BATCH_SIZE, 2)
        fake = mlp(noise, G).detach()
        D_fake = mlp(fake, D).mean()
        D_fake.backward(one)
        gradient_penalty = calc_gradient_penalty(real_data, fake)
        gradient_penalty.backward()
        D_cost = D_fake - D_real + gradient_penalty
        Wasserstein_D = D_real - D_fake
        optimizerD.step()
    optimizerG.zero_grad()
    noise = torch.randn(BATCH_SIZE, 2)
    G_cost = mlp(mlp(noise, G), D).mean()
    G_cost.backward(mone)
    optimizerG.step()
    if iteration % 10 == 9:
        print(f"iter {iteration + 1:3d}  D cost {D_cost.item():.4f}  W distance {Wasserstein_D.item():.4f}  G cost {-G_cost.item():.4f}")
