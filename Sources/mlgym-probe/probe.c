/*
 * mlgym-probe: looks at a sandbox from inside and prints what it sees, one `key=value` line per fact.
 *
 * The tests run it inside sandboxes to check each security property. It only asks (access(2), open for
 * reading, system calls with arguments that do nothing harmful); it never writes to test writability, and it
 * refuses to run as root, so a probe that runs unconfined by mistake harms nothing.
 *
 * Verbs:
 *   status              identity, capabilities, NoNewPrivs, seccomp mode, pid, ppid, hostname
 *   syscalls            every call of the seccomp deny list, with harmless arguments: name=ERRNO
 *   init                try to signal, trace and read the memory of pid 1
 *   access PATH...      path=exists|missing,r=0/1,w=0/1
 *   open PATH...        open(O_RDONLY) result: path=ok|ERRNO
 *   devices             the entries of /dev
 *   net                 network interfaces and their flags
 *   connect HOST PORT   a TCP connect: connect=ok|ERRNO
 *   pids                the processes visible in /proc and their states
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/sched.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static const char *errno_name(int err) {
    switch (err) {
    case 0: return "ok";
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case ENOSYS: return "ENOSYS";
    case EINVAL: return "EINVAL";
    case EBADF: return "EBADF";
    case EFAULT: return "EFAULT";
    case ENOENT: return "ENOENT";
    case ENXIO: return "ENXIO";
    case ENODEV: return "ENODEV";
    case ESRCH: return "ESRCH";
    case EROFS: return "EROFS";
    case ENOTTY: return "ENOTTY";
    case ECONNREFUSED: return "ECONNREFUSED";
    case ENETUNREACH: return "ENETUNREACH";
    case EHOSTUNREACH: return "EHOSTUNREACH";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case ENOMEM: return "ENOMEM";
    case EBUSY: return "EBUSY";
    case ENOTDIR: return "ENOTDIR";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case ETIMEDOUT: return "ETIMEDOUT";
    default: {
        static char buffer[32];
        snprintf(buffer, sizeof(buffer), "E%d", err);
        return buffer;
    }
    }
}

/* Runs a raw system call and prints its errno (or ok). */
#define TRY(name, call)                                                                                      \
    do {                                                                                                     \
        errno = 0;                                                                                           \
        long result_ = (long)(call);                                                                         \
        printf("%s=%s\n", name, result_ < 0 ? errno_name(errno) : "ok");                                     \
    } while (0)

static void status(void) {
    FILE *file = fopen("/proc/self/status", "r");
    char line[512];
    while (file && fgets(line, sizeof(line), file)) {
        static const char *keys[] = {"Uid:", "Gid:", "Groups:", "CapInh:", "CapPrm:", "CapEff:", "CapBnd:",
                                     "CapAmb:", "NoNewPrivs:", "Seccomp:"};
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
            if (strncmp(line, keys[i], strlen(keys[i])) != 0) continue;
            char *value = line + strlen(keys[i]);
            while (*value == ' ' || *value == '\t') value++;
            value[strcspn(value, "\n")] = '\0';
            for (char *c = value; *c; c++)
                if (*c == '\t') *c = ' ';
            printf("%.*s=%s\n", (int)strlen(keys[i]) - 1, keys[i], value);
        }
    }
    if (file) fclose(file);
    char host[256] = "";
    gethostname(host, sizeof(host));
    printf("hostname=%s\npid=%d\nppid=%d\n", host, getpid(), getppid());
}

