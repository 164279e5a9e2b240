/// The first bytes of an ELF file: enough to tell a 64-bit library for this machine from a 32-bit one.
///
/// The driver ships 32-bit copies of its libraries next to the 64-bit ones; binding one of those into a
/// sandbox would make the loader skip it with "wrong ELF class" and CUDA would not start.
struct ELFHeader: Sendable, Equatable {
    /// 1 for 32-bit, 2 for 64-bit (`EI_CLASS`).
    var fileClass: UInt8
    /// `e_machine`: 62 x86-64, 183 AArch64, 21 PowerPC 64, 22 s390, 243 RISC-V.
    var machine: UInt16

    init?(bytes: [UInt8]) {
        guard bytes.count >= 20, bytes.starts(with: [0x7f, 0x45, 0x4c, 0x46]), bytes[5] == 1 || bytes[5] == 2 else { return nil }
        fileClass = bytes[4]
        machine = bytes[5] == 1 ? UInt16(bytes[18]) | UInt16(bytes[19]) << 8 : UInt16(bytes[19]) | UInt16(bytes[18]) << 8
    }

    init?(path: String) {
        guard let bytes = HostFiles.readBytes(path, limit: 20) else { return nil }
        self.init(bytes: bytes)
    }

    /// `e_machine` of the machine this code was compiled for.
    static var hostMachine: UInt16 {
        #if arch(x86_64)
            62
        #elseif arch(arm64)
            183
        #elseif arch(powerpc64le)
            21
        #elseif arch(s390x)
            22
        #else
            243
        #endif
    }

    /// A 64-bit object for this machine.
    var isHostNative: Bool { fileClass == 2 && machine == Self.hostMachine }
}
