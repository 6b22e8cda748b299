# Bayes by Backprop (Blundell et al., 2015) for a linear regression, written
# after the `sample_elbo` loop of the public PyTorch implementations: every
# step draws the weights SAMPLES times with the reparameterization trick,
# averages the negative ELBO over the draws, and differentiates through them.
# graphc's examples/bayes_by_backprop.act is this file line for line.
import math

import torch

torch.manual_seed(0)
N, SAMPLES = 64, 3
x = torch.linspace(-2, 2, N)
y = 1.5 * x - 0.5 + 0.3 * torch.randn(N)

mu = torch.zeros(2, requires_grad=True)
rho = torch.full((2,), -3.0, requires_grad=True)
optimizer = torch.optim.Adam([mu, rho], lr=0.05)
prior_sigma = 1.0
noise_sigma = 0.3
log_2pi = math.log(2 * math.pi)

for step in range(301):
    optimizer.zero_grad()
    sigma = torch.log1p(torch.exp(rho))
    loss = torch.zeros(())
    for s in range(SAMPLES):
        eps = torch.randn(2)
        w = mu + sigma * eps
        pred = w[0] * x + w[1]
        log_likelihood = (-0.5 * ((y - pred) / noise_sigma) ** 2).sum() - N * (math.log(noise_sigma) + 0.5 * log_2pi)
        log_prior = (-0.5 * (w / prior_sigma) ** 2).sum() - 2 * (math.log(prior_sigma) + 0.5 * log_2pi)
        log_posterior = (-0.5 * eps**2 - torch.log(sigma)).sum() - log_2pi
        loss = loss + (log_posterior - log_prior - log_likelihood) / SAMPLES
    loss.backward()
    optimizer.step()
    if step % 50 == 0:
        print(f"step {step:3d}  negative ELBO {loss.item():9.4f}")

print("posterior mean", mu.detach())
print("posterior std ", torch.log1p(torch.exp(rho)).detach())
print("next draw", torch.randn(2))
