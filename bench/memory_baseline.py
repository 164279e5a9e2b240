#!/usr/bin/python3
"""MLGym's way of reading its memory, timed: what one `memory_read` call does, less embedding the query.

MLGym keeps the agent's memory in one JSON file, {"texts": [...], "embeddings": [[384 floats], ...], "tags": [...]},
and every `memory_read <query>` starts afresh: it parses the whole file, turns the embeddings into a matrix, embeds
the query, takes the cosine similarity of the query with every row, sorts, and prints the top 2. Here the query
embeddings are given (precomputed, in a second file), so one timed call is: open + json.load the file, np.array
of the embeddings, normalised dot products against every row, argsort, the top k texts. Nothing is kept between
calls, as nothing is kept between two of MLGym's. The interpreter's start-up and the embedding model (MLGym loads
it on every call) are not counted, so these times are a lower bound for MLGym.

  memory_baseline.py MEMORY.json QUERIES.json [--k 2] [--limit N] [--warmup 0]
      QUERIES.json: a memory.json-shaped file ({"texts": [...], "embeddings": [...]}, e.g. the export of a scope
      holding the query strings as entries), or a list of vectors. Prints JSON: per query its wall time in ms
      (load + rank, and each part), the top-k row indices, texts and similarities; then the median and p90.
  memory_baseline.py --as-mlgym-writes IN.json OUT.json
      Rewrites a memory.json (e.g. `mlgymctl memory export`) the way MLGym's file is on disk: 4-space indentation,
      and each number as the double that a float32 tensor's tolist() gives (16-18 significant digits).
  memory_baseline.py --synthesize N --out FILE [--dim 384] [--seed 0] [--queries-out FILE] [--queries 50]
      Writes a memory.json of N random entries (random unit-scale vectors, MLGym's on-disk form) and optionally a
      query file, to measure this script without a daemon.

Run it with /usr/bin/python3 (numpy), not a pyenv shim.
"""
import argparse, json, os, random, statistics, sys, time

import numpy as np


def read_memory(path):
    """One memory_read's loading: the whole file, parsed, and the embeddings as a matrix."""
    with open(path) as f:
        memory = json.load(f)
    return memory, np.array(memory["embeddings"], dtype=np.float64)


def rank(memory, matrix, query, k):
    """Cosine similarity of the query with every row (both normalised, a zero vector left as it is, as sklearn's
    cosine_similarity does), descending argsort, the top k."""
    norms = np.linalg.norm(matrix, axis=1)
    norms[norms == 0] = 1.0
    query_norm = np.linalg.norm(query) or 1.0
    similarities = (matrix / norms[:, None]) @ (query / query_norm)
    top = np.argsort(similarities)[::-1][:k]
    return [(int(index), memory["texts"][index], float(similarities[index])) for index in top]


def percentile(samples, fraction):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def load_queries(path):
    with open(path) as f:
        data = json.load(f)
    if isinstance(data, dict):
        vectors = data["embeddings"]
        texts = data.get("texts") or [None] * len(vectors)
    else:
        vectors, texts = data, [None] * len(data)
    return [(text, np.array(vector, dtype=np.float64)) for text, vector in zip(texts, vectors)]


def measure(arguments):
    queries = load_queries(arguments.queries)
    if arguments.limit:
        queries = queries[:arguments.limit]
    if not queries:
        sys.exit("memory_baseline.py: no queries")
    runs = []
    for index in range(arguments.warmup + len(queries)):
        text, vector = queries[index % len(queries)] if index < arguments.warmup else queries[index - arguments.warmup]
        start = time.perf_counter()
        memory, matrix = read_memory(arguments.memory)
        loaded = time.perf_counter()
        if matrix.ndim != 2 or matrix.shape[1] != vector.shape[0]:
            sys.exit(f"memory_baseline.py: embeddings of shape {matrix.shape} against a query of {vector.shape[0]}")
        top = rank(memory, matrix, vector, arguments.k)
        end = time.perf_counter()
        entries, dimension = matrix.shape
        del memory, matrix
        if index < arguments.warmup:
            continue
        runs.append({"query": text, "ms": (end - start) * 1000, "load_ms": (loaded - start) * 1000,
                     "rank_ms": (end - loaded) * 1000, "top": [i for i, _, _ in top],
                     "texts": [t for _, t, _ in top], "similarity": [round(s, 6) for _, _, s in top]})
    times = [run["ms"] for run in runs]
    json.dump({"memory": arguments.memory, "bytes": os.path.getsize(arguments.memory), "entries": entries,
               "dim": dimension, "k": arguments.k, "queries": len(runs),
               "median_ms": statistics.median(times), "p90_ms": percentile(times, 0.9),
               "median_load_ms": statistics.median(run["load_ms"] for run in runs),
               "median_rank_ms": statistics.median(run["rank_ms"] for run in runs), "runs": runs}, sys.stdout)
    sys.stdout.write("\n")


