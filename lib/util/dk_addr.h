/* IPv4/IPv6 addresses, prefixes and MAC addresses as plain values, with text forms. */
#ifndef DK_ADDR_H
#define DK_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define DK_ADDRSTRLEN 48 /* fits an IPv6 address with /128 */
#define DK_MACSTRLEN 18

/* af is AF_INET or AF_INET6 (0: unset). Bytes are in network order. */
struct dk_addr {
	uint8_t af;
	uint8_t pad[3];
	union {
		uint32_t v4;
		uint8_t v6[16];
		uint8_t b[16];
	};
};

struct dk_prefix {
	struct dk_addr addr;
	uint8_t len;
};

struct dk_mac {
	uint8_t b[6];
};

int dk_addr_parse(const char *s, struct dk_addr *out);
/* "A/LEN"; without "/LEN" the prefix is a host (/32, /128). Host bits may be set. */
int dk_prefix_parse(const char *s, struct dk_prefix *out);
const char *dk_addr_fmt(const struct dk_addr *a, char *buf, size_t len);
const char *dk_prefix_fmt(const struct dk_prefix *p, char *buf, size_t len);
bool dk_addr_eq(const struct dk_addr *a, const struct dk_addr *b);
/* Orders addresses as unsigned big-endian numbers (v4 before v6); for "higher IP wins". */
int dk_addr_cmp(const struct dk_addr *a, const struct dk_addr *b);
bool dk_prefix_contains(const struct dk_prefix *p, const struct dk_addr *a);
void dk_addr_set_v4(struct dk_addr *a, uint32_t v4_be);
void dk_addr_set_v6(struct dk_addr *a, const uint8_t v6[16]);
bool dk_addr_is_unset(const struct dk_addr *a);

int dk_mac_parse(const char *s, struct dk_mac *out);
const char *dk_mac_fmt(const struct dk_mac *m, char *buf, size_t len);

#endif
