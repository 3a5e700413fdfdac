/*
 * The builder records a small tree and renders it at the end: text tables need every row
 * before the column widths are known, and JSON must stay valid even when the handler's
 * output is cut by the size cap.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dk_buf.h"
#include "dk_common.h"
#include "dk_out.h"

#define MAX_DEPTH 32
#define MAX_ERR 1024
#define MAX_TABLE_COLS 32
/* Per-node JSON punctuation: quotes, colon, comma. */
#define NODE_OVERHEAD 8

enum ntype {
	N_OBJ,
	N_ARR,
	N_STR,
	N_RAW, /* number, bool, null: printed without quotes */
	N_TEXT,
};

struct node {
	enum ntype type;
	struct node *parent;
	struct node *first;
	struct node *last;
	struct node *next;
	char *key;
	char *val;
};

struct dk_out {
	enum dk_out_fmt fmt;
	size_t max;
	size_t used;	/* JSON size of the tree so far */
	bool trunc;
	unsigned depth;
	unsigned drop_depth; /* containers opened while dropping, so their ends match */
	struct node root;
	struct node *cur;
	char *err;
	struct dk_buf render;
};

int
dk_out_create(const struct dk_out_params *p, struct dk_out **out)
{
	struct dk_out *o;

	o = calloc(1, sizeof(*o));
	if (o == NULL)
		return -ENOMEM;
	o->max = p != NULL && p->max_bytes != 0 ? p->max_bytes : DK_OUT_DEFAULT_MAX;
	/* Text tables pad cells; leave room for it beyond the JSON-sized tree. */
	dk_buf_init(&o->render, o->max * 2 + 256);
	o->root.type = N_OBJ;
	dk_out_reset(o, p != NULL ? p->fmt : DK_OUT_TEXT);
	*out = o;
	return 0;
}

static void
free_children(struct node *n)
{
	struct node *c = n->first, *next;

	while (c != NULL) {
		next = c->next;
		free_children(c);
		free(c->key);
		free(c->val);
		free(c);
		c = next;
	}
	n->first = n->last = NULL;
}

void
dk_out_reset(struct dk_out *o, enum dk_out_fmt fmt)
{
	free_children(&o->root);
	free(o->err);
	o->err = NULL;
	o->fmt = fmt;
	o->used = 2;
	o->trunc = false;
	o->depth = 0;
	o->drop_depth = 0;
	o->cur = &o->root;
	dk_buf_clear(&o->render);
}

void
dk_out_destroy(struct dk_out *o)
{
	if (o == NULL)
		return;
	dk_out_reset(o, DK_OUT_TEXT);
	dk_buf_free(&o->render);
	free(o);
}

enum dk_out_fmt
dk_out_format(const struct dk_out *o)
{
	return o->fmt;
}

static size_t
json_len(const char *s)
{
	size_t n = 0;

	for (; s != NULL && *s != '\0'; s++)
		n += (unsigned char)*s < 0x20 || (unsigned char)*s >= 0x80 ? 6 :
		     (*s == '"' || *s == '\\') ? 2 : 1;
	return n;
}

static struct node *
add_node(struct dk_out *o, enum ntype type, const char *key, const char *val, size_t vlen)
{
	struct node *n;
	size_t need;

	if (o->trunc || o->drop_depth > 0)
		return NULL;
	if (o->cur->type == N_ARR)
		key = NULL;
	else if (key == NULL && type != N_TEXT)
		key = "value";
	need = NODE_OVERHEAD + json_len(key) + (type == N_TEXT ? vlen : json_len(val));
	if (o->used + need > o->max)
		goto fail_trunc;
	n = calloc(1, sizeof(*n));
	if (n == NULL)
		goto fail_trunc;
	n->type = type;
	n->key = key != NULL ? strdup(key) : NULL;
	n->val = val != NULL ? strndup(val, vlen) : NULL;
	if ((key != NULL && n->key == NULL) || (val != NULL && n->val == NULL)) {
		free(n->key);
		free(n->val);
		free(n);
		goto fail_trunc;
	}
	n->parent = o->cur;
	if (o->cur->last != NULL)
		o->cur->last->next = n;
	else
		o->cur->first = n;
	o->cur->last = n;
	o->used += need;
	return n;
fail_trunc:
	o->trunc = true;
	return NULL;
}

