"""Copy the shared PPO sources into each RL task's src/ folder.

The three gymnax tasks train with the same code and differ only in
src/config.yaml, but each task's starter `src/` folder is copied into the
workspace whole, so each needs its own copy. Edit the files here, then run
`python3 tasks/data/rlShared/sync.py`; `--check` only reports copies that
differ (exit 1), for CI.
"""

import filecmp
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TASKS = ["rlBreakoutMinAtar", "rlMetaMazeMisc", "rlMountainCarContinuous"]
SHARED = ["train.py", "policy.py", "networks.py", "helpers.py"]


def main():
    check = "--check" in sys.argv[1:]
    stale = []
    for task in TASKS:
        for name in SHARED:
            source = os.path.join(HERE, "src", name)
            target = os.path.join(HERE, "..", task, "src", name)
            if os.path.isfile(target) and filecmp.cmp(source, target, shallow=False):
                continue
            stale.append(os.path.relpath(target, HERE))
            if not check:
                shutil.copyfile(source, target)
    verb = "differ from rlShared/src" if check else "updated"
    print(f"{len(stale)} file(s) {verb}" + "".join(f"\n  {path}" for path in stale))
    sys.exit(1 if check and stale else 0)


if __name__ == "__main__":
    main()
