/* libFuzzer target: dk_pkt_parse on arbitrary frames, checking the offsets it reports. */
#include <stddef.h>
#include <stdint.h>

#include "dk_pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A parse that says OK must describe a frame that fits in what it was given. */
static void
check(const struct dk_pkt_info *i, size_t size)
{
	if (i->l3_end > size || i->l4_off > i->l3_end || i->payload_off < i->l4_off)
		__builtin_trap();
	if (i->family && (size_t)i->payload_off + i->payload_len > i->l3_end)
		__builtin_trap();
	if (i->l3_off != i->l2_len || (i->l2_len != 14 && i->l2_len != 18))
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dk_pkt_info info;

	if (dk_pkt_parse(data, size, &info) == DK_PKT_OK) {
		check(&info, size);
		(void)dk_pkt_l4_cksum_ok(data, &info);
	}
	if (dk_pkt_parse_ex(data, size, DK_PKT_F_IP_CKSUM | DK_PKT_F_L4_CKSUM, &info) ==
	    DK_PKT_OK)
		check(&info, size);
	return 0;
}
