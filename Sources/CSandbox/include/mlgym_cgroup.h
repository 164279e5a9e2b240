// C helpers for the cgroup layer (Sources/MLGymSandbox/Cgroups).
//
// Why these are in C: Swift's Glibc module does not export <sys/eventfd.h>, <sys/vfs.h> (statfs) or the
// bpf(2) system call, and a BPF program is an array of `struct bpf_insn` that is clearer to assemble next to
// <linux/bpf.h>'s macros than in Swift. Every function returns -errno on failure and never sets errno-only
// results, so callers get the cause without racing other threads for errno.
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Filesystem magic numbers from <linux/magic.h>, for telling a real cgroupfs from a plain directory.
#define MLG_CG_CGROUP_SUPER_MAGIC 0x27e0ebUL
#define MLG_CG_CGROUP2_SUPER_MAGIC 0x63677270UL

/// `statfs(path).f_type`, or -errno. The corresponding C function is `statfs`.
long long mlg_cg_fs_magic(const char *path);

/// A close-on-exec eventfd with counter 0, or -errno. The corresponding C function is `eventfd`.
int mlg_cg_eventfd(void);

/// Reads an eventfd's 8-byte counter into *value; 0 or -errno.
int mlg_cg_eventfd_read(int fd, uint64_t *value);

/// Adds `value` to an eventfd's counter (wakes pollers); 0 or -errno.
int mlg_cg_eventfd_write(int fd, uint64_t value);

/// Raises the soft RLIMIT_MEMLOCK to the hard limit: kernels before 5.11 charge BPF programs to it.
/// Best effort; returns 0 or -errno.
int mlg_cg_raise_memlock(void);

/// Access bits of a device rule, the values of BPF_DEVCG_ACC_* in <linux/bpf.h>.
#define MLG_CG_ACC_MKNOD 1u
#define MLG_CG_ACC_READ 2u
#define MLG_CG_ACC_WRITE 4u

/// One allowed device for the v2 device program. `kind` is 'c' or 'b'; `minor` < 0 means every minor.
struct mlg_cg_device_rule {
    char kind;
    uint32_t major;
    int64_t minor;
    uint32_t access;
};

/// Loads a BPF_PROG_TYPE_CGROUP_DEVICE program that allows exactly `rules` and denies everything else.
/// Returns the program fd (close-on-exec) or -errno; on a verifier error the kernel's log is copied into
/// `log` (NUL-terminated) when `log_size` > 0.
int mlg_cg_device_program_load(const struct mlg_cg_device_rule *rules, size_t count, char *log, size_t log_size);

/// Attaches a loaded device program to a cgroup v2 directory fd with BPF_F_ALLOW_MULTI, so programs the
/// parents carry still apply (every program on the path must allow). 0 or -errno.
int mlg_cg_device_program_attach(int cgroup_fd, int program_fd);

/// How many BPF_CGROUP_DEVICE programs are attached directly to a cgroup v2 directory fd, or -errno.
int mlg_cg_device_program_count(int cgroup_fd);

#ifdef __cplusplus
}
#endif
