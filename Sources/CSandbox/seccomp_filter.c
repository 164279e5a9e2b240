/*
 * The seccomp policy of every agent process, compiled once per daemon with libseccomp.
 *
 * Policy (docs/sandbox.md, "System calls"): allow by default, and return EPERM for the calls that change the
 * sandbox itself or reach kernel-global state: the mount API, namespaces, kexec and modules, bpf and perf,
 * userfaultfd, keyrings, io_uring (its submissions bypass syscall filtering), file handles, clock and swap
 * control, raw I/O ports, cross-process inspection (kcmp, pidfd_getfd, process_madvise), AF_ALG/AF_VSOCK sockets,
 * personality flags that weaken ASLR and the terminal-injection ioctls. clone() with namespace flags is refused and clone3()
 * answers ENOSYS so libc falls back to clone(), whose flags the filter can read. Non-native architectures (i386,
 * x32) hit libseccomp's bad-architecture action and are killed, so 32-bit entry points cannot dodge the list.
 *
 * The program is exported as classic BPF into a sealed memfd; mlgym-init loads it with one seccomp() call per
 * agent process, which costs nothing measurable, while compiling costs tens of milliseconds.
 */
#include "mlgym_sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#ifndef AF_ALG
#define AF_ALG 38
#endif

static const char *const denied[] = {
    "mount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount", "fspick",
    "mount_setattr", "chroot", "unshare", "setns", "kexec_load", "kexec_file_load", "init_module",
    "finit_module", "delete_module", "bpf", "perf_event_open", "lookup_dcookie", "userfaultfd", "keyctl",
    "add_key", "request_key", "io_uring_setup", "io_uring_enter", "io_uring_register", "open_by_handle_at",
    "name_to_handle_at", "swapon", "swapoff", "reboot", "syslog", "acct", "quotactl", "quotactl_fd",
    "settimeofday", "clock_settime", "clock_adjtime", "iopl", "ioperm", "fanotify_init", "kcmp",
    "pidfd_getfd", "process_madvise", "vhangup", "nfsservctl", "uselib", "ustat", "sysfs", "_sysctl",
    "lsm_set_self_attr",
};

static int add_rules(scmp_filter_ctx ctx) {
    int rc;
    for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++) {
        int nr = seccomp_syscall_resolve_name(denied[i]);
        if (nr == __NR_SCMP_ERROR) continue; /* not on this architecture or unknown to this libseccomp */
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
        if (rc < 0) return rc;
    }
    /* One rule per flag: a masked compare cannot say "any of these bits is set". */
    static const uint64_t namespace_flags[] = {CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
                                               CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET};
    for (size_t i = 0; i < sizeof(namespace_flags) / sizeof(namespace_flags[0]); i++) {
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                              SCMP_A0(SCMP_CMP_MASKED_EQ, namespace_flags[i], namespace_flags[i]));
        if (rc < 0) return rc;
    }
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    if (rc < 0) return rc;
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, AF_ALG));
    if (rc < 0) return rc;
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, AF_VSOCK));
    if (rc < 0) return rc;
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                          SCMP_A1(SCMP_CMP_MASKED_EQ, 0xFFFFFFFFu, TIOCSTI));
    if (rc < 0) return rc;
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                          SCMP_A1(SCMP_CMP_MASKED_EQ, 0xFFFFFFFFu, TIOCLINUX));
    if (rc < 0) return rc;
    /*
     * No setuid or setgid bits: the agent's files may be run on the host (its workspace is a host directory,
     * and a non-root owner's agent runs as that owner), so a bit set here would lend the agent's uid to whoever
     * runs the file. Agents never need them. Neither by changing a mode (chmod family) nor by creating a file
     * with one (creat, mknod, mknodat, and open/openat with O_CREAT or O_TMPFILE below): the kernel would clear
     * the bits on a write without CAP_FSETID, but a set-id file of the agent's uid should not exist at all.
     */
    /* fchmodat2 (Linux 6.6) is newer than this libseccomp's tables on some hosts: by number where known. */
    int fchmodat2 = seccomp_syscall_resolve_name("fchmodat2");