static void
begin(struct dk_out *o, enum ntype type, const char *key)
{
	struct node *n = NULL;

	if (o->depth < MAX_DEPTH)
		n = add_node(o, type, key, NULL, 0);
	if (n == NULL) {
		o->drop_depth++;
		return;
	}
	o->cur = n;
	o->depth++;
}

static void
end(struct dk_out *o, enum ntype type)
{
	if (o->drop_depth > 0) {
		o->drop_depth--;
		return;
	}
	/* An end that does not match the open container is a handler bug; ignore it. */
	if (o->cur == &o->root || o->cur->type != type)
		return;
	o->cur = o->cur->parent;
	o->depth--;
}

void
dk_out_obj_begin(struct dk_out *o, const char *key)
{
	begin(o, N_OBJ, key);
}

void
dk_out_obj_end(struct dk_out *o)
{
	end(o, N_OBJ);
}

void
dk_out_arr_begin(struct dk_out *o, const char *key)
{
	begin(o, N_ARR, key);
}

void
dk_out_arr_end(struct dk_out *o)
{
	end(o, N_ARR);
}

void
dk_out_str(struct dk_out *o, const char *key, const char *val)
{
	if (val == NULL)
		add_node(o, N_RAW, key, "null", 4);
	else
		add_node(o, N_STR, key, val, strlen(val));
}

void
dk_out_strf(struct dk_out *o, const char *key, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		o->trunc = true;
		return;
	}
	add_node(o, N_STR, key, s, (size_t)n);
	free(s);
}

