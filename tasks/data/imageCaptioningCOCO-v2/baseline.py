"""Baseline for imageCaptioningCOCO-v2 (captions scored against hidden references): ResNet-50 features + LSTM.

1. A ResNet-50 pre-trained on ImageNet (torchvision's weights, read offline from
   the Hugging Face cache as `timm/resnet50.tv_in1k`) turns every image into a
   2048-number feature vector, once; the encoder is never trained.
2. An LSTM learns to write the training captions word by word from those
   features (teacher forcing, 2 epochs).
3. Greedy decoding writes one caption per validation image to `submission.csv`
   (columns `file_name,caption`).

Validation captions are hidden, so this script cannot score itself; to measure
progress, hold out some training images and score them with evaluate.py's BLEU
(`python3 evaluate.py --submission_file <csv> --references <your json>`).
Run from the workspace: `python3 baseline.py`.
"""

import csv
import os
import random
import re
from collections import Counter

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
import torchvision
from huggingface_hub import hf_hub_download
from PIL import Image
from safetensors.torch import load_file
from torch import nn
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms

DATA_DIR = "data"
ENCODER_REPO = "timm/resnet50.tv_in1k"
SUBMISSION = "submission.csv"
SEED = 42
EPOCHS = 2
BATCH_SIZE = 128
LEARNING_RATE = 1e-3
EMBED_SIZE = 256
HIDDEN_SIZE = 512
MIN_WORD_COUNT = 5
MAX_CAPTION_WORDS = 20
PAD, START, END, UNKNOWN = "<pad>", "<start>", "<end>", "<unk>"


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def tokenize(text):
    """The same word split as evaluate.py, so the vocabulary matches what is scored."""
    return re.findall(r"[a-z0-9]+", text.lower())


class Vocabulary:
    """Words seen at least MIN_WORD_COUNT times in the training captions, plus 4 specials."""

    def __init__(self, captions):
        counts = Counter(word for caption in captions for word in tokenize(caption))
        self.words = [PAD, START, END, UNKNOWN] + sorted(w for w, c in counts.items() if c >= MIN_WORD_COUNT)
        self.index = {word: i for i, word in enumerate(self.words)}

    def encode(self, caption):
        words = tokenize(caption)[:MAX_CAPTION_WORDS]
        unknown = self.index[UNKNOWN]
        return [self.index[START]] + [self.index.get(w, unknown) for w in words] + [self.index[END]]

    def decode(self, ids):
        words = []
        for i in ids:
            word = self.words[i]
            if word == END:
                break
            if word not in (PAD, START, UNKNOWN):
                words.append(word)
        return " ".join(words)


class ImageFolder(Dataset):
    """Images of one split, resized and normalised the way the ImageNet weights expect."""

    preprocess = transforms.Compose([
        transforms.Resize(256),
        transforms.CenterCrop(224),
        transforms.ToTensor(),
        transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
    ])

    def __init__(self, folder, file_names):
        self.folder, self.file_names = folder, file_names

    def __len__(self):
        return len(self.file_names)

    def __getitem__(self, i):
        with Image.open(os.path.join(self.folder, self.file_names[i])) as image:
            return self.preprocess(image.convert("RGB"))


def load_encoder(device):
    """ResNet-50 without its classifier, frozen, with ImageNet weights from the HF cache.

    The weights must come from the local cache because the sandbox has no network.
    timm's copy of torchvision's weights uses torchvision's parameter names, so
    everything but the classifier (`fc`) must match.
    """
    encoder = torchvision.models.resnet50(weights=None)
    state = load_file(hf_hub_download(ENCODER_REPO, "model.safetensors"))
    missing, unexpected = encoder.load_state_dict(state, strict=False)
    mismatched = [k for k in list(missing) + list(unexpected) if not k.startswith("fc.")]
    if mismatched:
        raise RuntimeError(f"{ENCODER_REPO} does not fit torchvision's ResNet-50: {mismatched[:5]}")
    encoder.fc = nn.Identity()
    return encoder.eval().requires_grad_(False).to(device)


@torch.no_grad()
def extract_features(encoder, folder, file_names, device):
    """One 2048-number feature vector per image, kept in half precision on the CPU."""
    loader = DataLoader(ImageFolder(folder, file_names), batch_size=256,
                        num_workers=min(8, os.cpu_count() or 1), pin_memory=device.type == "cuda")
    features = []
    for batch_number, images in enumerate(loader):
        with torch.autocast(device.type, dtype=torch.float16, enabled=device.type == "cuda"):
            features.append(encoder(images.to(device, non_blocking=True)).half().cpu())
        if batch_number % 50 == 0:
            print(f"  features: {min((batch_number + 1) * 256, len(file_names))}/{len(file_names)} images")
    return torch.cat(features)


