/*
 * Wrappers for what Swift's Glibc module does not import: functions behind _GNU_SOURCE, function-like macros
 * (the W* wait-status macros, CMSG_*), and terminal ioctls.
 */
#include "mlgym_sandbox.h"
#include "mlgym_events.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

int mlg_socketpair_seqpacket(int fds[2]) {
    return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) == 0 ? 0 : -errno;
}

#define MAX_FDS 8

ssize_t mlg_send_message(int fd, const void *buf, size_t len, const int *fds, int n_fds) {
    struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
    struct msghdr msg;
    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    char control[CMSG_SPACE(sizeof(int) * MAX_FDS)];
    if (n_fds > 0) {
        if (n_fds > MAX_FDS) return -EINVAL;
        memset(control, 0, sizeof(control));
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n_fds);
        struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n_fds);
        memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * (size_t)n_fds);
    }
    ssize_t n;
    do {
        n = sendmsg(fd, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : n;
}

static ssize_t receive_message(int fd, void *buf, size_t len, int *fds, int max_fds, int *n_fds, int flags);

ssize_t mlg_recv_message(int fd, void *buf, size_t len, int *fds, int max_fds, int *n_fds) {
    return receive_message(fd, buf, len, fds, max_fds, n_fds, 0);
}

ssize_t mlg_recv_message_nowait(int fd, void *buf, size_t len, int *fds, int max_fds, int *n_fds) {
    return receive_message(fd, buf, len, fds, max_fds, n_fds, MSG_DONTWAIT);
}

static ssize_t receive_message(int fd, void *buf, size_t len, int *fds, int max_fds, int *n_fds, int flags) {
    struct iovec iov = {.iov_base = buf, .iov_len = len};
    struct msghdr msg;
    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    char control[CMSG_SPACE(sizeof(int) * MAX_FDS)];
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    ssize_t n;
    do {
        n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC | flags);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    *n_fds = 0;
    for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
        if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS) continue;
        int count = (int)((cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        int *received = (int *)CMSG_DATA(cmsg);
        for (int i = 0; i < count; i++) {
            if (*n_fds < max_fds) fds[(*n_fds)++] = received[i];
            else close(received[i]);
        }
    }
    if (msg.msg_flags & MSG_TRUNC) return -EMSGSIZE;
    return n;
}

int mlg_wait_status_exit_code(int status) { return WEXITSTATUS(status); }
int mlg_wait_status_signaled(int status) { return WIFSIGNALED(status); }
int mlg_wait_status_signal(int status) { return WTERMSIG(status); }

int mlg_open_path_cloexec(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int mlg_set_winsize(int fd, unsigned short rows, unsigned short cols) {
    struct winsize size = {.ws_row = rows, .ws_col = cols};
    return ioctl(fd, TIOCSWINSZ, &size) == 0 ? 0 : -errno;
}

pid_t mlg_foreground_pgrp(int fd) {
    pid_t pgrp = 0;
    return ioctl(fd, TIOCGPGRP, &pgrp) == 0 ? pgrp : -errno;
}

int mlg_spawn_actions_close_from(void *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np((posix_spawn_file_actions_t *)actions, lowest);
}

int mlg_spawnattr_default_signals(void *attributes) {
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_t *attr = (posix_spawnattr_t *)attributes;
    int result = posix_spawnattr_setsigmask(attr, &none);
    if (result == 0) result = posix_spawnattr_setsigdefault(attr, &all);
    if (result == 0) result = posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    return result;
}

int mlg_open_directory_as(const char *path, unsigned int uid, unsigned int gid) {
    /* The raw syscalls change only this thread's fsuid/fsgid (glibc's wrappers would too, but say so less). */
    long old_gid = syscall(SYS_setfsgid, gid);
    long old_uid = syscall(SYS_setfsuid, uid);
    int fd = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int error = errno;
    syscall(SYS_setfsuid, old_uid);
    syscall(SYS_setfsgid, old_gid);
    return fd >= 0 ? fd : -error;
}

long long mlg_filesystem_magic(int fd) {
    struct statfs info;
    if (fstatfs(fd, &info) != 0) return -errno;
    return (long long)(unsigned int)info.f_type;
}

int mlg_heap_trim(void) { return malloc_trim(0); }

int mlg_heap_limit_arenas(int arenas) { return mallopt(M_ARENA_MAX, arenas); }

const char *mlg_errno_name(int code) { return strerrorname_np(code); }
