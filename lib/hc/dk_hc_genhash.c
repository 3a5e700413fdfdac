/* genhash: the MD5 of a page body, printed the way keepalived's genhash prints it. */
#include <errno.h>
#include <stdio.h>

#include <openssl/evp.h>

#include "dk_hc_http.h"

void
dk_hc_md5_hex(const uint8_t md5[DK_HC_MD5_LEN], char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < DK_HC_MD5_LEN; i++) {
		out[2 * i] = digits[md5[i] >> 4];
		out[2 * i + 1] = digits[md5[i] & 0xf];
	}
	out[DK_HC_MD5_HEX_LEN] = '\0';
}

int
dk_hc_genhash(const uint8_t *body, size_t len, char *hex_out)
{
	uint8_t md5[DK_HC_MD5_LEN];
	unsigned int n = 0;

	if (EVP_Digest(body, len, md5, &n, EVP_md5(), NULL) != 1 || n != DK_HC_MD5_LEN)
		return -EIO;
	dk_hc_md5_hex(md5, hex_out);
	return 0;
}

int
dk_hc_genhash_response(const uint8_t *resp, size_t len, char *out, size_t cap)
{
	struct dk_hc_http_resp_params p = { .max_body_bytes = UINT64_MAX };
	struct dk_hc_http_resp *r;
	uint8_t md5[DK_HC_MD5_LEN];
	char hex[DK_HC_MD5_HEX_LEN + 1];
	enum dk_hc_result res;
	int rc, n;

	rc = dk_hc_http_resp_create(&p, &r);
	if (rc < 0)
		return rc;
	res = dk_hc_http_resp_feed(r, resp, len);
	if (res == DK_HC_PENDING)
		res = dk_hc_http_resp_eof(r);
	rc = -EBADMSG;
	if (res != DK_HC_OK)
		goto out;
	dk_hc_http_resp_md5(r, md5);
	dk_hc_md5_hex(md5, hex);
	n = snprintf(out, cap, "MD5SUM = %s\n", hex);
	rc = (n < 0 || (size_t)n >= cap) ? -ENOSPC : n;
out:
	dk_hc_http_resp_free(r);
	return rc;
}
