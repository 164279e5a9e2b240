"""Baseline for the house price task: ridge regression with numpy.

Reads data/train.csv, data/validation.csv and data/test.csv, fits a ridge
regression (alpha 0.1) of SalePrice on every other column except Id, prints the
validation RMSE and R^2, and writes the test predictions to submission.csv
(columns Id,SalePrice).

Features: a column is numeric when every non-missing training value parses as a
number; missing numeric values ("NA" or empty) are replaced by the training median
and each numeric column is standardised with the training mean and standard
deviation. Every other column is one-hot encoded over the values seen in training
("NA" counts as a value of its own); values never seen in training get all zeros.
Run from the workspace: python3 baseline.py
"""

import csv
import math

import numpy as np

ALPHA = 0.1
MISSING = {"", "NA"}
TARGET = "SalePrice"
ID = "Id"


def read_table(path):
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        raise SystemExit(f"{path} has no rows")
    return rows


def is_number(text):
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


class Featurizer:
    """Learns the encoding from the training rows and applies it to any rows."""

    def __init__(self, rows):
        columns = [name for name in rows[0] if name not in (ID, TARGET)]
        self.numeric = []
        self.categorical = []
        for name in columns:
            present = [row[name] for row in rows if row[name] not in MISSING]
            if present and all(is_number(value) for value in present):
                self.numeric.append(name)
            else:
                self.categorical.append(name)
        self.median = {}
        self.mean = {}
        self.scale = {}
        for name in self.numeric:
            values = np.array([float(row[name]) for row in rows if row[name] not in MISSING])
            self.median[name] = float(np.median(values))
            filled = np.array([self._number(row[name], name) for row in rows])
            self.mean[name] = float(filled.mean())
            self.scale[name] = float(filled.std()) or 1.0
        self.levels = {name: sorted({row[name] for row in rows}) for name in self.categorical}

    def _number(self, text, name):
        if text in MISSING or not is_number(text):
            return self.median[name]
        return float(text)

    def transform(self, rows):
        blocks = []
        for name in self.numeric:
            column = np.array([self._number(row[name], name) for row in rows])
            blocks.append(((column - self.mean[name]) / self.scale[name])[:, None])
        for name in self.categorical:
            position = {value: i for i, value in enumerate(self.levels[name])}
            one_hot = np.zeros((len(rows), len(position)))
            for r, row in enumerate(rows):
                i = position.get(row[name])
                if i is not None:
                    one_hot[r, i] = 1.0
            blocks.append(one_hot)
        return np.hstack(blocks)


def fit_ridge(features, target, alpha):
    """Ridge regression with an unpenalised intercept: returns (weights, intercept)."""
    feature_mean = features.mean(axis=0)
    target_mean = target.mean()
    centred = features - feature_mean
    gram = centred.T @ centred + alpha * np.eye(features.shape[1])
    weights = np.linalg.solve(gram, centred.T @ (target - target_mean))
    return weights, target_mean - feature_mean @ weights


def rmse_r2(truth, prediction):
    residual = truth - prediction
    rmse = float(np.sqrt(np.mean(residual ** 2)))
    r2 = float(1.0 - np.sum(residual ** 2) / np.sum((truth - truth.mean()) ** 2))
    return rmse, r2


def main():
    train = read_table("data/train.csv")
    validation = read_table("data/validation.csv")
    test = read_table("data/test.csv")

    featurizer = Featurizer(train)
    train_target = np.array([float(row[TARGET]) for row in train])
    weights, intercept = fit_ridge(featurizer.transform(train), train_target, ALPHA)

    def predict(rows):
        return featurizer.transform(rows) @ weights + intercept

    validation_target = np.array([float(row[TARGET]) for row in validation])
    rmse, r2 = rmse_r2(validation_target, predict(validation))
    print(f"validation: rmse {rmse:.2f}, r2 {r2:.4f}")

    with open("submission.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([ID, TARGET])
        for row, price in zip(test, predict(test)):
            writer.writerow([row[ID], repr(float(price))])
    print(f"wrote submission.csv with {len(test)} predictions")


if __name__ == "__main__":
    main()
