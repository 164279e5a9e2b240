import Foundation

/// Reads, once per engine, the host facts a mount plan needs: the merged-usr links, which `/etc` entries exist, and
/// whether the NVIDIA driver's `/proc` directory does.
enum HostLayout {
    static func discover(binds: [SandboxSpec.Bind], base: MountPlan.HostPaths? = nil) -> MountPlan.HostPaths {
        let manager = FileManager.default
        var topLevel: [String: String?] = base?.topLevel ?? [:]
        var etcEntries: [String: Bool] = base?.etcEntries ?? [:]
        let nvidiaProcDirectoryExists = base?.nvidiaProcDirectoryExists
            ?? manager.fileExists(atPath: NvidiaProcOverlay.mountPoint)
        if base == nil {
            for name in MountPlan.topLevelNames {
                let path = "/" + name
                if let link = try? manager.destinationOfSymbolicLink(atPath: path) {
                    topLevel[name] = .some(link)
                } else {
                    var isDirectory: ObjCBool = false
                    topLevel[name] = manager.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue ? .some("") : .none
                }
            }
            for name in MountPlan.etcAllowList {
                var isDirectory: ObjCBool = false
                if manager.fileExists(atPath: "/etc/" + name, isDirectory: &isDirectory) {
                    etcEntries[name] = isDirectory.boolValue
                }
            }
        }
        var bindIsDirectory: [String: Bool] = [:]
        for bind in binds {
            var isDirectory: ObjCBool = false
            if manager.fileExists(atPath: bind.hostPath, isDirectory: &isDirectory) {
                bindIsDirectory[bind.hostPath] = isDirectory.boolValue
            }
        }
        return MountPlan.HostPaths(
            topLevel: topLevel, etcEntries: etcEntries, bindIsDirectory: bindIsDirectory,
            nvidiaProcDirectoryExists: nvidiaProcDirectoryExists)
    }
}
