# tiny-diffusion's DDPM (github.com/tanelp/tiny-diffusion, ddpm.py and
# positional_embeddings.py): the MLP noise predictor with sinusoidal
# embeddings of both coordinates and of the time step, the linear beta
# schedule's NoiseScheduler, AdamW with gradient clipping, and sampling with
# the scheduler's reverse steps. Adapted to run in seconds:
# - Data: the moons (examples/data/moons.npy, tiny-diffusion's moons_dataset
#   with 1000 points instead of 8000). The DataLoader(shuffle=True,
#   drop_last=True) is a loop over `torch.randperm` batches; tqdm's progress
#   bar is left out, and each epoch prints its mean loss instead.
# - No argparse: its defaults are plain variables, with 8 epochs where
#   ddpm.py runs 150, a training batch of 32 (ddpm.py: 256), 200 samples to
#   evaluate (ddpm.py: 1000), and samples drawn every 4 epochs (ddpm.py: 1).
# - Only the sinusoidal embeddings (ddpm.py's default) are written out;
#   PositionalEmbedding's other choices are not used.
# - Instead of saving the model, the images and the arrays, the program prints
#   the mean and the standard deviation of each frame's samples.
# Its .act translation, line for line, is examples/tiny_diffusion.act.
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


class SinusoidalEmbedding(nn.Module):
    def __init__(self, size: int, scale: float = 1.0):
        super().__init__()
        self.size = size
        self.scale = scale
        half_size = self.size // 2
        emb = torch.log(torch.Tensor([10000.0])) / (half_size - 1)
        emb = torch.exp(-emb * torch.arange(half_size))
        self.emb = nn.Parameter(emb, requires_grad=False)

    def forward(self, x: torch.Tensor):
        x = x * self.scale
        emb = x.unsqueeze(-1) * self.emb.unsqueeze(0)
        emb = torch.cat((torch.sin(emb), torch.cos(emb)), dim=-1)
        return emb

    def __len__(self):
        return self.size


class Block(nn.Module):
    def __init__(self, size: int):
        super().__init__()

        self.ff = nn.Linear(size, size)
        self.act = nn.GELU()

    def forward(self, x: torch.Tensor):
        return x + self.act(self.ff(x))


class MLP(nn.Module):
    def __init__(self, hidden_size: int = 128, hidden_layers: int = 3, emb_size: int = 128):
        super().__init__()

        self.time_mlp = SinusoidalEmbedding(emb_size)
        self.input_mlp1 = SinusoidalEmbedding(emb_size, scale=25.0)
        self.input_mlp2 = SinusoidalEmbedding(emb_size, scale=25.0)

        concat_size = len(self.time_mlp) + \
            len(self.input_mlp1) + len(self.input_mlp2)
        layers = [nn.Linear(concat_size, hidden_size), nn.GELU()]
        for _ in range(hidden_layers):
            layers.append(Block(hidden_size))
        layers.append(nn.Linear(hidden_size, 2))
        self.joint_mlp = nn.Sequential(*layers)

    def forward(self, x, t):
        x1_emb = self.input_mlp1(x[:, 0])
        x2_emb = self.input_mlp2(x[:, 1])
        t_emb = self.time_mlp(t)
        x = torch.cat((x1_emb, x2_emb, t_emb), dim=-1)
        x = self.joint_mlp(x)
        return x


