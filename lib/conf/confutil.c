#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dk_confutil.h"

int
dk_conf_parse_ulong(const char *s, unsigned long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno)
		return -ERANGE;
	return *end == '\0' ? 0 : -EINVAL;
}

int
dk_conf_read_file(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "r");
	size_t n = 0, cap = 4096;
	char *buf = NULL, *nb;
	int rc = 0;

	*out = NULL;
	if (!f)
		return -errno;
	buf = malloc(cap);
	if (!buf) {
		rc = -ENOMEM;
		goto fail;
	}
	for (;;) {
		size_t got;

		if (n + 1 >= cap) {
			if (cap >= DK_CONF_MAX_FILE) {
				rc = -EFBIG;
				goto fail;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				rc = -ENOMEM;
				goto fail;
			}
			buf = nb;
			cap *= 2;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		if (got == 0)
			break;
		n += got;
	}
	if (ferror(f)) {
		rc = -EIO;
		goto fail;
	}
	buf[n] = '\0';
	if (memchr(buf, '\0', n)) {
		rc = -EINVAL;
		goto fail;
	}
	fclose(f);
	*out = buf;
	if (len)
		*len = n;
	return 0;
fail:
	fclose(f);
	free(buf);
	return rc;
}
