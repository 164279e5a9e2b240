/*
 * The wire protocol between mlgymd (the parent) and mlgym-init (pid 1 inside a sandbox).
 *
 * Why a private binary protocol: mlgym-init is a tiny static C program that must not parse JSON or allocate much;
 * the socket is a SOCK_SEQPACKET socketpair created before clone(), so every message arrives whole and file
 * descriptors (stdio pipes, the PTY master) travel with it as SCM_RIGHTS. The socket is mlgym-init's only link
 * to the outside: when mlgymd goes away, mlgym-init sees EOF and exits, and the kernel kills the whole pid
 * namespace with it, so a sandbox never outlives its controller.
 *
 * Every message is a struct mlg_msg header followed by `len` payload bytes.
 */
#pragma once
#include <stdint.h>

#define MLG_INIT_CONTROL_FD 3 /* the socket, in mlgym-init */
#define MLG_INIT_SECCOMP_FD 4 /* a sealed memfd holding the struct sock_filter array, or absent */
#define MLG_INIT_MAX_MESSAGE (128 * 1024)

enum mlg_msg_type {
    /* init -> daemon */
    MLG_MSG_READY = 1,    /* a = init's pid as seen by itself (1) */
    MLG_MSG_SPAWNED = 2,  /* id = request id, a = pid in the sandbox; SCM_RIGHTS: PTY master when asked */
    MLG_MSG_FAILED = 3,   /* id = request id, a = stage (enum mlg_spawn_stage), b = errno */
    MLG_MSG_EXITED = 4,   /* id = request id of the process, a = pid, b = wait status */
    /* daemon -> init */
    MLG_MSG_SPAWN = 10,   /* id = request id; payload: struct mlg_spawn + strings; SCM_RIGHTS: stdin, stdout, stderr unless PTY */
    MLG_MSG_SIGNAL = 11,  /* a = pid (negative: process group), b = signal number; no reply */
};

struct mlg_msg {
    uint32_t type;
    uint32_t id;
    int32_t a;
    int32_t b;
    uint32_t len;
};

enum mlg_spawn_flags {
    MLG_SPAWN_PTY = 1, /* allocate a PTY inside the sandbox's devpts; the child gets it as controlling terminal */
};

/* Followed by n_groups uint32_t gids, then NUL-terminated strings: cwd, argv[0..n_argv), env[0..n_env). */
struct mlg_spawn {
    uint32_t uid;
    uint32_t gid;
    uint32_t flags;
    uint16_t rows;
    uint16_t cols;
    uint32_t n_groups;
    uint32_t n_argv;
    uint32_t n_env;
};

enum mlg_spawn_stage {
    MLG_SPAWN_STAGE_PROTOCOL = 1,
    MLG_SPAWN_STAGE_PTY = 2,
    MLG_SPAWN_STAGE_FORK = 3,
    MLG_SPAWN_STAGE_STDIO = 4,
    MLG_SPAWN_STAGE_CHDIR = 5,
    MLG_SPAWN_STAGE_CAPBSET = 6,
    MLG_SPAWN_STAGE_SETGROUPS = 7,
    MLG_SPAWN_STAGE_SETGID = 8,
    MLG_SPAWN_STAGE_SETUID = 9,
    MLG_SPAWN_STAGE_CAPS = 10,
    MLG_SPAWN_STAGE_NO_NEW_PRIVS = 11,
    MLG_SPAWN_STAGE_SECCOMP = 12,
    MLG_SPAWN_STAGE_EXEC = 13,
    MLG_SPAWN_STAGE_RLIMIT = 14,
};
