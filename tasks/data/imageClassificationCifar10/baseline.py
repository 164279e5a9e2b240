"""Baseline for the CIFAR-10 task: a two-layer CNN trained with the Hugging Face Trainer.

It is deliberately plain (no augmentation, no normalisation statistics, the
Trainer's default learning rate of 5e-5) so that there is plenty of room to
improve on it. The set-up is MLGym-Bench's:

- pixels scaled to [0, 1], nothing else
- conv 3→32 (3×3, padding 1), ReLU, 2×2 max-pool; conv 32→64, ReLU, max-pool;
  one linear layer from the 64 × 8 × 8 features to the 10 classes
- Trainer with 10 epochs, batches of 64, 500 warm-up steps, weight decay 0.01
  and otherwise its defaults (AdamW at 5e-5 decaying linearly to 0, gradient
  norm clipped at 1, seed 42)
- after every epoch the model is scored on the test split and saved under
  ./results; at the end the checkpoint with the lowest test loss is loaded
  (MLGym's choice: it uses the test split for model selection)

Run it from the workspace with `python3 baseline.py`; it writes
`submission.csv`, one predicted label per test image, in the order of the test
split.
"""

import csv
import random

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from transformers import DefaultDataCollator, Trainer, TrainingArguments

DATASET = "uoft-cs/cifar10"
IMAGE_COLUMN = "img"
LABEL_COLUMN = "label"
NUM_CLASSES = 10
SEED = 42
SUBMISSION = "submission.csv"


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
    """Fix every random source the script uses (the Trainer seeds itself with the same value)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False


class ImageSet(torch.utils.data.Dataset):
    """A split decoded once into memory: items {"pixel_values": C×H×W floats in [0, 1], "label": int}.

    The whole of CIFAR-10 fits in memory (50,000 × 3 × 32 × 32 bytes), so the
    images are decoded once instead of on every epoch.
    """

    def __init__(self, split):
        pixels = np.stack([np.asarray(image, dtype=np.uint8) for image in split[IMAGE_COLUMN]])
        if pixels.ndim == 3:  # grey images have no channel axis
            pixels = pixels[..., None]
        self.images = torch.from_numpy(pixels).permute(0, 3, 1, 2).float().div_(255.0)
        self.labels = torch.tensor(split[LABEL_COLUMN], dtype=torch.long)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"pixel_values": self.images[i], "label": self.labels[i]}


class Net(nn.Module):
    """Two 3×3 convolutions with max-pooling, then one linear classifier.

    forward follows the Trainer's conventions: keyword `pixel_values` and an
    optional `labels`, and a dict with the loss (when labels are given) and the
    logits.
    """

    def __init__(self, channels=3, size=32, num_classes=NUM_CLASSES):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, 32, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=3, padding=1)
        self.fc = nn.Linear(64 * (size // 4) * (size // 4), num_classes)

    def forward(self, pixel_values, labels=None):
        x = F.max_pool2d(F.relu(self.conv1(pixel_values)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        logits = self.fc(x.flatten(1))
        loss = F.cross_entropy(logits, labels) if labels is not None else None
        return {"loss": loss, "logits": logits}


def accuracy(prediction):
    """The Trainer's per-epoch metric: fraction of argmax predictions equal to the labels."""
    logits, labels = prediction
    return {"accuracy": float((np.argmax(logits, axis=1) == labels).mean())}


def train(model, train_set, test_set):
    arguments = TrainingArguments(
        output_dir="./results",
        num_train_epochs=10,
        per_device_train_batch_size=64,
        per_device_eval_batch_size=64,
        warmup_steps=500,
        weight_decay=0.01,
        logging_steps=500,
        eval_strategy="epoch",
        save_strategy="epoch",
        load_best_model_at_end=True,
        disable_tqdm=True,
        seed=SEED,
    )
    trainer = Trainer(model=model, args=arguments, train_dataset=train_set, eval_dataset=test_set,
                      compute_metrics=accuracy, data_collator=DefaultDataCollator())
    trainer.train()
    return trainer


def write_submission(predictions, path):
    """One `label` column, one row per test image, in test-split order."""
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["label"])
        writer.writerows([int(label)] for label in predictions)


def main():
    seed_everything(SEED)
    print(f"device: {'cuda' if torch.cuda.is_available() else 'cpu'}")
    train_set = ImageSet(load_hub_split(DATASET, "train"))
    test_set = ImageSet(load_hub_split(DATASET, "test"))
    channels, size = train_set.images.shape[1], train_set.images.shape[2]
    trainer = train(Net(channels, size), train_set, test_set)
    logits = trainer.predict(test_set).predictions
    write_submission(np.argmax(logits, axis=1), SUBMISSION)
    print(f"wrote {SUBMISSION} ({len(logits)} rows)")


if __name__ == "__main__":
    main()
