import Foundation
import Glibc
import MLGymSandbox

/// A fake GPU host in a temporary directory: `dev/` with real character nodes (made with mknod, so `stat`
/// shows the right majors), `proc/` with the NVIDIA and AMD driver files discovery reads, `sys/` for AMD
/// vendor ids, and driver libraries and binaries for the ld cache.
///
/// The nodes are real device numbers but nothing behind them answers (no driver here): they are for
/// discovery, planning and for checking which nodes a sandbox can see and which the device cgroup denies.
/// On a host without the driver, opening an allowed fake node fails with ENXIO ("no such device"), while a
/// node the device cgroup denies fails with EPERM first: that difference is what an in-sandbox test checks.
/// Making nodes needs CAP_MKNOD; gate tests on `FakeGPUTree.canMakeDeviceNodes`.
public struct FakeGPUTree {
    public static let nvidiaMajor: UInt32 = 195
    /// Dynamic majors, as the kernel hands them out from the top of the range.
    public static let uvmMajor: UInt32 = 508
    public static let capsMajor: UInt32 = 507
    public static let kfdMajor: UInt32 = 506
    public static let drmMajor: UInt32 = 226
    public static let defaultDriverVersion = "550.54.15"
    /// The gid AMD render nodes get in the fake tree (Debian's `render`).
    public static let renderGroupID: UInt32 = 105

    public let root: String
    public var devRoot: String { root + "/dev" }
    public var procRoot: String { root + "/proc" }
    public var sysRoot: String { root + "/sys" }
    /// Host library directory for fake driver libraries (64-bit), and its 32-bit sibling.
    public var libDirectory: String { root + "/usr/lib/x86_64-linux-gnu" }
    public var lib32Directory: String { root + "/usr/lib/i386-linux-gnu" }
    public var binDirectory: String { root + "/usr/bin" }

    /// Majors written to `proc/devices`.
    public private(set) var majors: [(name: String, major: UInt32)] = [(name: "mem", major: 1), (name: "pts", major: 136)]
    private var migMinors: [String] = []

    /// Whether this process may create device nodes (root with CAP_MKNOD).
    public static let canMakeDeviceNodes: Bool = {
        guard let tree = try? FakeGPUTree(named: "mknod-check") else { return false }
        defer { tree.remove() }
        return (try? tree.makeNode("probe", major: 1, minor: 3)) != nil
    }()

    /// An empty fake host: no GPU, only `proc/devices` with the basic majors.
    public init(named name: String = "gpu") throws {
        var template = Array("/tmp/mlgym-fake-\(name)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw FakeGPUTreeError("mkdtemp failed: errno \(errno)") }
        root = String(cString: made)
        for directory in [devRoot, procRoot, sysRoot] { try Self.makeDirectory(directory) }
        try writeProcDevices()
    }

    /// The standard fake: an NVIDIA driver with four GPUs (minors 0–3) and an AMD driver with two render nodes.
    public static func standard() throws -> FakeGPUTree {
        var tree = try FakeGPUTree(named: "standard")
        try tree.addNvidiaDriver()
        for minor in 0..<4 { try tree.addNvidiaGPU(minor: UInt32(minor)) }
        try tree.addAMDDriver()
        try tree.addAMDGPU(renderMinor: 128)
        try tree.addAMDGPU(renderMinor: 129)
        return tree
    }

    /// An NVIDIA-only host: the driver's control nodes and `gpus` GPUs (minors 0…gpus−1).
    public static func nvidiaOnly(gpus: Int = 4) throws -> FakeGPUTree {
        var tree = try FakeGPUTree(named: "nvidia")
        try tree.addNvidiaDriver()
        for minor in 0..<gpus { try tree.addNvidiaGPU(minor: UInt32(minor)) }
        return tree
    }

    /// The UUID the fake gives NVIDIA GPU `minor`.
    public static func uuid(minor: UInt32) -> String { "GPU-0000000\(minor)-1111-2222-3333-44444444444\(minor)" }
    /// The PCI bus id the fake gives NVIDIA GPU `minor`.
    public static func busID(minor: UInt32) -> String { "0000:\(String(minor + 0x18, radix: 16)):00.0" }

    /// Discovery over this tree.
    public func discover() -> GPUInventory {
        GPUInventory.discover(devRoot: devRoot, procRoot: procRoot, sysRoot: sysRoot)
    }

    /// Deletes the tree.
    public func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }

    // MARK: NVIDIA