static void syscalls(void) {
    TRY("mount", mount("none", "/tmp", "tmpfs", 0, NULL));
    TRY("umount2", umount2("/proc", MNT_DETACH));
    TRY("pivot_root", syscall(SYS_pivot_root, "/tmp", "/tmp"));
    TRY("chroot", chroot("/"));
    TRY("unshare", unshare(CLONE_NEWUSER));
    TRY("setns", syscall(SYS_setns, -1, 0));
    TRY("keyctl", syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0));
    TRY("add_key", syscall(SYS_add_key, "user", "mlgym-probe", "x", 1, -3));
    TRY("request_key", syscall(SYS_request_key, "user", "mlgym-probe", NULL, 0));
    TRY("bpf", syscall(SYS_bpf, 0 /* BPF_MAP_CREATE */, NULL, 0));
    TRY("perf_event_open", syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0));
    long uring_params[15] = {0};
    long uring = syscall(SYS_io_uring_setup, 1, uring_params);
    printf("io_uring_setup=%s\n", uring < 0 ? errno_name(errno) : "ok");
    if (uring >= 0) close((int)uring);
    TRY("kexec_load", syscall(SYS_kexec_load, 0, 0, NULL, 0));
    TRY("init_module", syscall(SYS_init_module, NULL, 0, ""));
    TRY("finit_module", syscall(SYS_finit_module, -1, "", 0));
    TRY("delete_module", syscall(SYS_delete_module, "mlgym_probe_none", 0));
    errno = 0;
    long uffd = syscall(SYS_userfaultfd, 0);
    printf("userfaultfd=%s\n", uffd < 0 ? errno_name(errno) : "ok");
    if (uffd >= 0) close((int)uffd);
    TRY("open_by_handle_at", syscall(SYS_open_by_handle_at, -1, NULL, 0));
    TRY("swapon", syscall(SYS_swapon, "/nonexistent", 0));
    TRY("reboot", syscall(SYS_reboot, 0, 0, 0, NULL));
    TRY("syslog", syscall(SYS_syslog, 10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0));
    TRY("acct", syscall(SYS_acct, NULL));
    TRY("settimeofday", syscall(SYS_settimeofday, NULL, NULL));
    TRY("iopl", syscall(SYS_iopl, 0));
    TRY("ioperm", syscall(SYS_ioperm, 0, 0, 0));
    TRY("fanotify_init", syscall(SYS_fanotify_init, 0, 0));
    TRY("kcmp", syscall(SYS_kcmp, getpid(), getpid(), 0 /* KCMP_FILE */, 0, 0));
    TRY("pidfd_getfd", syscall(SYS_pidfd_getfd, -1, 0, 0));
    TRY("process_madvise", syscall(SYS_process_madvise, -1, NULL, 0, 0, 0));
    errno = 0;
    long child = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
    if (child == 0) _exit(0);
    if (child > 0) waitpid((pid_t)child, NULL, 0);
    printf("clone_newuser=%s\n", child < 0 ? errno_name(errno) : "ok");
    errno = 0;
    long clone3 = syscall(SYS_clone3, NULL, 0);
    printf("clone3=%s\n", clone3 < 0 ? errno_name(errno) : "ok");
    errno = 0;
    int alg = socket(38 /* AF_ALG */, SOCK_SEQPACKET, 0);
    printf("socket_af_alg=%s\n", alg < 0 ? errno_name(errno) : "ok");
    if (alg >= 0) close(alg);
    errno = 0;
    int vsock = socket(40 /* AF_VSOCK */, SOCK_STREAM, 0);
    printf("socket_af_vsock=%s\n", vsock < 0 ? errno_name(errno) : "ok");
    if (vsock >= 0) close(vsock);
    /* TIOCSTI on a descriptor that is not a terminal: ENOTTY without the filter, EPERM with it. */
    char c = 'x';
    TRY("ioctl_tiocsti", ioctl(-1, TIOCSTI, &c));
    TRY("personality", syscall(SYS_personality, 0x0040000 /* ADDR_COMPAT_LAYOUT */));
    /* Ordinary calls keep working. */
    int pipe_fds[2];
    TRY("pipe", pipe(pipe_fds));
    errno = 0;
    pid_t forked = fork();
    if (forked == 0) _exit(0);
    if (forked > 0) waitpid(forked, NULL, 0);
    printf("fork=%s\n", forked < 0 ? errno_name(errno) : "ok");
}

static void probe_init(void) {
    TRY("kill_init_0", kill(1, 0));
    TRY("kill_init_term", kill(1, SIGTERM));
    TRY("ptrace_attach_init", ptrace(PTRACE_ATTACH, 1, NULL, NULL));
    errno = 0;
    int mem = open("/proc/1/mem", O_RDONLY);
    printf("open_init_mem=%s\n", mem < 0 ? errno_name(errno) : "ok");
    if (mem >= 0) close(mem);
    char buffer[16];
    struct iovec local = {.iov_base = buffer, .iov_len = sizeof(buffer)};
    struct iovec remote = {.iov_base = (void *)0x400000, .iov_len = sizeof(buffer)};
    TRY("process_vm_readv_init", syscall(SYS_process_vm_readv, 1, &local, 1, &remote, 1, 0));
    errno = 0;
    int environ_fd = open("/proc/1/environ", O_RDONLY);
    printf("open_init_environ=%s\n", environ_fd < 0 ? errno_name(errno) : "ok");
    if (environ_fd >= 0) close(environ_fd);
}

