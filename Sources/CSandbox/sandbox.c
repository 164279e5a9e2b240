/*
 * The child side of a sandbox: from clone() to execveat(mlgym-init).
 *
 * Rules for everything reachable from child_main (see mlgym_sandbox.h for why):
 *  - raw system calls and async-signal-safe libc only: no malloc, no stdio, no libseccomp/libcap calls;
 *  - credentials through syscall() only: glibc's setgroups()/setresuid() wrappers broadcast the change to every
 *    thread the parent had (the "setxid" protocol), and in a cloned child those threads do not exist, so the
 *    wrapper waits forever on a futex (seen here);
 *  - every failure is reported as {stage, errno, index} on the error pipe, then _exit;
 *  - the child runs in the parent's memory (CLONE_VM) until it execs: it only reads the plan and writes its own
 *    stack, and the errno of the spawner thread, which sleeps in clone() meanwhile (see mlg_clone).
 */
#include "mlgym_sandbox.h"
#include "mlgym_init_protocol.h"

#include <errno.h>
#include <pthread.h>
#include <grp.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILD_STACK_SIZE (256 * 1024)

struct child_args {
    const struct mlg_plan *plan;
    int go_read;
    int err_write;
    int go_write_to_close;
    int err_read_to_close;
    int started_write; /* one byte once the child runs, so mlg_clone can return its pid */
};

/* The thread that makes the clone and sleeps in it (CLONE_VFORK) until the child execs or exits. */
struct spawner {
    pthread_t thread;
    void *stack;
    struct child_args args;
    int flags;
    pid_t pid;          /* written by the kernel (CLONE_PARENT_SETTID) before the child runs */
    int clone_errno;
};

static void fail(int err_fd, int stage, int index) {
    struct mlg_failure failure = {.stage = stage, .err = errno, .index = index};
    ssize_t ignored = write(err_fd, &failure, sizeof(failure));
    (void)ignored;
    _exit(127);
}

static size_t str_len(const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

/* Signal handlers point into the daemon and SIG_IGN survives execve: reset both before anything else. */
static void reset_signals(void) {
    struct sigaction dfl;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        sigaction(sig, &dfl, NULL);
    }
    sigset_t empty;
    sigemptyset(&empty);
    sigprocmask(SIG_SETMASK, &empty, NULL);
}

/*
 * Keep only the descriptors the child needs and close every other one it inherited, at once: copies of other
 * sandboxes' setup pipes must not be held here, or two concurrent set-ups could keep each other waiting.
 */
static int keep_only(int *fds, int count) {
    int base = 512;
    for (int i = 0; i < count; i++) {
        if (fds[i] < 0) continue;
        int moved = fcntl(fds[i], F_DUPFD_CLOEXEC, base + i);
        if (moved < 0) return -1;
        fds[i] = moved;
    }
    /* Close everything below and between the kept descriptors. */
    int low = 3;
    for (;;) {
        int next = -1;
        for (int i = 0; i < count; i++)
            if (fds[i] >= low && (next < 0 || fds[i] < next)) next = fds[i];
        if (next < 0) {
            syscall(SYS_close_range, low, ~0U, 0);
            return 0;
        }
        if (next > low) syscall(SYS_close_range, low, next - 1, 0);
        low = next + 1;
    }
}

static int loopback_up(void) {
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0) return -1;
    struct ifreq request;
    memset(&request, 0, sizeof(request));
    memcpy(request.ifr_name, "lo", 3);
    if (ioctl(sock, SIOCGIFFLAGS, &request) < 0) goto fail;
    request.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(sock, SIOCSIFFLAGS, &request) < 0) goto fail;
    close(sock);
    return 0;
fail:;
    int saved = errno;
    close(sock);
    errno = saved;
    return -1;
}

