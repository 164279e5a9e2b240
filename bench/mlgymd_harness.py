"""What bench/exec-roundtrip and bench/sessions share: a private mlgymd on temporary directories, an HTTP/1.1
connection over its Unix socket, and the checks that a stopped sandbox left nothing behind.

Not a benchmark itself; imported by the scripts beside it.
"""
import argparse, http.client, json, os, shutil, signal, socket, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CGROUP_ROOT = "/sys/fs/cgroup"


def exit_cleanly_on_signals():
    """SIGTERM/SIGHUP/SIGINT unwind like Ctrl-C, so the `finally`s and context managers stop the daemon, delete
    containers and remove temporary directories. (SIGINT too: a shell starts background jobs with it ignored.)"""
    def interrupt(number, _frame):
        raise KeyboardInterrupt(f"signal {number}")
    for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(number, interrupt)


def build_arguments(description):
    """`--build debug|release` (env BUILD, default release): which .build/ folder the binaries come from;
    `--bin-dir DIR` (env MLGYM_BIN_DIR) names another folder, e.g. .build-static/release."""
    parser = argparse.ArgumentParser(description=" ".join(description.split("\n\n")[0].split()))
    parser.add_argument("--build", choices=("debug", "release"), default=os.environ.get("BUILD", "release"),
                        help="which build of mlgymd/mlgymctl to measure (env BUILD; default release)")
    parser.add_argument("--bin-dir", default=os.environ.get("MLGYM_BIN_DIR"),
                        help="folder holding mlgymd, mlgymctl and mlgym-init instead of .build/BUILD "
                             "(env MLGYM_BIN_DIR)")
    arguments = parser.parse_args()
    arguments.folder = os.path.abspath(arguments.bin_dir or os.path.join(ROOT, ".build", arguments.build))
    if arguments.bin_dir:
        arguments.build = arguments.bin_dir
    exit_cleanly_on_signals()
    return arguments


def binary(folder, name, script):
    path = os.path.join(folder, name)
    if not os.access(path, os.X_OK):
        sys.exit(f"{script}: {path} is missing: build first (swift build -c release), or name the folder with --bin-dir")
    return path


def percentile(samples, fraction):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


class UnixHTTPConnection(http.client.HTTPConnection):
    """http.client over AF_UNIX. `connects` counts real connect()s: http.client reconnects silently when the
    server closes the connection, so a count of 1 after many requests proves keep-alive held."""

    def __init__(self, path, timeout=120):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path
        self.connects = 0

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.unix_path)
        self.sock = sock
        self.connects += 1

    def call(self, method, path, body=None):
        """One request; returns (status, decoded JSON or None). Reads the whole body so the connection is reusable."""
        payload = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        self.request(method, path, body=payload, headers=headers)
        response = self.getresponse()
        data = response.read()
        return response.status, (json.loads(data) if data else None)


