# Bjarten's early-stopping-pytorch (github.com/Bjarten/early-stopping-pytorch):
# its EarlyStopping class (pytorchtools.py) and the training loop of its
# MNIST example, on the 8x8 digits, keeping the best weights in memory
# instead of a checkpoint file.
import numpy as np
import torch
import torch.nn as nn


class EarlyStopping:
    """Early stops the training if validation loss doesn't improve after a given patience."""

    def __init__(self, patience=7, verbose=False, delta=0):
        self.patience = patience
        self.verbose = verbose
        self.counter = 0
        self.best_score = None
        self.early_stop = False
        self.val_loss_min = np.inf
        self.delta = delta

    def __call__(self, val_loss, model):
        score = -val_loss
        if self.best_score is None:
            self.best_score = score
            self.save_checkpoint(val_loss, model)
        elif score < self.best_score + self.delta:
            self.counter += 1
            print(f'EarlyStopping counter: {self.counter} out of {self.patience}')
            if self.counter >= self.patience:
                self.early_stop = True
        else:
            self.best_score = score
            self.save_checkpoint(val_loss, model)
            self.counter = 0

    def save_checkpoint(self, val_loss, model):
        '''Saves model when validation loss decrease.'''
        if self.verbose:
            print(f'Validation loss decreased ({self.val_loss_min:.6f} --> {val_loss:.6f}).  Saving model ...')
        self.checkpoint = {k: v.detach().clone() for k, v in model.state_dict().items()}
        self.val_loss_min = val_loss


x = torch.from_numpy(np.load("../../../examples/data/digits_x.npy"))
labels = torch.from_numpy(np.load("../../../examples/data/digits_labels.npy"))
x_train, y_train = x[:1200], labels[:1200]
x_valid, y_valid = x[1200:1500], labels[1200:1500]

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

batch_size = 100
n_epochs = 100
patience = 3
early_stopping = EarlyStopping(patience=patience, verbose=True)

for epoch in range(1, n_epochs + 1):
    # train the model
    perm = torch.randperm(1200)
    train_loss = 0.0
    for i in range(0, 1200, batch_size):
        idx = perm[i:i + batch_size]
        optimizer.zero_grad()
        output = model(x_train[idx])
        loss = criterion(output, y_train[idx])
        loss.backward()
        optimizer.step()
        train_loss += loss.item()
    train_loss = train_loss / (1200 // batch_size)
    # validate the model
    with torch.no_grad():
        valid_loss = criterion(model(x_valid), y_valid).item()
    print(f'[{epoch:>3}/{n_epochs:>3}] train_loss: {train_loss:.5f} valid_loss: {valid_loss:.5f}')
    early_stopping(valid_loss, model)
    if early_stopping.early_stop:
        print("Early stopping")
        break

# load the last checkpoint with the best model
model.load_state_dict(early_stopping.checkpoint)
with torch.no_grad():
    accuracy = (model(x[1500:]).argmax(dim=1) == labels[1500:]).float().mean()
print(f"stopped after epoch {epoch}; test accuracy of the best model: {accuracy.item():.4f}")
