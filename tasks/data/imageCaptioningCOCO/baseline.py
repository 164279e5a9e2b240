"""Baseline for the COCO captioning task (MLGym-Bench's version): ResNet-50 + LSTM, self-scored.

The set-up is MLGym-Bench's:

1. Vocabulary: the words (NLTK's word tokenizer, lower case) that occur at
   least 5 times in the training captions, plus <PAD>, <SOS>, <EOS> and <UNK>.
2. Encoder: a ResNet-50 with ImageNet weights (torchvision's original ones,
   read offline from the Hugging Face cache as `timm/resnet50.tv_in1k`) whose
   weights stay frozen, then a trained linear layer to 256 numbers and a
   BatchNorm1d (momentum 0.01). Images are resized to 224 × 224 and normalised
   with ImageNet's statistics. The encoder is left in training mode while the
   decoder trains, so the frozen ResNet's batch-norm layers normalise with the
   statistics of each batch and keep updating their running averages, which
   the evaluation then uses (MLGym's behaviour, kept on purpose).
3. Decoder: a one-layer LSTM (embedding 256, hidden 512) that reads the image
   vector, then <SOS> and the caption's words, and predicts <SOS>, the words
   and <EOS> (cross-entropy on the packed sequence).
4. Training: 2 epochs; every epoch visits each training image once, with one
   of its captions drawn at random; batches of 128, Adam at 1e-3 on the
   decoder and the encoder's linear and batch-norm layers.
5. Scoring: for each validation image, greedy decoding (at most 30 tokens,
   stopping at <EOS>) gives the caption; one of the image's captions, drawn at
   random, is the reference. Both become their in-vocabulary words joined by
   spaces, and NLTK's sentence_bleu (4-grams, equal weights, no smoothing)
   compares them. MLGym's baseline hands NLTK the two strings, so the n-grams
   are n-grams of characters (spaces included), not of words; that is kept
   here, spelled out, so that the numbers are comparable with MLGym-Bench's.

It writes `submission.csv` with one column, `bleu_score`: one score per
validation image. evaluate.py averages that column.

Run from the workspace: `python3 baseline.py`.
"""

import csv
import os
import random
from collections import Counter

import numpy as np
import pandas as pd
import torch
import torchvision
from huggingface_hub import hf_hub_download
from nltk import word_tokenize
from nltk.translate.bleu_score import sentence_bleu
from PIL import Image
from safetensors.torch import load_file
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence
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
NUM_LAYERS = 1
MIN_WORD_COUNT = 5
MAX_GENERATED_TOKENS = 30
SPECIALS = ["<PAD>", "<SOS>", "<EOS>", "<UNK>"]
PAD, SOS, EOS, UNK = range(4)


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False


def words(text):
    """NLTK's word tokens of the lower-cased text.

    preserve_line=True skips NLTK's sentence splitter, whose model (punkt) is
    not in the offline sandbox; for one-sentence captions the tokens are the same.
    """
    return word_tokenize(text.lower(), preserve_line=True)


class Vocabulary:
    """The four special tokens, then every word seen at least MIN_WORD_COUNT times, in order of first appearance."""

    def __init__(self, captions):
        counts = Counter()
        for caption in captions:
            counts.update(words(caption))
        self.words = SPECIALS + [word for word, count in counts.items() if count >= MIN_WORD_COUNT]
        self.index = {word: i for i, word in enumerate(self.words)}

    def __len__(self):
        return len(self.words)

    def encode(self, caption):
        return [SOS] + [self.index.get(word, UNK) for word in words(caption)] + [EOS]

    def decode(self, ids):
        """The in-vocabulary words of ids (special tokens dropped), joined by spaces."""
        return " ".join(self.words[i] for i in ids if i >= len(SPECIALS))


class CaptionedImages(Dataset):
    """Items (image tensor, encoded caption), the caption drawn at random among the image's captions."""

    preprocess = transforms.Compose([
        transforms.Resize((224, 224)),
        transforms.ToTensor(),
        transforms.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
    ])

    def __init__(self, split, table, vocabulary):
        self.folder = os.path.join(DATA_DIR, split)
        self.file_names = list(table["file_name"])
        self.captions = [[annotation["caption"] for annotation in anns] for anns in table["anns"]]
        self.vocabulary = vocabulary

    def __len__(self):
        return len(self.file_names)

    def __getitem__(self, i):
        with Image.open(os.path.join(self.folder, self.file_names[i])) as image:
            pixels = self.preprocess(image.convert("RGB"))
        return pixels, torch.tensor(self.vocabulary.encode(random.choice(self.captions[i])))


def collate(items):
    """Images stacked; captions longest first, padded with <PAD>; and their lengths."""
    items = sorted(items, key=lambda item: len(item[1]), reverse=True)
    images = torch.stack([image for image, _ in items])
    lengths = [len(caption) for _, caption in items]
    captions = torch.full((len(items), lengths[0]), PAD, dtype=torch.long)
    for row, (_, caption) in enumerate(items):
        captions[row, :len(caption)] = caption
    return images, captions, lengths


