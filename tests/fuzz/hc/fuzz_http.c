/* The HTTP response parser on arbitrary bytes, cut into arbitrary pieces. */
#include <stddef.h>
#include <stdint.h>

#include "dk_hc_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dk_hc_http_resp_params p = { .max_header_bytes = 512, .max_body_bytes = 4096 };
	struct dk_hc_http_resp *r;
	enum dk_hc_result res = DK_HC_PENDING;
	uint8_t md5[DK_HC_MD5_LEN];
	size_t off = 1, cut;

	if (size < 1 || dk_hc_http_resp_create(&p, &r) < 0)
		return 0;
	/* the first byte picks the piece size, like TCP segmentation would */
	cut = (size_t)data[0] % 17 + 1;
	while (off < size) {
		size_t n = size - off < cut ? size - off : cut;

		res = dk_hc_http_resp_feed(r, data + off, n);
		off += n;
	}
	if (res == DK_HC_PENDING)
		res = dk_hc_http_resp_eof(r);
	if (res == DK_HC_OK)
		dk_hc_http_resp_md5(r, md5);
	(void)dk_hc_http_resp_status(r);
	dk_hc_http_resp_free(r);
	return 0;
}
