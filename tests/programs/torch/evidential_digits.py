# Evidential deep learning (Sensoy, Kaplan and Kandemir, "Evidential Deep
# Learning to Quantify Classification Uncertainty", NeurIPS 2018) on the 8x8
# digits: the network's outputs are evidence for a Dirichlet over the classes,
# trained with the expected squared error and a KL term that pulls the evidence
# of wrong classes toward the uniform Dirichlet, annealed over the first epochs.
# The loss functions are those of dougbrion/pytorch-classification-uncertainty
# (losses.py: kl_divergence, loglikelihood_loss, mse_loss, relu_evidence), the
# loop and its statistics those of its train.py.
# graphc's examples/evidential_digits.act is this file line for line.
import os

import numpy as np
import torch
import torch.nn.functional as F

data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../examples/data")
x = torch.from_numpy(np.load(os.path.join(data, "digits_x.npy")))
labels = torch.from_numpy(np.load(os.path.join(data, "digits_labels.npy")))
x_train, y_train = x[:1500], labels[:1500]
x_test, y_test = x[1500:], labels[1500:]
num_classes = 10


def relu_evidence(y):
    return F.relu(y)


def kl_divergence(alpha, num_classes):
    beta = torch.ones([1, num_classes], dtype=torch.float32)
    S_alpha = torch.sum(alpha, dim=1, keepdim=True)
    S_beta = torch.sum(beta, dim=1, keepdim=True)
    lnB = torch.lgamma(S_alpha) - torch.sum(torch.lgamma(alpha), dim=1, keepdim=True)
    lnB_uni = torch.sum(torch.lgamma(beta), dim=1, keepdim=True) - torch.lgamma(S_beta)
    dg0 = torch.digamma(S_alpha)
    dg1 = torch.digamma(alpha)
    kl = torch.sum((alpha - beta) * (dg1 - dg0), dim=1, keepdim=True) + lnB + lnB_uni
    return kl


def loglikelihood_loss(y, alpha):
    S = torch.sum(alpha, dim=1, keepdim=True)
    loglikelihood_err = torch.sum((y - (alpha / S)) ** 2, dim=1, keepdim=True)
    loglikelihood_var = torch.sum(alpha * (S - alpha) / (S * S * (S + 1)), dim=1, keepdim=True)
    loglikelihood = loglikelihood_err + loglikelihood_var
    return loglikelihood


def mse_loss(y, alpha, epoch_num, num_classes, annealing_step):
    loglikelihood = loglikelihood_loss(y, alpha)
    annealing_coef = torch.min(
        torch.tensor(1.0, dtype=torch.float32),
        torch.tensor(epoch_num / annealing_step, dtype=torch.float32),
    )
    kl_alpha = (alpha - 1) * (1 - y) + 1
    kl_div = annealing_coef * kl_divergence(kl_alpha, num_classes)
    return loglikelihood + kl_div


def edl_mse_loss(output, target, epoch_num, num_classes, annealing_step):
    evidence = relu_evidence(output)
    alpha = evidence + 1
    loss = torch.mean(mse_loss(target, alpha, epoch_num, num_classes, annealing_step))
    return loss


torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, num_classes))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=0.005)

for epoch in range(20):
    perm = torch.randperm(1500)
    running_loss = 0.0
    running_corrects = 0
    for i in range(0, 1500, 100):
        idx = perm[i : i + 100]
        inputs, targets = x_train[idx], y_train[idx]
        y = F.one_hot(targets, num_classes).float()
        outputs = model(inputs)
        _, preds = torch.max(outputs, 1)
        loss = edl_mse_loss(outputs, y, epoch, num_classes, 10)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running_loss += loss.item() * inputs.size(0)
        running_corrects += torch.sum(preds == targets).item()
    with torch.no_grad():
        outputs = model(x_test)
        _, preds = torch.max(outputs, 1)
        match = torch.reshape(torch.eq(preds, y_test).float(), (-1, 1))
        evidence = relu_evidence(outputs)
        alpha = evidence + 1
        u = num_classes / torch.sum(alpha, dim=1, keepdim=True)
        total_evidence = torch.sum(evidence, 1, keepdim=True)
        mean_evidence_succ = torch.sum(total_evidence * match) / torch.sum(match + 1e-20)
        mean_evidence_fail = torch.sum(total_evidence * (1 - match)) / (torch.sum(torch.abs(1 - match)) + 1e-20)
    print(
        "epoch {} loss: {:.4f} acc: {:.4f} test acc: {:.4f} evidence right {:.2f} wrong {:.2f} uncertainty {:.4f}".format(
            epoch,
            running_loss / 1500,
            running_corrects / 1500,
            match.mean().item(),
            mean_evidence_succ.item(),
            mean_evidence_fail.item(),
            u.mean().item(),
        )
    )

# The uncertainty u = K / sum(alpha) of a few test digits, and of noise.
with torch.no_grad():
    probe = torch.cat([x_test[:4], torch.rand(2, 64) * 16])
    alpha = relu_evidence(model(probe)) + 1
    print("probabilities", alpha / torch.sum(alpha, dim=1, keepdim=True))
    print("uncertainty", num_classes / torch.sum(alpha, dim=1))
