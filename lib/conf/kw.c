#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dk_confutil.h"
#include "dk_kw.h"

int
dk_kw_register(struct dk_kwctx *c, const struct dk_kw *table)
{
	if (c->n_roots == DK_KW_MAX_ROOTS)
		return -ENOSPC;
	c->roots[c->n_roots++] = table;
	return 0;
}

static void
vreport(struct dk_kwctx *c, enum dk_diag_sev sev, const struct dk_cnode *n, const char *fmt,
	va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	dk_diag_report(c->diag, sev, n->file, n->line, "%s", msg);
}

void
dk_kw_error(struct dk_kwctx *c, const struct dk_cnode *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(c, DK_DIAG_ERROR, n, fmt, ap);
	va_end(ap);
}

void
dk_kw_problem(struct dk_kwctx *c, const struct dk_cnode *n, const char *fmt, ...)
{
	va_list ap;

	c->problems++;
	va_start(ap, fmt);
	vreport(c, DK_DIAG_WARNING, n, fmt, ap);
	va_end(ap);
}

const struct dk_kw *
dk_kw_lookup(const struct dk_kw *t, const char *kw)
{
	for (; t->name; t++)
		if (strcmp(t->name, kw) == 0)
			return t;
	return NULL;
}

void
dk_kw_run(struct dk_kwctx *c, const struct dk_kw *k, const struct dk_cnode *n, void *obj)
{
	if (k->flags & DK_KW_IGNORED) {
		dk_diag_warn(c->diag, n->file, n->line, "'%s' is not supported by dpkeep, ignored",
			     n->kw);
		return;
	}
	if (n->n_args < k->min_args) {
		dk_kw_error(c, n, "'%s' needs an argument", n->kw);
		return;
	}
	if ((k->flags & DK_KW_BLOCK) && !n->block) {
		dk_kw_error(c, n, "'%s' needs a { } block", n->kw);
		return;
	}
	c->kw = k;
	k->fn(c, n, obj);
}

void
dk_kw_dispatch(struct dk_kwctx *c, const struct dk_kw *table, const struct dk_cnode *first,
	       void *obj)
{
	for (const struct dk_cnode *n = first; n && !c->oom; n = n->next) {
		const struct dk_kw *k = dk_kw_lookup(table, n->kw);

		if (k)
			dk_kw_run(c, k, n, obj);
		else
			dk_kw_problem(c, n, "Unknown keyword '%s'", n->kw);
	}
}

void
dk_kw_dispatch_root(struct dk_kwctx *c, const struct dk_cnode *first)
{
	for (const struct dk_cnode *n = first; n && !c->oom; n = n->next) {
		const struct dk_kw *k = NULL;

		for (unsigned i = 0; i < c->n_roots && !k; i++)
			k = dk_kw_lookup(c->roots[i], n->kw);
		if (k)
			dk_kw_run(c, k, n, c->conf);
		else
			dk_kw_problem(c, n, "Unknown keyword '%s'", n->kw);
	}
}

static const char *
arg(const struct dk_cnode *n, unsigned idx)
{
	return idx < n->n_args ? n->args[idx] : NULL;
}

bool
dk_kw_uint(struct dk_kwctx *c, const struct dk_cnode *n, unsigned idx, unsigned long lo,
	   unsigned long hi, unsigned long *out)
{
	const char *s = arg(n, idx);

	if (!s) {
		dk_kw_error(c, n, "'%s' needs an argument", n->kw);
		return false;
	}
	if (dk_conf_parse_ulong(s, out) < 0 || *out < lo || *out > hi) {
		dk_kw_error(c, n, "'%s' must be a number in %lu..%lu, not '%s'", n->kw, lo, hi, s);
		return false;
	}
	return true;
}

bool
dk_kw_int(struct dk_kwctx *c, const struct dk_cnode *n, unsigned idx, long lo, long hi,
	  long *out)
{
	const char *s = arg(n, idx);
	unsigned long v;
	bool neg;

	if (!s) {
		dk_kw_error(c, n, "'%s' needs an argument", n->kw);
		return false;
	}
	neg = s[0] == '-';
	if (dk_conf_parse_ulong(s + (neg || s[0] == '+'), &v) < 0 || v > 1000000000UL)
		goto bad;
	*out = neg ? -(long)v : (long)v;
	if (*out < lo || *out > hi)
		goto bad;
	return true;
bad:
	dk_kw_error(c, n, "'%s' must be a number in %ld..%ld, not '%s'", n->kw, lo, hi, s);
	return false;
}

int
dk_conf_parse_time(const char *s, uint64_t *us)
{
	uint64_t whole = 0, frac = 0, scale = 100000;
	const char *p = s;

	if (*p < '0' || *p > '9') {
		if (*p != '.')
			return -EINVAL;
	}
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (uint64_t)(*p - '0');
		if (whole > 100000000ULL)
			return -ERANGE;
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (!scale)
				return -EINVAL; /* finer than a microsecond */
			frac += (uint64_t)(*p - '0') * scale;
			scale /= 10;
		}
	}
	if (*p)
		return -EINVAL;
	*us = whole * 1000000ULL + frac;
	return 0;
}

