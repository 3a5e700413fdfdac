/*
 * The keyword tree: each subsystem (global, vrrp, virtual servers, checkers) keeps a
 * table of its keywords and registers its top-level table with the parse context, like
 * keepalived's install_keyword but with the context passed explicitly, so two
 * configurations can be parsed side by side (reload) without globals.
 * Internal to lib/conf.
 */
#ifndef DK_KW_H
#define DK_KW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dk_conf.h"
#include "dk_ctree.h"
#include "dk_profile.h"

struct dk_kwctx;

typedef void (*dk_kw_fn)(struct dk_kwctx *c, const struct dk_cnode *n, void *obj);

enum {
	DK_KW_IGNORED = 1,  /* known, accepted, not acted on by dpkeep: one warning */
	DK_KW_BLOCK = 2,    /* must open a { } block */
};

struct dk_kw {
	const char *name;
	dk_kw_fn fn;        /* NULL with DK_KW_IGNORED */
	uint8_t min_args;
	uint8_t flags;
	/* For the generic setters: where the value goes in obj and its range. */
	uint16_t size;
	uint32_t off;
	uint64_t lo, hi;
};

/* Generic setters (they read c->kw): a field described by off/size/lo/hi. */
void dk_kw_set_flag(struct dk_kwctx *c, const struct dk_cnode *n, void *obj);
void dk_kw_set_clear(struct dk_kwctx *c, const struct dk_cnode *n, void *obj);
void dk_kw_set_time(struct dk_kwctx *c, const struct dk_cnode *n, void *obj);
void dk_kw_set_uint(struct dk_kwctx *c, const struct dk_cnode *n, void *obj);
void dk_kw_set_str(struct dk_kwctx *c, const struct dk_cnode *n, void *obj);
void dk_kw_set_script(struct dk_kwctx *c, const struct dk_cnode *n, void *obj);
void dk_kw_set_addr(struct dk_kwctx *c, const struct dk_cnode *n, void *obj);

#define DK_KW_FSIZE(T, f) sizeof(((T *)0)->f)
#define DK_KW_FIELD(name, fn, min, T, f, lo, hi) \
	{ name, fn, min, 0, DK_KW_FSIZE(T, f), offsetof(T, f), lo, hi }
#define KW_FLAG(name, T, f) DK_KW_FIELD(name, dk_kw_set_flag, 0, T, f, 0, 0)
#define KW_CLEAR(name, T, f) DK_KW_FIELD(name, dk_kw_set_clear, 0, T, f, 0, 0)
#define KW_TIME(name, T, f, lo, hi) DK_KW_FIELD(name, dk_kw_set_time, 1, T, f, lo, hi)
#define KW_UINT(name, T, f, lo, hi) DK_KW_FIELD(name, dk_kw_set_uint, 1, T, f, lo, hi)
#define KW_STR(name, T, f) DK_KW_FIELD(name, dk_kw_set_str, 1, T, f, 0, 0)
#define KW_SCRIPT(name, T, f) DK_KW_FIELD(name, dk_kw_set_script, 1, T, f, 0, 0)
#define KW_ADDR(name, T, f) DK_KW_FIELD(name, dk_kw_set_addr, 1, T, f, 0, 0)
#define KW_FN(name, fn, min) { name, fn, min, 0, 0, 0, 0, 0 }
#define KW_BLOCK(name, fn, min) { name, fn, min, DK_KW_BLOCK, 0, 0, 0, 0 }
#define KW_IGNORED(name) { name, NULL, 0, DK_KW_IGNORED, 0, 0, 0, 0 }
#define KW_END { NULL, NULL, 0, 0, 0, 0, 0, 0 }
#define DK_SEC(x) ((uint64_t)(x) * 1000000ULL)

#define DK_KW_MAX_ROOTS 8

struct dk_kwctx {
	struct dk_conf *conf;
	struct dk_diag *diag;
	unsigned problems;              /* warnings keepalived -t counts as errors */
	bool oom;
	const struct dk_kw *kw;         /* the entry being run (generic setters) */
	const char *instance_id;
	const struct dk_profile *ports;
	const struct dk_kw *roots[DK_KW_MAX_ROOTS];
	unsigned n_roots;
};

