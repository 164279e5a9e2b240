"""Build the data of the two COCO captioning tasks from an MS-COCO captions download.

Run once by an operator, outside any sandbox, on a host with pyarrow:

    python3 prepare.py --coco-root /datasets/coco

`--coco-root` must hold the standard COCO layout (2014 by default, as MLGym used;
`--year 2017` for the 2017 release):

    annotations/captions_train<YEAR>.json
    annotations/captions_val<YEAR>.json
    train<YEAR>/<image files>
    val<YEAR>/<image files>

Both tasks get the same images: a seeded sample of `--train-size` training and
`--val-size` validation images (by default 37,609 and 9,435, the sizes of
MLGym-Bench's unpublished sample; the images themselves cannot be MLGym's).

imageCaptioningCOCO (MLGym-Bench's task), written to `--mlgym-out`
(default: this script's folder):

    data/train/, data/val/              the images
    data/train_images.parquet           one row per image, the columns of COCO's image records
    data/val_images.parquet             (license, file_name, coco_url, height, width,
                                        date_captured, flickr_url, id) plus `anns`, the
                                        image's caption annotations ({caption, id, image_id})

imageCaptioningCOCO-v2 (captions of validation images hidden), written to
`--v2-out` (default: ../imageCaptioningCOCO-v2):

    data/train/, data/val/              the same images (hard links where possible)
    data/train_images.parquet           file_name, image_id, captions (list of strings)
    data/val_images.parquet             file_name, image_id (no captions: those are hidden)
    data/sample_submission.csv          a valid submission: one fixed caption per val image
    hidden/val_references.json          {file_name: [reference captions]}, for the evaluation only

Each `data/` becomes the agent's read-only /home/agent/workspace/data of its
task; `hidden/` is a secret file that only the evaluation sandbox sees. The
same arguments always give the same data.
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

HERE = os.path.dirname(os.path.abspath(__file__))
PLACEHOLDER_CAPTION = "a picture of something"
# MLGym-Bench's sample had this many images (seen in its published trajectories).
MLGYM_TRAIN_IMAGES, MLGYM_VAL_IMAGES = 37609, 9435
IMAGE_FIELDS = [("license", pa.int64()), ("file_name", pa.string()), ("coco_url", pa.string()),
                ("height", pa.int64()), ("width", pa.int64()), ("date_captured", pa.string()),
                ("flickr_url", pa.string()), ("id", pa.int64())]
ANNOTATION = pa.struct([("caption", pa.string()), ("id", pa.int64()), ("image_id", pa.int64())])


def parse_args():
    parser = argparse.ArgumentParser(description="Build the COCO captioning tasks' data from MS-COCO.")
    parser.add_argument("--coco-root", required=True, help="folder with annotations/ and the image folders")
    parser.add_argument("--year", choices=["2014", "2017"], default="2014", help="COCO release (default 2014)")
    parser.add_argument("--mlgym-out", default=HERE,
                        help="imageCaptioningCOCO's task folder (default: this script's folder)")
    parser.add_argument("--v2-out", default=os.path.join(os.path.dirname(HERE), "imageCaptioningCOCO-v2"),
                        help="imageCaptioningCOCO-v2's task folder (default: ../imageCaptioningCOCO-v2)")
    parser.add_argument("--only", choices=["mlgym", "v2"], help="build only one of the two tasks")
    parser.add_argument("--train-size", type=int, default=MLGYM_TRAIN_IMAGES, help="training images; 0 keeps all")
    parser.add_argument("--val-size", type=int, default=MLGYM_VAL_IMAGES, help="validation images; 0 keeps all")
    parser.add_argument("--seed", type=int, default=0, help="seed of the image samples")
    parser.add_argument("--copy", action="store_true", help="copy images (default: hard-link, copy if that fails)")
    parser.add_argument("--force", action="store_true", help="replace existing data/ and hidden/ folders")
    return parser.parse_args()


def load_annotations(path):
    """(image_id → COCO image record, image_id → [caption annotations]) from one COCO captions file."""
    with open(path) as handle:
        annotations = json.load(handle)
    images = {image["id"]: image for image in annotations["images"]}
    captions = defaultdict(list)
    for annotation in annotations["annotations"]:
        captions[annotation["image_id"]].append(
            {"caption": annotation["caption"].strip(), "id": annotation["id"], "image_id": annotation["image_id"]})
    for image_id in captions:
        captions[image_id].sort(key=lambda a: a["id"])
    return images, captions


def sample_ids(image_ids, size, rng):
    """A sorted random sample of `size` ids (all of them when size is 0 or too large)."""
    ids = sorted(image_ids)
    if 0 < size < len(ids):
        ids = sorted(rng.sample(ids, size))
    return ids


def place_image(source, destination, copy):
    """Hard-link (cheap, same file system) or copy one image.

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


