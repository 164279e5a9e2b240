/*
 * A TCP listener made inside a sandbox's network namespace for mlgymd to serve from outside it. A socket stays
 * in the namespace it was created in, whoever holds it afterwards: a short-lived child joins the sandbox's
 * namespaces, binds 127.0.0.1:port there, passes the descriptor back over a socketpair and exits. mlgymd itself
 * never changes namespace, and nothing runs inside the sandbox that the agent could stop.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "mlgym_sandbox.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* In the child: only system calls from here on (the parent may have had other threads at fork). */
static void listen_and_send(int channel, int user_ns, int net_ns, unsigned short port) {
    int error = 0;
    if (user_ns >= 0 && setns(user_ns, CLONE_NEWUSER) != 0) error = errno;
    if (!error && setns(net_ns, CLONE_NEWNET) != 0) error = errno;
    int fd = -1;
    if (!error) {
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) error = errno;
    }
    if (!error) {
        int on = 1;
        struct sockaddr_in address;
        memset(&address, 0, sizeof(address));
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0
            || bind(fd, (struct sockaddr *)&address, sizeof(address)) != 0 || listen(fd, 64) != 0) {
            error = errno;
        }
    }
    if (error) {
        (void)mlg_send_message(channel, &error, sizeof(error), NULL, 0);
        _exit(1);
    }
    (void)mlg_send_message(channel, &error, sizeof(error), &fd, 1);
    _exit(0);
}

int mlg_listen_in_network_of(pid_t pid, int join_user_ns, unsigned short port) {
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
    int net_ns = open(path, O_RDONLY | O_CLOEXEC);
    if (net_ns < 0) return -errno;
    int user_ns = -1;
    if (join_user_ns) {
        snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
        user_ns = open(path, O_RDONLY | O_CLOEXEC);
        if (user_ns < 0) {
            int error = errno;
            close(net_ns);
            return -error;
        }
    }
    int channel[2];
    if (mlg_socketpair_seqpacket(channel) != 0) {
        int error = errno;
        close(net_ns);
        if (user_ns >= 0) close(user_ns);
        return -error;
    }
    pid_t child = fork();
    if (child == 0) {
        close(channel[0]);
        listen_and_send(channel[1], user_ns, net_ns, port);
    }
    int fork_error = child < 0 ? errno : 0;
    close(channel[1]);
    close(net_ns);
    if (user_ns >= 0) close(user_ns);
    if (child < 0) {
        close(channel[0]);
        return -fork_error;
    }
    int error = 0, fd = -1, received = 0;
    ssize_t got = mlg_recv_message(channel[0], &error, sizeof(error), &fd, 1, &received);
    close(channel[0]);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    if (got != (ssize_t)sizeof(error)) return -EPROTO;
    if (error != 0) {
        if (received > 0) close(fd);
        return -error;
    }
    return received > 0 ? fd : -EPROTO;
}
