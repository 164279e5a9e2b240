#include "mlgym_curl.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

CURLcode mlg_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode mlg_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode mlg_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode mlg_curl_setopt_write_function(CURL *handle, mlg_curl_write_callback callback, void *context) {
    CURLcode result = curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
    return result != CURLE_OK ? result : curl_easy_setopt(handle, CURLOPT_WRITEDATA, context);
}

CURLcode mlg_curl_setopt_header_function(CURL *handle, mlg_curl_write_callback callback, void *context) {
    CURLcode result = curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, callback);
    return result != CURLE_OK ? result : curl_easy_setopt(handle, CURLOPT_HEADERDATA, context);
}

CURLcode mlg_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

/* Whether an address is one a user-chosen URL may reach: not loopback, private (RFC 1918, unique-local),
 * link-local (cloud metadata lives there), carrier-grade NAT, or unspecified. */
static int is_public(const struct sockaddr *address) {
    if (address->sa_family == AF_INET) {
        uint32_t ip = ntohl(((const struct sockaddr_in *)address)->sin_addr.s_addr);
        uint8_t a = ip >> 24, b = (ip >> 16) & 0xff;
        if (a == 0 || a == 10 || a == 127) return 0;
        if (a == 169 && b == 254) return 0;
        if (a == 172 && b >= 16 && b <= 31) return 0;
        if (a == 192 && b == 168) return 0;
        if (a == 100 && b >= 64 && b <= 127) return 0;
        return 1;
    }
    if (address->sa_family == AF_INET6) {
        const struct in6_addr *ip = &((const struct sockaddr_in6 *)address)->sin6_addr;
        if (IN6_IS_ADDR_LOOPBACK(ip) || IN6_IS_ADDR_UNSPECIFIED(ip) || IN6_IS_ADDR_LINKLOCAL(ip)) return 0;
        if ((ip->s6_addr[0] & 0xfe) == 0xfc) return 0; /* fc00::/7 */
        if (IN6_IS_ADDR_V4MAPPED(ip)) {
            struct sockaddr_in mapped;
            memset(&mapped, 0, sizeof mapped);
            mapped.sin_family = AF_INET;
            memcpy(&mapped.sin_addr, &ip->s6_addr[12], 4);
            return is_public((const struct sockaddr *)&mapped);
        }
        return 1;
    }
    return 0;
}

static curl_socket_t open_public_socket(void *context, curlsocktype purpose, struct curl_sockaddr *address) {
    (void)context;
    if (purpose != CURLSOCKTYPE_IPCXN || !is_public(&address->addr)) return CURL_SOCKET_BAD;
    return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

CURLcode mlg_curl_public_addresses_only(CURL *handle) {
    return curl_easy_setopt(handle, CURLOPT_OPENSOCKETFUNCTION, open_public_socket);
}