    /// `nvidiactl`, `nvidia-uvm`, `nvidia-uvm-tools` and `/proc/driver/nvidia/{version,params,registry}`.
    public mutating func addNvidiaDriver(version: String = defaultDriverVersion, unifiedMemory: Bool = true) throws {
        majors.append((name: "nvidia-frontend", major: Self.nvidiaMajor))
        try makeNode("nvidiactl", major: Self.nvidiaMajor, minor: 255)
        if unifiedMemory {
            majors.append((name: "nvidia-uvm", major: Self.uvmMajor))
            try makeNode("nvidia-uvm", major: Self.uvmMajor, minor: 0)
            try makeNode("nvidia-uvm-tools", major: Self.uvmMajor, minor: 1)
        }
        try writeProcDevices()
        try write(
            "NVRM version: NVIDIA UNIX x86_64 Kernel Module  \(version)  Tue Mar  5 22:30:00 UTC 2024\nGCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n",
            to: procRoot + "/driver/nvidia/version"
        )
        try write("ResmanDebugLevel: 4294967295\nModifyDeviceFiles: 1\nDeviceFileUID: 0\nDeviceFileMode: 438\n", to: procRoot + "/driver/nvidia/params")
        try write("Binary: \"\"\n", to: procRoot + "/driver/nvidia/registry")
    }

    /// `/dev/nvidia<minor>` and its `/proc/driver/nvidia/gpus/<bus id>/information`.
    public mutating func addNvidiaGPU(
        minor: UInt32, uuid: String? = nil, busID: String? = nil, model: String = "NVIDIA H100 80GB HBM3"
    ) throws {
        try makeNode("nvidia\(minor)", major: Self.nvidiaMajor, minor: minor)
        try write(
            """
            Model: \t\t \(model)
            IRQ:   \t\t 42
            GPU UUID: \t \(uuid ?? Self.uuid(minor: minor))
            Video BIOS: \t 96.00.99.00.01
            Bus Type: \t PCIe
            DMA Size: \t 52 bits
            DMA Mask: \t 0xfffffffffffff
            Bus Location: \t \(busID ?? Self.busID(minor: minor))
            Device Minor: \t \(minor)
            GPU Excluded:\t No

            """,
            to: procRoot + "/driver/nvidia/gpus/\(busID ?? Self.busID(minor: minor))/information"
        )
    }

    /// MIG compute instance `gpuInstance`/`computeInstance` on GPU `gpuMinor`: capability directories, the
    /// `mig-minors` lines and `/dev/nvidia-caps/nvidia-capM` nodes (GPU instance M = 3 + gpu·150 + gi·10,
    /// compute instance M + 1 + ci; the real driver numbers differently, only uniqueness matters here).
    /// Returns the two capability minors (GPU instance, compute instance).
    @discardableResult
    public mutating func addMIG(gpuMinor: UInt32, gpuInstance: Int, computeInstance: Int) throws -> (UInt32, UInt32) {
        if !majors.contains(where: { $0.name == "nvidia-caps" }) {
            majors.append((name: "nvidia-caps", major: Self.capsMajor))
            try writeProcDevices()
        }
        let giMinor = 3 + gpuMinor * 150 + UInt32(gpuInstance) * 10
        let ciMinor = giMinor + 1 + UInt32(computeInstance)
        let base = "gpu\(gpuMinor)/gi\(gpuInstance)"
        for line in ["\(base)/access \(giMinor)", "\(base)/ci\(computeInstance)/access \(ciMinor)"] where !migMinors.contains(line) {
            migMinors.append(line)
        }
        try write("config 1\nmonitor 2\n" + migMinors.joined(separator: "\n") + "\n", to: procRoot + "/driver/nvidia-caps/mig-minors")
        let capabilities = procRoot + "/driver/nvidia/capabilities/gpu\(gpuMinor)/mig/gi\(gpuInstance)"
        try write("DeviceFileMinor: \(giMinor)\nDeviceFileMode: 292\nDeviceFileModify: 1\n", to: capabilities + "/access")
        try write("DeviceFileMinor: \(ciMinor)\nDeviceFileMode: 292\nDeviceFileModify: 1\n", to: capabilities + "/ci\(computeInstance)/access")
        for minor in [giMinor, ciMinor] where HostFilesProbe.status(devRoot + "/nvidia-caps/nvidia-cap\(minor)") == nil {
            try makeNode("nvidia-caps/nvidia-cap\(minor)", major: Self.capsMajor, minor: minor, mode: 0o444)
        }
        return (giMinor, ciMinor)
    }

    // MARK: AMD

    /// `/dev/kfd` with its dynamic major, and the `drm` major.
    public mutating func addAMDDriver() throws {
        majors.append((name: "kfd", major: Self.kfdMajor))
        majors.append((name: "drm", major: Self.drmMajor))
        try writeProcDevices()
        try makeNode("kfd", major: Self.kfdMajor, minor: 0, mode: 0o660, groupID: Self.renderGroupID)
    }