class CaptionDecoder(nn.Module):
    """Show-and-tell decoder: the image feature is the LSTM's first input, words follow."""

    def __init__(self, vocabulary_size, feature_size=2048):
        super().__init__()
        self.project = nn.Linear(feature_size, EMBED_SIZE)
        self.embed = nn.Embedding(vocabulary_size, EMBED_SIZE, padding_idx=0)
        self.lstm = nn.LSTM(EMBED_SIZE, HIDDEN_SIZE, batch_first=True)
        self.output = nn.Linear(HIDDEN_SIZE, vocabulary_size)

    def forward(self, features, tokens):
        """Logits for tokens[:, 1:] given the feature and tokens[:, :-1]."""
        inputs = torch.cat([self.project(features).unsqueeze(1), self.embed(tokens[:, :-1])], dim=1)
        hidden, _ = self.lstm(inputs)
        return self.output(hidden[:, 1:])

    @torch.no_grad()
    def generate(self, features, start_id, max_words=MAX_CAPTION_WORDS):
        """Greedy decoding: the most likely word at every step."""
        _, state = self.lstm(self.project(features).unsqueeze(1))
        word = torch.full((len(features),), start_id, dtype=torch.long, device=features.device)
        generated = []
        for _ in range(max_words + 1):
            hidden, state = self.lstm(self.embed(word).unsqueeze(1), state)
            word = self.output(hidden[:, 0]).argmax(dim=-1)
            generated.append(word)
        return torch.stack(generated, dim=1).tolist()


def caption_pairs(train, vocabulary):
    """(image index, encoded caption) for every training caption."""
    return [(i, vocabulary.encode(c)) for i, captions in enumerate(train["captions"]) for c in captions]


def pad_batch(sequences):
    longest = max(len(s) for s in sequences)
    return torch.tensor([s + [0] * (longest - len(s)) for s in sequences], dtype=torch.long)


def train_decoder(decoder, features, pairs, device):
    optimiser = torch.optim.Adam(decoder.parameters(), lr=LEARNING_RATE)
    decoder.train()
    for epoch in range(EPOCHS):
        random.shuffle(pairs)
        total_loss, batches = 0.0, 0
        for start in range(0, len(pairs), BATCH_SIZE):
            batch = pairs[start:start + BATCH_SIZE]
            image_features = features[[i for i, _ in batch]].float().to(device)
            tokens = pad_batch([caption for _, caption in batch]).to(device)
            logits = decoder(image_features, tokens)
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tokens[:, 1:].reshape(-1), ignore_index=0)
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(decoder.parameters(), 5.0)
            optimiser.step()
            total_loss, batches = total_loss + loss.item(), batches + 1
            if batches % 500 == 0:
                print(f"  epoch {epoch + 1} batch {batches}: loss {total_loss / batches:.3f}")
        print(f"epoch {epoch + 1}/{EPOCHS}: mean loss {total_loss / batches:.3f}")


def write_submission(file_names, captions, path):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file_name", "caption"])
        writer.writerows(zip(file_names, captions))


def main():
    seed_everything(SEED)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    train = pd.read_parquet(os.path.join(DATA_DIR, "train_images.parquet"))
    val = pd.read_parquet(os.path.join(DATA_DIR, "val_images.parquet"))
    vocabulary = Vocabulary(c for captions in train["captions"] for c in captions)
    print(f"{len(train)} training images, {len(val)} validation images, {len(vocabulary.words)} words")

    encoder = load_encoder(device)
    train_features = extract_features(encoder, os.path.join(DATA_DIR, "train"), list(train["file_name"]), device)
    val_features = extract_features(encoder, os.path.join(DATA_DIR, "val"), list(val["file_name"]), device)
    del encoder

    decoder = CaptionDecoder(len(vocabulary.words)).to(device)
    train_decoder(decoder, train_features, caption_pairs(train, vocabulary), device)

    decoder.eval()
    captions = []
    for start in range(0, len(val_features), 512):
        batch = val_features[start:start + 512].float().to(device)
        captions += [vocabulary.decode(ids) for ids in decoder.generate(batch, vocabulary.index[START])]
    write_submission(list(val["file_name"]), captions, SUBMISSION)
    print(f"wrote {SUBMISSION} ({len(captions)} captions), e.g. {captions[0]!r}")


if __name__ == "__main__":
    main()
