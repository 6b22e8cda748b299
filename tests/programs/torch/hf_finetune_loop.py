# The training loop of Hugging Face transformers' run_glue_no_trainer.py on a
# softmax regression of the 8x8 digits, as examples/hf_finetune_loop.act says;
# run with PyTorch 2.15.
import math
import os

import numpy as np
import torch
from torch.optim.lr_scheduler import LambdaLR

learning_rate = 5e-3
weight_decay = 0.01
num_train_epochs = 3
gradient_accumulation_steps = 2
num_warmup_steps = 2

torch.manual_seed(42)
data_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../examples/data")
x = torch.from_numpy(np.load(os.path.join(data_dir, "digits_x.npy")))
labels = torch.from_numpy(np.load(os.path.join(data_dir, "digits_labels.npy")))
train_dataloader = [{"input": x[i : i + 100], "labels": labels[i : i + 100]} for i in range(0, 1500, 100)]
eval_dataloader = [{"input": x[i : i + 100], "labels": labels[i : i + 100]} for i in range(1500, 1797, 100)]

weight = (torch.randn(64, 10) * 0.02).requires_grad_()
bias = torch.zeros(10, requires_grad=True)

def named_parameters():
    return [("classifier.weight", weight), ("classifier.bias", bias)]

def model(input, labels=None):
    logits = input @ weight + bias
    loss = None if labels is None else torch.nn.functional.cross_entropy(logits, labels)
    return {"loss": loss, "logits": logits}

def get_linear_schedule_with_warmup(optimizer, num_warmup_steps, num_training_steps, last_epoch=-1):
    def lr_lambda(current_step: int):
        if current_step < num_warmup_steps:
            return float(current_step) / float(max(1, num_warmup_steps))
        return max(0.0, float(num_training_steps - current_step) / float(max(1, num_training_steps - num_warmup_steps)))

    return LambdaLR(optimizer, lr_lambda, last_epoch)

# Optimizer
# Split weights in two groups, one with weight decay and the other not.
no_decay = ["bias", "LayerNorm.weight"]
optimizer_grouped_parameters = [
    {
        "params": [p for n, p in named_parameters() if not any(nd in n for nd in no_decay)],
        "weight_decay": weight_decay,
    },
    {
        "params": [p for n, p in named_parameters() if any(nd in n for nd in no_decay)],
        "weight_decay": 0.0,
    },
]
optimizer = torch.optim.AdamW(optimizer_grouped_parameters, lr=learning_rate)

# Scheduler and math around the number of training steps.
num_update_steps_per_epoch = math.ceil(len(train_dataloader) / gradient_accumulation_steps)
max_train_steps = num_train_epochs * num_update_steps_per_epoch
lr_scheduler = get_linear_schedule_with_warmup(optimizer, num_warmup_steps, max_train_steps)

completed_steps = 0
for epoch in range(num_train_epochs):
    total_loss = 0
    for step, batch in enumerate(train_dataloader):
        outputs = model(**batch)
        loss = outputs["loss"]
        # We keep track of the loss at each epoch
        total_loss += loss.detach().float()
        loss = loss / gradient_accumulation_steps
        loss.backward()
        if step % gradient_accumulation_steps == 0 or step == len(train_dataloader) - 1:
            optimizer.step()
            lr_scheduler.step()
            optimizer.zero_grad()
            completed_steps += 1

    samples_seen = 0
    correct = 0
    for step, batch in enumerate(eval_dataloader):
        with torch.no_grad():
            outputs = model(**batch)
        predictions = outputs["logits"].argmax(dim=-1)
        correct += (predictions == batch["labels"]).sum().item()
        samples_seen += batch["labels"].shape[0]
    eval_metric = {"accuracy": correct / samples_seen}
    print(f"epoch {epoch}: {eval_metric}")
    print(f"train_loss {total_loss.item() / len(train_dataloader):.4f}, steps {completed_steps}, lr {lr_scheduler.get_last_lr()}")
