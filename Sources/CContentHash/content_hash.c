/*
 * Content hashes for the snapshot store (objects are named by the SHA-256 of what they hold). A library of its
 * own, apart from CSandbox: this links libcrypto, which nothing on a sandbox's set-up path should.
 */
#include "mlgym_content_hash.h"

#include <errno.h>
#include <openssl/evp.h>
#include <unistd.h>

int mlg_sha256_fd(int fd, unsigned char digest[32], void *buffer, size_t chunk) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (context == NULL) return -ENOMEM;
    int result = EVP_DigestInit_ex(context, EVP_sha256(), NULL) == 1 ? 0 : -EIO;
    off_t offset = 0;
    while (result == 0) {
        ssize_t got = pread(fd, buffer, chunk, offset);
        if (got < 0) {
            if (errno == EINTR) continue;
            result = -errno;
            break;
        }
        if (got == 0) break;
        offset += got;
        if (EVP_DigestUpdate(context, buffer, (size_t)got) != 1) result = -EIO;
    }
    unsigned int length = 0;
    if (result == 0 && (EVP_DigestFinal_ex(context, digest, &length) != 1 || length != 32)) result = -EIO;
    EVP_MD_CTX_free(context);
    return result;
}
