import MLGymCore

/// The dynamic linker's cache: which library names resolve to which files, for which ABI.
///
/// The NVIDIA driver installs its libraries wherever the distribution put them; the ld cache is the one
/// place that says where (libnvidia-container and Apptainer both resolve through it). It can be read from
/// `ldconfig -p` output or straight from `/etc/ld.so.cache`, so no process has to be spawned.
public struct LDCache: Sendable, Equatable {
    public struct Entry: Sendable, Hashable {
        /// The name the linker looks up (`libcuda.so.1`).
        public var name: String
        /// ldconfig's ABI label (`libc6,x86-64`, `libc6,AArch64`, `libc6` for 32-bit x86).
        public var abi: String
        /// The file the name points at, usually a symbolic link to the versioned file.
        public var path: String

        public init(name: String, abi: String, path: String) {
            self.name = name
            self.abi = abi
            self.path = path
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// Parses the output of `ldconfig -p` (lines like `\tlibcuda.so.1 (libc6,x86-64) => /usr/lib/…/libcuda.so.1`).
    public init(ldconfigOutput text: String) {
        entries = text.split(separator: "\n").compactMap { line in
            guard let open = line.firstIndex(of: "("), let arrow = line.firstRange(of: ") => ") else { return nil }
            let name = line[..<open].trimmingSpaces
            let labels = line[line.index(after: open)..<arrow.lowerBound]
            // Keep only the ABI part; ldconfig appends ", OS ABI: …" and ", hwcap: …" on some entries.
            let abi = labels.split(separator: ",").map { $0.trimmingSpaces }.filter { !$0.contains(":") }.joined(separator: ",")
            let path = line[arrow.upperBound...].trimmingSpaces
            guard !name.isEmpty, path.hasPrefix("/") else { return nil }
            return Entry(name: name, abi: abi, path: path)
        }
    }

    /// Reads and parses a binary cache file (`/etc/ld.so.cache`).
    public static func load(path: String = "/etc/ld.so.cache") throws(MLGymError) -> LDCache {
        guard let bytes = HostFiles.readBytes(path, limit: 64 << 20) else {
            throw MLGymError(.notFound, "cannot read the ld cache \(path): run ldconfig on the host, or pass ldconfig -p output")
        }
        return try LDCache(cacheFile: bytes, path: path)
    }

    /// Parses glibc's binary cache format (`glibc-ld.so.cache1.1`, alone or after the old `ld.so-1.7.0` part).
    ///
    /// Layout (glibc `sysdeps/generic/dl-cache.h`): a 48-byte header (magic, version, entry count, string
    /// table length, …) then 24-byte entries `{int32 flags; uint32 key; uint32 value; uint32 osversion;
    /// uint64 hwcap}`; `key` and `value` are offsets of NUL-terminated strings from the header's start.
    public init(cacheFile bytes: [UInt8], path: String = "ld.so.cache") throws(MLGymError) {
        let newMagic = Array("glibc-ld.so.cache1.1".utf8)
        let oldMagic = Array("ld.so-1.7.0".utf8)
        var start = 0
        if bytes.starts(with: oldMagic), bytes.count >= 16 {
            let oldCount = Int(Self.uint32(bytes, at: 12))
            start = (16 + oldCount * 12 + 7) & ~7
        }
        guard start + 48 <= bytes.count, bytes[start...].starts(with: newMagic) else {
            throw MLGymError(.parse, "\(path) is not a glibc ld cache in the 1.1 format; pass ldconfig -p output instead")
        }
        let count = Int(Self.uint32(bytes, at: start + 20))
        guard start + 48 + count * 24 <= bytes.count else {
            throw MLGymError(.parse, "\(path) is truncated (\(count) entries announced); run ldconfig to rebuild it")
        }
        var parsed: [Entry] = []
        for position in 0..<count {
            let entry = start + 48 + position * 24
            let flags = Self.uint32(bytes, at: entry)
            guard let name = Self.string(bytes, at: start + Int(Self.uint32(bytes, at: entry + 4))),
                let file = Self.string(bytes, at: start + Int(Self.uint32(bytes, at: entry + 8)))
            else { continue }
            parsed.append(Entry(name: name, abi: Self.abiLabel(flags: flags), path: file))
        }
        entries = parsed
    }

    /// ldconfig's label for an entry's flags (`print_entry` in glibc's `elf/cache.c`).
    static func abiLabel(flags: UInt32) -> String {
        let type =
            switch flags & 0xff {
            case 0: "libc4"
            case 1: "ELF"
            case 2: "libc5"
            case 3: "libc6"
            default: "unknown"
            }
        let architecture: String? =
            switch flags & 0xff00 {
            case 0x0100, 0x0400, 0x0500: "64bit"
            case 0x0200: "IA-64"
            case 0x0300: "x86-64"
            case 0x0600: "N32"
            case 0x0700: "N64"
            case 0x0800: "x32"
            case 0x0900: "hard-float"
            case 0x0a00: "AArch64"
            case 0x0b00: "soft-float"
            case 0x0f00: "soft-float"
            case 0x1000: "double-float"
            case 0x1100: "soft-float"
            case 0x1200: "double-float"
            default: nil
            }
        return architecture.map { "\(type),\($0)" } ?? type
    }

    private static func uint32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(0) { value, byte in value | UInt32(bytes[offset + byte]) << (8 * UInt32(byte)) }
    }

    private static func string(_ bytes: [UInt8], at offset: Int) -> String? {
        guard offset >= 0, offset < bytes.count, let end = bytes[offset...].firstIndex(of: 0) else { return nil }
        return String(decoding: bytes[offset..<end], as: UTF8.self)
    }
}
