"""Evaluation of the CIFAR-10 task: accuracy of `submission.csv` on the test split.

Usage: python3 evaluate.py --submission_file submission.csv

Prints one JSON line, {"accuracy": <fraction correct>}, on stdout. A submission
that cannot be scored (missing file, no `label` column, wrong row count, a label
that is not a class number) prints a one-line reason on stderr and exits 1.
"""

import os
import sys

# The workspace is the agent's: a file such as `json.py` or `datasets.py` placed
# next to this script would otherwise be imported instead of the real module.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402

DATASET = "uoft-cs/cifar10"
LABEL_COLUMN = "label"
NUM_CLASSES = 10


class InvalidSubmission(Exception):
    """The artefact cannot be scored; the message says why."""


def read_predictions(path):
    """The `label` column of the submission as a list of ints in [0, NUM_CLASSES)."""
    if not os.path.isfile(path):
        raise InvalidSubmission(f"submission file not found: {path}")
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or LABEL_COLUMN not in reader.fieldnames:
            raise InvalidSubmission(f"{path} has no '{LABEL_COLUMN}' column (header: {reader.fieldnames})")
        predictions = []
        for row_number, row in enumerate(reader, start=2):
            predictions.append(parse_label(row[LABEL_COLUMN], row_number))
    return predictions


def parse_label(text, row_number):
    """A class number; '3' and '3.0' are accepted, anything else is rejected."""
    try:
        value = float((text or "").strip())
    except ValueError:
        raise InvalidSubmission(f"row {row_number}: label {text!r} is not a number") from None
    if not value.is_integer() or not 0 <= value < NUM_CLASSES:
        raise InvalidSubmission(f"row {row_number}: label {text!r} is not a class in 0..{NUM_CLASSES - 1}")
    return int(value)


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


def load_test_labels():
    """Labels of the test split, in dataset order, from the offline Hugging Face cache."""
    import datasets

    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()
    return list(load_hub_split(DATASET, "test")[LABEL_COLUMN])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submission_file", default="submission.csv")
    args = parser.parse_args()
    try:
        predictions = read_predictions(args.submission_file)
        truth = load_test_labels()
        if len(predictions) != len(truth):
            raise InvalidSubmission(f"submission has {len(predictions)} rows, the test split has {len(truth)}")
    except InvalidSubmission as error:
        print(f"invalid submission: {error}", file=sys.stderr)
        sys.exit(1)
    except Exception as error:  # the evaluation itself failed: say so on one line
        print(f"evaluation failed: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(2)
    correct = sum(p == t for p, t in zip(predictions, truth))
    print(json.dumps({"accuracy": correct / len(truth)}))


if __name__ == "__main__":
    main()
