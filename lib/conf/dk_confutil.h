/* Small helpers shared by the profile and keepalived.conf parsers. */
#ifndef DK_CONFUTIL_H
#define DK_CONFUTIL_H

#include <stddef.h>

#define DK_CONF_MAX_FILE (16u << 20) /* a bigger config is a mistake, not a config */

/* Decimal only (no sign, no leading junk); -EINVAL or -ERANGE on bad input. */
int dk_conf_parse_ulong(const char *s, unsigned long *out);
/* Reads a whole file into a NUL-terminated buffer the caller frees; len may be NULL.
 * Files with a NUL byte or above DK_CONF_MAX_FILE are refused (-EFBIG, -EINVAL). */
int dk_conf_read_file(const char *path, char **out, size_t *len);

#endif
