#ifndef MLGYM_CONTENT_HASH_H
#define MLGYM_CONTENT_HASH_H

#include <stddef.h>

/* The SHA-256 of everything `fd` holds, read with pread from offset 0, `chunk` bytes at a time into the caller's
 * `buffer` (so a walk of many small files allocates nothing per file). OpenSSL's libcrypto does the hashing, with
 * the CPU's SHA instructions where it has them. 0, or -errno (-EIO when libcrypto fails). */
int mlg_sha256_fd(int fd, unsigned char digest[32], void *buffer, size_t chunk);

#endif
