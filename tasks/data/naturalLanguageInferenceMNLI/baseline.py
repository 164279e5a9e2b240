"""Baseline for the MNLI task: BERT-base fine-tuned for one epoch with a tiny learning rate.

The set-up is MLGym-Bench's: bert-base-uncased with a fresh 3-way classifier,
(premise, hypothesis) pairs truncated to 128 tokens, batches of 32 in shuffled
order, one epoch over MNLI's training pairs, AdamW with learning rate 1e-7
(deliberately far too small, so the baseline is weak and easy to beat),
betas 0.9/0.999, eps 1e-6, no weight decay, no schedule, no clipping, and
float16 autocast with a gradient scaler on the GPU. The model is given
input_ids and attention_mask only (no token_type_ids), as the evaluation does. Batches are padded to their
longest pair rather than always to 128 tokens: with BERT's attention mask this
changes the speed, not the model.

mlgym runs it as MLGym does, `torchrun --nproc_per_node=<GPUs> --standalone
baseline.py`; it is not distributed, so only the first process trains and the
others exit (`python3 baseline.py` works as well). At the end it prints the
accuracy on validation_matched and writes the fine-tuned model to
`bert_mnli_model/` with `save_pretrained` (config.json and model.safetensors),
which is the artefact evaluate.py loads.
"""

import os
import random

import numpy as np
import torch
from torch.utils.data import DataLoader
from transformers import BertForSequenceClassification, BertTokenizerFast

DATASET = "nyu-mll/multi_nli"
PRETRAINED = "google-bert/bert-base-uncased"
OUTPUT_DIR = "bert_mnli_model"
NUM_LABELS = 3  # 0 entailment, 1 neutral, 2 contradiction
MAX_LENGTH = 128
BATCH_SIZE = 32
EPOCHS = 1
LEARNING_RATE = 1e-7
ADAM_EPS = 1e-6
WEIGHT_DECAY = 0.0
SEED = 42


def load_hub_split(repo_id, split):
    """One split of a Hugging Face Hub dataset, also when the machine is offline.

    Offline, `datasets.load_dataset(repo_id)` only finds data it prepared itself
    on an earlier online run; mlgym's shared cache holds the Hub snapshot of the
    dataset instead, which loads as a local folder.
    """
    from datasets import load_dataset
    from huggingface_hub import snapshot_download

    try:
        return load_dataset(repo_id, split=split)
    except ConnectionError:
        return load_dataset(snapshot_download(repo_id, repo_type="dataset"), split=split)


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def pairs(split, labelled_only=False):
    """(premise, hypothesis, label) tuples, read column by column (much faster than row by row).

    Selected in Python rather than with split.filter, which writes a cache file
    next to the dataset's, and the shared Hugging Face cache is read-only.
    """
    rows = zip(split["premise"], split["hypothesis"], split["label"])
    return [row for row in rows if 0 <= row[2] < NUM_LABELS] if labelled_only else list(rows)


def loader(rows, tokenizer, shuffle):
    """Batches {input_ids, attention_mask, labels} of tokenised, padded (premise, hypothesis) pairs.

    As in MLGym's set-up (training and evaluation alike), the model gets no
    token_type_ids, so BERT sees both sentences as segment 0.
    """

    def collate(batch):
        premises, hypotheses, labels = zip(*batch)
        encoded = tokenizer(list(premises), list(hypotheses), truncation=True, max_length=MAX_LENGTH,
                            padding=True, return_tensors="pt")
        return {"input_ids": encoded["input_ids"], "attention_mask": encoded["attention_mask"],
                "labels": torch.tensor(labels)}

    generator = torch.Generator().manual_seed(SEED) if shuffle else None
    return DataLoader(rows, batch_size=BATCH_SIZE, shuffle=shuffle, collate_fn=collate, generator=generator)


@torch.no_grad()
def validation_accuracy(model, tokenizer, device):
    """Percentage of validation_matched pairs classified correctly (informational; evaluate.py scores)."""
    model.eval()
    correct = total = 0
    for batch in loader(pairs(load_hub_split(DATASET, "validation_matched")), tokenizer, shuffle=False):
        batch = {name: tensor.to(device) for name, tensor in batch.items()}
        predictions = model(**batch).logits.argmax(dim=-1)
        correct += (predictions == batch["labels"]).sum().item()
        total += len(predictions)
    return 100.0 * correct / total


def main():
    if int(os.environ.get("RANK", "0")) != 0:
        print("not the first process: nothing to do (the baseline trains in one process)")
        return
    seed_everything(SEED)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    use_amp = device.type == "cuda"
    tokenizer = BertTokenizerFast.from_pretrained(PRETRAINED)
    model = BertForSequenceClassification.from_pretrained(PRETRAINED, num_labels=NUM_LABELS).to(device)
    batches = loader(pairs(load_hub_split(DATASET, "train"), labelled_only=True), tokenizer, shuffle=True)
    optimiser = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, eps=ADAM_EPS, weight_decay=WEIGHT_DECAY)
    scaler = torch.amp.GradScaler(device.type, enabled=use_amp)

    for epoch in range(EPOCHS):
        model.train()
        running = 0.0
        for step, batch in enumerate(batches, start=1):
            batch = {name: tensor.to(device) for name, tensor in batch.items()}
            optimiser.zero_grad(set_to_none=True)
            with torch.autocast(device.type, dtype=torch.float16, enabled=use_amp):
                loss = model(**batch).loss
            scaler.scale(loss).backward()
            scaler.step(optimiser)
            scaler.update()
            running += loss.item()
            if step % 500 == 0:
                print(f"epoch {epoch + 1} step {step}/{len(batches)}: loss {running / 500:.4f}", flush=True)
                running = 0.0
        print(f"epoch {epoch + 1}: validation_matched accuracy {validation_accuracy(model, tokenizer, device):.2f}%")

    model.save_pretrained(OUTPUT_DIR)
    print(f"saved the model to {OUTPUT_DIR}/")


if __name__ == "__main__":
    main()
