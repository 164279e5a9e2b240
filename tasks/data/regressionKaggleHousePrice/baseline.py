"""Baseline for the house price task: ridge regression with scikit-learn.

Reads data/train.csv, data/validation.csv and data/test.csv with pandas, fits one
scikit-learn pipeline on the training rows and writes the test predictions to
submission.csv (columns Id, SalePrice). It prints the RMSE and R^2 on the training
and on the validation rows.

The model (the same set-up as MLGym's baseline for this task):
  * features: every column except Id and SalePrice;
  * numeric columns (pandas number dtypes): missing values replaced by the training
    mean, then standardised (StandardScaler);
  * the other columns: missing values replaced by the category "missing", then
    one-hot encoded over the training categories (unseen ones give all zeros);
  * Ridge regression with alpha = 0.1 (intercept fitted, not penalised).
Run from the workspace: python3 baseline.py
"""

import numpy as np
import pandas as pd
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_squared_error, r2_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

ID, TARGET = "Id", "SalePrice"
RIDGE_ALPHA = 0.1


def features(table):
    return table.drop(columns=[column for column in (ID, TARGET) if column in table.columns])


def make_model():
    numeric = make_pipeline(SimpleImputer(strategy="mean"), StandardScaler())
    categorical = make_pipeline(
        SimpleImputer(strategy="constant", fill_value="missing"),
        OneHotEncoder(handle_unknown="ignore", sparse_output=False),
    )
    columns = make_column_transformer(
        (numeric, make_column_selector(dtype_include=np.number)),
        (categorical, make_column_selector(dtype_exclude=np.number)),
    )
    return make_pipeline(columns, Ridge(alpha=RIDGE_ALPHA))


def report(name, truth, predicted):
    rmse = float(np.sqrt(mean_squared_error(truth, predicted)))
    print(f"{name}: RMSE {rmse:.2f}, R2 {r2_score(truth, predicted):.4f}")


def main():
    train = pd.read_csv("data/train.csv")
    validation = pd.read_csv("data/validation.csv")
    test = pd.read_csv("data/test.csv")

    model = make_model()
    model.fit(features(train), train[TARGET])
    report("training", train[TARGET], model.predict(features(train)))
    report("validation", validation[TARGET], model.predict(features(validation)))

    submission = pd.DataFrame({ID: test[ID], TARGET: model.predict(features(test))})
    submission.to_csv("submission.csv", index=False)
    print(f"wrote submission.csv with {len(submission)} predictions")


if __name__ == "__main__":
    main()