def process_start_time(pid):
    """Field 22 of /proc/PID/stat, so a recycled pid is not mistaken for the process we saw; None if gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return fields[0], fields[19]  # state, starttime
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def vm_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def process_tree(pid):
    """pid and all its descendants (from /proc/*/stat parent links)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parent = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry))
            except (FileNotFoundError, ProcessLookupError, IndexError):
                pass
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending.extend(children.get(current, []))
    return tree


def tree_rss_kib(pid):
    total = 0
    for member in process_tree(pid):
        try:
            total += vm_rss_kib(member)
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def cgroup_directories_named(names, max_depth=8):
    """Every directory under /sys/fs/cgroup (all v1 hierarchies and the unified one) whose name is in `names`."""
    found = []
    for top, dirs, _ in os.walk(CGROUP_ROOT):
        depth = top[len(CGROUP_ROOT):].count("/")
        if depth >= max_depth:
            dirs[:] = []
        for name in dirs:
            if name in names:
                found.append(os.path.join(top, name))
    return found


def mounts_under(prefixes):
    with open("/proc/self/mountinfo") as f:
        return [line.strip() for line in f if any(prefix in line for prefix in prefixes)]


def loop_devices_backed_by(prefixes):
    found = []
    for device in os.listdir("/sys/block"):
        try:
            with open(f"/sys/block/{device}/loop/backing_file") as f:
                backing = f.read().strip()
        except (FileNotFoundError, NotADirectoryError, OSError):
            continue
        if any(backing.startswith(prefix) for prefix in prefixes):
            found.append(f"/dev/{device} -> {backing}")
    return found


class Daemon:
    """A private mlgymd on temporary state/runtime directories and its own cgroup parent (so it never touches
    another daemon's cgroups). Use as a context manager: SIGTERM, then SIGKILL, then the directories go."""

    def __init__(self, mlgymd, script, extra=()):
        self.script = script
        self.directory = tempfile.mkdtemp(prefix="mlgym-bench-")
        self.socket_path = os.path.join(self.directory, "mlgymd.sock")
        self.state_dir = os.path.join(self.directory, "state")
        self.runtime_dir = os.path.join(self.directory, "run")
        self.cgroup_parent = f"mlgym-bench-{os.getpid()}"
        self.log_path = os.path.join(self.directory, "mlgymd.log")
        self.argv = [mlgymd, "--socket", self.socket_path, "--state-dir", self.state_dir,
                     "--runtime-dir", self.runtime_dir, "--socket-group", "none", "--shutdown-grace", "5",
                     "--cgroup-parent", self.cgroup_parent, *extra]
        self.process = None
        self.connections = []

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def start(self):
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.fail(f"mlgymd exited with {self.process.returncode} before it was ready")
            try:
                connection = UnixHTTPConnection(self.socket_path, timeout=5)
                status, _ = connection.call("GET", "/v1/info")
                connection.close()
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        self.fail("mlgymd did not answer GET /v1/info within 30 s")

    def fail(self, message):
        sys.exit(f"{self.script}: {message}\n--- mlgymd log ---\n{self.log_tail()}")

    def log_tail(self, lines=30):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def log_lines_matching(self, words):
        try:
            with open(self.log_path, errors="replace") as f:
                return [line.rstrip() for line in f if any(word in line for word in words)]
        except FileNotFoundError:
            return []

    def connection(self):
        connection = UnixHTTPConnection(self.socket_path)
        self.connections.append(connection)
        return connection

    @property
    def pid(self):
        return self.process.pid

    def stop(self):
        """SIGTERM and wait; returns (exit status, seconds it took)."""
        if self.process is None or self.process.poll() is not None:
            return (self.process.returncode if self.process else None), 0.0
        # A client still connected when SIGTERM arrives (an interrupted run) makes mlgymd wait out its whole
        # shutdown grace and then exit without stopping its sessions; hang up first.
        for connection in self.connections:
            connection.close()
        start = time.perf_counter()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            print(f"{self.script}: mlgymd ignored SIGTERM for 60 s; killing it", file=sys.stderr)
            self.process.kill()
            self.process.wait()
        return self.process.returncode, time.perf_counter() - start

    def leftover_cgroup_parents(self):
        return cgroup_directories_named({self.cgroup_parent})

    def remove_cgroup_parents(self, with_sessions=False):
        """The daemon leaves its (empty) parent cgroup, as it should for a shared one; ours is private, so remove
        it. Returns what could not be removed (a non-empty parent means a session cgroup is still inside).
        with_sessions: also remove (empty) session cgroups the daemon left inside, saying so on stderr."""
        stuck = []
        for parent in sorted(self.leftover_cgroup_parents(), key=len, reverse=True):
            if with_sessions:
                for top, dirs, _ in os.walk(parent, topdown=False):
                    for name in dirs:
                        path = os.path.join(top, name)
                        try:
                            os.rmdir(path)
                            print(f"{self.script}: removed {path}, left behind by mlgymd", file=sys.stderr)
                        except OSError as error:
                            stuck.append(f"{path}: {error.strerror}")
            try:
                os.rmdir(parent)
            except OSError as error:
                stuck.append(f"{parent}: {error.strerror}")
        return stuck

    def close(self):
        self.stop()
        for stuck in self.remove_cgroup_parents(with_sessions=True):
            print(f"{self.script}: cannot remove cgroup {stuck}", file=sys.stderr)
        mounted = mounts_under([self.directory])
        if mounted:  # never rmtree through a mount the daemon left behind
            print(f"{self.script}: leaving {self.directory}: still mounted:\n  " + "\n  ".join(mounted), file=sys.stderr)
            return
        shutil.rmtree(self.directory, ignore_errors=True)
