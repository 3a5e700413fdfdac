/* TCP, SMTP, DNS, UDP, PING, MISC and FILE probes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>

#include "dk_hc_probes.h"

struct run {
	struct dk_hc_probe *p;
	struct dk_hc_buf out;
};

static void
begin(struct run *r, enum dk_hc_kind k, const void *conf, enum dk_hc_result want)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(dk_hc_probe_create(k, conf, &r->p), 0);
	assert_int_equal(dk_hc_probe_start(r->p, &r->out), want);
}

static enum dk_hc_result
in(struct run *r, const void *data, size_t len)
{
	return dk_hc_probe_input(r->p, data, len, &r->out);
}

static enum dk_hc_result
ins(struct run *r, const char *s)
{
	return in(r, s, strlen(s));
}

static void
end(struct run *r)
{
	dk_hc_probe_free(r->p);
	dk_hc_buf_free(&r->out);
}

static void
tcp_check(void **state)
{
	struct run r;

	(void)state;
	begin(&r, DK_HC_KIND_TCP, NULL, DK_HC_OK);
	assert_int_equal(r.out.len, 0);
	assert_int_equal(dk_hc_probe_ops(r.p)->transport, DK_HC_TRANSPORT_STREAM);
	end(&r);
}

static void
smtp_check(void **state)
{
	struct dk_hc_smtp_conf c = { .helo_name = "lb1" };
	struct run r;

	(void)state;
	begin(&r, DK_HC_KIND_SMTP, &c, DK_HC_PENDING);
	assert_int_equal(ins(&r, "220-mx.example ESMTP\r\n220 "), DK_HC_PENDING);
	assert_int_equal(r.out.len, 0);
	assert_int_equal(ins(&r, "ready\r\n"), DK_HC_PENDING);
	assert_int_equal(r.out.len, 10);
	assert_memory_equal(r.out.data, "HELO lb1\r\n", 10);
	dk_hc_buf_reset(&r.out);
	assert_int_equal(ins(&r, "250 mx.example\r\n"), DK_HC_OK);
	assert_memory_equal(r.out.data, "QUIT\r\n", 6);
	end(&r);

	begin(&r, DK_HC_KIND_SMTP, &c, DK_HC_PENDING);
	assert_int_equal(ins(&r, "554 go away\r\n"), DK_HC_BAD_STATUS);
	end(&r);
	begin(&r, DK_HC_KIND_SMTP, &c, DK_HC_PENDING);
	assert_int_equal(ins(&r, "hello there\r\n"), DK_HC_BAD_REPLY);
	end(&r);
	begin(&r, DK_HC_KIND_SMTP, NULL, DK_HC_PENDING);
	assert_int_equal(ins(&r, "220 hi\r\n"), DK_HC_PENDING);
	assert_memory_equal(r.out.data, "HELO localhost\r\n", 16);
	assert_int_equal(dk_hc_probe_eof(r.p), DK_HC_CLOSED_EARLY);
	end(&r);
	/* a banner that never ends a line */
	begin(&r, DK_HC_KIND_SMTP, &c, DK_HC_PENDING);
	enum dk_hc_result res = DK_HC_PENDING;

	for (int i = 0; i < 100 && res == DK_HC_PENDING; i++)
		res = ins(&r, "220-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	assert_int_equal(res, DK_HC_REPLY_TOO_LONG);
	end(&r);
}

/* Builds a reply from the query in r->out: flags, rcode, answer count. */
static size_t
dns_reply(const struct run *r, uint8_t *rep, uint8_t flags3, uint16_t an)
{
	memcpy(rep, r->out.data, r->out.len);
	rep[2] |= 0x80;
	rep[3] = flags3;
	rep[6] = (uint8_t)(an >> 8);
	rep[7] = (uint8_t)an;
	return r->out.len;
}

