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
static int is_public_v4(uint32_t ip) {
    uint8_t a = ip >> 24, b = (ip >> 16) & 0xff, c = (ip >> 8) & 0xff;
    if (a == 0 || a == 10 || a == 127 || a >= 224) return 0;  /* this network, private, loopback, multicast, reserved */
    if (a == 169 && b == 254) return 0;                         /* link-local: cloud metadata */
    if (a == 172 && b >= 16 && b <= 31) return 0;
    if (a == 192 && b == 168) return 0;
    if (a == 192 && b == 0 && c == 0) return 0;                 /* IETF protocol assignments */
    if (a == 198 && (b == 18 || b == 19)) return 0;             /* benchmarking */
    if (a == 100 && b >= 64 && b <= 127) return 0;              /* carrier-grade NAT */
    return 1;
}

static uint32_t v4_at(const struct in6_addr *ip, int offset) {
    return ((uint32_t)ip->s6_addr[offset] << 24) | ((uint32_t)ip->s6_addr[offset + 1] << 16)
        | ((uint32_t)ip->s6_addr[offset + 2] << 8) | (uint32_t)ip->s6_addr[offset + 3];
}

static int is_public(const struct sockaddr *address) {
    if (address->sa_family == AF_INET) {
        return is_public_v4(ntohl(((const struct sockaddr_in *)address)->sin_addr.s_addr));
    }
    if (address->sa_family == AF_INET6) {
        const struct in6_addr *ip = &((const struct sockaddr_in6 *)address)->sin6_addr;
        const uint8_t *b = ip->s6_addr;
        if (IN6_IS_ADDR_LOOPBACK(ip) || IN6_IS_ADDR_UNSPECIFIED(ip) || IN6_IS_ADDR_LINKLOCAL(ip) || IN6_IS_ADDR_SITELOCAL(ip)) return 0;
        if (b[0] == 0xff) return 0;                    /* multicast */
        if ((b[0] & 0xfe) == 0xfc) return 0;           /* fc00::/7 unique local */
        /* IPv4 inside IPv6 reaches that IPv4 address: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d), NAT64
         * (64:ff9b::/96, 64:ff9b:1::/48) and 6to4 (2002:a.b.c.d::/16). */
        if (IN6_IS_ADDR_V4MAPPED(ip) || IN6_IS_ADDR_V4COMPAT(ip)) return is_public_v4(v4_at(ip, 12));
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) return is_public_v4(v4_at(ip, 12));
        if (b[0] == 0x20 && b[1] == 0x02) return is_public_v4(v4_at(ip, 2));
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
    /* No proxy from the environment (http_proxy, ALL_PROXY): the filter would see only the proxy's address,
     * and the proxy would fetch internal URLs for the caller. */
    CURLcode result = curl_easy_setopt(handle, CURLOPT_PROXY, "");
    return result != CURLE_OK ? result : curl_easy_setopt(handle, CURLOPT_OPENSOCKETFUNCTION, open_public_socket);
}
