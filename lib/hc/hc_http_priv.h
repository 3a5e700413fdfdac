/* The HTTP exchange shared by HTTP_GET and SSL_GET (which runs it inside TLS). */
#ifndef DK_HC_HTTP_PRIV_H
#define DK_HC_HTTP_PRIV_H

#include "dk_hc_http.h"

struct hc_http {
	struct dk_hc_http_conf conf; /* strings owned */
	struct dk_hc_http_resp *resp;
	uint8_t want_md5[DK_HC_MD5_LEN];
	bool has_digest;
	enum dk_hc_result verdict; /* DK_HC_PENDING until decided */
};

int hc_http_init(struct hc_http *h, const struct dk_hc_http_conf *conf);
void hc_http_fini(struct hc_http *h);
/* Resets the parser and writes the request to out. */
int hc_http_begin(struct hc_http *h, struct dk_hc_buf *out);
enum dk_hc_result hc_http_feed(struct hc_http *h, const uint8_t *data, size_t len);
enum dk_hc_result hc_http_eof(struct hc_http *h);
char *hc_strdup_opt(const char *s);

#endif
