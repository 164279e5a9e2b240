import Foundation

/// The machine a run ran on, for its bundle's manifest: host name, kernel, and the NVIDIA GPUs and driver as
/// the kernel module reports them under /proc/driver/nvidia (no nvidia-smi needed).
public struct HostFacts: Sendable, Equatable {
    public struct GPU: Codable, Sendable, Equatable {
        /// "NVIDIA H100 80GB HBM3".
        public var model: String
        public var uuid: String?
        public var busLocation: String
        public init(model: String, uuid: String?, busLocation: String) {
            self.model = model
            self.uuid = uuid
            self.busLocation = busLocation
        }
    }

    public var hostname: String
    public var kernel: String
    public var gpus: [GPU]
    /// The kernel module's version ("550.54.15"), nil without NVIDIA's driver.
    public var driver: String?

    public init(hostname: String, kernel: String, gpus: [GPU], driver: String?) {
        self.hostname = hostname
        self.kernel = kernel
        self.gpus = gpus
        self.driver = driver
    }

    /// The facts of this machine; `root` is "/" except in tests.
    public static func current(root: String = "/") -> HostFacts {
        var names = utsname()
        uname(&names)
        let kernel = withUnsafeBytes(of: names.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let proc = root + "proc/driver/nvidia"
        return HostFacts(
            hostname: ProcessInfo.processInfo.hostName, kernel: kernel, gpus: gpus(in: proc + "/gpus"),
            driver: (try? String(contentsOfFile: proc + "/version", encoding: .utf8)).flatMap(driverVersion))
    }

    /// The version in the driver's banner: "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar…".
    static func driverVersion(_ banner: String) -> String? {
        guard let line = banner.split(separator: "\n").first(where: { $0.hasPrefix("NVRM version:") }) else { return nil }
        let words = line.split(separator: " ")
        guard let module = words.firstIndex(of: "Module"), module + 1 < words.count else { return nil }
        return String(words[module + 1])
    }

    /// One GPU per bus directory, from its `information` file ("Model:  NVIDIA H100…", "GPU UUID:  GPU-…").
    static func gpus(in directory: String) -> [GPU] {
        let buses = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        return buses.compactMap { bus in
            guard let text = try? String(contentsOfFile: directory + "/" + bus + "/information", encoding: .utf8) else { return nil }
            var fields: [String: String] = [:]
            for line in text.split(separator: "\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                fields[line[..<colon].trimmingCharacters(in: .whitespaces)] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            guard let model = fields["Model"] else { return nil }
            return GPU(model: model, uuid: fields["GPU UUID"], busLocation: bus)
        }
    }
}
