/*
 * An idmapped mount of a volume (Linux 5.12+): the files its image holds as one agent's ids are seen, and
 * written, as another's, with nothing rewritten on disk. A fork mounts a reflink of its parent's volume image
 * this way instead of walking every file to change its owner.
 *
 * The mapping swaps the two ids and leaves every other id as it is (a bijection, as the kernel requires of a
 * user namespace's map): on-disk `from` appears as `to`, and `to` (which the parent's files never hold) as
 * `from`. The user namespace that carries it belongs to a child that only waits until its maps are written.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "mlgym_sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* "inside outside count" lines: identity below, the swap, identity between and above. */
static int swap_map(char *out, size_t size, unsigned from, unsigned to) {
    unsigned low = from < to ? from : to, high = from < to ? to : from;
    const unsigned top = 4294967295u; /* (uid_t)-1 is never mapped */
    int n = 0;
    if (low > 0) n += snprintf(out + n, size - (size_t)n, "0 0 %u\n", low);
    n += snprintf(out + n, size - (size_t)n, "%u %u 1\n", low, high);
    if (high - low > 1) n += snprintf(out + n, size - (size_t)n, "%u %u %u\n", low + 1, low + 1, high - low - 1);
    n += snprintf(out + n, size - (size_t)n, "%u %u 1\n", high, low);
    if (top - high > 1) n += snprintf(out + n, size - (size_t)n, "%u %u %u\n", high + 1, high + 1, top - high - 1);
    return n;
}

static int write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    ssize_t length = (ssize_t)strlen(text);
    int result = write(fd, text, (size_t)length) == length ? 0 : -errno;
    close(fd);
    return result;
}

/* A descriptor of a new user namespace mapped as `swap_map` says for uids and gids, or -errno. */
static int mapped_user_namespace(unsigned from_uid, unsigned to_uid, unsigned from_gid, unsigned to_gid) {
    int gate[2];
    if (pipe2(gate, O_CLOEXEC) != 0) return -errno;
    pid_t child = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
    if (child < 0) {
        int error = errno;
        close(gate[0]);
        close(gate[1]);
        return -error;
    }
    if (child == 0) {
        /* Only async-signal-safe calls here: the parent is multithreaded. Wait for the parent to hang up. */
        char byte;
        close(gate[1]);
        while (read(gate[0], &byte, 1) < 0 && errno == EINTR) {}
        _exit(0);
    }
    close(gate[0]);
    char path[64], map[256];
    int result = 0;
    swap_map(map, sizeof(map), from_uid, to_uid);
    snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)child);
    result = write_file(path, map);
    if (result == 0) {
        swap_map(map, sizeof(map), from_gid, to_gid);
        snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)child);
        result = write_file(path, map);
    }
    int namespace_fd = -1;
    if (result == 0) {
        snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)child);
        namespace_fd = open(path, O_RDONLY | O_CLOEXEC);
        if (namespace_fd < 0) result = -errno;
    }
    close(gate[1]);
    int status;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    return result == 0 ? namespace_fd : result;
}

int mlg_idmap_mount(const char *mount_point, unsigned from_uid, unsigned to_uid, unsigned from_gid, unsigned to_gid) {
    int namespace_fd = mapped_user_namespace(from_uid, to_uid, from_gid, to_gid);
    if (namespace_fd < 0) return namespace_fd;
    int result = 0;
    int tree = open_tree(AT_FDCWD, mount_point, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (tree < 0) {
        result = -errno;
    } else {
        struct mount_attr attributes;
        memset(&attributes, 0, sizeof(attributes));
        attributes.attr_set = MOUNT_ATTR_IDMAP;
        attributes.userns_fd = (unsigned long long)namespace_fd;
        if (mount_setattr(tree, "", AT_EMPTY_PATH, &attributes, sizeof(attributes)) != 0) {
            result = -errno;
        } else if (umount2(mount_point, MNT_DETACH) != 0) {
            result = -errno;
        } else if (move_mount(tree, "", AT_FDCWD, mount_point, MOVE_MOUNT_F_EMPTY_PATH) != 0) {
            result = -errno;
        }
        close(tree);
    }
    close(namespace_fd);
    return result;
}
