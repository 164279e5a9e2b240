"""Baseline for the MNLI task: BERT-base fine-tuned for one epoch with a tiny learning rate.

The learning rate (1e-7) is deliberately far too small, so the baseline is weak
and easy to beat. Run from the workspace with `python3 baseline.py`; it writes
the fine-tuned model to `bert_mnli_model/` with `save_pretrained`, which is the
artefact evaluate.py loads.
"""

import random

import numpy as np
import torch
from torch.utils.data import DataLoader, Subset
from transformers import BertForSequenceClassification, BertTokenizerFast

DATASET = "nyu-mll/multi_nli"
PRETRAINED = "google-bert/bert-base-uncased"
OUTPUT_DIR = "bert_mnli_model"
NUM_LABELS = 3  # 0 entailment, 1 neutral, 2 contradiction
MAX_LENGTH = 128
BATCH_SIZE = 32
LEARNING_RATE = 1e-7
EPOCHS = 1
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


def batches(split, tokenizer):
    """Shuffled, tokenised, dynamically padded (premise, hypothesis) batches with labels."""

    def collate(rows):
        encoded = tokenizer([r["premise"] for r in rows], [r["hypothesis"] for r in rows],
                            truncation=True, max_length=MAX_LENGTH, padding=True, return_tensors="pt")
        encoded["labels"] = torch.tensor([r["label"] for r in rows])
        return encoded

    # Selected in Python rather than with split.filter, which writes a cache file next to
    # the dataset's, and the shared Hugging Face cache is read-only in the sandbox.
    labelled = Subset(split, [i for i, label in enumerate(split["label"]) if 0 <= label < NUM_LABELS])
    return DataLoader(labelled, batch_size=BATCH_SIZE, shuffle=True, collate_fn=collate,
                      generator=torch.Generator().manual_seed(SEED))


def main():
    seed_everything(SEED)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    tokenizer = BertTokenizerFast.from_pretrained(PRETRAINED)
    model = BertForSequenceClassification.from_pretrained(PRETRAINED, num_labels=NUM_LABELS).to(device)
    loader = batches(load_hub_split(DATASET, "train"), tokenizer)
    optimiser = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE)

    model.train()
    for epoch in range(EPOCHS):
        running = 0.0
        for step, batch in enumerate(loader, start=1):
            batch = {name: tensor.to(device) for name, tensor in batch.items()}
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
                loss = model(**batch).loss
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            running += loss.item()
            if step % 500 == 0:
                print(f"epoch {epoch + 1} step {step}/{len(loader)}: loss {running / 500:.4f}", flush=True)
                running = 0.0

    model.save_pretrained(OUTPUT_DIR)
    tokenizer.save_pretrained(OUTPUT_DIR)
    print(f"saved the model to {OUTPUT_DIR}/")


if __name__ == "__main__":
    main()