def as_float32_doubles(vectors):
    return np.asarray(vectors, dtype=np.float32).astype(np.float64).tolist()


def write_as_mlgym(memory, path):
    """MLGym's file: json.dump with indent=4 (so every number on its own line)."""
    with open(path, "w") as f:
        json.dump({"texts": memory["texts"], "embeddings": memory["embeddings"], "tags": memory.get("tags", [])},
                  f, indent=4)


def rewrite(source, target):
    with open(source) as f:
        memory = json.load(f)
    if memory["embeddings"]:
        memory["embeddings"] = as_float32_doubles(memory["embeddings"])
    write_as_mlgym(memory, target)


def synthesize(arguments):
    generator = np.random.default_rng(arguments.seed)
    words = random.Random(arguments.seed)
    vocabulary = ["lr", "3e-4", "AdamW", "SGD", "cosine", "epochs", "accuracy", "weight_decay", "0.05", "PPO",
                  "return", "val", "loss", "batch", "dropout", "RMSE", "LightGBM", "seed", "gamma", "0.99"]

    def text():
        return " ".join(words.choice(vocabulary) for _ in range(words.randint(8, 24)))

    vectors = as_float32_doubles(generator.normal(0.0, 0.05, (arguments.synthesize, arguments.dim)))
    texts = [text() for _ in range(arguments.synthesize)]
    write_as_mlgym({"texts": texts, "embeddings": vectors, "tags": [" ".join(t.split()[:3]) for t in texts]},
                   arguments.out)
    if arguments.queries_out:
        queries = as_float32_doubles(generator.normal(0.0, 0.05, (arguments.query_count, arguments.dim)))
        with open(arguments.queries_out, "w") as f:
            json.dump({"texts": [f"query {i}" for i in range(arguments.query_count)], "embeddings": queries}, f)


def main():
    parser = argparse.ArgumentParser(description="MLGym's memory_read (load the whole JSON file, cosine against "
                                                 "every row, top k), timed per query.")
    parser.add_argument("memory", nargs="?", help="memory.json (MLGym's shape)")
    parser.add_argument("queries", nargs="?", help="query embeddings: a memory.json-shaped file or a list of vectors")
    parser.add_argument("--k", type=int, default=2, help="matches per query (MLGym: 2)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N queries")
    parser.add_argument("--warmup", type=int, default=0, help="untimed calls first")
    parser.add_argument("--as-mlgym-writes", nargs=2, metavar=("IN", "OUT"),
                        help="rewrite IN as MLGym's on-disk file OUT and exit")
    parser.add_argument("--synthesize", type=int, metavar="N", help="write a random memory.json of N entries")
    parser.add_argument("--out", help="with --synthesize: the memory.json to write")
    parser.add_argument("--queries-out", help="with --synthesize: also write query vectors (--queries of them) here")
    parser.add_argument("--queries", dest="query_count", type=int, default=50,
                        help="with --queries-out: how many query vectors (default 50)")
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    if arguments.as_mlgym_writes:
        rewrite(*arguments.as_mlgym_writes)
    elif arguments.synthesize is not None:
        if not arguments.out:
            parser.error("--synthesize needs --out")
        synthesize(arguments)
    elif arguments.memory and arguments.queries:
        measure(arguments)
    else:
        parser.error("give MEMORY.json and QUERIES.json, --as-mlgym-writes IN OUT, or --synthesize N --out FILE")


if __name__ == "__main__":
    main()