bool
dk_kw_time(struct dk_kwctx *c, const struct dk_cnode *n, unsigned idx, uint64_t lo_us,
	   uint64_t hi_us, uint64_t *out)
{
	const char *s = arg(n, idx);

	if (!s) {
		dk_kw_error(c, n, "'%s' needs an argument", n->kw);
		return false;
	}
	if (dk_conf_parse_time(s, out) < 0 || *out < lo_us || *out > hi_us) {
		dk_kw_error(c, n, "'%s' must be a time in %g..%g seconds, not '%s'", n->kw,
			    (double)lo_us / 1e6, (double)hi_us / 1e6, s);
		return false;
	}
	return true;
}

bool
dk_kw_bool(struct dk_kwctx *c, const struct dk_cnode *n, bool *out)
{
	static const char *const yes[] = { "on", "true", "yes", "1" };
	static const char *const no[] = { "off", "false", "no", "0" };

	if (n->n_args == 0) {
		*out = true;
		return true;
	}
	for (unsigned i = 0; i < 4; i++) {
		if (strcmp(n->args[0], yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcmp(n->args[0], no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	dk_kw_error(c, n, "'%s' takes on/off, true/false or yes/no, not '%s'", n->kw,
		    n->args[0]);
	return false;
}

bool
dk_kw_str(struct dk_kwctx *c, const struct dk_cnode *n, unsigned idx, char *dst, size_t size)
{
	const char *s = arg(n, idx);

	if (!s) {
		dk_kw_error(c, n, "'%s' needs an argument", n->kw);
		return false;
	}
	if (strlen(s) >= size) {
		dk_kw_error(c, n, "'%s' value is too long (at most %zu characters)", n->kw,
			    size - 1);
		return false;
	}
	strcpy(dst, s);
	return true;
}

bool
dk_kw_script(struct dk_kwctx *c, const struct dk_cnode *n, char *dst, size_t size)
{
	size_t used = 0;

	if (n->n_args == 0) {
		dk_kw_error(c, n, "'%s' needs an argument", n->kw);
		return false;
	}
	dst[0] = '\0';
	for (unsigned i = 0; i < n->n_args; i++) {
		size_t l = strlen(n->args[i]);

		if (used + l + 2 > size) {
			dk_kw_error(c, n, "'%s' value is too long (at most %zu characters)",
				    n->kw, size - 1);
			dst[0] = '\0';
			return false;
		}
		if (i)
			dst[used++] = ' ';
		memcpy(dst + used, n->args[i], l + 1);
		used += l;
	}
	return true;
}

bool
dk_kw_addr(struct dk_kwctx *c, const struct dk_cnode *n, unsigned idx, struct dk_addr *a)
{
	const char *s = arg(n, idx);

	if (!s) {
		dk_kw_error(c, n, "'%s' needs an argument", n->kw);
		return false;
	}
	if (dk_addr_parse(s, a) < 0) {
		dk_kw_error(c, n, "'%s': bad IP address '%s'", n->kw, s);
		return false;
	}
	return true;
}

void *
dk_kw_push(struct dk_kwctx *c, void *arrp, unsigned *n, size_t size)
{
	char **arr = arrp;
	char *na;

	if (*n >= 65536) {
		c->oom = true;
		return NULL;
	}
	na = realloc(*arr, (*n + 1) * size);
	if (!na) {
		c->oom = true;
		return NULL;
	}
	*arr = na;
	memset(na + *n * size, 0, size);
	return na + (*n)++ * size;
}

void
dk_kw_check_ifname(struct dk_kwctx *c, const struct dk_cnode *n, const char *name)
{
	if (c->ports) {
		if (dk_profile_port_index(c->ports, name) < 0)
			dk_kw_error(c, n, "interface %s is not a port of the profile %s", name,
				    c->ports->file);
		return;
	}
	if (if_nametoindex(name) == 0)
		dk_diag_warn(c->diag, n->file, n->line, "interface %s doesn't exist", name);
}

void
dk_kw_set_flag(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	dk_kw_bool(c, n, (bool *)((char *)obj + c->kw->off));
}

void
dk_kw_set_clear(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	(void)n;
	*(bool *)((char *)obj + c->kw->off) = false;
}

void
dk_kw_set_time(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	uint64_t v;

	if (dk_kw_time(c, n, 0, c->kw->lo, c->kw->hi, &v))
		*(uint64_t *)((char *)obj + c->kw->off) = v;
}

void
dk_kw_set_uint(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	unsigned long v;
	char *p = (char *)obj + c->kw->off;

	if (!dk_kw_uint(c, n, 0, c->kw->lo, c->kw->hi, &v))
		return;
	if (c->kw->size == 1)
		*(uint8_t *)p = (uint8_t)v;
	else if (c->kw->size == 2)
		*(uint16_t *)p = (uint16_t)v;
	else
		*(uint32_t *)p = (uint32_t)v;
}

void
dk_kw_set_str(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	dk_kw_str(c, n, 0, (char *)obj + c->kw->off, c->kw->size);
}

void
dk_kw_set_script(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	dk_kw_script(c, n, (char *)obj + c->kw->off, c->kw->size);
}

void
dk_kw_set_addr(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	dk_kw_addr(c, n, 0, (struct dk_addr *)((char *)obj + c->kw->off));
}
