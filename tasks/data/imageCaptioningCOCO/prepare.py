"""Build the imageCaptioningCOCO task data from an MS-COCO captions download.

Run once by an operator, outside any sandbox, on a host with pyarrow:

    python3 prepare.py --coco-root /datasets/coco --year 2014

`--coco-root` must hold the standard COCO layout:

    annotations/captions_train<YEAR>.json
    annotations/captions_val<YEAR>.json
    train<YEAR>/<image files>
    val<YEAR>/<image files>

It writes, next to this script (or under `--out`):

    data/train/                   training images
    data/val/                     validation images (the ones to caption)
    data/train_images.parquet     file_name, image_id, captions (list of strings)
    data/val_images.parquet       file_name, image_id (no captions: those are hidden)
    data/sample_submission.csv    a valid submission: one fixed caption per val image
    hidden/val_references.json    {file_name: [reference captions]}, for the evaluation only

`data/` becomes the agent's read-only /home/agent/workspace/data; `hidden/` is a
secret file that only the evaluation sandbox sees. Validation images are a seeded
random sample of COCO's validation split (5,000 by default), so the same
arguments always give the same task.
"""

import argparse
import csv
import json
import os
import random
import shutil
import sys
from collections import defaultdict

import pyarrow as pa
import pyarrow.parquet as pq

PLACEHOLDER_CAPTION = "a picture of something"


def parse_args():
    parser = argparse.ArgumentParser(description="Build the imageCaptioningCOCO task data from MS-COCO.")
    parser.add_argument("--coco-root", required=True, help="folder with annotations/ and the image folders")
    parser.add_argument("--year", choices=["2014", "2017"], help="COCO release (default: the one present)")
    parser.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)),
                        help="task folder to write data/ and hidden/ into (default: this script's folder)")
    parser.add_argument("--val-size", type=int, default=5000, help="validation images to keep; 0 keeps all")
    parser.add_argument("--train-size", type=int, default=0, help="training images to keep; 0 keeps all")
    parser.add_argument("--seed", type=int, default=0, help="seed of the image samples")
    parser.add_argument("--copy", action="store_true", help="copy images (default: hard-link, copy if that fails)")
    parser.add_argument("--force", action="store_true", help="replace existing data/ and hidden/ folders")
    return parser.parse_args()


def detect_year(coco_root, requested):
    """The requested release, or the only one whose caption files are present."""
    if requested:
        return requested
    present = [year for year in ("2014", "2017")
               if os.path.isfile(os.path.join(coco_root, "annotations", f"captions_train{year}.json"))]
    if len(present) != 1:
        sys.exit(f"found caption files for {present or 'no'} COCO release(s) under {coco_root}; pass --year")
    return present[0]


def load_captions(path):
    """(image_id → file_name, image_id → [captions]) from one COCO captions file."""
    with open(path) as handle:
        annotations = json.load(handle)
    file_names = {image["id"]: image["file_name"] for image in annotations["images"]}
    captions = defaultdict(list)
    for annotation in annotations["annotations"]:
        captions[annotation["image_id"]].append(annotation["caption"].strip())
    return file_names, captions


def sample_ids(image_ids, size, rng):
    """A sorted random sample of `size` ids (all of them when size is 0 or too large)."""
    ids = sorted(image_ids)
    if 0 < size < len(ids):
        ids = sorted(rng.sample(ids, size))
    return ids


def place_image(source, destination, copy):
    """Hard-link (cheap, same file system) or copy one image into the task folder.

    Symbolic links are not used: the data folder is bound read-only into the
    sandbox, where a link pointing outside it would dangle.
    """
    if not copy:
        try:
            os.link(source, destination)
            return
        except OSError:
            pass
    shutil.copyfile(source, destination)


def export_split(ids, file_names, source_dir, target_dir, copy):
    """Place the images of `ids` into `target_dir`; fail early on a missing one."""
    os.makedirs(target_dir)
    for count, image_id in enumerate(ids, start=1):
        name = file_names[image_id]
        source = os.path.join(source_dir, name)
        if not os.path.isfile(source):
            sys.exit(f"image {source} is listed in the annotations but missing")
        place_image(source, os.path.join(target_dir, name), copy)
        if count % 10000 == 0:
            print(f"  {count}/{len(ids)} images placed in {target_dir}")


def write_parquet(rows, path, schema):
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)


def write_sample_submission(val_rows, path):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file_name", "caption"])
        writer.writerows([row["file_name"], PLACEHOLDER_CAPTION] for row in val_rows)


def prepare_output(out, force):
    """Create empty data/ and hidden/ folders, replacing old ones only with --force."""
    data_dir, hidden_dir = os.path.join(out, "data"), os.path.join(out, "hidden")
    for folder in (data_dir, hidden_dir):
        if os.path.exists(folder):
            if not force:
                sys.exit(f"{folder} exists; pass --force to rebuild it")
            shutil.rmtree(folder)
    os.makedirs(data_dir)
    os.makedirs(hidden_dir)
    return data_dir, hidden_dir


def main():
    args = parse_args()
    year = detect_year(args.coco_root, args.year)
    data_dir, hidden_dir = prepare_output(args.out, args.force)

    train_names, train_captions = load_captions(
        os.path.join(args.coco_root, "annotations", f"captions_train{year}.json"))
    val_names, val_captions = load_captions(
        os.path.join(args.coco_root, "annotations", f"captions_val{year}.json"))
    # One generator per split, so that --train-size does not change the validation sample.
    train_ids = sample_ids([i for i in train_names if train_captions.get(i)], args.train_size,
                           random.Random(f"train-{args.seed}"))
    val_ids = sample_ids([i for i in val_names if val_captions.get(i)], args.val_size,
                         random.Random(f"val-{args.seed}"))

    print(f"placing {len(train_ids)} training and {len(val_ids)} validation images (COCO {year})")
    export_split(train_ids, train_names, os.path.join(args.coco_root, f"train{year}"),
                 os.path.join(data_dir, "train"), args.copy)
    export_split(val_ids, val_names, os.path.join(args.coco_root, f"val{year}"),
                 os.path.join(data_dir, "val"), args.copy)

    train_rows = [{"file_name": train_names[i], "image_id": i, "captions": train_captions[i]} for i in train_ids]
    val_rows = [{"file_name": val_names[i], "image_id": i} for i in val_ids]
    write_parquet(train_rows, os.path.join(data_dir, "train_images.parquet"), pa.schema(
        [("file_name", pa.string()), ("image_id", pa.int64()), ("captions", pa.list_(pa.string()))]))
    write_parquet(val_rows, os.path.join(data_dir, "val_images.parquet"), pa.schema(
        [("file_name", pa.string()), ("image_id", pa.int64())]))
    write_sample_submission(val_rows, os.path.join(data_dir, "sample_submission.csv"))

    references = {val_names[i]: val_captions[i] for i in val_ids}
    with open(os.path.join(hidden_dir, "val_references.json"), "w") as handle:
        json.dump(references, handle, indent=0, sort_keys=True)
    print(f"done: {data_dir} and {os.path.join(hidden_dir, 'val_references.json')}")


if __name__ == "__main__":
    main()
