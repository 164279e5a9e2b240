/*
 * mlgym-init: pid 1 of every mlgym sandbox.
 *
 * It reaps every process of the sandbox, starts agent processes when mlgymd asks (over the socket on fd 3),
 * and reports their exits. It is a separate static program, not a clone of the daemon, so the daemon's memory
 * (API keys, other sessions) never exists inside a sandbox.
 *
 * It runs with a uid the agent does not have (root when mlgymd is root) and is not dumpable, so the agent can
 * neither signal it, trace it nor read its memory. It keeps only CAP_SETUID, CAP_SETGID, CAP_SETPCAP and
 * CAP_KILL; every agent process drops all capabilities, sets NoNewPrivs and loads the seccomp filter from fd 4
 * before exec.
 *
 * When the socket reports EOF, mlgymd is gone: init exits and the kernel kills the whole pid namespace, so a
 * sandbox never outlives its controller, whatever killed it.
 */
#include "mlgym_init_protocol.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static struct sock_fprog filter;  /* the agent's seccomp program; len 0 = none */
static char message[MLG_INIT_MAX_MESSAGE];

struct child {
    pid_t pid;
    uint32_t id;
};
static struct child *children;
static size_t n_children, cap_children;

static void log_line(const char *text) {
    ssize_t ignored = write(2, text, strlen(text));
    (void)ignored;
}

static int send_reply(uint32_t type, uint32_t id, int32_t a, int32_t b, int fd) {
    struct mlg_msg header = {.type = type, .id = id, .a = a, .b = b, .len = 0};
    struct iovec iov = {.iov_base = &header, .iov_len = sizeof(header)};
    struct msghdr msg;
    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    char control[CMSG_SPACE(sizeof(int))];
    if (fd >= 0) {
        memset(control, 0, sizeof(control));
        msg.msg_control = control;
        msg.msg_controllen = sizeof(control);
        struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    }
    ssize_t n;
    do {
        n = sendmsg(MLG_INIT_CONTROL_FD, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n < 0 ? -1 : 0;
}

static void load_filter(void) {
    struct stat info;
    if (fstat(MLG_INIT_SECCOMP_FD, &info) != 0) return; /* no filter was given */
    size_t size = (size_t)info.st_size;
    if (size == 0 || size % sizeof(struct sock_filter) != 0) {
        log_line("mlgym-init: seccomp program on fd 4 has a bad size; refusing to start agents without it\n");
        exit(70);
    }
    struct sock_filter *program = malloc(size);
    if (!program || pread(MLG_INIT_SECCOMP_FD, program, size, 0) != (ssize_t)size) {
        log_line("mlgym-init: cannot read the seccomp program on fd 4\n");
        exit(70);
    }
    filter.len = (unsigned short)(size / sizeof(struct sock_filter));
    filter.filter = program;
    close(MLG_INIT_SECCOMP_FD);
}

static void remember(pid_t pid, uint32_t id) {
    if (n_children == cap_children) {
        size_t wanted = cap_children ? cap_children * 2 : 64;
        struct child *grown = realloc(children, wanted * sizeof(*grown));
        if (!grown) return; /* the exit is then not reported; the process is still reaped */
        children = grown;
        cap_children = wanted;
    }
    children[n_children++] = (struct child){.pid = pid, .id = id};
}

static int forget(pid_t pid, uint32_t *id) {
    for (size_t i = 0; i < n_children; i++) {
        if (children[i].pid != pid) continue;
        *id = children[i].id;
        children[i] = children[--n_children];
        return 1;
    }
    return 0;
}

struct failure {
    int32_t stage;
    int32_t err;
};

static void child_fail(int pipe_fd, int stage) {
    struct failure f = {.stage = stage, .err = errno};
    ssize_t ignored = write(pipe_fd, &f, sizeof(f));
    (void)ignored;
    _exit(127);
}

static int capset_zero(void) {
    struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof(data));
    return (int)syscall(SYS_capset, &header, data);
}

/* execvpe() without allocation: search PATH from the child's own environment. */
static void exec_search(char **argv, char **envp) {
    const char *file = argv[0];
    if (strchr(file, '/')) {
        execve(file, argv, envp);
        return;
    }
    const char *path = "/usr/local/bin:/usr/bin:/bin";
    for (char **e = envp; *e; e++)
        if (strncmp(*e, "PATH=", 5) == 0) path = *e + 5;
    char candidate[4096];
    int saved = ENOENT;
    while (*path) {
        const char *end = strchrnul(path, ':');
        size_t dir_len = (size_t)(end - path), file_len = strlen(file);
        if (dir_len + file_len + 2 <= sizeof(candidate)) {
            memcpy(candidate, path, dir_len);
            candidate[dir_len] = '/';
            memcpy(candidate + dir_len + 1, file, file_len + 1);
            execve(candidate, argv, envp);
            if (errno != ENOENT && errno != ENOTDIR) saved = errno;
        }
        path = *end ? end + 1 : end;
    }
    errno = saved;
}

/* In the forked child: become the agent, fully confined, then exec. Only syscalls from here on. */
static void become_agent(const struct mlg_spawn *spec, const uint32_t *groups, const char *cwd, char **argv,
                         char **envp, const int *stdio, const char *pty_slave, int pipe_fd) {
    sigset_t empty;
    sigemptyset(&empty);
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
    sigprocmask(SIG_SETMASK, &empty, NULL);
    if (setsid() < 0) child_fail(pipe_fd, MLG_SPAWN_STAGE_STDIO);
    if (!pty_slave) {
        for (int i = 0; i < 3; i++)
            if (dup2(stdio[i], i) < 0) child_fail(pipe_fd, MLG_SPAWN_STAGE_STDIO);
        for (int i = 0; i < 3; i++)
            if (stdio[i] > 2) close(stdio[i]);
    }
    /* Everything else closes at exec; the failure pipe too, which tells init the exec worked. */
    syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
    for (int cap = 0; cap < 64; cap++)
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) child_fail(pipe_fd, MLG_SPAWN_STAGE_CAPBSET);
    if (syscall(SYS_setgroups, spec->n_groups, groups) != 0 && !(errno == EPERM && spec->n_groups == 0))
        child_fail(pipe_fd, MLG_SPAWN_STAGE_SETGROUPS);
    if (syscall(SYS_setresgid, spec->gid, spec->gid, spec->gid) != 0) child_fail(pipe_fd, MLG_SPAWN_STAGE_SETGID);
    if (syscall(SYS_setresuid, spec->uid, spec->uid, spec->uid) != 0) child_fail(pipe_fd, MLG_SPAWN_STAGE_SETUID);
    /* The terminal's slave belongs to the agent (devpts uid=), and init holds no CAP_DAC_OVERRIDE: open it as
     * the agent. It becomes the controlling terminal of the new session. */
    if (pty_slave) {
        int slave = open(pty_slave, O_RDWR);
        if (slave < 0 || ioctl(slave, TIOCSCTTY, 0) != 0) child_fail(pipe_fd, MLG_SPAWN_STAGE_PTY);
        if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0) child_fail(pipe_fd, MLG_SPAWN_STAGE_STDIO);
        if (slave > 2) close(slave);
    }
    if (chdir(cwd) != 0) child_fail(pipe_fd, MLG_SPAWN_STAGE_CHDIR);
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 || capset_zero() != 0)
        child_fail(pipe_fd, MLG_SPAWN_STAGE_CAPS);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) child_fail(pipe_fd, MLG_SPAWN_STAGE_NO_NEW_PRIVS);
    if (filter.len && syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &filter) != 0)
        child_fail(pipe_fd, MLG_SPAWN_STAGE_SECCOMP);
    exec_search(argv, envp);
    child_fail(pipe_fd, MLG_SPAWN_STAGE_EXEC);
}