class NoiseScheduler():
    def __init__(self,
                 num_timesteps=1000,
                 beta_start=0.0001,
                 beta_end=0.02):

        self.num_timesteps = num_timesteps
        self.betas = torch.linspace(
            beta_start, beta_end, num_timesteps, dtype=torch.float32)

        self.alphas = 1.0 - self.betas
        self.alphas_cumprod = torch.cumprod(self.alphas, axis=0)
        self.alphas_cumprod_prev = F.pad(
            self.alphas_cumprod[:-1], (1, 0), value=1.)

        # required for self.add_noise
        self.sqrt_alphas_cumprod = self.alphas_cumprod ** 0.5
        self.sqrt_one_minus_alphas_cumprod = (1 - self.alphas_cumprod) ** 0.5

        # required for reconstruct_x0
        self.sqrt_inv_alphas_cumprod = torch.sqrt(1 / self.alphas_cumprod)
        self.sqrt_inv_alphas_cumprod_minus_one = torch.sqrt(
            1 / self.alphas_cumprod - 1)

        # required for q_posterior
        self.posterior_mean_coef1 = self.betas * torch.sqrt(self.alphas_cumprod_prev) / (1. - self.alphas_cumprod)
        self.posterior_mean_coef2 = (1. - self.alphas_cumprod_prev) * torch.sqrt(self.alphas) / (1. - self.alphas_cumprod)

    def reconstruct_x0(self, x_t, t, noise):
        s1 = self.sqrt_inv_alphas_cumprod[t]
        s2 = self.sqrt_inv_alphas_cumprod_minus_one[t]
        s1 = s1.reshape(-1, 1)
        s2 = s2.reshape(-1, 1)
        return s1 * x_t - s2 * noise

    def q_posterior(self, x_0, x_t, t):
        s1 = self.posterior_mean_coef1[t]
        s2 = self.posterior_mean_coef2[t]
        s1 = s1.reshape(-1, 1)
        s2 = s2.reshape(-1, 1)
        mu = s1 * x_0 + s2 * x_t
        return mu

    def get_variance(self, t):
        if t == 0:
            return 0

        variance = self.betas[t] * (1. - self.alphas_cumprod_prev[t]) / (1. - self.alphas_cumprod[t])
        variance = variance.clip(1e-20)
        return variance

    def step(self, model_output, timestep, sample):
        t = timestep
        pred_original_sample = self.reconstruct_x0(sample, t, model_output)
        pred_prev_sample = self.q_posterior(pred_original_sample, sample, t)

        variance = 0
        if t > 0:
            noise = torch.randn_like(model_output)
            variance = (self.get_variance(t) ** 0.5) * noise

        pred_prev_sample = pred_prev_sample + variance

        return pred_prev_sample

    def add_noise(self, x_start, x_noise, timesteps):
        s1 = self.sqrt_alphas_cumprod[timesteps]
        s2 = self.sqrt_one_minus_alphas_cumprod[timesteps]

        s1 = s1.reshape(-1, 1)
        s2 = s2.reshape(-1, 1)

        return s1 * x_start + s2 * x_noise

    def __len__(self):
        return self.num_timesteps


train_batch_size = 32
eval_batch_size = 200
num_epochs = 8
learning_rate = 1e-3
num_timesteps = 50
embedding_size = 128
hidden_size = 128
hidden_layers = 3
save_images_step = 4

torch.manual_seed(0)
dataset = torch.from_numpy(np.load("data/moons.npy"))
num_batches = len(dataset) // train_batch_size

model = MLP(
    hidden_size=hidden_size,
    hidden_layers=hidden_layers,
    emb_size=embedding_size)

noise_scheduler = NoiseScheduler(
    num_timesteps=num_timesteps)

optimizer = torch.optim.AdamW(
    model.parameters(),
    lr=learning_rate,
)

global_step = 0
frames = []
losses = []
print("Training model...")

for epoch in range(num_epochs):
    model.train()
    perm = torch.randperm(len(dataset))
    for step in range(num_batches):
        batch = dataset[perm[step * train_batch_size:(step + 1) * train_batch_size]]
        noise = torch.randn(batch.shape)
        timesteps = torch.randint(
            0, noise_scheduler.num_timesteps, (batch.shape[0],)
        ).long()

        noisy = noise_scheduler.add_noise(batch, noise, timesteps)
        noise_pred = model(noisy, timesteps)
        loss = F.mse_loss(noise_pred, noise)
        loss.backward(loss)

        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad()

        losses.append(loss.detach().item())
        global_step += 1
    print(f"Epoch {epoch}: mean loss {sum(losses[-num_batches:]) / num_batches:.5f}, step {global_step}")

    if epoch % save_images_step == 0 or epoch == num_epochs - 1:
        # generate data with the model to later visualize the learning process
        model.eval()
        sample = torch.randn(eval_batch_size, 2)
        timesteps = list(range(len(noise_scheduler)))[::-1]
        for i, t in enumerate(timesteps):
            t = torch.full((eval_batch_size,), t, dtype=torch.long)
            with torch.no_grad():
                residual = model(sample, t)
            sample = noise_scheduler.step(residual, t[0], sample)
        frames.append(sample)
        print(f"frame {len(frames) - 1}: mean {sample.mean(0).tolist()}, std {sample.std(0).tolist()}")

print(f"losses: first {losses[0]:.5f}, last {losses[-1]:.5f}, lowest {min(losses):.5f}")