/* The flags a read-only remount must repeat: inside a user namespace the kernel locks them (EPERM otherwise). */
static unsigned long locked_flags(const char *path) {
    struct statvfs info;
    if (statvfs(path, &info) != 0) return 0;
    unsigned long flags = 0;
    if (info.f_flag & ST_NOSUID) flags |= MS_NOSUID;
    if (info.f_flag & ST_NODEV) flags |= MS_NODEV;
    if (info.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
    if (info.f_flag & ST_NOATIME) flags |= MS_NOATIME;
    if (info.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
    if (info.f_flag & ST_RELATIME) flags |= MS_RELATIME;
    return flags;
}

static int remount_flags(const char *target, unsigned long flags) {
    unsigned long wanted = flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
    return mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | wanted | locked_flags(target), NULL);
}

/* Copies a small host file into the new root with a stack buffer (no allocation in the child). */
static int copy_file(const struct mlg_mount *m) {
    int in = open(m->source, O_RDONLY | O_CLOEXEC);
    if (in < 0) return (m->optional && errno == ENOENT) ? 0 : -1;
    int out = open(m->target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, m->mode ? m->mode : 0644);
    if (out < 0) {
        int saved = errno;
        close(in);
        errno = saved;
        return -1;
    }
    char buffer[16384];
    for (;;) {
        ssize_t n = read(in, buffer, sizeof(buffer));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(out, buffer + done, (size_t)(n - done));
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) {
                int saved = errno;
                close(in);
                close(out);
                errno = saved;
                return -1;
            }
            done += w;
        }
    }
    close(in);
    close(out);
    return 0;
}

static int do_mount(const struct mlg_mount *m) {
    struct stat info;
    switch (m->kind) {
    case MLG_MNT_MKDIR:
        if (mkdir(m->target, m->mode) != 0 && errno != EEXIST) return -1;
        return 0;
    case MLG_MNT_FILE: {
        int fd = open(m->target, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, m->mode ? m->mode : 0644);
        if (fd < 0) return -1;
        close(fd);
        return 0;
    }
    case MLG_MNT_SYMLINK:
        if (symlink(m->source, m->target) != 0 && errno != EEXIST) return -1;
        return 0;
    case MLG_MNT_BIND:
        if (m->optional && stat(m->source, &info) != 0) return 0;
        if (mount(m->source, m->target, NULL, MS_BIND | MS_REC, NULL) != 0) return -1;
        if (m->flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)) return remount_flags(m->target, m->flags);
        return 0;
    case MLG_MNT_TMPFS:
        return mount("tmpfs", m->target, "tmpfs", m->flags, m->data);
    case MLG_MNT_PROC:
        return mount("proc", m->target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    case MLG_MNT_SYSFS:
        return mount("sysfs", m->target, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    case MLG_MNT_DEVPTS:
        return mount("devpts", m->target, "devpts", MS_NOSUID | MS_NOEXEC, m->data);
    case MLG_MNT_OVERLAY:
        return mount("overlay", m->target, "overlay", m->flags, m->data);
    case MLG_MNT_MASK:
        if (lstat(m->target, &info) != 0) return m->optional ? 0 : -1;
        if (S_ISDIR(info.st_mode))
            return mount("tmpfs", m->target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0,mode=0555");
        return mount(m->source, m->target, NULL, MS_BIND, NULL);
    case MLG_MNT_REMOUNT_RO:
        if (lstat(m->target, &info) != 0) return m->optional ? 0 : -1;
        /* Bind the path onto itself first so it becomes a mount of its own (e.g. /proc/sys inside /proc). */
        if (mount(m->target, m->target, NULL, MS_BIND | MS_REC, NULL) != 0) return -1;
        return remount_flags(m->target, MS_RDONLY | MS_NOSUID | MS_NODEV | m->flags);
    case MLG_MNT_WRITE: {
        int fd = open(m->target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, m->mode ? m->mode : 0644);
        if (fd < 0) return -1;
        size_t length = m->data ? str_len(m->data) : 0, written = 0;
        while (written < length) {
            ssize_t n = write(fd, m->data + written, length - written);
            if (n < 0) {
                if (errno == EINTR) continue;
                int saved = errno;
                close(fd);
                errno = saved;
                return -1;
            }
            written += (size_t)n;
        }
        close(fd);
        return 0;
    }
    case MLG_MNT_CHOWN:
        return lchown(m->target, m->uid, m->gid);
    case MLG_MNT_COPY:
        return copy_file(m);
    case MLG_MNT_SEAL:
        /* A superblock remount: no self-bind needed (and no duplicate of every submount) as for REMOUNT_RO. */
        return mount(NULL, m->target, NULL, MS_REMOUNT | MS_RDONLY | m->flags, m->data);
    default:
        errno = EINVAL;
        return -1;
    }
}

/* Decimal digits of a size, without snprintf (not async-signal-safe). */
static void format_root_options(char *out, size_t capacity, uint64_t size) {
    const char prefix[] = "mode=0755,size=";
    size_t at = 0;
    for (size_t i = 0; prefix[i] && at + 1 < capacity; i++) out[at++] = prefix[i];
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + size % 10);
        size /= 10;
    } while (size && n < (int)sizeof(digits));
    while (n > 0 && at + 1 < capacity) out[at++] = digits[--n];
    out[at] = '\0';
}