int dk_kw_register(struct dk_kwctx *c, const struct dk_kw *table);
/* Runs every statement from first on through table; what is not in it warns. */
void dk_kw_dispatch(struct dk_kwctx *c, const struct dk_kw *table, const struct dk_cnode *first,
		    void *obj);
void dk_kw_dispatch_root(struct dk_kwctx *c, const struct dk_cnode *first);
const struct dk_kw *dk_kw_lookup(const struct dk_kw *table, const char *kw);
/* Checks arguments and flags of one statement against its entry, then runs it. */
void dk_kw_run(struct dk_kwctx *c, const struct dk_kw *k, const struct dk_cnode *n, void *obj);
/* An interface name: a profile port when there is a profile (error otherwise), else a
 * host interface (warning when the host has none by that name). */
void dk_kw_check_ifname(struct dk_kwctx *c, const struct dk_cnode *n, const char *name);

void dk_kw_error(struct dk_kwctx *c, const struct dk_cnode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A warning that makes the configuration test fail, as keepalived -t does. */
void dk_kw_problem(struct dk_kwctx *c, const struct dk_cnode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

bool dk_kw_uint(struct dk_kwctx *c, const struct dk_cnode *n, unsigned idx, unsigned long lo,
		unsigned long hi, unsigned long *out);
bool dk_kw_int(struct dk_kwctx *c, const struct dk_cnode *n, unsigned idx, long lo, long hi,
	       long *out);
/* Seconds with up to six decimals ("0.5", "3") into microseconds, range in us. */
bool dk_kw_time(struct dk_kwctx *c, const struct dk_cnode *n, unsigned idx, uint64_t lo_us,
		uint64_t hi_us, uint64_t *out);
int dk_conf_parse_time(const char *s, uint64_t *us);
/* A bare keyword is true; otherwise on/off, true/false, yes/no, 1/0. */
bool dk_kw_bool(struct dk_kwctx *c, const struct dk_cnode *n, bool *out);
bool dk_kw_str(struct dk_kwctx *c, const struct dk_cnode *n, unsigned idx, char *dst,
	       size_t size);
/* All arguments joined by spaces (keepalived accepts unquoted multi-word scripts). */
bool dk_kw_script(struct dk_kwctx *c, const struct dk_cnode *n, char *dst, size_t size);
bool dk_kw_addr(struct dk_kwctx *c, const struct dk_cnode *n, unsigned idx, struct dk_addr *a);
/* Appends a zeroed element to a dynamic array; NULL (and c->oom) when out of memory. */
void *dk_kw_push(struct dk_kwctx *c, void *arrp, unsigned *n, size_t size);

/* The subsystems' tables. */
extern const struct dk_kw dk_conf_global_kws[];
extern const struct dk_kw dk_conf_vrrp_root_kws[];
extern const struct dk_kw dk_conf_vs_root_kws[];
/* Checker blocks inside a real_server. */
extern const struct dk_kw dk_conf_checker_kws[];
void dk_conf_vrrp_instance_kw(struct dk_kwctx *c, const struct dk_cnode *n, void *obj);
void dk_conf_vrrp_routes_kw(struct dk_kwctx *c, const struct dk_cnode *n, void *obj);
void dk_conf_vrrp_rules_kw(struct dk_kwctx *c, const struct dk_cnode *n, void *obj);
bool dk_conf_parse_port(const char *s, uint16_t *port);
void dk_conf_port_kw(struct dk_kwctx *c, const struct dk_cnode *n, void *obj);
#define KW_PORT(name, T, f) DK_KW_FIELD(name, dk_conf_port_kw, 1, T, f, 0, 0)
/* Post-parse cross-references and defaults that depend on other blocks. */
void dk_conf_vrrp_finish(struct dk_kwctx *c, const char *file);
void dk_conf_vs_finish(struct dk_kwctx *c, const char *file);
void dk_conf_checker_defaults(struct dk_conf_checker *k, enum dk_conf_check_kind kind,
			      const struct dk_conf_vs *vs);

#endif
