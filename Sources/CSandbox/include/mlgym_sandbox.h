/*
 * CSandbox: the clone()-to-execve() path of an mlgym sandbox, in C.
 *
 * Why C: mlgymd is multi-threaded (Swift's cooperative pool, I/O threads). After clone() without CLONE_VM only
 * the calling thread exists in the child, and any lock another thread held (malloc arenas, stdio, the Swift
 * runtime's metadata caches) stays locked forever. So between clone() and execve() the child may only make
 * async-signal-safe calls: raw system calls on memory prepared by the parent. Everything that allocates
 * (libseccomp's compiler, libcap, path joining) happens in the parent before clone().
 *
 * The child builds the sandbox in the order runc, crun, bubblewrap and nsjail converge on, then execs
 * mlgym-init from a file descriptor opened before clone(), so nothing inside can substitute it.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What one entry of a mount plan does. Targets are absolute host paths under the new root (before pivot). */
enum mlg_mount_kind {
    MLG_MNT_MKDIR = 1,      /* mkdir target (mode), parents must exist */
    MLG_MNT_FILE = 2,       /* create an empty file at target (a mount point for a file bind) */
    MLG_MNT_SYMLINK = 3,    /* symlink(source, target) */
    MLG_MNT_BIND = 4,       /* bind source on target (recursive); flags MS_RDONLY/NOSUID/NODEV/NOEXEC applied by remount */
    MLG_MNT_TMPFS = 5,      /* tmpfs on target, data = options ("size=64m,mode=1777"), flags = mount flags */
    MLG_MNT_PROC = 6,       /* a fresh proc (needs the new pid namespace) */
    MLG_MNT_SYSFS = 7,      /* a read-only sysfs (needs the new net namespace) */
    MLG_MNT_DEVPTS = 8,     /* a new devpts instance, data = options */
    MLG_MNT_OVERLAY = 9,    /* overlayfs, data = "lowerdir=..,upperdir=..,workdir=.." */
    MLG_MNT_MASK = 10,      /* hide target: /dev/null over a file, an empty read-only tmpfs over a directory */
    MLG_MNT_REMOUNT_RO = 11,/* make the mount at target read-only, keeping its locked flags */
    MLG_MNT_WRITE = 12,     /* create target with mode and write data into it */
    MLG_MNT_CHOWN = 13,     /* chown target to uid:gid */
    MLG_MNT_COPY = 14,      /* copy the host file source into target (mode): cheaper than a bind for small files */
    MLG_MNT_SEAL = 15,      /* remount a file system this plan mounted at target read-only (data = its options) */
};

struct mlg_mount {
    int kind;
    int optional;          /* skip this entry when its source (or target, for MASK) does not exist */
    const char *source;
    const char *target;
    const char *data;
    unsigned long flags;
    uint32_t mode;
    uint32_t uid;
    uint32_t gid;
};

struct mlg_rlimit {
    int resource;
    uint64_t soft;
    uint64_t hard;
};

struct mlg_plan {
    const char *root;                  /* empty host directory the new root is built on */
    uint64_t root_size;                /* bytes of the root tmpfs */
    int root_readonly;                 /* remount / read-only after pivot_root (host mode) */
    const struct mlg_mount *mounts;
    size_t n_mounts;
    const char *hostname;
    int new_user_ns;                   /* rootless mode: the parent writes the id maps before release */
    int new_net_ns;                    /* 1 = only loopback, brought up */
    int init_fd;                       /* mlgym-init, opened O_PATH|O_CLOEXEC by the parent */
    char *const *init_argv;
    char *const *init_envp;
    int control_fd;                    /* init's end of the socketpair: becomes fd 3 */
    int seccomp_fd;                    /* sealed memfd with the filter, or -1: becomes fd 4 */
    int log_fd;                        /* becomes init's stderr (fd 2), or -1 for /dev/null */
    uint32_t init_uid;                 /* identity of mlgym-init inside the sandbox */
    uint32_t init_gid;
    uint64_t init_caps;                /* capabilities mlgym-init keeps (bit n = capability n) */
    const struct mlg_rlimit *rlimits;
    size_t n_rlimits;
};

/* Where the child failed: the stage, the errno, and the mount plan entry (or -1). */
struct mlg_failure {
    int32_t stage;
    int32_t err;
    int32_t index;
};

enum mlg_stage {
    MLG_STAGE_SYNC = 1,
    MLG_STAGE_CGROUPNS,
    MLG_STAGE_HOSTNAME,
    MLG_STAGE_LOOPBACK,
    MLG_STAGE_MOUNT_PRIVATE,
    MLG_STAGE_ROOT_TMPFS,
    MLG_STAGE_MOUNT,
    MLG_STAGE_PIVOT_ROOT,
    MLG_STAGE_ROOT_READONLY,
    MLG_STAGE_RLIMIT,
    MLG_STAGE_SETGROUPS,
    MLG_STAGE_SETID,
    MLG_STAGE_CAPBSET,
    MLG_STAGE_CAPSET,
    MLG_STAGE_AMBIENT,
    MLG_STAGE_FDS,
    MLG_STAGE_EXEC_INIT,
};

struct mlg_child {
    pid_t pid;
    int go_fd;   /* parent writes one byte here to let the child go on */
    int err_fd;  /* child writes a struct mlg_failure here, or closes it by exec'ing */
    void *spawner; /* the thread blocked in clone() until the child execs or exits (opaque) */
};

