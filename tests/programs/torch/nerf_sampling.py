# The PyTorch program that examples/nerf_sampling.act mirrors.
# NeRF's hierarchical sampling and PyTorch3D's look-at camera, line for line:
# `sample_pdf` from yenchenlin/nerf-pytorch (run_nerf_helpers.py, MIT License,
# Copyright (c) 2020 Yen-Chen Lin) and `look_at_rotation` from
# facebookresearch/pytorch3d (renderer/cameras.py, BSD License, Copyright (c)
# Meta Platforms, Inc. and affiliates), then rays through a 3x4 pixel grid,
# coarse samples along them, made-up weights in place of a network's, and the
# fine samples drawn where the weights are.
import torch
import torch.nn.functional as F


def look_at_rotation(camera_position, at=((0, 0, 0),), up=((0, 1, 0),)):
    at = torch.tensor(at, dtype=torch.float32)
    up = torch.tensor(up, dtype=torch.float32)
    z_axis = F.normalize(at - camera_position, eps=1e-5)
    x_axis = F.normalize(torch.cross(up, z_axis, dim=1), eps=1e-5)
    y_axis = F.normalize(torch.cross(z_axis, x_axis, dim=1), eps=1e-5)
    is_close = torch.isclose(x_axis, torch.tensor(0.0), atol=5e-3).all(dim=1, keepdim=True)
    if is_close.any():
        replacement = F.normalize(torch.cross(y_axis, z_axis, dim=1), eps=1e-5)
        x_axis = torch.where(is_close, replacement, x_axis)
    R = torch.cat((x_axis[:, None, :], y_axis[:, None, :], z_axis[:, None, :]), dim=1)
    return R.transpose(1, 2)


def sample_pdf(bins, weights, N_samples, det=False):
    # Get pdf
    weights = weights + 1e-5  # prevent nans
    pdf = weights / torch.sum(weights, -1, keepdim=True)
    cdf = torch.cumsum(pdf, -1)
    cdf = torch.cat([torch.zeros_like(cdf[..., :1]), cdf], -1)  # (batch, len(bins))

    # Take uniform samples
    if det:
        u = torch.linspace(0., 1., steps=N_samples)
        u = u.expand(list(cdf.shape[:-1]) + [N_samples])
    else:
        u = torch.rand(list(cdf.shape[:-1]) + [N_samples])

    # Invert CDF
    u = u.contiguous()
    inds = torch.searchsorted(cdf, u, right=True)
    below = torch.max(torch.zeros_like(inds - 1), inds - 1)
    above = torch.min((cdf.shape[-1] - 1) * torch.ones_like(inds), inds)
    inds_g = torch.stack([below, above], -1)  # (batch, N_samples, 2)

    matched_shape = [inds_g.shape[0], inds_g.shape[1], cdf.shape[-1]]
    cdf_g = torch.gather(cdf.unsqueeze(1).expand(matched_shape), 2, inds_g)
    bins_g = torch.gather(bins.unsqueeze(1).expand(matched_shape), 2, inds_g)

    denom = (cdf_g[..., 1] - cdf_g[..., 0])
    denom = torch.where(denom < 1e-5, torch.ones_like(denom), denom)
    t = (u - cdf_g[..., 0]) / denom
    samples = bins_g[..., 0] + t * (bins_g[..., 1] - bins_g[..., 0])

    return samples


torch.manual_seed(0)
eye = torch.tensor([[2.0, 1.0, 3.0]])
R = look_at_rotation(eye)
print(R)
print(torch.linalg.cross(R[0, :, 0], R[0, :, 1]))

# Rays through a 3x4 grid of pixels of a pinhole camera at `eye`.
H, W, focal = 3, 4, 2.0
i = torch.arange(W, dtype=torch.float32).repeat(H)
j = torch.arange(H, dtype=torch.float32).repeat_interleave(W)
dirs = torch.stack([(i - W * 0.5) / focal, -(j - H * 0.5) / focal, -torch.ones_like(i)], -1)
rays_d = torch.sum(dirs[..., None, :] * R[0], -1)
rays_o = eye.expand(rays_d.shape)
print(rays_d[:3])

# Coarse samples between near and far, midpoints as bins, weights peaked at a depth.
near, far, N_coarse = 2.0, 6.0, 8
t_vals = torch.linspace(0., 1., steps=N_coarse)
z_vals = near * (1. - t_vals) + far * t_vals
z_vals = z_vals.expand([rays_d.shape[0], N_coarse])
z_vals_mid = .5 * (z_vals[..., 1:] + z_vals[..., :-1])
depth = 3.0 + torch.arange(rays_d.shape[0], dtype=torch.float32) * 0.2
weights = torch.relu(1.0 - (z_vals - depth[:, None]) ** 2 / 2.0)
print(weights[:2])

z_det = sample_pdf(z_vals_mid, weights[..., 1:-1], 6, det=True)
print(z_det[:2])
z_samples = sample_pdf(z_vals_mid, weights[..., 1:-1], 6, det=False)
z_all, _ = torch.sort(torch.cat([z_vals, z_samples], -1), -1)
print(z_all[0])
pts = rays_o[..., None, :] + rays_d[..., None, :] * z_all[..., :, None]
print(pts.shape)
print(pts[0, :3])
inds = torch.bucketize(z_samples, z_vals_mid[0])
print(inds[:3])
