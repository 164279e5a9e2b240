"""Evaluation for the house price task.

Compares a submission CSV (columns Id and SalePrice, one row per test house, any
order) with the hidden answer key and prints one JSON line:
    {"rmse": <root mean squared error>, "r2": <coefficient of determination>}
A submission with other columns, a missing, repeated or unknown Id, or a SalePrice
that is not a finite number is rejected: the reason goes to stderr and the exit
status is 1 (no score).

No error message quotes a value read from the answer key: the agent reads this output.

Usage: python3 evaluate.py --submission_file submission.csv
           [--answer_file /home/agent/hidden/answer.csv]
"""

import os
import sys


def _drop_workspace_from_path():
    """Python puts this script's directory, the agent's workspace, first on sys.path: a
    workspace csv.py, argparse.py, json.py or math.py would be imported instead of the
    standard library's and run with the answer key readable. Only sys and os (already
    loaded at start-up, so never shadowed) come before this."""
    workspace = os.path.realpath(os.path.dirname(os.path.abspath(__file__)))
    current = os.path.realpath(os.getcwd())
    sys.path[:] = [entry for entry in sys.path
                   if entry not in ("", ".")
                   and os.path.realpath(entry) not in (workspace, current)]


_drop_workspace_from_path()

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402

DEFAULT_ANSWER_FILE = "/home/agent/hidden/answer.csv"
COLUMNS = ("Id", "SalePrice")


class InvalidFile(Exception):
    pass


def quoted(text, secret):
    """The offending field for an error message, or nothing when it is the answer key's."""
    return "" if secret else f" {text!r}"


def parse_id(text, where, secret):
    try:
        value = float(text)
    except ValueError:
        raise InvalidFile(f"{where}: Id{quoted(text, secret)} is not a number")
    if not value.is_integer():
        raise InvalidFile(f"{where}: Id{quoted(text, secret)} is not a whole number")
    return int(value)


def parse_price(text, where, secret):
    try:
        value = float(text)
    except ValueError:
        raise InvalidFile(f"{where}: SalePrice{quoted(text, secret)} is not a number")
    if not math.isfinite(value):
        raise InvalidFile(f"{where}: SalePrice{quoted(text, secret)} is not finite")
    return value


def read_prices(path, role, secret=False):
    """{Id: SalePrice} from a CSV with exactly the columns Id and SalePrice. `secret`: the
    file is the answer key, whose fields are never quoted in an error."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            table = list(csv.reader(handle))
    except OSError as error:
        raise InvalidFile(f"cannot read the {role} {path}: {error.strerror or error}")
    except UnicodeDecodeError:
        raise InvalidFile(f"the {role} {path} is not UTF-8 text")
    except csv.Error as error:  # its messages quote no field
        raise InvalidFile(f"the {role} {path} is not valid CSV: {error}")
    if not table:
        raise InvalidFile(f"the {role} {path} is empty")
    header = [name.strip() for name in table[0]]
    if sorted(header) != sorted(COLUMNS):
        shown = "other columns" if secret else f"columns {header}"
        raise InvalidFile(f"the {role} has {shown}; expected exactly Id,SalePrice")
    id_column, price_column = header.index("Id"), header.index("SalePrice")
    prices = {}
    for line, row in enumerate(table[1:], start=2):
        if not row or all(not field.strip() for field in row):
            continue
        where = f"{role} line {line}"
        if len(row) != len(header):
            raise InvalidFile(f"{where}: {len(row)} fields, expected {len(header)}")
        house = parse_id(row[id_column].strip(), where, secret)
        if house in prices:
            raise InvalidFile(f"{where}: Id {house} appears more than once")
        prices[house] = parse_price(row[price_column].strip(), where, secret)
    return prices


def score(answers, predictions):
    missing = sorted(set(answers) - set(predictions))
    if missing:
        shown = ", ".join(str(house) for house in missing[:5])
        more = "" if len(missing) <= 5 else f" and {len(missing) - 5} more"
        raise InvalidFile(f"the submission has no prediction for Id {shown}{more} "
                          f"({len(answers)} test houses expected)")
    unknown = sorted(set(predictions) - set(answers))
    if unknown:
        raise InvalidFile(f"the submission has Id {unknown[0]}, which is not a test house "
                          f"({len(unknown)} unknown Id(s) in all)")
    houses = sorted(answers)
    truth = [answers[house] for house in houses]
    errors = [answers[house] - predictions[house] for house in houses]
    squared_error = math.fsum(error * error for error in errors)
    mean = math.fsum(truth) / len(truth)
    total = math.fsum((value - mean) ** 2 for value in truth)
    rmse = math.sqrt(squared_error / len(houses))
    r2 = 1.0 - squared_error / total if total > 0 else 0.0
    return {"rmse": rmse, "r2": r2}


def main():
    parser = argparse.ArgumentParser(description="Score a house price submission.")
    parser.add_argument("--submission_file", default="submission.csv")
    parser.add_argument("--answer_file", default=DEFAULT_ANSWER_FILE)
    args = parser.parse_args()
    try:
        answers = read_prices(args.answer_file, "answer key", secret=True)
        if not answers:
            raise InvalidFile(f"the answer key {args.answer_file} has no rows")
        predictions = read_prices(args.submission_file, "submission")
        metrics = score(answers, predictions)
    except InvalidFile as error:
        print(f"evaluation failed: {error}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(metrics))


if __name__ == "__main__":
    main()
