// The cgroup v2 device filter: a hand-assembled BPF_PROG_TYPE_CGROUP_DEVICE program.
//
// cgroup v2 has no devices.allow file; the kernel instead runs every BPF_CGROUP_DEVICE program attached on
// the path from the task's cgroup to the root when a device node is opened or created, and the access is
// allowed only if all of them return 1. The program below follows runc's libcontainer/cgroups/devices
// "devicefilter" shape: load type/access/major/minor from `struct bpf_cgroup_dev_ctx` into r2..r5, then one
// block per rule that falls through to `return 1` when everything matches and jumps past itself otherwise;
// the end of the program returns 0 (deny). No helpers or maps are used, so any license string would do.
#include "mlgym_cgroup.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define LDX_W(dst, src, off) INSN(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define MOV_REG(dst, src) INSN(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV_IMM(dst, imm) INSN(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define AND_IMM(dst, imm) INSN(BPF_ALU64 | BPF_AND | BPF_K, dst, 0, 0, imm)
#define RSH_IMM(dst, imm) INSN(BPF_ALU64 | BPF_RSH | BPF_K, dst, 0, 0, imm)
#define JNE_IMM(dst, imm, off) INSN(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/// The most instructions one rule needs: type, access (3), major, minor, return 1 (2).
enum { RULE_MAX_INSNS = 8, PROLOGUE_INSNS = 6, EPILOGUE_INSNS = 2 };

static long sys_bpf(int cmd, union bpf_attr *attr) {
    return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/// Appends one rule's block at `out`; returns the number of instructions written.
static size_t emit_rule(const struct mlg_cg_device_rule *rule, struct bpf_insn *out) {
    struct bpf_insn block[RULE_MAX_INSNS];
    size_t n = 0;
    // Indexes of the jumps whose offsets are patched to land just past the block.
    size_t jumps[4];
    size_t jump_count = 0;
    int32_t type = rule->kind == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;

    jumps[jump_count++] = n;
    block[n++] = JNE_IMM(BPF_REG_2, type, 0);
    uint32_t all = MLG_CG_ACC_MKNOD | MLG_CG_ACC_READ | MLG_CG_ACC_WRITE;
    if ((rule->access & all) != all) {
        // Deny when the request asks for any access bit the rule does not grant.
        block[n++] = MOV_REG(BPF_REG_1, BPF_REG_3);
        block[n++] = AND_IMM(BPF_REG_1, (int32_t)(~rule->access & all));
        jumps[jump_count++] = n;
        block[n++] = JNE_IMM(BPF_REG_1, 0, 0);
    }
    jumps[jump_count++] = n;
    block[n++] = JNE_IMM(BPF_REG_4, (int32_t)rule->major, 0);
    if (rule->minor >= 0) {
        jumps[jump_count++] = n;
        block[n++] = JNE_IMM(BPF_REG_5, (int32_t)rule->minor, 0);
    }
    block[n++] = MOV_IMM(BPF_REG_0, 1);
    block[n++] = EXIT();
    for (size_t j = 0; j < jump_count; j++) {
        block[jumps[j]].off = (int16_t)(n - (jumps[j] + 1));
    }
    memcpy(out, block, n * sizeof(block[0]));
    return n;
}

int mlg_cg_device_program_load(const struct mlg_cg_device_rule *rules, size_t count, char *log, size_t log_size) {
    if (count > 4096) {
        return -E2BIG;
    }
    size_t capacity = PROLOGUE_INSNS + count * RULE_MAX_INSNS + EPILOGUE_INSNS;
    struct bpf_insn *insns = calloc(capacity, sizeof(*insns));
    if (insns == NULL) {
        return -ENOMEM;
    }
    size_t n = 0;
    // struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }, access_type = access << 16 | type.
    insns[n++] = LDX_W(BPF_REG_2, BPF_REG_1, 0);
    insns[n++] = MOV_REG(BPF_REG_3, BPF_REG_2);
    insns[n++] = AND_IMM(BPF_REG_2, 0xFFFF);
    insns[n++] = RSH_IMM(BPF_REG_3, 16);
    insns[n++] = LDX_W(BPF_REG_4, BPF_REG_1, 4);
    insns[n++] = LDX_W(BPF_REG_5, BPF_REG_1, 8);
    for (size_t i = 0; i < count; i++) {
        n += emit_rule(&rules[i], insns + n);
    }
    insns[n++] = MOV_IMM(BPF_REG_0, 0);
    insns[n++] = EXIT();

    mlg_cg_raise_memlock();
    static const char license[] = "Apache-2.0";
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = (uint64_t)(uintptr_t)insns;
    attr.insn_cnt = (uint32_t)n;
    attr.license = (uint64_t)(uintptr_t)license;
    int fd = (int)sys_bpf(BPF_PROG_LOAD, &attr);
    int err = errno;
    if (fd < 0 && log != NULL && log_size > 1) {
        // Load again with the verifier log on, only to explain the failure.
        log[0] = '\0';
        attr.log_level = 1;
        attr.log_buf = (uint64_t)(uintptr_t)log;
        attr.log_size = (uint32_t)log_size;
        fd = (int)sys_bpf(BPF_PROG_LOAD, &attr);
        if (fd >= 0) {
            close(fd);
            fd = -1;
        }
        log[log_size - 1] = '\0';
    }
    free(insns);
    if (fd < 0) {
        return -err;
    }
    return fd;
}

int mlg_cg_device_program_attach(int cgroup_fd, int program_fd) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.target_fd = (uint32_t)cgroup_fd;
    attr.attach_bpf_fd = (uint32_t)program_fd;
    attr.attach_type = BPF_CGROUP_DEVICE;
    attr.attach_flags = BPF_F_ALLOW_MULTI;
    if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0) {
        return -errno;
    }
    return 0;
}

int mlg_cg_device_program_count(int cgroup_fd) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.query.target_fd = (uint32_t)cgroup_fd;
    attr.query.attach_type = BPF_CGROUP_DEVICE;
    if (sys_bpf(BPF_PROG_QUERY, &attr) < 0) {
        return -errno;
    }
    return (int)attr.query.prog_cnt;
}

int mlg_cg_raise_memlock(void) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_MEMLOCK, &limit) != 0) {
        return -errno;
    }
    if (limit.rlim_cur == limit.rlim_max) {
        return 0;
    }
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_MEMLOCK, &limit) != 0) {
        return -errno;
    }
    return 0;
}
