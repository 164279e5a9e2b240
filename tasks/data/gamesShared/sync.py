"""Copy the shared game harness into each game task's folder.

battleOfSexes, prisonersDilemma and blotto evaluate with the same game_harness.py,
which their evaluate.py loads from beside itself. A task's starter files are copied
into the workspace (and restored for the evaluation) one by one from the task's own
folder, so each game keeps its own copy. Edit game_harness.py here, then run
`python3 tasks/data/gamesShared/sync.py`; `--check` only reports copies that differ
(exit 1), for CI.
"""

import filecmp
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TASKS = ["battleOfSexes", "prisonersDilemma", "blotto"]
SHARED = ["game_harness.py"]


def main():
    check = "--check" in sys.argv[1:]
    stale = []
    for task in TASKS:
        for name in SHARED:
            source = os.path.join(HERE, name)
            target = os.path.join(HERE, "..", task, name)
            if os.path.isfile(target) and filecmp.cmp(source, target, shallow=False):
                continue
            stale.append(os.path.relpath(target, HERE))
            if not check:
                shutil.copyfile(source, target)
    verb = "differ from gamesShared" if check else "updated"
    print(f"{len(stale)} file(s) {verb}" + "".join(f"\n  {path}" for path in stale))
    sys.exit(1 if check and stale else 0)


if __name__ == "__main__":
    main()