static int capset_all(uint64_t caps) {
    struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof(data));
    for (int i = 0; i < 2; i++) {
        uint32_t word = (uint32_t)(caps >> (32 * i));
        data[i].effective = word;
        data[i].permitted = word;
        data[i].inheritable = word;
    }
    return (int)syscall(SYS_capset, &header, data);
}

/*
 * Reduce this process to what mlgym-init needs: its identity, and only the capabilities in `keep` (enough to
 * start agent processes under another uid and to signal them). The agent processes drop even these.
 */
static void become_init_identity(const struct mlg_plan *plan, int err_fd) {
    if (plan->init_uid != (uint32_t)geteuid() || plan->init_gid != (uint32_t)getegid()) {
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) fail(err_fd, MLG_STAGE_SETID, -1);
        if (!plan->new_user_ns && syscall(SYS_setgroups, 0, NULL) != 0) fail(err_fd, MLG_STAGE_SETGROUPS, -1);
        if (syscall(SYS_setresgid, plan->init_gid, plan->init_gid, plan->init_gid) != 0)
            fail(err_fd, MLG_STAGE_SETID, -1);
        if (syscall(SYS_setresuid, plan->init_uid, plan->init_uid, plan->init_uid) != 0)
            fail(err_fd, MLG_STAGE_SETID, -1);
    } else if (!plan->new_user_ns && syscall(SYS_setgroups, 0, NULL) != 0) {
        fail(err_fd, MLG_STAGE_SETGROUPS, -1);
    }
    for (int cap = 0; cap < 64; cap++) {
        if (plan->init_caps & (1ULL << cap)) continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) fail(err_fd, MLG_STAGE_CAPBSET, cap);
    }
    if (capset_all(plan->init_caps) != 0) fail(err_fd, MLG_STAGE_CAPSET, -1);
    /* A non-root init keeps its capabilities across execve only as ambient capabilities. */
    if (plan->init_uid != 0) {
        for (int cap = 0; cap < 64; cap++) {
            if (!(plan->init_caps & (1ULL << cap))) continue;
            if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0) fail(err_fd, MLG_STAGE_AMBIENT, cap);
        }
    }
}