    /// `/dev/dri/renderD<renderMinor>` (mode 0660, group `render`) and its sysfs vendor file.
    public func addAMDGPU(renderMinor: UInt32, vendor: String = "0x1002") throws {
        try makeNode("dri/renderD\(renderMinor)", major: Self.drmMajor, minor: renderMinor, mode: 0o660, groupID: Self.renderGroupID)
        let bus = String(renderMinor - 128 + 0x03, radix: 16)
        let busID = "0000:\(bus.count < 2 ? "0" + bus : bus):00.0"
        let device = sysRoot + "/devices/pci0000:00/\(busID)"
        try write(vendor + "\n", to: device + "/vendor")
        try Self.makeDirectory(sysRoot + "/class/drm/renderD\(renderMinor)")
        try FileManager.default.createSymbolicLink(atPath: sysRoot + "/class/drm/renderD\(renderMinor)/device", withDestinationPath: device)
    }

    // MARK: Files

    /// A character node `major:minor` at `dev/<relativePath>`.
    public func makeNode(_ relativePath: String, major: UInt32, minor: UInt32, mode: UInt32 = 0o666, groupID: UInt32 = 0) throws {
        let path = devRoot + "/" + relativePath
        try Self.makeDirectory((path as NSString).deletingLastPathComponent)
        guard mknod(path, S_IFCHR | mode_t(mode), dev_t(DeviceNumber.make(major: major, minor: minor))) == 0 else {
            throw FakeGPUTreeError("mknod \(path) c \(major) \(minor): errno \(errno) (needs CAP_MKNOD)")
        }
        // mknod applies the umask; set the mode and group the test asked for.
        guard chmod(path, mode_t(mode)) == 0, chown(path, 0, gid_t(groupID)) == 0 else {
            throw FakeGPUTreeError("chmod/chown \(path): errno \(errno)")
        }
    }

    /// Removes `dev/<relativePath>` (to replace a node with something else).
    public func removeNode(_ relativePath: String) throws {
        try FileManager.default.removeItem(atPath: devRoot + "/" + relativePath)
    }

    /// A driver library: a file `<stem>.so.<version>` with an ELF header of the given class, and a soname
    /// symlink `<stem>.so.1` to it. Returns the `ldconfig -p` line for the soname.
    @discardableResult
    public func addLibrary(stem: String, version: String = defaultDriverVersion, is64Bit: Bool = true, soname: String? = nil) throws -> String {
        let directory = is64Bit ? libDirectory : lib32Directory
        try Self.makeDirectory(directory)
        let file = directory + "/\(stem).so.\(version)"
        // e_ident: magic, class, little-endian, version 1; e_type ET_DYN; e_machine x86-64 (62) or i386 (3).
        var header: [UInt8] = [0x7f, 0x45, 0x4c, 0x46, is64Bit ? 2 : 1, 1, 1, 0] + [UInt8](repeating: 0, count: 8)
        header += [3, 0, is64Bit ? Self.hostMachine : 3, 0] + [UInt8](repeating: 0, count: 44)
        try Data(header).write(to: URL(fileURLWithPath: file))
        let name = soname ?? "\(stem).so.1"
        try FileManager.default.createSymbolicLink(atPath: directory + "/" + name, withDestinationPath: "\(stem).so.\(version)")
        return "\t\(name) (\(is64Bit ? "libc6,x86-64" : "libc6")) => \(directory)/\(name)"
    }

    /// An executable script at `usr/bin/<name>`.
    public func addBinary(_ name: String) throws {
        try Self.makeDirectory(binDirectory)
        let path = binDirectory + "/" + name
        try "#!/bin/sh\necho fake \(name)\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
    }

    /// `ldconfig -p` output with a header and the given entry lines.
    public static func ldconfigOutput(_ lines: [String]) -> String {
        "\(lines.count) libs found in cache `/etc/ld.so.cache'\n" + lines.joined(separator: "\n") + "\n"
    }

    /// Writes `text` to `path`, creating parent directories.
    public func write(_ text: String, to path: String) throws {
        try Self.makeDirectory((path as NSString).deletingLastPathComponent)
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    private func writeProcDevices() throws {
        let lines = majors.map { "\(String($0.major).leftPadded(3)) \($0.name)" }
        try write("Character devices:\n" + lines.joined(separator: "\n") + "\n\nBlock devices:\n  7 loop\n259 blkext\n", to: procRoot + "/devices")
    }

    private static func makeDirectory(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// The ELF machine of this build, low byte (x86-64 62, AArch64 183).
    private static var hostMachine: UInt8 {
        #if arch(arm64)
            183
        #else
            62
        #endif
    }
}

/// Why building a fake tree failed.
public struct FakeGPUTreeError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// `stat` for the test helpers (the library's file helpers are internal).
enum HostFilesProbe {
    static func status(_ path: String) -> stat? {
        var info = stat()
        return stat(path, &info) == 0 ? info : nil
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
