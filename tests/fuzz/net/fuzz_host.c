/*
 * libFuzzer target: dk_host_input on a copy of the input with room to grow. Any reply it
 * writes must fit the room and parse cleanly with checksums verified.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dk_host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ROOM_EXTRA 64

static bool
owns_dyn(void *ctx, const struct dk_addr *a, struct dk_mac *mac)
{
	static const uint8_t dyn[4] = { 10, 0, 0, 200 };

	(void)ctx;
	if (a->af != AF_INET || memcmp(a->b, dyn, 4) != 0)
		return false;
	memset(mac->b, 0x22, 6);
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct dk_prefix addrs[] = {
		{ .addr = { .af = AF_INET, .b = { 10, 0, 0, 1 } }, .len = 24 },
		{ .addr = { .af = AF_INET6, .b = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } },
		  .len = 64 },
	};
	static const struct dk_host_vip vips[] = {
		{ .addr = { .af = AF_INET, .b = { 10, 0, 0, 100 } },
		  .mac = { { 0, 0, 0x5e, 0, 1, 7 } } },
		{ .addr = { .af = AF_INET6, .b = { 0x20, 0x01, 0x0d, 0xb8, [14] = 1 } },
		  .mac = { { 0, 0, 0x5e, 0, 2, 7 } } },
	};
	struct dk_host_port port = {
		.mac = { { 2, 0, 0, 0, 0, 1 } },
		.addrs = addrs, .n_addrs = 2, .vips = vips, .n_vips = 2, .owns = owns_dyn,
		.flags = size & 1 ? DK_HOST_F_IP_CKSUM : 0,
	};
	struct dk_host_result res;
	struct dk_pkt_info info;
	size_t room = size + ROOM_EXTRA;
	uint8_t *buf = malloc(room);

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	if (dk_host_input(&port, buf, size, room, &res) == DK_HOST_REPLY) {
		if (res.out_len > room || res.out_len < 42)
			__builtin_trap();
		if (dk_pkt_parse_ex(buf, res.out_len, DK_PKT_F_IP_CKSUM | DK_PKT_F_L4_CKSUM,
				    &info) != DK_PKT_OK)
			__builtin_trap();
	}
	free(buf);
	return 0;
}
