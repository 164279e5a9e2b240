// Small system-call wrappers the cgroup layer needs and Swift's Glibc module does not export
// (<sys/eventfd.h>, <sys/vfs.h>). See mlgym_cgroup.h.
#include "mlgym_cgroup.h"

#include <errno.h>
#include <sys/eventfd.h>
#include <sys/vfs.h>
#include <unistd.h>

long long mlg_cg_fs_magic(const char *path) {
    struct statfs info;
    if (statfs(path, &info) != 0) {
        return -errno;
    }
    return (long long)(unsigned long)info.f_type;
}

int mlg_cg_eventfd(void) {
    int fd = eventfd(0, EFD_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int mlg_cg_eventfd_read(int fd, uint64_t *value) {
    for (;;) {
        ssize_t n = read(fd, value, sizeof(*value));
        if (n == (ssize_t)sizeof(*value)) {
            return 0;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        return n < 0 ? -errno : -EIO;
    }
}

int mlg_cg_eventfd_write(int fd, uint64_t value) {
    for (;;) {
        ssize_t n = write(fd, &value, sizeof(value));
        if (n == (ssize_t)sizeof(value)) {
            return 0;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        return n < 0 ? -errno : -EIO;
    }
}
