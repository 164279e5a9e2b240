extension GPUInventory {
    /// Finds the host's NVIDIA and AMD GPUs. Never fails: no GPU is an empty inventory.
    ///
    /// Majors come from `<procRoot>/devices`; every node is `stat`ed and kept only when its `st_rdev` is the
    /// device it should be (a stray regular file or a node with another major would otherwise be bound into
    /// the sandbox and allowed in its device cgroup). Nodes that fail the check are reported in `problems`.
    public static func discover(devRoot: String = "/dev", procRoot: String = "/proc", sysRoot: String = "/sys") -> GPUInventory {
        let majors = ProcDevices(parsing: HostFiles.readText(procRoot + "/devices") ?? "")
        var inventory = GPUInventory()
        let nodes = NodeChecker(devRoot: devRoot)
        inventory.discoverNvidia(nodes: nodes, procRoot: procRoot, majors: majors)
        inventory.discoverAMD(nodes: nodes, sysRoot: sysRoot, majors: majors)
        inventory.problems = nodes.problems.value + inventory.problems
        return inventory
    }

    /// The name-to-major table NVIDIA's frontend registers under, depending on driver generation.
    static let nvidiaFrontendNames = ["nvidia-frontend", "nvidia", "nvidiactl"]
    /// `/dev/nvidiactl`'s fixed minor.
    static let nvidiaControlMinor: UInt32 = 255
}

/// Looks up device nodes under a `/dev` root, keeping each only when `stat` shows the expected device number.
struct NodeChecker {
    let devRoot: String
    /// Collected "ignored …" lines; a box so the checker can be shared by value.
    let problems = ProblemList()

    /// The node at `relativePath` (as in `nvidia0`, `dri/renderD128`) if it is the character device
    /// `major:minor`; nil when it is absent (quietly) or something else (reported).
    func node(_ relativePath: String, major: UInt32, minor: UInt32) -> DeviceNode? {
        let hostPath = devRoot + "/" + relativePath
        guard let status = HostFiles.status(hostPath) else { return nil }
        guard status.kind == .characterDevice, status.deviceMajor == major, status.deviceMinor == minor else {
            problems.append(
                "ignored \(hostPath): expected character device \(major):\(minor), found \(status.kindDescription); "
                    + "recreate it (nvidia-modprobe, udev) or remove it"
            )
            return nil
        }
        return DeviceNode(
            hostPath: hostPath, sandboxPath: "/dev/" + relativePath, major: major, minor: minor,
            groupID: status.groupID, mode: status.mode
        )
    }

    /// Whether anything exists at `relativePath`.
    func exists(_ relativePath: String) -> Bool { HostFiles.status(devRoot + "/" + relativePath) != nil }
}

/// A list of problem lines that the value-typed node checker appends to during one discovery (a class so
/// the checker can be passed around by value and still collect into one list; it never leaves discovery).
final class ProblemList {
    private(set) var value: [String] = []
    func append(_ line: String) { value.append(line) }
}