static void probe_access(int argc, char **argv) {
    for (int i = 0; i < argc; i++) {
        struct stat info;
        int exists = lstat(argv[i], &info) == 0;
        printf("%s=%s,r=%d,w=%d\n", argv[i], exists ? "exists" : "missing", access(argv[i], R_OK) == 0,
               access(argv[i], W_OK) == 0);
    }
}

static void probe_open(int argc, char **argv) {
    for (int i = 0; i < argc; i++) {
        errno = 0;
        int fd = open(argv[i], O_RDONLY | O_NONBLOCK);
        printf("%s=%s\n", argv[i], fd < 0 ? errno_name(errno) : "ok");
        if (fd >= 0) close(fd);
    }
}

static void devices(void) {
    DIR *dir = opendir("/dev");
    struct dirent *entry;
    while (dir && (entry = readdir(dir)))
        if (entry->d_name[0] != '.') printf("dev=%s\n", entry->d_name);
    if (dir) closedir(dir);
}

static void net(void) {
    struct if_nameindex *interfaces = if_nameindex();
    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    for (struct if_nameindex *i = interfaces; i && i->if_index; i++) {
        struct ifreq request;
        memset(&request, 0, sizeof(request));
        strncpy(request.ifr_name, i->if_name, IFNAMSIZ - 1);
        int up = sock >= 0 && ioctl(sock, SIOCGIFFLAGS, &request) == 0 && (request.ifr_flags & IFF_UP);
        printf("interface=%s,up=%d\n", i->if_name, up);
    }
    if (interfaces) if_freenameindex(interfaces);
    if (sock >= 0) close(sock);
}

static void probe_connect(const char *host, const char *port) {
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};
    if (inet_pton(AF_INET, host, &address.sin_addr) != 1) {
        printf("connect=EINVAL\n");
        return;
    }
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    errno = 0;
    int rc = connect(sock, (struct sockaddr *)&address, sizeof(address));
    printf("connect=%s\n", rc < 0 ? errno_name(errno) : "ok");
    close(sock);
}

static void pids(void) {
    DIR *dir = opendir("/proc");
    struct dirent *entry;
    while (dir && (entry = readdir(dir))) {
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
        char path[300], line[512] = "";
        snprintf(path, sizeof(path), "/proc/%s/stat", entry->d_name);
        FILE *file = fopen(path, "r");
        if (!file) continue;
        if (fgets(line, sizeof(line), file)) {
            char *close_paren = strrchr(line, ')');
            char *open_paren = strchr(line, '(');
            if (close_paren && open_paren && close_paren[1] == ' ')
                printf("process=%s,%.*s,%c\n", entry->d_name, (int)(close_paren - open_paren - 1), open_paren + 1,
                       close_paren[2]);
        }
        fclose(file);
    }
    if (dir) closedir(dir);
}

int main(int argc, char **argv) {
    if (getuid() == 0 || geteuid() == 0) {
        fprintf(stderr, "mlgym-probe: refusing to run as root: it is meant to look at a sandbox from inside\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) {
        fprintf(stderr, "usage: mlgym-probe status|syscalls|init|access PATH...|open PATH...|devices|net|connect HOST PORT|pids\n");
        return 64;
    }
    const char *verb = argv[1];
    if (strcmp(verb, "status") == 0) status();
    else if (strcmp(verb, "syscalls") == 0) syscalls();
    else if (strcmp(verb, "init") == 0) probe_init();
    else if (strcmp(verb, "access") == 0) probe_access(argc - 2, argv + 2);
    else if (strcmp(verb, "open") == 0) probe_open(argc - 2, argv + 2);
    else if (strcmp(verb, "devices") == 0) devices();
    else if (strcmp(verb, "net") == 0) net();
    else if (strcmp(verb, "connect") == 0 && argc == 4) probe_connect(argv[2], argv[3]);
    else if (strcmp(verb, "pids") == 0) pids();
    else {
        fprintf(stderr, "mlgym-probe: unknown verb %s\n", verb);
        return 64;
    }
    return 0;
}
