"""Generator of the 3SATTime dataset (data/dataset.json beside this file).

Model: uniform random 3-SAT near the satisfiability phase transition.
  * Python's random.Random(SEED), SEED = 20250220; only .randrange() and .random()
    are used, whose output CPython keeps stable across versions, so a re-run
    reproduces the file byte for byte (checked with --check).
  * Sizes: num_vars in SIZES = (20, 30, 40, 50, 60); num_clauses =
    round(CLAUSE_RATIO * num_vars) with CLAUSE_RATIO = 4.26, i.e. 85, 128, 170, 213
    and 256 clauses.
  * A clause draws 3 distinct variables uniformly (repeated draws of the same
    variable are rejected) and negates each with probability 1/2. Clauses are
    independent; duplicates are allowed.
  * For each size, formulas are drawn one after another and decided by the
    complete DPLL solver below (unit propagation, Jeroslow-Wang branching;
    independent of the task's solver.py). A formula is kept while its class
    (satisfiable or not) has fewer than PER_CLASS = 15 formulas of that size, and
    discarded otherwise, until both classes are full. So the dataset holds
    5 sizes x (15 SAT + 15 UNSAT) = 150 formulas, in size order and, within a
    size, in the order they were drawn.
  * Every satisfiable formula's model is checked against its clauses.

File format (JSON): {"name", "description", "seed", "clause_ratio", "sizes",
"per_class", "instances": [{"index", "num_vars", "num_clauses", "is_sat",
"clauses": [[lit, lit, lit], ...]}, ...]}, one instance per line. Literals are
DIMACS style: v means variable v is true, -v that it is false.

Usage:
  python3 generate.py            # (re)write data/dataset.json
  python3 generate.py --check    # exit 1 unless data/dataset.json matches exactly
  python3 generate.py --out PATH
"""

import argparse
import json
import os
import random
import sys

SEED = 20250220
SIZES = (20, 30, 40, 50, 60)
CLAUSE_RATIO = 4.26
PER_CLASS = 15
CLAUSE_WIDTH = 3

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "data", "dataset.json")

sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))


def random_formula(rng, num_vars, num_clauses):
    clauses = []
    for _ in range(num_clauses):
        variables = []
        while len(variables) < CLAUSE_WIDTH:
            variable = rng.randrange(1, num_vars + 1)
            if variable not in variables:
                variables.append(variable)
        clauses.append([v if rng.random() < 0.5 else -v for v in variables])
    return clauses


# --- reference solver (ground truth) ------------------------------------------------

def _assume(clauses, literal):
    """Clauses simplified under `literal` = true, or None if one becomes empty."""
    result = []
    for clause in clauses:
        if literal in clause:
            continue
        if -literal in clause:
            clause = [other for other in clause if other != -literal]
            if not clause:
                return None
        result.append(clause)
    return result


def _dpll(clauses, chosen):
    while True:
        unit = next((clause[0] for clause in clauses if len(clause) == 1), None)
        if unit is None:
            break
        chosen = chosen + [unit]
        clauses = _assume(clauses, unit)
        if clauses is None:
            return None
    if not clauses:
        return chosen
    # Jeroslow-Wang: weight 2^-|clause| per occurrence; branch on the variable with
    # the largest two-sided weight (smallest index on ties), heavier polarity first.
    weight = {}
    for clause in clauses:
        share = 2.0 ** -len(clause)
        for literal in clause:
            weight[literal] = weight.get(literal, 0.0) + share
    best_variable, best_score = 0, -1.0
    for variable in sorted({abs(literal) for literal in weight}):
        score = weight.get(variable, 0.0) + weight.get(-variable, 0.0)
        if score > best_score:
            best_variable, best_score = variable, score
    first = best_variable
    if weight.get(-best_variable, 0.0) > weight.get(best_variable, 0.0):
        first = -best_variable
    for literal in (first, -first):
        reduced = _assume(clauses, literal)
        if reduced is not None:
            found = _dpll(reduced, chosen + [literal])
            if found is not None:
                return found
    return None


def decide(clauses, num_vars):
    """(is_sat, model or None), by complete search."""
    literals = _dpll([list(clause) for clause in clauses], [])
    if literals is None:
        return False, None
    model = {variable: False for variable in range(1, num_vars + 1)}
    for literal in literals:
        model[abs(literal)] = literal > 0
    for clause in clauses:
        if not any(model[abs(literal)] == (literal > 0) for literal in clause):
            raise AssertionError("reference solver produced a model that fails a clause")
    return True, model


# --- dataset ------------------------------------------------------------------------

def build():
    rng = random.Random(SEED)
    instances = []
    for num_vars in SIZES:
        num_clauses = round(CLAUSE_RATIO * num_vars)
        kept = {True: [], False: []}
        while len(kept[True]) < PER_CLASS or len(kept[False]) < PER_CLASS:
            clauses = random_formula(rng, num_vars, num_clauses)
            is_sat, _ = decide(clauses, num_vars)
            if len(kept[is_sat]) < PER_CLASS:
                kept[is_sat].append(clauses)
                instances.append((num_vars, num_clauses, is_sat, clauses))
    return instances


def render(instances):
    header = {
        "name": "3SATTime",
        "description": ("Uniform random 3-SAT formulas near the phase transition, made by "
                        "generate.py; is_sat was decided by a complete DPLL solver."),
        "seed": SEED,
        "clause_ratio": CLAUSE_RATIO,
        "sizes": list(SIZES),
        "per_class": PER_CLASS,
    }
    lines = ["{"]
    for key, value in header.items():
        lines.append(f"{json.dumps(key)}: {json.dumps(value)},")
    lines.append('"instances": [')
    for index, (num_vars, num_clauses, is_sat, clauses) in enumerate(instances):
        record = {"index": index, "num_vars": num_vars, "num_clauses": num_clauses,
                  "is_sat": is_sat, "clauses": clauses}
        separator = "," if index + 1 < len(instances) else ""
        lines.append(json.dumps(record, separators=(",", ":")) + separator)
    lines.append("]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=DEFAULT_OUT, help="where to write the dataset")
    parser.add_argument("--check", action="store_true",
                        help="compare with the existing file instead of writing it")
    args = parser.parse_args()
    instances = build()
    text = render(instances)
    if args.check:
        try:
            with open(args.out, encoding="utf-8") as handle:
                existing = handle.read()
        except OSError as error:
            print(f"cannot read {args.out}: {error}", file=sys.stderr)
            sys.exit(1)
        if existing != text:
            print(f"{args.out} differs from what the generator produces", file=sys.stderr)
            sys.exit(1)
        print(f"{args.out} is reproduced byte for byte")
        return
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as handle:
        handle.write(text)
    counts = {}
    for num_vars, _, is_sat, _ in instances:
        counts[(num_vars, is_sat)] = counts.get((num_vars, is_sat), 0) + 1
    print(f"wrote {args.out}: " + ", ".join(
        f"n={n} {'SAT' if s else 'UNSAT'} {c}" for (n, s), c in sorted(counts.items())))


if __name__ == "__main__":
    main()
