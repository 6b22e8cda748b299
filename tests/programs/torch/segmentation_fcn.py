# A fully convolutional network that labels every pixel (semantic
# segmentation, as torchvision's FCN and U-Net training scripts do), trained
# with F.cross_entropy on [N, C, H, W] logits and [N, H, W] class maps:
# synthetic 8x8 images of 2 channels whose pixels belong to class 0, 1 or 2
# by a rule of their channels, a 3-layer net of 3x3 and 1x1 convolutions,
# Adam for 30 steps over 4 batches, class weights and an ignored label, the
# loss every 10 steps, then the pixel accuracy and the per-pixel losses of one
# image. Its .act translation, line for line, is examples/segmentation_fcn.act.
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
images = torch.randn(64, 2, 8, 8)
labels = (images[:, 0] > 0.3).long() + (images[:, 1] > 0.0).long() * (images[:, 0] > 0.3).long()
labels[:, 0, 0] = -1


class FCN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(2, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
        self.classify = nn.Conv2d(8, 3, 1)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        return self.classify(x)


model = FCN()
weights = torch.tensor([0.5, 1.0, 2.0])
optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
for step in range(30):
    batch = step % 4
    x = images[batch * 16:(batch + 1) * 16]
    y = labels[batch * 16:(batch + 1) * 16]
    logits = model(x)
    loss = F.cross_entropy(logits, y, weight=weights, ignore_index=-1)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 10 == 9:
        print(f"step {step + 1}: loss {loss.item():.4f}")
with torch.no_grad():
    predicted = model(images).argmax(1)
    valid = labels != -1
    accuracy = ((predicted == labels) & valid).float().sum() / valid.float().sum()
    print(f"pixel accuracy {accuracy.item():.4f}")
    per_pixel = F.cross_entropy(model(images[:1]), labels[:1], reduction="none", ignore_index=-1)
    print(per_pixel[0, :3])
