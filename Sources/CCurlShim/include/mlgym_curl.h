// Typed wrappers for libcurl's variadic calls (curl_easy_setopt, curl_easy_getinfo), which Swift cannot call.
// Each wrapper exists for one argument type; the option constants come from <curl/curl.h> as usual.
#ifndef MLGYM_CURL_H
#define MLGYM_CURL_H

#include <curl/curl.h>

typedef size_t (*mlg_curl_write_callback)(char *data, size_t size, size_t count, void *context);

CURLcode mlg_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode mlg_curl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode mlg_curl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode mlg_curl_setopt_write_function(CURL *handle, mlg_curl_write_callback callback, void *context);
CURLcode mlg_curl_setopt_header_function(CURL *handle, mlg_curl_write_callback callback, void *context);
/* Makes the handle refuse to connect to loopback, private, link-local and unspecified addresses, at connect time
 * (so redirects and DNS answers cannot steer it there): for URLs that untrusted users choose. */
CURLcode mlg_curl_public_addresses_only(CURL *handle);
CURLcode mlg_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);

#endif
