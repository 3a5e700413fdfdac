#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dk_addr.h"

int
dk_addr_parse(const char *s, struct dk_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, &out->v4) == 1) {
		out->af = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out->v6) == 1) {
		out->af = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

int
dk_prefix_parse(const char *s, struct dk_prefix *out)
{
	char buf[DK_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	unsigned max;

	if (n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (dk_addr_parse(buf, &out->addr) < 0)
		return -EINVAL;
	max = out->addr.af == AF_INET ? 32 : 128;
	out->len = (uint8_t)max;
	if (slash) {
		char *end;
		unsigned long len;

		if (slash[1] < '0' || slash[1] > '9')
			return -EINVAL;
		len = strtoul(slash + 1, &end, 10);
		if (*end != '\0' || len > max)
			return -EINVAL;
		out->len = (uint8_t)len;
	}
	return 0;
}

const char *
dk_addr_fmt(const struct dk_addr *a, char *buf, size_t len)
{
	if (a->af == AF_INET || a->af == AF_INET6) {
		if (inet_ntop(a->af, a->b, buf, (socklen_t)len) != NULL)
			return buf;
	}
	snprintf(buf, len, "-");
	return buf;
}

const char *
dk_prefix_fmt(const struct dk_prefix *p, char *buf, size_t len)
{
	char a[DK_ADDRSTRLEN];

	snprintf(buf, len, "%s/%u", dk_addr_fmt(&p->addr, a, sizeof(a)), p->len);
	return buf;
}

static size_t
addr_len(const struct dk_addr *a)
{
	return a->af == AF_INET ? 4 : 16;
}

bool
dk_addr_eq(const struct dk_addr *a, const struct dk_addr *b)
{
	return a->af == b->af && memcmp(a->b, b->b, addr_len(a)) == 0;
}

int
dk_addr_cmp(const struct dk_addr *a, const struct dk_addr *b)
{
	if (a->af != b->af)
		return a->af == AF_INET ? -1 : 1;
	return memcmp(a->b, b->b, addr_len(a));
}

bool
dk_prefix_contains(const struct dk_prefix *p, const struct dk_addr *a)
{
	unsigned full = p->len / 8, rest = p->len % 8;

	if (p->addr.af != a->af)
		return false;
	if (memcmp(p->addr.b, a->b, full) != 0)
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));

		if ((p->addr.b[full] & mask) != (a->b[full] & mask))
			return false;
	}
	return true;
}

void
dk_addr_set_v4(struct dk_addr *a, uint32_t v4_be)
{
	memset(a, 0, sizeof(*a));
	a->af = AF_INET;
	a->v4 = v4_be;
}

void
dk_addr_set_v6(struct dk_addr *a, const uint8_t v6[16])
{
	memset(a, 0, sizeof(*a));
	a->af = AF_INET6;
	memcpy(a->v6, v6, 16);
}

bool
dk_addr_is_unset(const struct dk_addr *a)
{
	return a->af == 0;
}

int
dk_mac_parse(const char *s, struct dk_mac *out)
{
	unsigned v[6];
	char tail;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &tail) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		if (v[i] > 0xff)
			return -EINVAL;
		out->b[i] = (uint8_t)v[i];
	}
	return 0;
}

const char *
dk_mac_fmt(const struct dk_mac *m, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m->b[0], m->b[1], m->b[2], m->b[3],
		 m->b[4], m->b[5]);
	return buf;
}
