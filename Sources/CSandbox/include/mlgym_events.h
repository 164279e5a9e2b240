// C helpers for the event supervisor (Sources/MLGymSandbox/Events).
//
// Why these are in C: `struct epoll_event` is packed on x86_64, which Swift imports poorly, and Swift's Glibc
// module exports neither <sys/timerfd.h> nor pidfd_open(2). Every function returns -errno on failure.
#pragma once

#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Readiness bits, the values of EPOLLIN, EPOLLOUT, EPOLLERR and EPOLLHUP.
#define MLG_EV_READABLE 0x001u
#define MLG_EV_WRITABLE 0x004u
#define MLG_EV_ERROR 0x008u
#define MLG_EV_HANGUP 0x010u

/// A close-on-exec epoll instance, or -errno.
int mlg_epoll_create(void);

/// Watches `fd` for `events` (level-triggered), reporting `token` with each readiness; 0 or -errno.
int mlg_epoll_add(int epfd, int fd, uint32_t events, uint64_t token);

/// Changes what `fd` is watched for (0: nothing but hang-ups and errors); 0 or -errno.
int mlg_epoll_modify(int epfd, int fd, uint32_t events, uint64_t token);

/// Stops watching `fd`; 0 or -errno.
int mlg_epoll_remove(int epfd, int fd);

/// Waits up to `timeout_ms` (-1: for ever) and fills `tokens` and `events` with up to `max` ready entries;
/// returns how many, or -errno (-EINTR included, for the caller to retry).
int mlg_epoll_wait(int epfd, uint64_t *tokens, uint32_t *events, int max, int timeout_ms);

/// A close-on-exec, non-blocking monotonic timerfd, or -errno.
int mlg_timerfd_create(void);

/// Arms the timer to fire after `first_ns`, then every `interval_ns` (0: once); `first_ns` 0 disarms it.
int mlg_timerfd_arm(int fd, uint64_t first_ns, uint64_t interval_ns);

/// A close-on-exec pidfd for `pid` (readable once the process has exited), or -errno (-ENOSYS before 5.3).
int mlg_pidfd_open(pid_t pid);

/// `mlg_recv_message` without waiting: -EAGAIN when no message is queued.
ssize_t mlg_recv_message_nowait(int fd, void *buf, size_t len, int *fds, int max_fds, int *n_fds);

#ifdef __cplusplus
}
#endif
