#!/usr/bin/python3
"""The peers of bench/agent-overhead: MLGym's way of running a command in its shell, rebuilt from its description
(docs: /work/shared/research/mlgym-facts.md §1 "Agent run", §3.6, §4.5), timed on a local bash.

    mlgym_protocol_peer.py [--runs N] [--command CMD]   (prints JSON: {"command", "step", "bare"}, ms per sample)

  command  one round trip as MLGym makes it: write the command and a line that echoes a done marker with its exit
           code (after a 0.01 s sleep, as MLGym's marker line does), sleep 0.1 s, then poll stdout with select every
           10 ms, reading 4096-byte chunks until the marker has arrived.
  step     everything MLGym sends its shell for one agent action, each piece one such round trip: the `bash -n`
           syntax pre-check of the action, the action, `export LAST_ACTION=...`, then the next turn's `state`
           (which is a command too, so it gets its own pre-check): five round trips.
  bare     subprocess.run(["bash", "-c", CMD]): a fresh shell per command, no protocol; the floor.

The shell here is bash on this host over pipes, so these are lower bounds for MLGym, whose shell sits behind
`docker exec` in a container. Written for mlgym; no MLGym code is used.
"""
import argparse, json, os, re, select, shlex, subprocess, sys, time

MARKER = re.compile(rb"///PROCESS-DONE:(.*?):PROCESS-DONE///")
# MLGym's `state` prints the open file and working directory as JSON; this one does the same in plain bash.
STATE_FUNCTION = r'''state() { printf '{"open_file": "%s", "working_dir": "%s"}\n' "$(realpath "${CURRENT_FILE:-n/a}" 2>/dev/null || echo n/a)" "$PWD"; }'''


class Shell:
    """A long-lived bash driven the way MLGym drives its container's shell."""

    def __init__(self):
        # stderr joins stdout: MLGym reads one stream.
        self.process = subprocess.Popen(["bash", "--noprofile", "--norc"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, bufsize=0)
        self.fd = self.process.stdout.fileno()

    def round_trip(self, command, deadline_s=30):
        """Send one command, wait for its marker; returns (output lines, exit code)."""
        text = command if command.endswith("\n") else command + "\n"
        # The marker line: keep $? before anything else runs, pause 10 ms, then print it between the markers.
        text += 'EXITSTATUS="$?"; sleep 0.01; echo ///PROCESS-DONE:$EXITSTATUS:PROCESS-DONE///\n'
        self.process.stdin.write(text.encode())
        time.sleep(0.1)  # MLGym sleeps this long after every write before it starts reading
        buffer = b""
        deadline = time.monotonic() + deadline_s
        while True:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no marker after {deadline_s} s for {command!r}")
            ready, _, _ = select.select([self.fd], [], [], 0.01)
            if not ready:
                continue
            chunk = os.read(self.fd, 4096)
            if not chunk:
                raise RuntimeError("the shell exited")
            buffer += chunk
            found = MARKER.search(buffer)
            if found:
                break
        # MLGym's post-processing: decode, normalise line ends, drop empty lines and the marker line.
        body = buffer[:found.start()].decode("utf-8", "backslashreplace").replace("\r\n", "\n")
        lines = [line for line in body.split("\n") if line.strip()]
        return lines, int(found.group(1))

    def communicate(self, command, set_last_action=False):
        """MLGym's `communicate`: a syntax pre-check round trip, the command, and optionally LAST_ACTION."""
        _, valid = self.round_trip(f"/bin/bash -n <<'EOF'\n{command}\nEOF\n")
        if valid != 0:
            raise RuntimeError(f"syntax pre-check refused {command!r}")
        lines, code = self.round_trip(command)
        if set_last_action:
            self.round_trip(f"export LAST_ACTION={shlex.quote(command.strip())}")
        return lines, code

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=10)


def timed(call, runs, warmup=1):
    samples = []
    for index in range(runs + warmup):
        start = time.perf_counter()
        call()
        if index >= warmup:
            samples.append((time.perf_counter() - start) * 1000)
    return samples


def main():
    parser = argparse.ArgumentParser(description="MLGym's shell protocol, timed (ms per sample, as JSON)")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--command", default="sleep 0.1")
    arguments = parser.parse_args()
    command = arguments.command

    shell = Shell()
    try:
        _, code = shell.round_trip(STATE_FUNCTION)  # defined once at start, as MLGym installs its functions
        if code != 0:
            sys.exit("mlgym_protocol_peer: defining `state` failed")

        def one_command():
            _, code = shell.round_trip(command)
            if code != 0:
                sys.exit(f"mlgym_protocol_peer: {command!r} exited {code}")

        def one_step():
            _, code = shell.communicate(command, set_last_action=True)
            lines, _ = shell.communicate("state")
            if code != 0 or not lines or "working_dir" not in lines[-1]:
                sys.exit(f"mlgym_protocol_peer: a step went wrong (exit {code}, state {lines})")

        command_samples = timed(one_command, arguments.runs)
        step_samples = timed(one_step, arguments.runs)
    finally:
        shell.close()

    def bare():
        subprocess.run(["bash", "-c", command], check=True)
    print(json.dumps({"command": command_samples, "step": step_samples, "bare": timed(bare, arguments.runs)}))


if __name__ == "__main__":
    main()