static void
raw(struct dk_out *o, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
raw(struct dk_out *o, const char *key, const char *fmt, ...)
{
	char s[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(s, sizeof(s), fmt, ap);
	va_end(ap);
	add_node(o, N_RAW, key, s, (size_t)DK_MIN(n, (int)sizeof(s) - 1));
}

void
dk_out_u64(struct dk_out *o, const char *key, uint64_t v)
{
	raw(o, key, "%" PRIu64, v);
}

void
dk_out_i64(struct dk_out *o, const char *key, int64_t v)
{
	raw(o, key, "%" PRId64, v);
}

void
dk_out_bool(struct dk_out *o, const char *key, bool v)
{
	raw(o, key, "%s", v ? "true" : "false");
}

void
dk_out_double(struct dk_out *o, const char *key, double v)
{
	if (!isfinite(v))
		raw(o, key, "null");
	else if (o->fmt == DK_OUT_JSON)
		raw(o, key, "%.15g", v);
	else
		raw(o, key, "%g", v);
}

void
dk_out_text(struct dk_out *o, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	int n;

	if (o->fmt != DK_OUT_TEXT)
		return;
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		o->trunc = true;
		return;
	}
	add_node(o, N_TEXT, NULL, s, (size_t)n);
	free(s);
}

void
dk_out_error(struct dk_out *o, const char *fmt, ...)
{
	va_list ap;
	char *p;

	free(o->err);
	o->err = malloc(MAX_ERR);
	if (o->err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(o->err, MAX_ERR, fmt, ap);
	va_end(ap);
	/* The reason travels as one line on the control socket. */
	for (p = o->err; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

const char *
dk_out_error_msg(const struct dk_out *o)
{
	return o->err;
}

bool
dk_out_truncated(const struct dk_out *o)
{
	return o->trunc || o->render.trunc;
}

/* JSON ------------------------------------------------------------------------------- */

/* Length of a valid UTF-8 sequence at s, 0 when invalid (so it is replaced, not copied). */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static void
json_str(struct dk_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	dk_buf_addc(b, '"', 1);
	while (*p != '\0') {
		if (*p == '"' || *p == '\\') {
			dk_buf_addc(b, '\\', 1);
			dk_buf_addc(b, (char)*p++, 1);
		} else if (*p == '\n') {
			dk_buf_add(b, "\\n", 2), p++;
		} else if (*p == '\t') {
			dk_buf_add(b, "\\t", 2), p++;
		} else if (*p < 0x20) {
			dk_buf_printf(b, "\\u%04x", *p++);
		} else if ((n = utf8_len(p)) == 0) {
			dk_buf_add(b, "\\ufffd", 6), p++;
		} else {
			dk_buf_add(b, p, n);
			p += n;
		}
	}
	dk_buf_addc(b, '"', 1);
}

static void
json_node(struct dk_buf *b, const struct node *n)
{
	const struct node *c;
	bool first = true;

	if (n->key != NULL) {
		json_str(b, n->key);
		dk_buf_addc(b, ':', 1);
	}
	switch (n->type) {
	case N_OBJ:
	case N_ARR:
		dk_buf_addc(b, n->type == N_OBJ ? '{' : '[', 1);
		for (c = n->first; c != NULL; c = c->next) {
			if (c->type == N_TEXT)
				continue;
			if (!first)
				dk_buf_addc(b, ',', 1);
			first = false;
			json_node(b, c);
		}
		dk_buf_addc(b, n->type == N_OBJ ? '}' : ']', 1);
		break;
	case N_STR:
		json_str(b, n->val);
		break;
	case N_RAW:
		dk_buf_add(b, n->val, strlen(n->val));
		break;
	case N_TEXT:
		break;
	}
}

static void
render_json(struct dk_out *o)
{
	struct dk_buf *b = &o->render;
	const struct node *c;
	bool first = true;

	/* The root is written here so that the truncation flag can join its members. */
	dk_buf_addc(b, '{', 1);
	for (c = o->root.first; c != NULL; c = c->next) {
		if (c->type == N_TEXT)
			continue;
		if (!first)
			dk_buf_addc(b, ',', 1);
		first = false;
		json_node(b, c);
	}
	if (o->trunc)
		dk_buf_printf(b, "%s\"truncated\":true", first ? "" : ",");
	dk_buf_add(b, "}\n", 2);
}

/* Text ------------------------------------------------------------------------------- */

struct text {
	struct dk_buf *b;
	bool dash; /* the next indent starts a "- " list item */
};

static void
indent(struct text *t, unsigned depth)
{
	if (t->dash && depth > 0) {
		dk_buf_addc(t->b, ' ', 2 * (depth - 1));
		dk_buf_add(t->b, "- ", 2);
		t->dash = false;
		return;
	}
	dk_buf_addc(t->b, ' ', 2 * depth);
}

static bool
is_scalar(const struct node *n)
{
	return n->type == N_STR || n->type == N_RAW;
}

static const char *
cell(const struct node *n)
{
	return n->type == N_RAW && strcmp(n->val, "null") == 0 ? "-" : n->val;
}

static void text_members(struct text *t, const struct node *obj, unsigned depth);

/* Rows of flat objects become a table; returns false when the array does not qualify. */
static bool
text_table(struct text *t, const struct node *arr, unsigned depth)
{
	const char *cols[MAX_TABLE_COLS];
	size_t width[MAX_TABLE_COLS];
	const struct node *row, *c;
	unsigned ncol = 0, i;

	for (row = arr->first; row != NULL; row = row->next) {
		if (row->type != N_OBJ)
			return false;
		for (c = row->first; c != NULL; c = c->next) {
			if (!is_scalar(c))
				return false;
			for (i = 0; i < ncol && strcmp(cols[i], c->key) != 0; i++)
				;
			if (i == ncol) {
				if (ncol == MAX_TABLE_COLS)
					return false;
				cols[ncol] = c->key;
				width[ncol++] = strlen(c->key);
			}
			width[i] = DK_MAX(width[i], strlen(cell(c)));
		}
	}
	if (ncol == 0)
		return false;
	indent(t, depth);
	for (i = 0; i < ncol; i++)
		dk_buf_printf(t->b, "%-*s", i + 1 < ncol ? (int)width[i] + 2 : 0, cols[i]);
	dk_buf_addc(t->b, '\n', 1);
	for (row = arr->first; row != NULL; row = row->next) {
		indent(t, depth);
		for (i = 0; i < ncol; i++) {
			const char *v = "-";

			for (c = row->first; c != NULL; c = c->next)
				if (strcmp(c->key, cols[i]) == 0)
					v = cell(c);
			dk_buf_printf(t->b, "%-*s", i + 1 < ncol ? (int)width[i] + 2 : 0, v);
		}
		dk_buf_addc(t->b, '\n', 1);
	}
	return true;
}

static void
text_array(struct text *t, const struct node *arr, unsigned depth)
{
	const struct node *c;
	bool scalars = true;

	for (c = arr->first; c != NULL; c = c->next)
		scalars = scalars && is_scalar(c);
	indent(t, depth);
	if (arr->key != NULL)
		dk_buf_printf(t->b, "%s:", arr->key);
	if (arr->first == NULL) {
		dk_buf_printf(t->b, "%s(none)\n", arr->key != NULL ? " " : "");
		return;
	}
	if (scalars) {
		if (arr->key != NULL)
			dk_buf_addc(t->b, ' ', 1);
		for (c = arr->first; c != NULL; c = c->next)
			dk_buf_printf(t->b, "%s%s", cell(c), c->next != NULL ? ", " : "\n");
		return;
	}
	dk_buf_addc(t->b, '\n', 1);
	if (text_table(t, arr, depth + 1))
		return;
	for (c = arr->first; c != NULL; c = c->next) {
		t->dash = true;
		if (is_scalar(c)) {
			indent(t, depth + 2);
			dk_buf_printf(t->b, "%s\n", cell(c));
		} else if (c->type == N_ARR) {
			text_array(t, c, depth + 2);
		} else if (c->first == NULL) {
			indent(t, depth + 2);
			dk_buf_add(t->b, "(empty)\n", 8);
		} else {
			text_members(t, c, depth + 2);
		}
		t->dash = false;
	}
}

static void
text_members(struct text *t, const struct node *obj, unsigned depth)
{
	const struct node *c;

	for (c = obj->first; c != NULL; c = c->next) {
		switch (c->type) {
		case N_STR:
		case N_RAW:
			indent(t, depth);
			dk_buf_printf(t->b, "%s: %s\n", c->key, cell(c));
			break;
		case N_TEXT:
			dk_buf_add(t->b, c->val, strlen(c->val));
			break;
		case N_OBJ:
			indent(t, depth);
			dk_buf_printf(t->b, "%s:\n", c->key);
			text_members(t, c, depth + 1);
			break;
		case N_ARR:
			text_array(t, c, depth);
			break;
		}
	}
}

static void
render_text(struct dk_out *o)
{
	struct text t = { .b = &o->render };
	size_t mark = sizeof(DK_OUT_TRUNC_MARK) - 1;
	char *nl;

	text_members(&t, &o->root, 0);
	if (!o->trunc && !o->render.trunc)
		return;
	/* Cut at a line end so that the marker starts its own line. */
	if (o->render.len + mark > o->render.max)
		o->render.len = o->render.max - mark;
	o->render.p[o->render.len] = '\0';
	nl = strrchr(o->render.p, '\n');
	o->render.len = nl != NULL ? (size_t)(nl - o->render.p) + 1 : 0;
	dk_buf_add(&o->render, DK_OUT_TRUNC_MARK, mark);
	o->render.trunc = true;
}

const char *
dk_out_render(struct dk_out *o, size_t *len)
{
	while (o->cur != &o->root)
		end(o, o->cur->type);
	o->drop_depth = 0;
	dk_buf_clear(&o->render);
	if (o->fmt == DK_OUT_JSON)
		render_json(o);
	else
		render_text(o);
	if (o->render.p == NULL)
		dk_buf_add(&o->render, "", 0);
	*len = o->render.len;
	return o->render.p;
}
