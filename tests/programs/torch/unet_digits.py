# The PyTorch program that examples/unet_digits.act mirrors, line for line:
# milesial/Pytorch-UNet, a widely used U-Net in PyTorch: its parts
# (unet/unet_parts.py: DoubleConv, Down, Up with nn.Upsample(mode='bilinear',
# align_corners=True) and F.pad, OutConv), its model (unet/unet_model.py),
# its Dice loss (utils/dice_score.py), its validation (evaluate.py) and its
# training loop (train.py: RMSprop with foreach=True, ReduceLROnPlateau on
# the validation Dice score, BCEWithLogitsLoss plus the Dice loss,
# clip_grad_norm_), line for line, segmenting the 8x8 digits. Adapted to run
# in seconds on the CPU:
# - Data: the first 256 images of data/digits_x.npy, made 16x16 with
#   interpolate(mode='bilinear') (the U-Net halves them four times), each
#   mask the pixels above 0.5, in a TensorDataset (batches are tuples where
#   train.py's BasicDataset gives dicts); random_split and the DataLoaders
#   are train.py's.
# - UNet: the widths a sixteenth of the original's (4 to 64 channels where it
#   has 64 to 1024).
# - f64: `.double()` on the model, the images and the masks (the `.float()`
#   of train.py and evaluate.py), so that every number is PyTorch's bit for
#   bit on any machine: PyTorch's f32 convolutions are oneDNN's, whose
#   rounding depends on the CPU, and RMSprop, which divides each gradient by
#   its running size, carries a last-bit difference into the fourth digit
#   of the losses within a few steps.
# - No tqdm, wandb or logging (print where train.py logs), no argparse
#   (train_model is called with epochs=2, batch_size=16 and
#   learning_rate=1e-4; its other defaults are train.py's), no checkpoints,
#   no AMP (train.py's GradScaler and autocast are off by default), and the
#   images stay contiguous where train.py asks for channels_last.
# - evaluate squeezes the prediction's channel for one class, so that
#   dice_coeff's `assert input.size() == target.size()` holds.

import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import optim
from torch.utils.data import DataLoader, TensorDataset, random_split

data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../examples/data")


class DoubleConv(nn.Module):
    """(convolution => [BN] => ReLU) * 2"""

    def __init__(self, in_channels, out_channels, mid_channels=None):
        super().__init__()
        if not mid_channels:
            mid_channels = out_channels
        self.double_conv = nn.Sequential(
            nn.Conv2d(in_channels, mid_channels, kernel_size=3, padding=1),
            nn.BatchNorm2d(mid_channels),
            nn.ReLU(inplace=True),
            nn.Conv2d(mid_channels, out_channels, kernel_size=3, padding=1),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True)
        )

    def forward(self, x):
        return self.double_conv(x)


class Down(nn.Module):
    """Downscaling with maxpool then double conv"""

    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.maxpool_conv = nn.Sequential(
            nn.MaxPool2d(2),
            DoubleConv(in_channels, out_channels)
        )

    def forward(self, x):
        return self.maxpool_conv(x)


