/*
 * libFuzzer target for the advert decoder and the instance fed by it. The first input
 * byte picks the receiving context (version, auth, strict, unicast); the rest is the IP
 * packet. Every decoded advert is also handed to a live instance so the state machine
 * sees hostile field values.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dk_vrrp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dk_vrrp *
instance(uint8_t sel)
{
	struct dk_vrrp_params p = {
		.version = (sel & 1) ? 3 : 2,
		.vrid = 51,
		.priority = (sel & 2) ? 100 : 255,
		.advert_int_us = DK_USEC_PER_SEC,
		.strict = (sel & 4) != 0,
		.unicast = (sel & 8) != 0,
		.ttl_min = 60,
		.v3_checksum_as_v2 = (sel & 0x10) != 0,
		.preempt_delay_us = (sel & 0x80) ? 5 * DK_USEC_PER_SEC : 0,
	};
	static struct dk_addr vip;
	struct dk_vrrp *vr = NULL;
	bool v6 = (sel & 1) && (sel & 0x20);

	strcpy(p.name, "VI_F");
	if (p.version == 2)
		p.auth_type = (sel >> 5) % 3;
	memcpy(p.auth_pass, "secret", 6);
	dk_addr_parse(v6 ? "fe80::1" : "10.0.0.1", &p.primary);
	dk_addr_parse(v6 ? "2001:db8::10" : "10.0.0.100", &vip);
	p.vips = &vip;
	p.n_vips = 1;
	if (dk_vrrp_create(&p, &vr) != 0)
		return NULL;
	return vr;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dk_vrrp_actions out;
	struct dk_vrrp_event start = { .type = DK_VRRP_EV_START };
	struct dk_vrrp *vr;
	enum dk_vrrp_rx_verdict v;

	if (size < 1)
		return 0;
	vr = instance(data[0]);
	if (vr == NULL)
		return 0;
	dk_vrrp_handle(vr, &start, 0, &out);
	/* The same packet twice: once as BACKUP, once after taking over as MASTER. */
	dk_vrrp_rx(vr, data + 1, size - 1, 1000, &out, &v);
	if (vr->state == DK_VRRP_STATE_BACKUP) {
		struct dk_vrrp_event down = { .type = DK_VRRP_EV_MASTER_DOWN_TIMER };

		dk_vrrp_handle(vr, &down, 5 * DK_USEC_PER_SEC, &out);
	}
	dk_vrrp_rx(vr, data + 1, size - 1, 6 * DK_USEC_PER_SEC, &out, &v);
	if ((unsigned)v >= DK_VRRP_RX_VERDICT_MAX || out.overflow)
		__builtin_trap();
	dk_vrrp_free(vr);
	return 0;
}
