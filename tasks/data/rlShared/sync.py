"""Write the shared PPO sources into each RL task's src/ folder.

The three gymnax tasks train with the same code and differ only in src/config.yaml
and in the environment, but each task's starter `src/` folder is copied into the
workspace whole, so each needs its own copy. The masters here say
`ENV_NAME = "<environment: set per task by rlShared/sync.py>"`; each copy names its
task's environment instead and is otherwise identical. Edit the files here, then run
`python3 tasks/data/rlShared/sync.py`; `--check` only reports copies that differ
(exit 1), for CI.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TASKS = {
    "rlBreakoutMinAtar": "Breakout-MinAtar",
    "rlMetaMazeMisc": "MetaMaze-misc",
    "rlMountainCarContinuous": "MountainCarContinuous-v0",
}
SHARED = ["train.py", "policy.py", "networks.py", "helpers.py"]
NAMED_ENV = ["policy.py", "networks.py"]  # the masters that hold the placeholder
PLACEHOLDER = '"<environment: set per task by rlShared/sync.py>"'


def master(name):
    with open(os.path.join(HERE, "src", name), encoding="utf-8") as handle:
        return handle.read()


def rendered(name, env_name):
    return master(name).replace(PLACEHOLDER, f'"{env_name}"')


def main():
    check = "--check" in sys.argv[1:]
    for name in NAMED_ENV:
        if PLACEHOLDER not in master(name):
            sys.exit(f"rlShared/src/{name} lost the line ENV_NAME = {PLACEHOLDER}")
    stale = []
    for task, env_name in TASKS.items():
        for name in SHARED:
            wanted = rendered(name, env_name)
            target = os.path.join(HERE, "..", task, "src", name)
            if os.path.isfile(target):
                with open(target, encoding="utf-8") as handle:
                    if handle.read() == wanted:
                        continue
            stale.append(os.path.relpath(target, HERE))
            if not check:
                with open(target, "w", encoding="utf-8") as handle:
                    handle.write(wanted)
    verb = "differ from rlShared/src" if check else "updated"
    print(f"{len(stale)} file(s) {verb}" + "".join(f"\n  {path}" for path in stale))
    sys.exit(1 if check and stale else 0)


if __name__ == "__main__":
    main()