class Up(nn.Module):
    """Upscaling then double conv"""

    def __init__(self, in_channels, out_channels, bilinear=True):
        super().__init__()

        # if bilinear, use the normal convolutions to reduce the number of channels
        if bilinear:
            self.up = nn.Upsample(scale_factor=2, mode='bilinear', align_corners=True)
            self.conv = DoubleConv(in_channels, out_channels, in_channels // 2)
        else:
            self.up = nn.ConvTranspose2d(in_channels, in_channels // 2, kernel_size=2, stride=2)
            self.conv = DoubleConv(in_channels, out_channels)

    def forward(self, x1, x2):
        x1 = self.up(x1)
        # input is CHW
        diffY = x2.size()[2] - x1.size()[2]
        diffX = x2.size()[3] - x1.size()[3]

        x1 = F.pad(x1, [diffX // 2, diffX - diffX // 2,
                        diffY // 2, diffY - diffY // 2])
        x = torch.cat([x2, x1], dim=1)
        return self.conv(x)


class OutConv(nn.Module):
    def __init__(self, in_channels, out_channels):
        super(OutConv, self).__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size=1)

    def forward(self, x):
        return self.conv(x)


class UNet(nn.Module):
    def __init__(self, n_channels, n_classes, bilinear=False):
        super(UNet, self).__init__()
        self.n_channels = n_channels
        self.n_classes = n_classes
        self.bilinear = bilinear

        self.inc = DoubleConv(n_channels, 4)
        self.down1 = Down(4, 8)
        self.down2 = Down(8, 16)
        self.down3 = Down(16, 32)
        factor = 2 if bilinear else 1
        self.down4 = Down(32, 64 // factor)
        self.up1 = Up(64, 32 // factor, bilinear)
        self.up2 = Up(32, 16 // factor, bilinear)
        self.up3 = Up(16, 8 // factor, bilinear)
        self.up4 = Up(8, 4, bilinear)
        self.outc = OutConv(4, n_classes)

    def forward(self, x):
        x1 = self.inc(x)
        x2 = self.down1(x1)
        x3 = self.down2(x2)
        x4 = self.down3(x3)
        x5 = self.down4(x4)
        x = self.up1(x5, x4)
        x = self.up2(x, x3)
        x = self.up3(x, x2)
        x = self.up4(x, x1)
        logits = self.outc(x)
        return logits


def dice_coeff(input, target, reduce_batch_first=False, epsilon=1e-6):
    # Average of Dice coefficient for all batches, or for a single mask
    assert input.size() == target.size()
    assert input.dim() == 3 or not reduce_batch_first

    sum_dim = (-1, -2) if input.dim() == 2 or not reduce_batch_first else (-1, -2, -3)

    inter = 2 * (input * target).sum(dim=sum_dim)
    sets_sum = input.sum(dim=sum_dim) + target.sum(dim=sum_dim)
    sets_sum = torch.where(sets_sum == 0, inter, sets_sum)

    dice = (inter + epsilon) / (sets_sum + epsilon)
    return dice.mean()


def multiclass_dice_coeff(input, target, reduce_batch_first=False, epsilon=1e-6):
    # Average of Dice coefficient for all classes
    return dice_coeff(input.flatten(0, 1), target.flatten(0, 1), reduce_batch_first, epsilon)


def dice_loss(input, target, multiclass=False):
    # Dice loss (objective to minimize) between 0 and 1
    fn = multiclass_dice_coeff if multiclass else dice_coeff
    return 1 - fn(input, target, reduce_batch_first=True)


@torch.inference_mode()
def evaluate(net, dataloader):
    net.eval()
    num_val_batches = len(dataloader)
    dice_score = 0

    # iterate over the validation set
    for batch in dataloader:
        image, mask_true = batch

        # predict the mask
        mask_pred = net(image)

        assert mask_true.min() >= 0 and mask_true.max() <= 1, 'True mask indices should be in [0, 1]'
        mask_pred = (F.sigmoid(mask_pred.squeeze(1)) > 0.5).double()
        # compute the Dice score
        dice_score += dice_coeff(mask_pred, mask_true, reduce_batch_first=False)

    net.train()
    return dice_score / max(num_val_batches, 1)


def train_model(model, epochs=5, batch_size=1, learning_rate=1e-5, val_percent=0.1,
                weight_decay=1e-8, momentum=0.999, gradient_clipping=1.0):
    # 1. Create dataset
    digits = torch.from_numpy(np.load(os.path.join(data, "digits_x.npy")))[:256].reshape(-1, 1, 8, 8).double()
    images = F.interpolate(digits, size=(16, 16), mode='bilinear', align_corners=False)
    masks = (images > 0.5).long().squeeze(1)
    dataset = TensorDataset(images, masks)

    # 2. Split into train / validation partitions
    n_val = int(len(dataset) * val_percent)
    n_train = len(dataset) - n_val
    train_set, val_set = random_split(dataset, [n_train, n_val], generator=torch.Generator().manual_seed(0))

    # 3. Create data loaders
    train_loader = DataLoader(train_set, shuffle=True, batch_size=batch_size)
    val_loader = DataLoader(val_set, shuffle=False, drop_last=True, batch_size=batch_size)

    print(f'''Starting training:
        Epochs:          {epochs}
        Batch size:      {batch_size}
        Learning rate:   {learning_rate}
        Training size:   {n_train}
        Validation size: {n_val}''')

    # 4. Set up the optimizer, the loss and the learning rate scheduler
    optimizer = optim.RMSprop(model.parameters(),
                              lr=learning_rate, weight_decay=weight_decay, momentum=momentum, foreach=True)
    scheduler = optim.lr_scheduler.ReduceLROnPlateau(optimizer, 'max', patience=5)  # goal: maximize Dice score
    criterion = nn.CrossEntropyLoss() if model.n_classes > 1 else nn.BCEWithLogitsLoss()
    global_step = 0

    # 5. Begin training
    for epoch in range(1, epochs + 1):
        model.train()
        epoch_loss = 0
        for batch in train_loader:
            images, true_masks = batch

            assert images.shape[1] == model.n_channels, \
                f'Network has been defined with {model.n_channels} input channels, ' \
                f'but loaded images have {images.shape[1]} channels. Please check that ' \
                'the images are loaded correctly.'

            masks_pred = model(images)
            loss = criterion(masks_pred.squeeze(1), true_masks.double())
            loss += dice_loss(F.sigmoid(masks_pred.squeeze(1)), true_masks.double(), multiclass=False)

            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), gradient_clipping)
            optimizer.step()

            global_step += 1
            epoch_loss += loss.item()
            print(f'Epoch {epoch}/{epochs} step {global_step}: loss (batch) {loss.item():.6f}')

            # Evaluation round
            division_step = (n_train // (5 * batch_size))
            if division_step > 0:
                if global_step % division_step == 0:
                    val_score = evaluate(model, val_loader)
                    scheduler.step(val_score)

                    print('Validation Dice score: {}'.format(val_score))
        print(f'Epoch {epoch} loss: {epoch_loss / len(train_loader):.6f}')


torch.manual_seed(0)
model = UNet(n_channels=1, n_classes=1, bilinear=True).double()
print(f'Network:\n'
      f'\t{model.n_channels} input channels\n'
      f'\t{model.n_classes} output channels (classes)\n'
      f'\t{"Bilinear" if model.bilinear else "Transposed conv"} upscaling')
train_model(model=model, epochs=2, batch_size=16, learning_rate=1e-4)