#if defined(__x86_64__)
    if (fchmodat2 < 0) fchmodat2 = 452;
#endif
    const struct { int nr; unsigned int mode_argument; } mode_calls[] = {
        {SCMP_SYS(chmod), 1}, {SCMP_SYS(fchmod), 1}, {SCMP_SYS(fchmodat), 2}, {fchmodat2, 2},
        {SCMP_SYS(creat), 1}, {SCMP_SYS(mknod), 1}, {SCMP_SYS(mknodat), 2},
    };
    static const uint64_t privilege_bits[] = {S_ISUID, S_ISGID};
    for (size_t b = 0; b < 2; b++) {
        for (size_t c = 0; c < sizeof(mode_calls) / sizeof(mode_calls[0]); c++) {
            if (mode_calls[c].nr == __NR_SCMP_ERROR) continue; /* fchmodat2 unknown here */
            rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), mode_calls[c].nr, 1,
                                  SCMP_CMP(mode_calls[c].mode_argument, SCMP_CMP_MASKED_EQ, privilege_bits[b], privilege_bits[b]));
            if (rc < 0) return rc;
        }
    }
    /* open and openat: only when they create (the flags argument), then by the mode argument. */
    static const uint64_t creating_flags[] = {O_CREAT, 020000000 /* __O_TMPFILE, O_TMPFILE without O_DIRECTORY */};
    for (size_t b = 0; b < 2; b++) {
        for (size_t f = 0; f < 2; f++) {
            rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(open), 2,
                                  SCMP_A1(SCMP_CMP_MASKED_EQ, creating_flags[f], creating_flags[f]),
                                  SCMP_A2(SCMP_CMP_MASKED_EQ, privilege_bits[b], privilege_bits[b]));
            if (rc < 0) return rc;
            rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(openat), 2,
                                  SCMP_A2(SCMP_CMP_MASKED_EQ, creating_flags[f], creating_flags[f]),
                                  SCMP_A3(SCMP_CMP_MASKED_EQ, privilege_bits[b], privilege_bits[b]));
            if (rc < 0) return rc;
        }
    }
    /* openat2 takes its mode in a struct a filter cannot read: ENOSYS, so a caller falls back to openat (glibc
     * and CPython use openat for open()). */
    int openat2 = seccomp_syscall_resolve_name("openat2");
#if defined(__x86_64__)
    if (openat2 < 0) openat2 = 437;
#endif
    if (openat2 >= 0) {
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), openat2, 0);
        if (rc < 0) return rc;
    }
    /*
     * personality: refuse the flags that weaken address-space randomisation or memory protection
     * (ADDR_NO_RANDOMIZE, MMAP_PAGE_ZERO, ADDR_COMPAT_LAYOUT, READ_IMPLIES_EXEC) for the Linux and Linux32
     * personalities. The query value 0xffffffff has other type bits, so it still works. (An allow-list as in
     * Docker's profile needs several comparisons of one argument in one rule, which libseccomp refuses.)
     */
    static const uint64_t weakening_flags[] = {0x0040000, 0x0100000, 0x0200000, 0x0400000};
    static const uint64_t personality_types[] = {0x0 /* PER_LINUX */, 0x8 /* PER_LINUX32 */};
    for (size_t f = 0; f < 4; f++) {
        for (size_t t = 0; t < 2; t++) {
            rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(personality), 1,
                                  SCMP_A0(SCMP_CMP_MASKED_EQ, weakening_flags[f] | 0xff,
                                          weakening_flags[f] | personality_types[t]));
            if (rc < 0) return rc;
        }
    }
    return rc;
}

int mlg_seccomp_compile(void) {
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (ctx == NULL) return -ENOMEM;
    int rc = add_rules(ctx);
    if (rc < 0) {
        seccomp_release(ctx);
        return rc;
    }
    int fd = memfd_create("mlgym-seccomp", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) {
        int saved = errno;
        seccomp_release(ctx);
        return -saved;
    }
    rc = seccomp_export_bpf(ctx, fd);
    seccomp_release(ctx);
    if (rc < 0) {
        close(fd);
        return rc;
    }
    if (fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
        int saved = errno;
        close(fd);
        return -saved;
    }
    return fd;
}
