"""Evaluation of imageCaptioningCOCO-v2: BLEU-4 of the submitted captions against hidden references.

Usage: python3 evaluate.py --submission_file submission.csv

The submission has one generated caption per validation image (columns
`file_name,caption`). Each caption is scored against the hidden human reference
captions of its image (about five per image), which live only in the evaluation
sandbox at /home/agent/hidden/val_references.json. Unlike imageCaptioningCOCO
(MLGym-Bench's version, which averages a score column the agent computed), the
score is computed here, never read from the submission.

Prints one JSON line on stdout:
  "BLEU Score"   mean over images of smoothed sentence-level BLEU-4 (priority metric)
  "Corpus BLEU"  corpus-level BLEU-4 over all images (unsmoothed, Papineni et al. 2002)
An invalid submission prints a one-line reason on stderr and exits 1.

BLEU here: captions are lower-cased and split into runs of letters and digits;
n-gram counts are clipped by the largest count in any one reference; the brevity
penalty uses the reference length closest to the caption's (the shorter on a tie);
sentence BLEU adds one to the matches and the totals of 2-, 3- and 4-grams
(Lin and Och 2004) so that one missing 4-gram does not zero a caption; a
caption shorter than n words counts one unmatched n-gram. Both scores agree with
NLTK's corpus_bleu and sentence_bleu (SmoothingFunction().method2, NLTK 3.9) on
the same tokens. The evaluator needs only the standard library.
"""

import os
import sys

# The workspace is the agent's: a file such as `json.py` placed next to this
# script would otherwise be imported instead of the standard module.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import re  # noqa: E402
from collections import Counter  # noqa: E402

MAX_ORDER = 4
REFERENCES = "/home/agent/hidden/val_references.json"
MAX_CAPTION_CHARS = 1000
_TOKEN = re.compile(r"[a-z0-9]+")

csv.field_size_limit(1 << 20)


class InvalidSubmission(Exception):
    """The artefact cannot be scored; the message says why."""


def tokenize(text):
    return _TOKEN.findall(text.lower())


def ngram_counts(tokens, n):
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def max_reference_counts(references, n):
    """For each n-gram, the most times it occurs in any single reference (the clip)."""
    clip = Counter()
    for reference in references:
        for gram, count in ngram_counts(reference, n).items():
            clip[gram] = max(clip[gram], count)
    return clip


def closest_reference_length(hypothesis_length, references):
    return min((abs(len(r) - hypothesis_length), len(r)) for r in references)[1]


def sentence_statistics(hypothesis, references):
    """(clipped matches per order, totals per order, hypothesis length, reference length)."""
    matches, totals = [], []
    for n in range(1, MAX_ORDER + 1):
        counts = ngram_counts(hypothesis, n)
        clip = max_reference_counts(references, n)
        matches.append(sum(min(count, clip[gram]) for gram, count in counts.items()))
        # A caption shorter than n counts one (unmatched) n-gram, as NLTK does, so that a
        # very short caption cannot get full marks for the orders it does not reach.
        totals.append(max(len(hypothesis) - n + 1, 1))
    return matches, totals, len(hypothesis), closest_reference_length(len(hypothesis), references)


def brevity_penalty(hypothesis_length, reference_length):
    if hypothesis_length == 0:
        return 0.0
    if hypothesis_length >= reference_length:
        return 1.0
    return math.exp(1.0 - reference_length / hypothesis_length)


def sentence_bleu(statistics):
    """Smoothed sentence BLEU-4: add-one on orders 2-4, none on unigrams."""
    matches, totals, hypothesis_length, reference_length = statistics
    if hypothesis_length == 0 or matches[0] == 0:
        return 0.0
    log_precision = math.log(matches[0] / totals[0])
    for n in range(1, MAX_ORDER):
        log_precision += math.log((matches[n] + 1) / (totals[n] + 1))
    return brevity_penalty(hypothesis_length, reference_length) * math.exp(log_precision / MAX_ORDER)


def corpus_bleu(all_statistics):
    """Corpus BLEU-4: counts summed over all captions before the precisions are taken."""
    matches = [sum(s[0][n] for s in all_statistics) for n in range(MAX_ORDER)]
    totals = [sum(s[1][n] for s in all_statistics) for n in range(MAX_ORDER)]
    hypothesis_length = sum(s[2] for s in all_statistics)
    reference_length = sum(s[3] for s in all_statistics)
    if min(matches) == 0:
        return 0.0
    log_precision = sum(math.log(m / t) for m, t in zip(matches, totals)) / MAX_ORDER
    return brevity_penalty(hypothesis_length, reference_length) * math.exp(log_precision)


def load_references(path):
    """{file_name: [tokenised reference captions]} from the hidden file."""
    with open(path) as handle:
        raw = json.load(handle)
    return {name: [tokenize(caption) for caption in captions] for name, captions in raw.items()}


def read_submission(path, expected_names):
    """{file_name: caption}, with exactly one row for every validation image."""
    if not os.path.isfile(path):
        raise InvalidSubmission(f"submission file not found: {path}")
    captions = {}
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing_columns = {"file_name", "caption"} - set(reader.fieldnames or [])
        if missing_columns:
            raise InvalidSubmission(f"{path} lacks column(s) {sorted(missing_columns)} (header: {reader.fieldnames})")
        for row_number, row in enumerate(reader, start=2):
            name, caption = (row["file_name"] or "").strip(), row["caption"] or ""
            if name not in expected_names:
                raise InvalidSubmission(f"row {row_number}: {name!r} is not a validation image")
            if name in captions:
                raise InvalidSubmission(f"row {row_number}: a second caption for {name}")
            if len(caption) > MAX_CAPTION_CHARS:
                raise InvalidSubmission(f"row {row_number}: caption longer than {MAX_CAPTION_CHARS} characters")
            captions[name] = caption
    absent = len(expected_names) - len(captions)
    if absent:
        example = next(name for name in sorted(expected_names) if name not in captions)
        raise InvalidSubmission(f"{absent} validation image(s) have no caption, e.g. {example}")
    return captions


def score(captions, references):
    statistics = [sentence_statistics(tokenize(captions[name]), references[name]) for name in sorted(references)]
    return {
        "BLEU Score": sum(sentence_bleu(s) for s in statistics) / len(statistics),
        "Corpus BLEU": corpus_bleu(statistics),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submission_file", default="submission.csv")
    parser.add_argument("--references", default=REFERENCES, help="hidden reference captions (JSON)")
    args = parser.parse_args()
    try:
        references = load_references(args.references)
    except Exception as error:
        print(f"evaluation failed: cannot read the reference captions: {type(error).__name__}: {error}",
              file=sys.stderr)
        sys.exit(2)
    try:
        captions = read_submission(args.submission_file, set(references))
    except (InvalidSubmission, UnicodeDecodeError, csv.Error) as error:
        print(f"invalid submission: {error}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(score(captions, references)))


if __name__ == "__main__":
    main()