/* Splits `count` NUL-terminated strings starting at *cursor into a NULL-terminated vector. */
static char **split_strings(char **cursor, const char *end, uint32_t count) {
    char **vector = calloc((size_t)count + 1, sizeof(char *));
    if (!vector) return NULL;
    for (uint32_t i = 0; i < count; i++) {
        char *s = *cursor;
        char *nul = memchr(s, '\0', (size_t)(end - s));
        if (s >= end || !nul) {
            free(vector);
            return NULL;
        }
        vector[i] = s;
        *cursor = nul + 1;
    }
    return vector;
}

static int open_pty(uint16_t rows, uint16_t cols, char *slave_path, size_t capacity) {
    int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) return -1;
    int unlock = 0, number = 0;
    if (ioctl(master, TIOCSPTLCK, &unlock) != 0 || ioctl(master, TIOCGPTN, &number) != 0) {
        close(master);
        return -1;
    }
    snprintf(slave_path, capacity, "/dev/pts/%d", number);
    struct winsize size = {.ws_row = rows ? rows : 24, .ws_col = cols ? cols : 80};
    ioctl(master, TIOCSWINSZ, &size);
    return master;
}

static void handle_spawn(const struct mlg_msg *header, char *payload, const int *fds, int n_fds) {
    const char *end = payload + header->len;
    struct mlg_spawn spec;
    int stdio[3] = {-1, -1, -1};
    char **argv = NULL, **envp = NULL;
    int master = -1;
    char slave_path[64];
    if (header->len < sizeof(spec)) goto protocol_error;
    memcpy(&spec, payload, sizeof(spec));
    char *cursor = payload + sizeof(spec);
    if (spec.n_groups > 64 || (size_t)(end - cursor) < spec.n_groups * sizeof(uint32_t)) goto protocol_error;
    uint32_t groups[64];
    memcpy(groups, cursor, spec.n_groups * sizeof(uint32_t));
    cursor += spec.n_groups * sizeof(uint32_t);
    char **cwd_vector = split_strings(&cursor, end, 1);
    if (!cwd_vector) goto protocol_error;
    char *cwd = cwd_vector[0];
    free(cwd_vector);
    if (spec.n_argv == 0 || !(argv = split_strings(&cursor, end, spec.n_argv)) ||
        !(envp = split_strings(&cursor, end, spec.n_env)))
        goto protocol_error;
    int use_pty = spec.flags & MLG_SPAWN_PTY;
    if (!use_pty) {
        if (n_fds != 3) goto protocol_error;
        memcpy(stdio, fds, sizeof(stdio));
    } else if ((master = open_pty(spec.rows, spec.cols, slave_path, sizeof(slave_path))) < 0) {
        send_reply(MLG_MSG_FAILED, header->id, MLG_SPAWN_STAGE_PTY, errno, -1);
        goto done;
    }

    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) {
        send_reply(MLG_MSG_FAILED, header->id, MLG_SPAWN_STAGE_FORK, errno, -1);
        goto done;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(report[0]);
        become_agent(&spec, groups, cwd, argv, envp, stdio, use_pty ? slave_path : NULL, report[1]);
    }
    int fork_errno = errno;
    close(report[1]);
    if (pid < 0) {
        close(report[0]);
        send_reply(MLG_MSG_FAILED, header->id, MLG_SPAWN_STAGE_FORK, fork_errno, -1);
        goto done;
    }
    struct failure failure;
    ssize_t got;
    do {
        got = read(report[0], &failure, sizeof(failure));
    } while (got < 0 && errno == EINTR);
    close(report[0]);
    if (got == (ssize_t)sizeof(failure)) {
        waitpid(pid, NULL, 0);
        send_reply(MLG_MSG_FAILED, header->id, failure.stage, failure.err, -1);
        goto done;
    }
    remember(pid, header->id);
    send_reply(MLG_MSG_SPAWNED, header->id, pid, 0, master);
    goto done;

