/* Internet checksums (RFC 1071) and incremental updates (RFC 1624), on raw bytes. */
#ifndef DK_CKSUM_H
#define DK_CKSUM_H

#include <stddef.h>
#include <stdint.h>

/* Ones-complement sum of len bytes folded into 32 bits, added to sum (not inverted). */
uint32_t dk_cksum_add(uint32_t sum, const void *data, size_t len);
/* Folds a 32-bit partial sum and inverts it: the value to store (network order). */
uint16_t dk_cksum_finish(uint32_t sum);
/* Checksum of a buffer (IPv4 header, ICMP message): dk_cksum_finish(dk_cksum_add(0,..)). */
uint16_t dk_cksum(const void *data, size_t len);
/* Partial sums of the TCP/UDP pseudo-headers; addresses in network order. */
uint32_t dk_cksum_pseudo4(const void *src4, const void *dst4, uint8_t proto, uint32_t l4len);
uint32_t dk_cksum_pseudo6(const void *src16, const void *dst16, uint8_t proto, uint32_t l4len);

/*
 * Incremental update of a stored checksum (network order) when a field changes from
 * old to new (both network order): HC' = ~(~HC + ~m + m'). Works for the IP header
 * checksum and for TCP/UDP pseudo-header fields alike.
 */
uint16_t dk_cksum_update16(uint16_t cksum, uint16_t old16, uint16_t new16);
uint16_t dk_cksum_update32(uint16_t cksum, uint32_t old32, uint32_t new32);
uint16_t dk_cksum_update_bytes(uint16_t cksum, const void *old, const void *new_, size_t len);

#endif