/* Clones the child into new pid, mount, uts, ipc (+net, +user) namespaces. The child waits for
 * mlg_release(); meanwhile the parent puts it into its cgroups and writes id maps. Returns 0 or -errno.
 *
 * The clone is CLONE_VM | CLONE_VFORK, as posix_spawn does, made from a dedicated thread: no page table is copied
 * (a large daemon would pay milliseconds per sandbox for that), and the only thread whose memory the child
 * writes to (its errno) is that dedicated one, asleep in clone() until the child execs. So the plan and every
 * string it points to must stay allocated and unchanged until mlg_release() or mlg_abandon() returns. */
int mlg_clone(const struct mlg_plan *plan, struct mlg_child *child);

/* Lets the child go on and waits until it has exec'd mlgym-init (returns 0) or failed (returns 1 and fills
 * `failure`; the child has exited and must still be reaped). Returns -errno if the pipes fail. */
int mlg_release(struct mlg_child *child, struct mlg_failure *failure);

/* Drops the child without releasing it: it sees EOF and exits. */
void mlg_abandon(struct mlg_child *child);

/* A short name for a failure stage, for error messages. */
const char *mlg_stage_name(int stage);

/* Compiles the seccomp deny list into classic BPF in a sealed memfd. Call once per process.
 * Returns the fd (O_CLOEXEC) or -errno. */
int mlg_seccomp_compile(void);

/* Wrappers for what Swift's Glibc module does not import. */
#define MLG_RLIMIT_NPROC 6 /* RLIMIT_NPROC: an enum value the Glibc module hides behind __rlimit_resource */
int mlg_socketpair_seqpacket(int fds[2]);
ssize_t mlg_send_message(int fd, const void *buf, size_t len, const int *fds, int n_fds);
ssize_t mlg_recv_message(int fd, void *buf, size_t len, int *fds, int max_fds, int *n_fds);
int mlg_wait_status_exit_code(int status);
int mlg_wait_status_signaled(int status);
int mlg_wait_status_signal(int status);
int mlg_open_path_cloexec(const char *path);
int mlg_set_winsize(int fd, unsigned short rows, unsigned short cols);
pid_t mlg_foreground_pgrp(int fd);
/* Host-side helpers spawned with posix_spawn must not inherit the daemon's other descriptors (sockets, pipes,
 * terminals): glibc's closefrom action, which Swift's Glibc module does not import. */
int mlg_spawn_actions_close_from(void *actions, int lowest);
/* ... and must start with no signal blocked or ignored, whatever the caller's threads (mlgymd ignores SIGPIPE
 * and handles SIGTERM; a test runner blocks signals): an initialised posix_spawnattr_t set so. 0 or an errno. */
int mlg_spawnattr_default_signals(void *attributes);
/* Opens a directory (O_PATH) with the file-system identity of uid/gid on this thread only (setfsuid), so that a
 * path a client names is resolved with the client's permissions, then restores root's. The last component must
 * not be a symlink. Returns the descriptor, or -errno. */
int mlg_open_directory_as(const char *path, unsigned int uid, unsigned int gid);
/* The file system type (statfs's f_type magic) of an open descriptor, or -errno: sys/vfs.h is not in Swift's
 * Glibc module. */
long long mlg_filesystem_magic(int fd);
/* glibc's malloc_trim(0) and mallopt(M_ARENA_MAX, n): malloc.h is not in Swift's Glibc module. */
int mlg_heap_trim(void);
int mlg_heap_limit_arenas(int arenas);
/* The symbolic name of an errno value ("EBUSY"), NULL when glibc has none: strerrorname_np is a GNU extension
   (glibc 2.32+) that Swift's Glibc module does not export. */
const char *mlg_errno_name(int code);
/* A TCP socket listening on 127.0.0.1:port inside the network namespace of process `pid` (joining its user
 * namespace first when `join_user_ns`, as a rootless mlgymd must), made by a short-lived child so that the caller
 * never changes namespace. Returns the descriptor (O_CLOEXEC) or -errno. */
int mlg_listen_in_network_of(pid_t pid, int join_user_ns, unsigned short port);
/* Mounts the ext4 image `image` on `mount_point` through a free loop device that goes away with the mount
 * (autoclear), with mount(2) `flags` (MS_NOSUID | MS_NODEV), without running mount(8). 0 or -errno. */
int mlg_loop_mount(const char *image, const char *mount_point, unsigned long flags);
/* Snapshots (file_clone.c). A reflink of the whole source file into the (empty) destination: 0, or -errno
 * (EXDEV across file systems, EOPNOTSUPP where the file system has no reflinks). */
int mlg_file_clone(int destination_fd, int source_fd);
/* Copies `length` bytes from the start of the source into the destination in the kernel. 0 or -errno. */
int mlg_file_copy(int destination_fd, int source_fd, unsigned long long length);
/* Freezes (flushes, then blocks every writer of) the file system mounted at the open directory, or thaws it.
 * Needs CAP_SYS_ADMIN. 0 or -errno. */
int mlg_fs_freeze(int directory_fd);
int mlg_fs_thaw(int directory_fd);
/* syncfs(2) (a GNU extension Swift's Glibc module leaves out): writes the file system's dirty data. 0 or -errno. */
int mlg_syncfs(int fd);
/* Replaces the mount at `mount_point` with an idmapped clone of it on which files owned by `from_uid`/`from_gid`
 * on disk are seen (and written) as `to_uid`/`to_gid` (idmap_mount.c). 0 or -errno (EINVAL where the kernel or
 * file system has no idmapped mounts; the original mount is then left as it was unless the failure came after
 * it was detached). */
int mlg_idmap_mount(const char *mount_point, unsigned from_uid, unsigned to_uid, unsigned from_gid, unsigned to_gid);
/* openat2 with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV: `path` (relative) is opened only if every
 * component is a real directory or file below `directory_fd`, on its file system. A descriptor or -errno. */
int mlg_open_beneath(int directory_fd, const char *path, int flags, unsigned int mode);