static void
dns_check(void **state)
{
	struct dk_hc_dns_conf c = { .type = 28, .name = "www.Example.com", .seed = 9 };
	static const uint8_t qname[] = "\x03www\x07" "Example\x03" "com";
	uint8_t rep[512];
	size_t n;
	struct run r;

	(void)state;
	assert_int_equal(dk_hc_dns_type_from_name("aaaa"), 28);
	assert_int_equal(dk_hc_dns_type_from_name("bogus"), -1);
	begin(&r, DK_HC_KIND_DNS, &c, DK_HC_PENDING);
	assert_int_equal(r.out.len, 12 + sizeof(qname) + 4);
	assert_memory_equal(r.out.data + 12, qname, sizeof(qname));
	assert_int_equal(r.out.data[12 + sizeof(qname) + 1], 28);
	n = dns_reply(&r, rep, 0, 1);
	/* the answer section's content is not inspected: only the count */
	assert_int_equal(in(&r, rep, n), DK_HC_OK);
	n = dns_reply(&r, rep, 3, 0);
	assert_int_equal(in(&r, rep, n), DK_HC_DNS_RCODE);
	n = dns_reply(&r, rep, 0, 0);
	assert_int_equal(in(&r, rep, n), DK_HC_DNS_NO_ANSWER);
	n = dns_reply(&r, rep, 0, 1);
	rep[0] ^= 1; /* someone else's id */
	assert_int_equal(in(&r, rep, n), DK_HC_PENDING);
	n = dns_reply(&r, rep, 0, 1);
	rep[2] &= 0x7f; /* a query, not a reply */
	assert_int_equal(in(&r, rep, n), DK_HC_BAD_REPLY);
	n = dns_reply(&r, rep, 0, 1);
	rep[14] = 'X'; /* other question, case aside */
	assert_int_equal(in(&r, rep, n), DK_HC_BAD_REPLY);
	n = dns_reply(&r, rep, 0, 1);
	rep[14] = 'W';
	assert_int_equal(in(&r, rep, n), DK_HC_OK);
	assert_int_equal(in(&r, rep, n - 5), DK_HC_BAD_REPLY);
	assert_int_equal(in(&r, rep, 11), DK_HC_REPLY_TOO_SHORT);
	assert_int_equal(dk_hc_probe_eof(r.p), DK_HC_NO_REPLY);
	/* a new attempt draws a new id */
	uint16_t id = (uint16_t)(r.out.data[0] << 8 | r.out.data[1]);

	dk_hc_buf_reset(&r.out);
	dk_hc_probe_start(r.p, &r.out);
	assert_int_not_equal(id, (uint16_t)(r.out.data[0] << 8 | r.out.data[1]));
	end(&r);

	c.name = "a..b";
	assert_int_equal(dk_hc_probe_create(DK_HC_KIND_DNS, &c, &r.p), -EINVAL);
	assert_int_equal(dk_hc_dns_encode_name(".", rep, sizeof(rep)), 1);
}

static void
udp_check(void **state)
{
	static const uint8_t want[] = { 'P', 'O', 'N', 'G', '-', 0x40 };
	static const uint8_t mask[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0 };
	struct dk_hc_udp_conf c = { .payload = (const uint8_t *)"ping", .payload_len = 4,
				    .require_reply = true, .min_reply_len = 2,
				    .max_reply_len = 8 };
	struct run r;

	(void)state;
	begin(&r, DK_HC_KIND_UDP, &c, DK_HC_PENDING);
	assert_int_equal(r.out.len, 4);
	assert_memory_equal(r.out.data, "ping", 4);
	assert_int_equal(ins(&r, "pong"), DK_HC_OK);
	assert_int_equal(ins(&r, "p"), DK_HC_REPLY_TOO_SHORT);
	assert_int_equal(ins(&r, "123456789"), DK_HC_REPLY_TOO_LONG);
	assert_int_equal(dk_hc_probe_eof(r.p), DK_HC_NO_REPLY);
	end(&r);
	/* the reply's content: compared as far as both go, masked nibbles ignored */
	c.reply = want;
	c.reply_mask = mask;
	c.reply_len = sizeof(want);
	begin(&r, DK_HC_KIND_UDP, &c, DK_HC_PENDING);
	assert_int_equal(ins(&r, "PONG-M"), DK_HC_OK);
	assert_int_equal(ins(&r, "PONG-O"), DK_HC_OK);
	assert_int_equal(ins(&r, "PONG-\x50"), DK_HC_REPLY_MISMATCH);
	assert_int_equal(ins(&r, "PANG-M"), DK_HC_REPLY_MISMATCH);
	assert_int_equal(ins(&r, "PON"), DK_HC_OK);
	assert_int_equal(ins(&r, "PONG-Mxy"), DK_HC_OK);
	end(&r);
	/* without a mask every bit counts */
	c.reply_mask = NULL;
	begin(&r, DK_HC_KIND_UDP, &c, DK_HC_PENDING);
	assert_int_equal(ins(&r, "PONG-@"), DK_HC_OK);
	assert_int_equal(ins(&r, "PONG-M"), DK_HC_REPLY_MISMATCH);
	end(&r);
	/* without require_reply any reply, and silence, pass: bounds are not applied */
	c.require_reply = false;
	begin(&r, DK_HC_KIND_UDP, &c, DK_HC_PENDING);
	assert_int_equal(ins(&r, "123456789"), DK_HC_OK);
	assert_int_equal(ins(&r, "x"), DK_HC_OK);
	assert_int_equal(dk_hc_probe_eof(r.p), DK_HC_OK);
	end(&r);
	c.max_reply_len = 1;
	assert_int_equal(dk_hc_probe_create(DK_HC_KIND_UDP, &c, &r.p), -EINVAL);
	c.max_reply_len = 8;
	c.reply = NULL;
	assert_int_equal(dk_hc_probe_create(DK_HC_KIND_UDP, &c, &r.p), -EINVAL);
}

