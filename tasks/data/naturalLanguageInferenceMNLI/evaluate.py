"""Evaluation of the MNLI task: accuracy on the matched validation split, in percent.

Usage, as MLGym runs it (an LMSubmissionTasks task):

    torchrun --nproc_per_node=<GPUs> --standalone evaluate.py

or `python3 evaluate.py [--config_fname bert_mnli_model]`. The evaluation is
not distributed: only the first process evaluates and prints; the others exit.
The model folder (`bert_mnli_model/` in the workspace, or `--config_fname`)
must have been written by `save_pretrained` of a BertForSequenceClassification
with 3 labels (0 entailment, 1 neutral, 2 contradiction), weights in
safetensors format (read without unpickling anything). Every (premise,
hypothesis) pair of `validation_matched` is tokenised with the
bert-base-uncased tokenizer (max length 128, batches of 32), whatever tokenizer
files the folder holds, and the model runs in float32 on input_ids and
attention_mask only: as in MLGym-Bench, no token_type_ids (both sentences are
segment 0). As in MLGym, every pair
counts: one whose label is not 0-2 could never be predicted correctly.

Prints {"validation_accuracy": <percent correct>} as one JSON line; a model that
cannot be loaded prints a one-line reason on stderr and exits 1.
"""

import os
import sys

# The workspace is the agent's: a file such as `json.py` or `transformers.py`
# placed next to this script would otherwise be imported instead of the real module.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse  # noqa: E402
import json  # noqa: E402

DATASET = "nyu-mll/multi_nli"
SPLIT = "validation_matched"
TOKENIZER = "google-bert/bert-base-uncased"
NUM_LABELS = 3
MAX_LENGTH = 128
BATCH_SIZE = 32


class InvalidSubmission(Exception):
    """The artefact cannot be evaluated; the message says why."""


def quiet_libraries():
    """Keep progress bars and warnings of the libraries off stdout and out of the way."""
    import datasets
    import transformers

    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()


def load_model(folder, device):
    """The submitted classifier, loaded from safetensors only (no pickled code runs)."""
    from transformers import AutoConfig, BertForSequenceClassification

    if not os.path.isdir(folder):
        raise InvalidSubmission(f"model folder not found: {folder}")
    try:
        config = AutoConfig.from_pretrained(folder)
    except Exception as error:
        raise InvalidSubmission(f"{folder} has no readable config.json: {error}") from None
    if config.model_type != "bert" or config.num_labels != NUM_LABELS:
        raise InvalidSubmission(f"{folder} holds a {config.model_type!r} model with {config.num_labels} labels; "
                                f"a BertForSequenceClassification with {NUM_LABELS} labels is expected")
    try:
        model = BertForSequenceClassification.from_pretrained(folder, use_safetensors=True)
    except Exception as error:
        raise InvalidSubmission(f"cannot load {folder} as BertForSequenceClassification "
                                f"(weights must be model.safetensors): {type(error).__name__}: {error}") from None
    return model.to(device).eval()


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


def accuracy(model, device):
    """Percentage of validation_matched pairs whose predicted label is right."""
    import torch
    from transformers import BertTokenizerFast

    tokenizer = BertTokenizerFast.from_pretrained(TOKENIZER)
    split = load_hub_split(DATASET, SPLIT)
    rows = list(zip(split["premise"], split["hypothesis"], split["label"]))
    if not rows:
        raise RuntimeError(f"{DATASET} {SPLIT} is empty")
    correct = 0
    with torch.no_grad():
        for start in range(0, len(rows), BATCH_SIZE):
            premises, hypotheses, labels = zip(*rows[start:start + BATCH_SIZE])
            encoded = tokenizer(list(premises), list(hypotheses), truncation=True, max_length=MAX_LENGTH,
                                padding=True, return_tensors="pt").to(device)
            logits = model(input_ids=encoded["input_ids"], attention_mask=encoded["attention_mask"]).logits
            predictions = logits.argmax(dim=-1).cpu()
            correct += (predictions == torch.tensor(labels)).sum().item()
    return 100.0 * correct / len(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config_fname", default="bert_mnli_model", help="the submitted model folder")
    args = parser.parse_args()
    if int(os.environ.get("RANK", "0")) != 0:
        return  # under torchrun: the first process does the whole evaluation
    try:
        import torch

        quiet_libraries()
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        model = load_model(args.config_fname, device)
        score = accuracy(model, device)
    except InvalidSubmission as error:
        print(f"invalid submission: {error}", file=sys.stderr)
        sys.exit(1)
    except Exception as error:
        print(f"evaluation failed: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(2)
    print(json.dumps({"validation_accuracy": score}))


if __name__ == "__main__":
    main()
