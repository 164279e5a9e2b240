"""Write a synthetic, Ames-like train.csv, for testing the house price task without
Kaggle's data.

The file has 18 of the real file's columns, with the real names and value codes:
Id, MSSubClass, MSZoning, LotFrontage (about 15% "NA"), LotArea, Street,
Neighborhood, BldgType, OverallQual, OverallCond, YearBuilt, TotalBsmtSF, GrLivArea,
FullBath, BedroomAbvGr, KitchenQual, GarageCars, SalePrice. SalePrice comes from a
fixed linear model of the other columns plus Gaussian noise (sd 15,000), so a good
regression reaches R^2 of about 0.9. Everything is drawn from random.Random(seed).

Usage: python3 make_synthetic.py --rows 1460 --out /tmp/train.csv [--seed 0]
"""

import argparse
import csv
import os
import random

COLUMNS = ["Id", "MSSubClass", "MSZoning", "LotFrontage", "LotArea", "Street",
           "Neighborhood", "BldgType", "OverallQual", "OverallCond", "YearBuilt",
           "TotalBsmtSF", "GrLivArea", "FullBath", "BedroomAbvGr", "KitchenQual",
           "GarageCars", "SalePrice"]

# (value, sampling weight, price effect in dollars)
NEIGHBORHOODS = [("NAmes", 22, 0), ("CollgCr", 15, 15000), ("OldTown", 11, -20000),
                 ("Edwards", 10, -18000), ("Somerst", 9, 30000), ("NridgHt", 8, 70000),
                 ("Gilbert", 8, 10000), ("Sawyer", 7, -8000), ("StoneBr", 3, 80000),
                 ("MeadowV", 2, -30000)]
ZONING = [("RL", 79, 0), ("RM", 15, -12000), ("FV", 4, 10000), ("RH", 1, -10000),
          ("C (all)", 1, -30000)]
BUILDING = [("1Fam", 83, 0), ("TwnhsE", 8, -5000), ("Duplex", 4, -15000),
            ("Twnhs", 3, -12000), ("2fmCon", 2, -20000)]
KITCHEN = [("TA", 50, 0), ("Gd", 40, 12000), ("Ex", 7, 40000), ("Fa", 3, -15000)]
STREET = [("Pave", 99, 0), ("Grvl", 1, -10000)]
SUBCLASS = [(20, 37), (60, 20), (50, 10), (120, 6), (30, 5), (160, 4), (70, 4),
            (80, 4), (90, 4), (190, 3), (85, 2), (75, 1)]


def pick(rng, table):
    total = sum(row[1] for row in table)
    point = rng.random() * total
    for row in table:
        point -= row[1]
        if point < 0:
            return row
    return table[-1]


def make_row(rng, house_id):
    quality = min(10, max(1, round(rng.gauss(6.1, 1.4))))
    condition = min(9, max(1, round(rng.gauss(5.6, 1.1))))
    year = min(2010, max(1872, round(rng.gauss(1971, 30))))
    living = max(400, round(rng.gauss(1500, 500)))
    basement = 0 if rng.random() < 0.03 else max(100, round(rng.gauss(1050, 420)))
    lot_area = max(1300, round(rng.lognormvariate(9.1, 0.45)))
    frontage = "NA" if rng.random() < 0.15 else str(max(21, round(rng.gauss(70, 22))))
    garage = min(4, max(0, round(rng.gauss(1.8, 0.75))))
    full_bath = min(3, max(0, round(living / 900 + rng.gauss(0, 0.4))))
    bedrooms = min(8, max(0, round(living / 520 + rng.gauss(0, 0.7))))
    subclass = pick(rng, SUBCLASS)[0]
    zoning = pick(rng, ZONING)
    street = pick(rng, STREET)
    neighborhood = pick(rng, NEIGHBORHOODS)
    building = pick(rng, BUILDING)
    kitchen = pick(rng, KITCHEN)

    price = (-900000 + 55 * living + 28 * basement + 14000 * quality + 3500 * condition
             + 420 * year + 9000 * garage + 4000 * full_bath - 2500 * bedrooms
             + 0.6 * lot_area + zoning[2] + street[2] + neighborhood[2] + building[2]
             + kitchen[2] + rng.gauss(0, 15000))
    price = max(35000, round(price))
    return [house_id, subclass, zoning[0], frontage, lot_area, street[0], neighborhood[0],
            building[0], quality, condition, year, basement, living, full_bath, bedrooms,
            kitchen[0], garage, price]


def main():
    parser = argparse.ArgumentParser(description="Write a synthetic Ames-like train.csv.")
    parser.add_argument("--rows", type=int, default=1460, help="number of houses")
    parser.add_argument("--out", required=True, help="CSV file to write")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.rows < 10:
        parser.error("--rows must be at least 10")
    rng = random.Random(args.seed)
    directory = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(directory, exist_ok=True)
    with open(args.out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for house_id in range(1, args.rows + 1):
            writer.writerow(make_row(rng, house_id))
    print(f"wrote {args.rows} synthetic houses to {args.out}")


if __name__ == "__main__":
    main()
