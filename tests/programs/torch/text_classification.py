# PyTorch's "Text classification with the torchtext library" tutorial
# (text_sentiment_ngrams_tutorial.py): its TextClassificationModel, an
# nn.EmbeddingBag of the words' mean then nn.Linear, trained with SGD,
# gradient clipping and a StepLR that decays when validation accuracy stops
# improving, with its train and evaluate functions line for line. Adapted to
# run in seconds without torchtext or a download:
# - Data: a synthetic corpus for AG_NEWS, 1200 documents of 4 classes, each
#   of 8 to 24 words: a word is one of its class's 100 words (ids 1 + 100 * c
#   to 100 + 100 * c) or one of 100 shared words (401 to 500), drawn in equal
#   parts. Id 0 pads each document to 24 words, and the bags leave it out
#   (padding_idx=0): a batch is a [64, 24] tensor, where the tutorial joins
#   its documents and gives `offsets`, whose length would change with every
#   batch.
# - 1000 documents train (950 of them, 50 validate) and 200 test; embedding
#   size 32, 4 epochs, a log line every 5 batches for every 500.
# - The times the tutorial prints are left out (they differ from run to run),
#   and the prediction prints the label's number: graphc looks a dict up by
#   keys known when compiling, and `predict` returns `.item()` of a run.
# Its .act translation, line for line, is examples/text_classification.act.
import torch
from torch import nn

torch.manual_seed(0)
num_docs, max_len, vocab_size, num_class = 1200, 24, 501, 4
labels = torch.randint(0, num_class, (num_docs,))
lengths = torch.randint(8, max_len + 1, (num_docs,))
own_words = torch.randint(1, 101, (num_docs, max_len)) + 100 * labels.reshape(-1, 1)
shared_words = torch.randint(401, 501, (num_docs, max_len))
words = torch.where(torch.rand(num_docs, max_len) < 0.5, own_words, shared_words)
text = torch.where(torch.arange(max_len).reshape(1, -1) < lengths.reshape(-1, 1), words, 0)
print(text[0])
print(labels[:8])


class TextClassificationModel(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_class):
        super(TextClassificationModel, self).__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, sparse=False, padding_idx=0)
        self.fc = nn.Linear(embed_dim, num_class)
        self.init_weights()

    def init_weights(self):
        initrange = 0.5
        self.embedding.weight.data.uniform_(-initrange, initrange)
        self.fc.weight.data.uniform_(-initrange, initrange)
        self.fc.bias.data.zero_()

    def forward(self, text, offsets=None):
        embedded = self.embedding(text, offsets)
        return self.fc(embedded)


emsize = 32
model = TextClassificationModel(vocab_size, emsize, num_class)
print(model)


def train(dataloader):
    model.train()
    total_acc, total_count = 0, 0
    log_interval = 5

    for idx, (label, text) in enumerate(dataloader):
        optimizer.zero_grad()
        predicted_label = model(text)
        loss = criterion(predicted_label, label)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.1)
        optimizer.step()
        total_acc += (predicted_label.argmax(1) == label).sum().item()
        total_count += label.size(0)
        if idx % log_interval == 0 and idx > 0:
            print(
                "| epoch {:3d} | {:5d}/{:5d} batches "
                "| accuracy {:8.3f}".format(
                    epoch, idx, len(dataloader), total_acc / total_count
                )
            )
            total_acc, total_count = 0, 0


def evaluate(dataloader):
    model.eval()
    total_acc, total_count = 0, 0

    with torch.no_grad():
        for idx, (label, text) in enumerate(dataloader):
            predicted_label = model(text)
            loss = criterion(predicted_label, label)
            total_acc += (predicted_label.argmax(1) == label).sum().item()
            total_count += label.size(0)
    return total_acc / total_count


EPOCHS = 4
LR = 5
BATCH_SIZE = 64

criterion = torch.nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=LR)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.1)
total_accu = None
train_dataset = torch.utils.data.TensorDataset(labels[:1000], text[:1000])
test_dataset = torch.utils.data.TensorDataset(labels[1000:], text[1000:])
num_train = int(len(train_dataset) * 0.95)
split_train_, split_valid_ = torch.utils.data.random_split(
    train_dataset, [num_train, len(train_dataset) - num_train]
)

train_dataloader = torch.utils.data.DataLoader(split_train_, batch_size=BATCH_SIZE, shuffle=True)
valid_dataloader = torch.utils.data.DataLoader(split_valid_, batch_size=BATCH_SIZE, shuffle=True)
test_dataloader = torch.utils.data.DataLoader(test_dataset, batch_size=BATCH_SIZE, shuffle=True)

for epoch in range(1, EPOCHS + 1):
    train(train_dataloader)
    accu_val = evaluate(valid_dataloader)
    if total_accu is not None and total_accu > accu_val:
        scheduler.step()
    else:
        total_accu = accu_val
    print("-" * 59)
    print(
        "| end of epoch {:3d} | "
        "valid accuracy {:8.3f} ".format(
            epoch, accu_val
        )
    )
    print("-" * 59)

print("Checking the results of test dataset.")
accu_test = evaluate(test_dataloader)
print("test accuracy {:8.3f}".format(accu_test))

news_label = {1: "World", 2: "Sports", 3: "Business", 4: "Sci/Tec"}


def predict(text):
    with torch.no_grad():
        output = model(text, torch.tensor([0]))
        return output.argmax(1).item() + 1


ex_text = torch.tensor([12, 57, 430, 88, 402, 61, 499, 5])
label = predict(ex_text)
print(news_label)
print("This is news of label %d" % label)