def export_images(ids, images, source_dir, target_dir, copy):
    """Place the images of `ids` into `target_dir`; fail early on a missing one."""
    os.makedirs(target_dir)
    for count, image_id in enumerate(ids, start=1):
        name = images[image_id]["file_name"]
        source = os.path.join(source_dir, name)
        if not os.path.isfile(source):
            sys.exit(f"image {source} is listed in the annotations but missing")
        place_image(source, os.path.join(target_dir, name), copy)
        if count % 10000 == 0:
            print(f"  {count}/{len(ids)} images placed in {target_dir}")


def fresh_folders(task_dir, names, force):
    """Create empty task_dir/<name> folders, replacing old ones only with --force."""
    folders = [os.path.join(task_dir, name) for name in names]
    for folder in folders:
        if os.path.exists(folder):
            if not force:
                sys.exit(f"{folder} exists; pass --force to rebuild it")
            shutil.rmtree(folder)
    for folder in folders:
        os.makedirs(folder)
    return folders


def write_table(rows, schema, path):
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)


def build_mlgym(out, split_ids, images, captions, sources, copy, force):
    """imageCaptioningCOCO: images plus COCO's image records with their caption annotations, both splits."""
    (data_dir,) = fresh_folders(out, ["data"], force)
    schema = pa.schema(IMAGE_FIELDS + [("anns", pa.list_(ANNOTATION))])
    for split in ("train", "val"):
        ids = split_ids[split]
        export_images(ids, images[split], sources[split], os.path.join(data_dir, split), copy)
        rows = []
        for image_id in ids:
            record = images[split][image_id]
            row = {name: record.get(name) for name, _ in IMAGE_FIELDS}
            row["anns"] = captions[split][image_id]
            rows.append(row)
        write_table(rows, schema, os.path.join(data_dir, f"{split}_images.parquet"))
    print(f"imageCaptioningCOCO: wrote {data_dir}")


def build_v2(out, split_ids, images, captions, sources, copy, force):
    """imageCaptioningCOCO-v2: training captions visible, validation captions only in hidden/."""
    data_dir, hidden_dir = fresh_folders(out, ["data", "hidden"], force)
    for split in ("train", "val"):
        export_images(split_ids[split], images[split], sources[split], os.path.join(data_dir, split), copy)
    train_rows = [{"file_name": images["train"][i]["file_name"], "image_id": i,
                   "captions": [a["caption"] for a in captions["train"][i]]} for i in split_ids["train"]]
    val_rows = [{"file_name": images["val"][i]["file_name"], "image_id": i} for i in split_ids["val"]]
    write_table(train_rows, pa.schema([("file_name", pa.string()), ("image_id", pa.int64()),
                                       ("captions", pa.list_(pa.string()))]),
                os.path.join(data_dir, "train_images.parquet"))
    write_table(val_rows, pa.schema([("file_name", pa.string()), ("image_id", pa.int64())]),
                os.path.join(data_dir, "val_images.parquet"))
    with open(os.path.join(data_dir, "sample_submission.csv"), "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file_name", "caption"])
        writer.writerows([row["file_name"], PLACEHOLDER_CAPTION] for row in val_rows)
    references = {images["val"][i]["file_name"]: [a["caption"] for a in captions["val"][i]] for i in split_ids["val"]}
    with open(os.path.join(hidden_dir, "val_references.json"), "w") as handle:
        json.dump(references, handle, indent=0, sort_keys=True)
    print(f"imageCaptioningCOCO-v2: wrote {data_dir} and {os.path.join(hidden_dir, 'val_references.json')}")


def main():
    args = parse_args()
    images, captions, sources, split_ids = {}, {}, {}, {}
    for split, size in (("train", args.train_size), ("val", args.val_size)):
        images[split], captions[split] = load_annotations(
            os.path.join(args.coco_root, "annotations", f"captions_{split}{args.year}.json"))
        sources[split] = os.path.join(args.coco_root, f"{split}{args.year}")
        # One generator per split, so that --train-size does not change the validation sample.
        split_ids[split] = sample_ids([i for i in images[split] if captions[split].get(i)], size,
                                      random.Random(f"{split}-{args.seed}"))
    print(f"{len(split_ids['train'])} training and {len(split_ids['val'])} validation images (COCO {args.year})")
    if args.only in (None, "mlgym"):
        build_mlgym(args.mlgym_out, split_ids, images, captions, sources, args.copy, args.force)
    if args.only in (None, "v2"):
        build_v2(args.v2_out, split_ids, images, captions, sources, args.copy, args.force)


if __name__ == "__main__":
    main()