static void
ping_check(void **state)
{
	struct dk_hc_ping_conf c = { .id = 0x1234, .payload_len = 8 };
	uint8_t rep[64];
	struct run r;

	(void)state;
	begin(&r, DK_HC_KIND_PING, &c, DK_HC_PENDING);
	assert_int_equal(r.out.len, 12);
	assert_int_equal(r.out.data[0], 0x12);
	assert_int_equal(r.out.data[3], 1);
	memcpy(rep, r.out.data, 12);
	assert_int_equal(in(&r, rep, 12), DK_HC_OK);
	rep[3] = 2; /* a different sequence: not ours */
	assert_int_equal(in(&r, rep, 12), DK_HC_PENDING);
	rep[3] = 1;
	rep[10] ^= 0xff;
	assert_int_equal(in(&r, rep, 12), DK_HC_BAD_REPLY);
	assert_int_equal(in(&r, rep, 8), DK_HC_REPLY_TOO_SHORT);
	assert_int_equal(in(&r, rep, 2), DK_HC_PENDING);
	assert_int_equal(dk_hc_probe_eof(r.p), DK_HC_NO_REPLY);
	end(&r);
}

#define EXITED(code) ((code) << 8)
#define SIGNALED(sig) (sig)

static void
misc_check(void **state)
{
	struct dk_hc_misc_conf c = { .dynamic = true };
	struct run r;
	int w;

	(void)state;
	assert_int_equal(dk_hc_misc_map(EXITED(0), false, &w), DK_HC_OK);
	assert_int_equal(w, -1);
	assert_int_equal(dk_hc_misc_map(EXITED(1), true, &w), DK_HC_SCRIPT_FAILED);
	assert_int_equal(dk_hc_misc_map(EXITED(7), false, &w), DK_HC_SCRIPT_FAILED);
	assert_int_equal(dk_hc_misc_map(EXITED(7), true, &w), DK_HC_OK);
	assert_int_equal(w, 5);
	assert_int_equal(dk_hc_misc_map(EXITED(2), true, &w), DK_HC_OK);
	assert_int_equal(w, 0);
	assert_int_equal(dk_hc_misc_map(EXITED(255), true, &w), DK_HC_OK);
	assert_int_equal(w, 253);
	assert_int_equal(dk_hc_misc_map(SIGNALED(9), true, &w), DK_HC_SCRIPT_FAILED);
	begin(&r, DK_HC_KIND_MISC, &c, DK_HC_PENDING);
	assert_int_equal(dk_hc_probe_exited(r.p, EXITED(12)), DK_HC_OK);
	assert_int_equal(dk_hc_probe_weight(r.p), 10);
	assert_int_equal(dk_hc_probe_eof(r.p), DK_HC_SCRIPT_TIMEOUT);
	end(&r);
}

static void
file_check(void **state)
{
	struct dk_hc_file_conf c = { 0 };
	struct run r;

	(void)state;
	begin(&r, DK_HC_KIND_FILE, &c, DK_HC_PENDING);
	assert_int_equal(ins(&r, " 0\n"), DK_HC_OK);
	assert_int_equal(ins(&r, "3"), DK_HC_FILE_DOWN);
	assert_int_equal(ins(&r, "abc"), DK_HC_FILE_ERROR);
	assert_int_equal(ins(&r, "12x"), DK_HC_FILE_ERROR);
	assert_int_equal(ins(&r, ""), DK_HC_FILE_ERROR);
	assert_int_equal(ins(&r, "99999999999"), DK_HC_FILE_ERROR);
	assert_int_equal(dk_hc_probe_weight(r.p), -1);
	assert_int_equal(dk_hc_probe_eof(r.p), DK_HC_FILE_ERROR);
	end(&r);
	c.weight = -2;
	c.base_weight = 10;
	begin(&r, DK_HC_KIND_FILE, &c, DK_HC_PENDING);
	assert_int_equal(ins(&r, "3\n"), DK_HC_OK);
	assert_int_equal(dk_hc_probe_weight(r.p), 4);
	assert_int_equal(ins(&r, "6"), DK_HC_FILE_DOWN);
	assert_int_equal(ins(&r, "-1"), DK_HC_OK);
	assert_int_equal(dk_hc_probe_weight(r.p), 12);
	end(&r);
}

static void
buffer_cap(void **state)
{
	struct dk_hc_buf b = { .max = 8 };

	(void)state;
	assert_int_equal(dk_hc_buf_append(&b, "12345", 5), 0);
	assert_int_equal(dk_hc_buf_append(&b, "6789", 4), -ENOBUFS);
	dk_hc_buf_consume(&b, 2);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "345", 3);
	dk_hc_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tcp_check),
		cmocka_unit_test(smtp_check),
		cmocka_unit_test(dns_check),
		cmocka_unit_test(udp_check),
		cmocka_unit_test(ping_check),
		cmocka_unit_test(misc_check),
		cmocka_unit_test(file_check),
		cmocka_unit_test(buffer_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
