/*
 * Loop-mounts a volume image with system calls, as `mount -o loop` does but without starting a process: a free
 * loop device from /dev/loop-control, bound to the image with LOOP_CONFIGURE (one call: file, autoclear, direct
 * I/O off) where the kernel has it (5.8), LOOP_SET_FD + LOOP_SET_STATUS64 otherwise, then mount(2) of ext4.
 * Autoclear makes the device go away with the last unmount, as `mount -o loop` arranges.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "mlgym_sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <unistd.h>

#ifndef LOOP_CONFIGURE
#define LOOP_CONFIGURE 0x4C0A
#endif

/* Binds `image_fd` to a free loop device; returns the device's open descriptor, or -errno. */
static int attach_loop(int image_fd) {
    int control = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
    if (control < 0) return -errno;
    int result = -EBUSY;
    /* Another process may take the free device between asking and binding: ask again. */
    for (int attempt = 0; attempt < 64; attempt++) {
        int number = ioctl(control, LOOP_CTL_GET_FREE);
        if (number < 0) { result = -errno; break; }
        char path[64];
        snprintf(path, sizeof(path), "/dev/loop%d", number);
        int device = open(path, O_RDWR | O_CLOEXEC);
        if (device < 0) { result = -errno; if (errno == ENOENT) continue; break; }
        struct loop_config config;
        memset(&config, 0, sizeof(config));
        config.fd = (unsigned int)image_fd;
        config.info.lo_flags = LO_FLAGS_AUTOCLEAR;
        if (ioctl(device, LOOP_CONFIGURE, &config) == 0) { result = device; break; }
        int error = errno;
        if (error == EINVAL || error == ENOTTY) {
            /* Before 5.8: the two-step way. */
            struct loop_info64 info;
            memset(&info, 0, sizeof(info));
            info.lo_flags = LO_FLAGS_AUTOCLEAR;
            if (ioctl(device, LOOP_SET_FD, image_fd) == 0) {
                if (ioctl(device, LOOP_SET_STATUS64, &info) == 0) { result = device; break; }
                error = errno;
                ioctl(device, LOOP_CLR_FD, 0);
            } else {
                error = errno;
            }
        }
        close(device);
        if (error != EBUSY) { result = -error; break; }
    }
    close(control);
    return result;
}

int mlg_loop_mount(const char *image, const char *mount_point, unsigned long flags) {
    int image_fd = open(image, O_RDWR | O_CLOEXEC);
    if (image_fd < 0) return -errno;
    int device = attach_loop(image_fd);
    close(image_fd);
    if (device < 0) return device;
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", device);
    char target[64];
    ssize_t length = readlink(path, target, sizeof(target) - 1);
    int result = 0;
    if (length <= 0) {
        result = -errno;
    } else {
        target[length] = '\0';
        if (mount(target, mount_point, "ext4", flags, NULL) != 0) result = -errno;
    }
    /* The mount holds the device now (or, on failure, autoclear frees it when this last descriptor closes). */
    close(device);
    return result;
}
