/*
 * dk_tcpc_input on arbitrary segment sequences after a real handshake, with reads,
 * sends and timer firings mixed in. Each record is 12 bytes of header and payload.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dk_tcpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
tx(void *arg, const struct dk_tcp_seg *s)
{
	volatile uint8_t sink = 0;

	(void)arg;
	/* touch every byte we were handed: ASan checks the payload bounds */
	for (uint32_t i = 0; i < s->len; i++)
		sink ^= s->payload[i];
	(void)sink;
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dk_tcpc_params p = { .iss = 100, .rcvbuf = 512, .sndbuf = 256, .tx = tx };
	struct dk_tcp_seg syn_ack = { .seq = 1000, .ack = 101, .window = 300, .mss = 100,
				      .flags = DK_TCP_F_SYN | DK_TCP_F_ACK };
	struct dk_tcpc *c;
	uint64_t now = 0;
	uint8_t buf[600];
	size_t off = 0;

	if (dk_tcpc_create(&p, &c) < 0)
		return 0;
	dk_tcpc_connect(c, now);
	if (size && (data[0] & 1))
		dk_tcpc_input(c, &syn_ack, ++now);
	while (size - off >= 12) {
		const uint8_t *h = data + off;
		struct dk_tcp_seg s = {
			.seq = 1000 + (rd32(h) & 0xffff) - 0x100, /* near the real sequence */
			.ack = 100 + (rd32(h + 4) & 0x3ff),
			.flags = h[8] & 0x1f,
			.window = (uint16_t)(h[9] << 2),
			.mss = h[10],
		};
		size_t len = h[11] & 0x7f;

		off += 12;
		if (len > size - off)
			len = size - off;
		s.payload = data + off;
		s.len = (uint32_t)len;
		off += len;
		if (h[11] & 0x80)
			s.seq = rd32(h); /* anywhere at all */
		dk_tcpc_input(c, &s, now);
		switch (h[8] >> 5) {
		case 1:
			dk_tcpc_recv(c, buf, sizeof(buf));
			break;
		case 2:
			dk_tcpc_send(c, h, 12, now);
			break;
		case 3:
			now = dk_tcpc_next_timeout(c) == UINT64_MAX ? now + 1000
								    : dk_tcpc_next_timeout(c);
			dk_tcpc_on_timer(c, now);
			break;
		case 4:
			dk_tcpc_shutdown(c, now);
			break;
		default:
			now += 10;
			break;
		}
		if (dk_tcpc_readable(c) > 512)
			__builtin_trap();
	}
	dk_tcpc_free(c);
	return 0;
}
