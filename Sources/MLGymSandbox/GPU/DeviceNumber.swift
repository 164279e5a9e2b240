/// Splits and builds Linux `dev_t` values the way glibc's `major()`, `minor()` and `makedev()` macros do.
///
/// The macros do not import into Swift, and the kernel's encoding (12-bit major and 20-bit minor spread over
/// a 64-bit value) is easy to get wrong, so it lives here once.
public enum DeviceNumber {
    /// The major number of `device`. The corresponding C macro is `major`.
    public static func major(_ device: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: ((device >> 32) & 0xffff_f000) | ((device >> 8) & 0x0000_0fff))
    }

    /// The minor number of `device`. The corresponding C macro is `minor`.
    public static func minor(_ device: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: ((device >> 12) & 0xffff_ff00) | (device & 0x0000_00ff))
    }

    /// The `dev_t` of `major:minor`. The corresponding C macro is `makedev`.
    public static func make(major: UInt32, minor: UInt32) -> UInt64 {
        let major = UInt64(major)
        let minor = UInt64(minor)
        return ((major & 0xffff_f000) << 32) | ((major & 0x0000_0fff) << 8)
            | ((minor & 0xffff_ff00) << 12) | (minor & 0x0000_00ff)
    }
}