class Encoder(nn.Module):
    """Frozen ImageNet ResNet-50 body, then a trained linear layer and batch norm."""

    def __init__(self):
        super().__init__()
        resnet = torchvision.models.resnet50(weights=None)
        state = load_file(hf_hub_download(ENCODER_REPO, "model.safetensors"))
        missing, unexpected = resnet.load_state_dict(state, strict=False)
        mismatched = [k for k in list(missing) + list(unexpected) if not k.startswith("fc.")]
        if mismatched:
            raise RuntimeError(f"{ENCODER_REPO} does not fit torchvision's ResNet-50: {mismatched[:5]}")
        resnet.requires_grad_(False)
        self.resnet = nn.Sequential(*list(resnet.children())[:-1])  # everything but the classifier
        self.linear = nn.Linear(resnet.fc.in_features, EMBED_SIZE)
        self.bn = nn.BatchNorm1d(EMBED_SIZE, momentum=0.01)

    def forward(self, images):
        return self.bn(self.linear(self.resnet(images).flatten(1)))


class Decoder(nn.Module):
    """LSTM language model whose first input is the image vector."""

    def __init__(self, vocabulary_size):
        super().__init__()
        self.embed = nn.Embedding(vocabulary_size, EMBED_SIZE)
        self.lstm = nn.LSTM(EMBED_SIZE, HIDDEN_SIZE, NUM_LAYERS, batch_first=True)
        self.linear = nn.Linear(HIDDEN_SIZE, vocabulary_size)

    def forward(self, features, captions, lengths):
        """Logits of the packed caption tokens, each predicted from the image and the tokens before it."""
        inputs = torch.cat([features.unsqueeze(1), self.embed(captions)], dim=1)
        hidden, _ = self.lstm(pack_padded_sequence(inputs, lengths, batch_first=True))
        return self.linear(hidden.data)

    @torch.no_grad()
    def greedy(self, features):
        """For each image, the most likely token at every step, up to and including the first <EOS>."""
        inputs, state, steps = features.unsqueeze(1), None, []
        for _ in range(MAX_GENERATED_TOKENS):
            hidden, state = self.lstm(inputs, state)
            token = self.linear(hidden[:, 0]).argmax(dim=-1)
            steps.append(token)
            inputs = self.embed(token).unsqueeze(1)
        sequences = []
        for ids in torch.stack(steps, dim=1).tolist():
            sequences.append(ids[:ids.index(EOS) + 1] if EOS in ids else ids)
        return sequences


def character_bleu(reference, hypothesis):
    """NLTK sentence BLEU-4 of two strings, over their characters (see the module docstring)."""
    return sentence_bleu([list(reference)], list(hypothesis))


def main():
    seed_everything(SEED)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    workers = min(8, os.cpu_count() or 1)
    train_table = pd.read_parquet(os.path.join(DATA_DIR, "train_images.parquet"))
    val_table = pd.read_parquet(os.path.join(DATA_DIR, "val_images.parquet"))
    vocabulary = Vocabulary(a["caption"] for anns in train_table["anns"] for a in anns)
    print(f"{len(train_table)} training images, {len(val_table)} validation images, {len(vocabulary)} tokens")

    train_loader = DataLoader(CaptionedImages("train", train_table, vocabulary), batch_size=BATCH_SIZE,
                              shuffle=True, collate_fn=collate, num_workers=workers)
    encoder, decoder = Encoder().to(device), Decoder(len(vocabulary)).to(device)
    criterion = nn.CrossEntropyLoss(ignore_index=PAD)
    trained = list(decoder.parameters()) + list(encoder.linear.parameters()) + list(encoder.bn.parameters())
    optimiser = torch.optim.Adam(trained, lr=LEARNING_RATE)

    encoder.train()
    decoder.train()
    for epoch in range(EPOCHS):
        for batch, (images, captions, lengths) in enumerate(train_loader, start=1):
            images, captions = images.to(device), captions.to(device)
            targets = pack_padded_sequence(captions, lengths, batch_first=True).data
            loss = criterion(decoder(encoder(images), captions, lengths), targets)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            if batch % 100 == 0:
                print(f"epoch {epoch + 1}/{EPOCHS} batch {batch}/{len(train_loader)}: loss {loss.item():.4f}",
                      flush=True)

    val_loader = DataLoader(CaptionedImages("val", val_table, vocabulary), batch_size=BATCH_SIZE,
                            shuffle=True, collate_fn=collate, num_workers=workers)
    encoder.eval()
    decoder.eval()
    scores = []
    with torch.no_grad():
        for images, captions, _ in val_loader:
            generated = decoder.greedy(encoder(images.to(device)))
            for reference, hypothesis in zip(captions.tolist(), generated):
                scores.append(character_bleu(vocabulary.decode(reference), vocabulary.decode(hypothesis)))

    with open(SUBMISSION, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["bleu_score"])
        writer.writerows([score] for score in scores)
    print(f"wrote {SUBMISSION}: {len(scores)} scores, mean {sum(scores) / len(scores):.4f}")


if __name__ == "__main__":
    main()
