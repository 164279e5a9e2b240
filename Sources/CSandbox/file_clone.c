/*
 * What snapshots need of the kernel's file systems, as single calls: a reflink (FICLONE: the new file shares the
 * old one's blocks until either is written), a kernel-side copy for file systems without reflinks
 * (copy_file_range, no bytes through user space), and freezing a mounted file system (FIFREEZE flushes it and
 * blocks every writer until FITHAW), so that an image file under it is consistent while it is cloned.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "mlgym_sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <unistd.h>

int mlg_file_clone(int destination_fd, int source_fd) {
    return ioctl(destination_fd, FICLONE, source_fd) == 0 ? 0 : -errno;
}

int mlg_file_copy(int destination_fd, int source_fd, unsigned long long length) {
    loff_t in = 0, out = 0;
    int ranges = 1;
    while (length > 0) {
        ssize_t copied;
        if (ranges) {
            copied = copy_file_range(source_fd, &in, destination_fd, &out, length, 0);
            if (copied < 0 && (errno == EXDEV || errno == EINVAL || errno == EOPNOTSUPP || errno == ENOSYS)) {
                /* Across file systems of different kinds (Linux 5.19+ refuses those): sendfile, still in the kernel. */
                ranges = 0;
                continue;
            }
        } else {
            if (lseek(destination_fd, out, SEEK_SET) < 0) return -errno;
            copied = sendfile(destination_fd, source_fd, &in, length > (1ULL << 30) ? (1ULL << 30) : length);
            if (copied > 0) out += copied;
        }
        if (copied < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        if (copied == 0) break; /* the source is shorter than it was: copy what there is */
        length -= (unsigned long long)copied;
    }
    return 0;
}

int mlg_fs_freeze(int directory_fd) {
    return ioctl(directory_fd, FIFREEZE, 0) == 0 ? 0 : -errno;
}

int mlg_fs_thaw(int directory_fd) {
    return ioctl(directory_fd, FITHAW, 0) == 0 ? 0 : -errno;
}

#include <linux/openat2.h>
#include <string.h>
#include <sys/syscall.h>

int mlg_open_beneath(int directory_fd, const char *path, int flags, unsigned int mode) {
    struct open_how how;
    memset(&how, 0, sizeof(how));
    how.flags = (unsigned long long)(flags | O_CLOEXEC);
    how.mode = (flags & O_CREAT) ? mode : 0;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
    long fd = syscall(SYS_openat2, directory_fd, path, &how, sizeof(how));
    return fd >= 0 ? (int)fd : -errno;
}

int mlg_syncfs(int fd) {
    return syncfs(fd) == 0 ? 0 : -errno;
}
