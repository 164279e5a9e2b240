"""Split Kaggle's House Prices (Ames) train.csv into the task's files.

Kaggle's "House Prices - Advanced Regression Techniques" competition ships a
train.csv of 1,460 houses (Id, 79 features, SalePrice). Its terms do not allow
redistribution, so the repository holds no copy: download it from Kaggle yourself
and run

    python3 prepare.py --train-csv /path/to/train.csv

This writes, beside this script,
    data/train.csv        1,022 rows, with SalePrice
    data/validation.csv     146 rows, with SalePrice
    data/test.csv           292 rows, without SalePrice
    hidden/answer.csv       Id,SalePrice of the 292 test houses (the answer key;
                            never shown to the agent)
Rows keep the input's values verbatim ("NA" marks a missing or not-applicable value).

The split is the one MLGym describes (seed 42): 20% of the rows for test, then
12.5% of the remaining rows for validation, the rest for training. Each step
reproduces scikit-learn's train_test_split(test_size=..., random_state=42), using
only numpy: the held-out part is the first ceil(test_size * n) entries of
numpy.random.RandomState(42).permutation(n), the kept part the remaining entries, in
permutation order.
"""

import argparse
import csv
import math
import os
import sys

import numpy

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 42
TEST_FRACTION = 0.2
VALIDATION_FRACTION = 0.125


def shuffle_split(rows, held_out_fraction, seed):
    """(kept, held_out), as train_test_split(rows, test_size=f, random_state=seed)."""
    count = len(rows)
    held_out_count = math.ceil(held_out_fraction * count)
    order = numpy.random.RandomState(seed).permutation(count)
    held_out = [rows[i] for i in order[:held_out_count]]
    kept = [rows[i] for i in order[held_out_count:]]
    return kept, held_out


def write_csv(path, header, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main():
    parser = argparse.ArgumentParser(description="Split Kaggle's train.csv for the task.")
    parser.add_argument("--train-csv", required=True, help="Kaggle's train.csv")
    parser.add_argument("--out-dir", default=os.path.join(HERE, "data"),
                        help="where train/validation/test.csv go (default: data/ here)")
    parser.add_argument("--hidden-dir", default=os.path.join(HERE, "hidden"),
                        help="where answer.csv goes (default: hidden/ here)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()

    try:
        with open(args.train_csv, newline="", encoding="utf-8-sig") as handle:
            table = list(csv.reader(handle))
    except OSError as error:
        sys.exit(f"cannot read {args.train_csv}: {error}")
    if not table:
        sys.exit(f"{args.train_csv} is empty")
    header, rows = table[0], [row for row in table[1:] if row]
    for needed in ("Id", "SalePrice"):
        if needed not in header:
            sys.exit(f"{args.train_csv} has no {needed} column; is it Kaggle's train.csv?")
    bad = [number for number, row in enumerate(rows, start=2) if len(row) != len(header)]
    if bad:
        sys.exit(f"{args.train_csv}: line {bad[0]} has a different number of fields "
                 "from the header")
    if len(rows) != 1460:
        print(f"note: {len(rows)} rows (Kaggle's train.csv has 1460); splitting anyway",
              file=sys.stderr)

    rest, test = shuffle_split(rows, TEST_FRACTION, args.seed)
    train, validation = shuffle_split(rest, VALIDATION_FRACTION, args.seed)

    price = header.index("SalePrice")
    identifier = header.index("Id")
    without_price = [name for i, name in enumerate(header) if i != price]
    write_csv(os.path.join(args.out_dir, "train.csv"), header, train)
    write_csv(os.path.join(args.out_dir, "validation.csv"), header, validation)
    write_csv(os.path.join(args.out_dir, "test.csv"), without_price,
              [[value for i, value in enumerate(row) if i != price] for row in test])
    write_csv(os.path.join(args.hidden_dir, "answer.csv"), ["Id", "SalePrice"],
              [[row[identifier], row[price]] for row in test])
    print(f"train {len(train)}, validation {len(validation)}, test {len(test)} rows -> "
          f"{args.out_dir}; answer key -> {os.path.join(args.hidden_dir, 'answer.csv')}")


if __name__ == "__main__":
    main()