static int child_main(void *raw) {
    struct child_args *args = raw;
    const struct mlg_plan *plan = args->plan;
    reset_signals();
    /* The umask is the daemon's, whatever another thread had set it to at clone time: the plan's directories
     * must get the modes it names, and the agent the usual 022. */
    umask(022);
    close(args->go_write_to_close);
    close(args->err_read_to_close);
    char started = 1;
    if (write(args->started_write, &started, 1) != 1) _exit(125);
    close(args->started_write);

    int fds[6] = {args->go_read, args->err_write, plan->init_fd, plan->control_fd, plan->seccomp_fd, plan->log_fd};
    if (keep_only(fds, 6) != 0) fail(args->err_write, MLG_STAGE_FDS, -1);
    int go_fd = fds[0], err_fd = fds[1], init_fd = fds[2], control_fd = fds[3], seccomp_fd = fds[4], log_fd = fds[5];

    /* Wait for the parent: it places us in our cgroups and writes id maps first. EOF means it died. */
    char go = 0;
    ssize_t got;
    do {
        got = read(go_fd, &go, 1);
    } while (got < 0 && errno == EINTR);
    if (got != 1) _exit(126);
    close(go_fd);

    /* Now inside the sandbox's cgroups: a new cgroup namespace makes them its root. */
    if (unshare(CLONE_NEWCGROUP) != 0) fail(err_fd, MLG_STAGE_CGROUPNS, -1);
    if (plan->hostname && sethostname(plan->hostname, str_len(plan->hostname)) != 0)
        fail(err_fd, MLG_STAGE_HOSTNAME, -1);
    if (plan->new_net_ns && loopback_up() != 0) fail(err_fd, MLG_STAGE_LOOPBACK, -1);

    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) fail(err_fd, MLG_STAGE_MOUNT_PRIVATE, -1);
    char root_options[64];
    format_root_options(root_options, sizeof(root_options), plan->root_size);
    if (mount("tmpfs", plan->root, "tmpfs", MS_NOSUID | MS_NODEV, root_options) != 0)
        fail(err_fd, MLG_STAGE_ROOT_TMPFS, -1);
    for (size_t i = 0; i < plan->n_mounts; i++)
        if (do_mount(&plan->mounts[i]) != 0) fail(err_fd, MLG_STAGE_MOUNT, (int)i);

    if (chdir(plan->root) != 0) fail(err_fd, MLG_STAGE_PIVOT_ROOT, -1);
    if (syscall(SYS_pivot_root, ".", ".") != 0) fail(err_fd, MLG_STAGE_PIVOT_ROOT, -1);
    if (umount2(".", MNT_DETACH) != 0) fail(err_fd, MLG_STAGE_PIVOT_ROOT, -1);
    if (chdir("/") != 0) fail(err_fd, MLG_STAGE_PIVOT_ROOT, -1);
    if (plan->root_readonly && mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) != 0)
        fail(err_fd, MLG_STAGE_ROOT_READONLY, -1);

    for (size_t i = 0; i < plan->n_rlimits; i++) {
        struct rlimit limit = {.rlim_cur = plan->rlimits[i].soft, .rlim_max = plan->rlimits[i].hard};
        if (setrlimit(plan->rlimits[i].resource, &limit) != 0) fail(err_fd, MLG_STAGE_RLIMIT, (int)i);
    }

    become_init_identity(plan, err_fd);

    /* mlgym-init's descriptors: 0 = /dev/null, 1 and 2 = the daemon's log (or /dev/null), 3 = control, 4 = filter. */
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd < 0) fail(err_fd, MLG_STAGE_FDS, -1);
    int log_target = log_fd >= 0 ? log_fd : null_fd;
    if (dup2(null_fd, 0) < 0 || dup2(log_target, 1) < 0 || dup2(log_target, 2) < 0)
        fail(err_fd, MLG_STAGE_FDS, -1);
    if (dup2(control_fd, MLG_INIT_CONTROL_FD) < 0) fail(err_fd, MLG_STAGE_FDS, -1);
    if (seccomp_fd >= 0 && dup2(seccomp_fd, MLG_INIT_SECCOMP_FD) < 0) fail(err_fd, MLG_STAGE_FDS, -1);

    syscall(SYS_execveat, init_fd, "", plan->init_argv, plan->init_envp, AT_EMPTY_PATH);
    fail(err_fd, MLG_STAGE_EXEC_INIT, -1);
    return 127;
}

static void *spawner_main(void *raw) {
    struct spawner *spawner = raw;
    pid_t pid = clone(child_main, (char *)spawner->stack + CHILD_STACK_SIZE, spawner->flags, &spawner->args,
                      &spawner->pid);
    if (pid < 0) spawner->clone_errno = errno;
    else spawner->pid = pid;
    /* The child has exec'd or exited: its end of the start pipe is gone, and so must ours be, so that a child
     * that died before it could write its byte is seen as EOF. */
    close(spawner->args.started_write);
    spawner->args.started_write = -1;
    return NULL;
}

static void close_if_open(int *fd) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
}

