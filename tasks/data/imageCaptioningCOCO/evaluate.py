"""Evaluation of the COCO captioning task as MLGym-Bench defines it: the mean submitted BLEU score.

Usage: python3 evaluate.py --submission_file submission.csv

The submission holds a `bleu_score` column, one score per validation image,
computed by the agent's own code the way baseline.py computes it. This script
only averages that column, exactly as MLGym-Bench's evaluation does, so the
score is the agent's own measurement and cannot be checked here (the task
imageCaptioningCOCO-v2 scores submitted captions against hidden references
instead). It does reject what cannot be a BLEU score: a missing column, no
rows, or a value that is not a number between 0 and 1.

Prints {"BLEU Score": <mean>} as one JSON line on stdout. An invalid submission
prints a one-line reason on stderr and exits 1. Needs only the standard library.
"""

import os
import sys

# The workspace is the agent's: a file such as `json.py` or `csv.py` placed next
# to this script would otherwise be imported instead of the standard module.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402

COLUMN = "bleu_score"

csv.field_size_limit(1 << 20)


class InvalidSubmission(Exception):
    """The artefact cannot be scored; the message says why."""


def read_scores(path):
    """The `bleu_score` column as floats, each in [0, 1]."""
    if not os.path.isfile(path):
        raise InvalidSubmission(f"submission file not found: {path}")
    scores = []
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or COLUMN not in reader.fieldnames:
            raise InvalidSubmission(f"{path} has no '{COLUMN}' column (header: {reader.fieldnames})")
        for row_number, row in enumerate(reader, start=2):
            text = (row[COLUMN] or "").strip()
            try:
                value = float(text)
            except ValueError:
                raise InvalidSubmission(f"row {row_number}: {COLUMN} {text!r} is not a number") from None
            if not (math.isfinite(value) and 0.0 <= value <= 1.0):
                raise InvalidSubmission(f"row {row_number}: {COLUMN} {text!r} is not a BLEU score (0 to 1)")
            scores.append(value)
    if not scores:
        raise InvalidSubmission(f"{path} has no rows")
    return scores


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submission_file", default="submission.csv")
    args = parser.parse_args()
    try:
        scores = read_scores(args.submission_file)
    except (InvalidSubmission, UnicodeDecodeError, csv.Error) as error:
        print(f"invalid submission: {error}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps({"BLEU Score": math.fsum(scores) / len(scores)}))


if __name__ == "__main__":
    main()