protocol_error:
    send_reply(MLG_MSG_FAILED, header->id, MLG_SPAWN_STAGE_PROTOCOL, EINVAL, -1);
done:
    free(argv);
    free(envp);
    if (master >= 0) close(master);
    for (int i = 0; i < n_fds; i++) close(fds[i]);
}

/* Returns 0 to go on, -1 when the daemon is gone. */
static int handle_control(void) {
    int fds[8], n_fds = 0;
    struct iovec iov = {.iov_base = message, .iov_len = sizeof(message)};
    struct msghdr msg;
    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    char control[CMSG_SPACE(sizeof(fds))];
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    ssize_t n = recvmsg(MLG_INIT_CONTROL_FD, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 0;
    if (n <= 0) return -1;
    for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
        if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS) continue;
        int count = (int)((cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (int i = 0; i < count && n_fds < 8; i++) memcpy(&fds[n_fds++], CMSG_DATA(cmsg) + i * sizeof(int), sizeof(int));
    }
    struct mlg_msg header;
    if ((size_t)n < sizeof(header)) goto drop;
    memcpy(&header, message, sizeof(header));
    if (header.len != (size_t)n - sizeof(header)) goto drop;
    switch (header.type) {
    case MLG_MSG_SPAWN:
        handle_spawn(&header, message + sizeof(header), fds, n_fds);
        return 0;
    case MLG_MSG_SIGNAL:
        /* Only processes of this sandbox exist in this pid namespace; never signal ourselves. */
        if (header.a != 0 && header.a != 1 && header.a != -1) kill(header.a, header.b);
        break;
    default:
        break;
    }
drop:
    for (int i = 0; i < n_fds; i++) close(fds[i]);
    return 0;
}

static void reap(void) {
    for (;;) {
        int status = 0;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid <= 0) return;
        uint32_t id;
        if (forget(pid, &id)) send_reply(MLG_MSG_EXITED, id, pid, status, -1);
    }
}

int main(void) {
    if (getpid() != 1) {
        log_line("mlgym-init: must run as pid 1 of a sandbox; mlgymd starts it\n");
        return 64;
    }
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    load_filter();
    sigset_t handled;
    sigemptyset(&handled);
    sigaddset(&handled, SIGCHLD);
    sigaddset(&handled, SIGTERM);
    sigaddset(&handled, SIGINT);
    sigaddset(&handled, SIGHUP);
    sigprocmask(SIG_BLOCK, &handled, NULL);
    int signals = signalfd(-1, &handled, SFD_CLOEXEC | SFD_NONBLOCK);
    if (signals < 0) {
        log_line("mlgym-init: signalfd failed\n");
        return 71;
    }
    fcntl(MLG_INIT_CONTROL_FD, F_SETFD, FD_CLOEXEC);
    if (send_reply(MLG_MSG_READY, 0, (int32_t)getpid(), 0, -1) != 0) return 0;

    struct pollfd watched[2] = {{.fd = MLG_INIT_CONTROL_FD, .events = POLLIN}, {.fd = signals, .events = POLLIN}};
    for (;;) {
        if (poll(watched, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return 72;
        }
        if (watched[1].revents & POLLIN) {
            struct signalfd_siginfo info;
            while (read(signals, &info, sizeof(info)) == (ssize_t)sizeof(info)) {
                /* Termination from outside (mlgymd stopping the sandbox politely): pass it on to every process. */
                if (info.ssi_signo != SIGCHLD && info.ssi_pid == 0) kill(-1, (int)info.ssi_signo);
            }
            reap();
        }
        if (watched[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            if (handle_control() != 0) return 0; /* mlgymd is gone: exiting kills the whole sandbox */
        }
    }
}