int mlg_clone(const struct mlg_plan *plan, struct mlg_child *child) {
    int go[2], err[2], started[2];
    if (pipe2(go, O_CLOEXEC) != 0) return -errno;
    if (pipe2(err, O_CLOEXEC) != 0) {
        int saved = errno;
        close(go[0]);
        close(go[1]);
        return -saved;
    }
    if (pipe2(started, O_CLOEXEC) != 0) {
        int saved = errno;
        close(go[0]);
        close(go[1]);
        close(err[0]);
        close(err[1]);
        return -saved;
    }
    struct spawner *spawner = calloc(1, sizeof(*spawner));
    void *stack = mmap(NULL, CHILD_STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (!spawner || stack == MAP_FAILED) {
        free(spawner);
        if (stack != MAP_FAILED) munmap(stack, CHILD_STACK_SIZE);
        int fds[6] = {go[0], go[1], err[0], err[1], started[0], started[1]};
        for (int i = 0; i < 6; i++) close(fds[i]);
        return -ENOMEM;
    }
    spawner->stack = stack;
    spawner->args = (struct child_args){.plan = plan, .go_read = go[0], .err_write = err[1],
                                        .go_write_to_close = go[1], .err_read_to_close = err[0],
                                        .started_write = started[1]};
    spawner->flags = CLONE_VM | CLONE_VFORK | CLONE_PARENT_SETTID | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS |
                     CLONE_NEWIPC | SIGCHLD;
    if (plan->new_net_ns) spawner->flags |= CLONE_NEWNET;
    if (plan->new_user_ns) spawner->flags |= CLONE_NEWUSER;

    /* The spawner starts with every signal blocked, so no daemon handler runs in the child before it resets
     * them (the child inherits the spawner's mask). */
    sigset_t all, saved_mask;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved_mask);
    int created = pthread_create(&spawner->thread, NULL, spawner_main, spawner);
    pthread_sigmask(SIG_SETMASK, &saved_mask, NULL);
    if (created != 0) {
        munmap(stack, CHILD_STACK_SIZE);
        free(spawner);
        int fds[6] = {go[0], go[1], err[0], err[1], started[0], started[1]};
        for (int i = 0; i < 6; i++) close(fds[i]);
        return -created;
    }
    char byte = 0;
    ssize_t got;
    do {
        got = read(started[0], &byte, 1);
    } while (got < 0 && errno == EINTR);
    close(started[0]);
    /* The child has its own copies now (no CLONE_FILES): drop the parent's ends the child uses. */
    close(go[0]);
    close(err[1]);
    child->go_fd = go[1];
    child->err_fd = err[0];
    child->spawner = spawner;
    if (got != 1) {
        /* clone() failed, or the child died before its first instruction of ours. */
        pthread_join(spawner->thread, NULL);
        int clone_errno = spawner->clone_errno ? spawner->clone_errno : ECHILD;
        if (spawner->pid > 0) waitpid(spawner->pid, NULL, 0);
        close_if_open(&child->go_fd);
        close_if_open(&child->err_fd);
        munmap(stack, CHILD_STACK_SIZE);
        free(spawner);
        child->spawner = NULL;
        return -clone_errno;
    }
    child->pid = spawner->pid;
    return 0;
}

/* Waits until the spawner's clone() has returned (the child exec'd or exited) and frees its stack. */
static void finish_spawner(struct mlg_child *child) {
    struct spawner *spawner = child->spawner;
    if (!spawner) return;
    pthread_join(spawner->thread, NULL);
    munmap(spawner->stack, CHILD_STACK_SIZE);
    free(spawner);
    child->spawner = NULL;
}

int mlg_release(struct mlg_child *child, struct mlg_failure *failure) {
    char go = 1;
    ssize_t written;
    do {
        written = write(child->go_fd, &go, 1);
    } while (written < 0 && errno == EINTR);
    int write_errno = errno;
    close_if_open(&child->go_fd);
    size_t have = 0;
    while (have < sizeof(*failure)) {
        ssize_t n = read(child->err_fd, (char *)failure + have, sizeof(*failure) - have);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        have += (size_t)n;
    }
    close_if_open(&child->err_fd);
    finish_spawner(child);
    if (have == sizeof(*failure)) return 1;
    if (have == 0 && written == 1) return 0;
    if (written != 1) return -write_errno;
    return -EPROTO;
}

void mlg_abandon(struct mlg_child *child) {
    close_if_open(&child->go_fd);
    close_if_open(&child->err_fd);
    finish_spawner(child);
}

const char *mlg_stage_name(int stage) {
    switch (stage) {
    case MLG_STAGE_SYNC: return "sync";
    case MLG_STAGE_CGROUPNS: return "unshare(CLONE_NEWCGROUP)";
    case MLG_STAGE_HOSTNAME: return "sethostname()";
    case MLG_STAGE_LOOPBACK: return "loopback up";
    case MLG_STAGE_MOUNT_PRIVATE: return "make / private";
    case MLG_STAGE_ROOT_TMPFS: return "root tmpfs";
    case MLG_STAGE_MOUNT: return "mount";
    case MLG_STAGE_PIVOT_ROOT: return "pivot_root()";
    case MLG_STAGE_ROOT_READONLY: return "read-only root";
    case MLG_STAGE_RLIMIT: return "setrlimit()";
    case MLG_STAGE_SETGROUPS: return "setgroups()";
    case MLG_STAGE_SETID: return "setresuid()/setresgid()";
    case MLG_STAGE_CAPBSET: return "drop bounding set";
    case MLG_STAGE_CAPSET: return "capset()";
    case MLG_STAGE_AMBIENT: return "ambient capabilities";
    case MLG_STAGE_FDS: return "file descriptors";
    case MLG_STAGE_EXEC_INIT: return "execveat(mlgym-init)";
    default: return "unknown stage";
    }
}
