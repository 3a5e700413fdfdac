/*
 * Structured command output. A handler describes its result once with the builder calls
 * below; the transport decides whether it is rendered as JSON (one object per command,
 * for scripts) or as readable text (for the console and dpkeep-cli without --json).
 *
 * The implicit root is an object, so a handler starts with dk_out_str(o, "state", ...)
 * or dk_out_arr_begin(o, "instances") directly. Inside objects every value has a key
 * (lower_snake_case, passed through as given); inside arrays keys are ignored (pass NULL).
 *
 * Text rendering:
 *   scalar             "key: value"
 *   object             "key:" then its members indented by two spaces
 *   array of scalars   "key: a, b, c"
 *   array of flat objects (all members scalars): a table, header row = keys
 *   array of other objects: one "- " item per element, members indented
 *   dk_out_text()      free text, printed where it was emitted (skipped in JSON)
 *
 * Builder calls never fail from the handler's point of view: misuse (an unmatched end)
 * is ignored and running out of the size cap marks the output truncated, so handlers need
 * no error checks between calls. Output is capped (DK_OUT_DEFAULT_MAX bytes) and a
 * truncated text rendering ends with DK_OUT_TRUNC_MARK; truncated JSON stays valid and
 * carries "truncated": true in the root object.
 */
#ifndef DK_OUT_H
#define DK_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum dk_out_fmt {
	DK_OUT_TEXT,
	DK_OUT_JSON,
};

#define DK_OUT_DEFAULT_MAX (4u << 20)
#define DK_OUT_TRUNC_MARK "... (output truncated)\n"

struct dk_out;

struct dk_out_params {
	enum dk_out_fmt fmt;
	size_t max_bytes; /* 0: DK_OUT_DEFAULT_MAX */
};

int dk_out_create(const struct dk_out_params *p, struct dk_out **out);
void dk_out_destroy(struct dk_out *o);
/* Drops everything built so far; the object is reused for the next command. */
void dk_out_reset(struct dk_out *o, enum dk_out_fmt fmt);
enum dk_out_fmt dk_out_format(const struct dk_out *o);

void dk_out_obj_begin(struct dk_out *o, const char *key);
void dk_out_obj_end(struct dk_out *o);
void dk_out_arr_begin(struct dk_out *o, const char *key);
void dk_out_arr_end(struct dk_out *o);

void dk_out_str(struct dk_out *o, const char *key, const char *val); /* NULL -> null */
void dk_out_strf(struct dk_out *o, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void dk_out_u64(struct dk_out *o, const char *key, uint64_t v);
void dk_out_i64(struct dk_out *o, const char *key, int64_t v);
void dk_out_bool(struct dk_out *o, const char *key, bool v);
void dk_out_double(struct dk_out *o, const char *key, double v); /* NaN/inf -> null */
/* Free text, text mode only (help banners, hexdumps). No newline is added. */
void dk_out_text(struct dk_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Sets the failure reason (one line). The handler still returns -errno; the transport
 * shows the reason instead of the output.
 */
void dk_out_error(struct dk_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* NULL when no error was set. */
const char *dk_out_error_msg(const struct dk_out *o);

/*
 * Closes open containers and renders in the chosen format. The returned buffer stays
 * valid until the next reset/destroy. JSON is one line ending in "\n".
 */
const char *dk_out_render(struct dk_out *o, size_t *len);
bool dk_out_truncated(const struct dk_out *o);

#endif
