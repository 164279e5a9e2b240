"""Baseline for the Fashion-MNIST task: a two-layer CNN trained for 10 epochs.

It is deliberately plain (no augmentation, no normalisation statistics, a small
learning rate) so that there is plenty of room to improve on it. Run it from the
workspace with `python3 baseline.py`; it writes `submission.csv`, one predicted
label per test image, in the order of the test split.
"""

import csv
import random

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

DATASET = "zalando-datasets/fashion_mnist"
IMAGE_COLUMN = "image"
LABEL_COLUMN = "label"
NUM_CLASSES = 10
EPOCHS = 10
BATCH_SIZE = 64
LEARNING_RATE = 5e-5
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
    """Fix every random source the script uses, so reruns give close scores."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def to_tensors(split):
    """Turn a split into (images N×C×H×W float in [0, 1], labels N) tensors.

    The whole of Fashion-MNIST fits in memory (60,000 × 28 × 28 bytes), so the
    images are decoded once instead of on every epoch.
    """
    pixels = np.stack([np.asarray(image, dtype=np.uint8) for image in split[IMAGE_COLUMN]])
    if pixels.ndim == 3:  # grey images have no channel axis
        pixels = pixels[..., None]
    images = torch.from_numpy(pixels).permute(0, 3, 1, 2).float().div_(255.0)
    labels = torch.tensor(split[LABEL_COLUMN], dtype=torch.long)
    return images, labels


class SmallCNN(nn.Module):
    """Two 3×3 convolutions with max-pooling, then one linear classifier."""

    def __init__(self, channels, size, num_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, 32, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=3, padding=1)
        self.classifier = nn.Linear(64 * (size // 4) * (size // 4), num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.classifier(x.flatten(1))


def train(model, images, labels, device):
    """AdamW with a linearly decaying learning rate, one pass per epoch."""
    optimiser = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE)
    steps_per_epoch = (len(images) + BATCH_SIZE - 1) // BATCH_SIZE
    total_steps = EPOCHS * steps_per_epoch
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda step: 1.0 - step / total_steps)
    generator = torch.Generator().manual_seed(SEED)
    model.train()
    for epoch in range(EPOCHS):
        order = torch.randperm(len(images), generator=generator)
        running_loss = 0.0
        for start in range(0, len(images), BATCH_SIZE):
            batch = order[start:start + BATCH_SIZE]
            x, y = images[batch].to(device), labels[batch].to(device)
            loss = F.cross_entropy(model(x), y)
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            schedule.step()
            running_loss += loss.item() * len(batch)
        print(f"epoch {epoch + 1}/{EPOCHS}: train loss {running_loss / len(images):.4f}")


@torch.no_grad()
def predict(model, images, device):
    """Predicted class of every image, in input order."""
    model.eval()
    predictions = []
    for start in range(0, len(images), 1024):
        logits = model(images[start:start + 1024].to(device))
        predictions.append(logits.argmax(dim=1).cpu())
    return torch.cat(predictions)


def write_submission(predictions, path):
    """One `label` column, one row per test image, in test-split order."""
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["label"])
        writer.writerows([int(label)] for label in predictions)


def main():
    seed_everything(SEED)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    train_images, train_labels = to_tensors(load_hub_split(DATASET, "train"))
    test_images, _ = to_tensors(load_hub_split(DATASET, "test"))
    model = SmallCNN(train_images.shape[1], train_images.shape[2], NUM_CLASSES).to(device)
    train(model, train_images, train_labels, device)
    predictions = predict(model, test_images, device)
    write_submission(predictions, SUBMISSION)
    print(f"wrote {SUBMISSION} ({len(predictions)} rows)")


if __name__ == "__main__":
    main()
