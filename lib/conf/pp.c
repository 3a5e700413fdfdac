#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dk_common.h"
#include "dk_confutil.h"
#include "dk_pp.h"

#define MAX_PARAMS 1024
#define MAX_EXPAND 16

struct param {
	char *name;
	char *value;
};

struct pp {
	const struct dk_pp_params *p;
	struct dk_clines *out;
	struct dk_diag *diag;
	char instance[256];
	char root[PATH_MAX];
	struct param params[MAX_PARAMS];
	unsigned n_params;
	unsigned depth, max_depth;
	unsigned seq_lines;
	int rc;
};

struct src {
	const char *file;
	char dir[PATH_MAX];
	int line;
};

static struct param *
find_param(struct pp *s, const char *name, size_t len)
{
	for (unsigned i = 0; i < s->n_params; i++)
		if (strlen(s->params[i].name) == len && memcmp(s->params[i].name, name, len) == 0)
			return &s->params[i];
	return NULL;
}

static int
set_param(struct pp *s, const char *name, size_t len, const char *value)
{
	struct param *p = find_param(s, name, len);
	char *v = strdup(value);

	if (!v)
		return -ENOMEM;
	if (p) {
		free(p->value);
		p->value = v;
		return 0;
	}
	if (s->n_params == MAX_PARAMS) {
		free(v);
		return -ENOSPC;
	}
	p = &s->params[s->n_params];
	p->name = strndup(name, len);
	if (!p->name) {
		free(v);
		return -ENOMEM;
	}
	p->value = v;
	s->n_params++;
	return 0;
}

static void
del_param(struct pp *s, const char *name)
{
	struct param *p = find_param(s, name, strlen(name));

	if (!p)
		return;
	free(p->name);
	free(p->value);
	*p = s->params[--s->n_params];
}

static bool
name_char(char c, bool first)
{
	return c == '_' || isalpha((unsigned char)c) || (!first && isdigit((unsigned char)c));
}

/* Value of a builtin (${_PWD} ...), written into buf; NULL when name is not one. */
static const char *
builtin(struct pp *s, const struct src *src, const char *name, size_t len, char *buf,
	size_t size)
{
	if (len == 4 && memcmp(name, "_PWD", 4) == 0)
		return src->dir;
	if (len == 9 && memcmp(name, "_INSTANCE", 9) == 0)
		return s->instance;
	if (len == 7 && memcmp(name, "_RANDOM", 7) == 0) {
		snprintf(buf, size, "%ld", random());
		return buf;
	}
	if (len > 5 && memcmp(name, "_ENV", 4) == 0 && (name[4] == ' ' || name[4] == ':')) {
		char var[256];
		const char *v;

		if (len - 5 >= sizeof(var))
			return "";
		memcpy(var, name + 5, len - 5);
		var[len - 5] = '\0';
		v = getenv(var);
		return v ? v : "";
	}
	return NULL;
}

/* One pass of $NAME / ${NAME} substitution; returns the number of substitutions, or
 * -E2BIG when the result does not fit. */
static int
expand_once(struct pp *s, const struct src *src, const char *in, char *out, size_t size)
{
	size_t o = 0;
	int subs = 0;

	for (const char *p = in; *p;) {
		const char *name = NULL, *val = NULL, *next = p + 1;
		size_t nlen = 0, vlen;
		char tmp[64];

		if (p[0] == '$' && p[1] == '{') {
			const char *end = strchr(p + 2, '}');

			if (end) {
				name = p + 2;
				nlen = (size_t)(end - name);
				next = end + 1;
			}
		} else if (p[0] == '$' && name_char(p[1], true)) {
			name = p + 1;
			while (name_char(name[nlen], nlen == 0))
				nlen++;
			next = name + nlen;
		}
		if (name) {
			struct param *pr = find_param(s, name, nlen);

			val = pr ? pr->value : builtin(s, src, name, nlen, tmp, sizeof(tmp));
		}
		if (!val) {
			if (o + 1 >= size)
				return -E2BIG;
			out[o++] = *p++;
			continue;
		}
		vlen = strlen(val);
		if (o + vlen >= size)
			return -E2BIG;
		memcpy(out + o, val, vlen);
		o += vlen;
		subs++;
		p = next;
	}
	out[o] = '\0';
	return subs;
}

static int
expand(struct pp *s, const struct src *src, const char *in, char *out, size_t size)
{
	char *tmp = malloc(size);
	int rc = 0;

	if (!tmp)
		return -ENOMEM;
	snprintf(out, size, "%s", in);
	for (int i = 0; i < MAX_EXPAND; i++) {
		rc = expand_once(s, src, out, tmp, size);
		if (rc <= 0)
			break;
		memcpy(out, tmp, strlen(tmp) + 1);
		rc = 0;
		if (i == MAX_EXPAND - 1)
			rc = -ELOOP;
	}
	free(tmp);
	return rc < 0 ? rc : 0;
}

static void
err(struct pp *s, const struct src *src, const char *fmt, const char *arg)
{
	dk_diag_error(s->diag, src->file, src->line, fmt, arg);
	s->rc = -EINVAL;
}

static int process_text(struct pp *s, const char *text, const char *file);
static int process_line(struct pp *s, const struct src *src, const char *line);

static int
include(struct pp *s, const struct src *src, const char *kw, const char *pattern)
{
	char path[PATH_MAX * 2];
	glob_t g;
	int rc = 0, grc;

	if (pattern[0] == '/')
		snprintf(path, sizeof(path), "%s", pattern);
	else
		snprintf(path, sizeof(path), "%s/%s", src->dir, pattern);
	grc = glob(path, GLOB_BRACE, NULL, &g);
	if (grc == GLOB_NOMATCH || (grc == 0 && g.gl_pathc == 0)) {
		if (strcmp(kw, "includer") == 0)
			err(s, src, "no file matches include %s", pattern);
		else if (strcmp(kw, "includem") != 0)
			dk_diag_warn(s->diag, src->file, src->line, "no file matches include %s",
				     pattern);
		globfree(&g);
		return 0;
	}
	if (grc != 0) {
		err(s, src, "cannot expand include %s", pattern);
		return 0;
	}
	for (size_t i = 0; i < g.gl_pathc && rc == 0; i++) {
		char real[PATH_MAX], *text = NULL;
		int r;

		if (s->root[0] && (!realpath(g.gl_pathv[i], real) ||
				   strncmp(real, s->root, strlen(s->root)) != 0 ||
				   real[strlen(s->root)] != '/')) {
			err(s, src, "include %s is outside the allowed directory", g.gl_pathv[i]);
			continue;
		}
		if (s->depth >= s->max_depth) {
			err(s, src, "includes nested too deeply at %s", g.gl_pathv[i]);
			break;
		}
		r = dk_conf_read_file(g.gl_pathv[i], &text, NULL);
		if (r < 0) {
			dk_diag_error(s->diag, src->file, src->line, "cannot read %s: %s",
				      g.gl_pathv[i], strerror(-r));
			s->rc = -EINVAL;
			continue;
		}
		s->depth++;
		rc = process_text(s, text, g.gl_pathv[i]);
		s->depth--;
		free(text);
	}
	globfree(&g);
	return rc;
}

/* ~SEQ(NAME, [START,] [STEP,] END) / ~SEQx / ~LST(NAME, V...) followed by the line. */
static int
sequence(struct pp *s, const struct src *src, const char *line)
{
	bool lst = strncmp(line, "~LST(", 5) == 0, hex = strncmp(line, "~SEQx(", 6) == 0;
	const char *open = strchr(line, '('), *close = strchr(line, ')');
	char args[1024], *a[64], *save = NULL;
	int na = 0, rc = 0;
	long v[3] = { 0, 1, 0 };

	if (!close || (size_t)(close - open) >= sizeof(args)) {
		err(s, src, "bad sequence '%s'", line);
		return 0;
	}
	memcpy(args, open + 1, (size_t)(close - open - 1));
	args[close - open - 1] = '\0';
	for (char *t = strtok_r(args, ",", &save); t && na < 64; t = strtok_r(NULL, ",", &save)) {
		while (isspace((unsigned char)*t))
			t++;
		for (char *e = t + strlen(t); e > t && isspace((unsigned char)e[-1]);)
			*--e = '\0';
		a[na++] = t;
	}
	if (na < 2 || !name_char(a[0][0], true)) {
		err(s, src, "bad sequence '%s'", line);
		return 0;
	}
	if (lst) {
		for (int i = 1; i < na && rc == 0; i++) {
			rc = set_param(s, a[0], strlen(a[0]), a[i]);
			if (rc == 0)
				rc = process_line(s, src, close + 1);
		}
		del_param(s, a[0]);
		return rc;
	}
	if (na > 4) {
		err(s, src, "bad sequence '%s'", line);
		return 0;
	}
	for (int i = 1; i < na; i++) {
		char *end;

		v[i - 1] = strtol(a[i], &end, hex ? 16 : 10);
		if (*end || end == a[i]) {
			err(s, src, "bad sequence value '%s'", a[i]);
			return 0;
		}
	}
	if (na == 2) {          /* END */
		v[2] = v[0];
		v[0] = 1;
		v[1] = 1;
	} else if (na == 3) {   /* START, END */
		v[2] = v[1];
		v[1] = v[2] >= v[0] ? 1 : -1;
	}
	if (v[1] == 0 || (v[1] > 0 && v[2] < v[0]) || (v[1] < 0 && v[2] > v[0])) {
		err(s, src, "sequence '%s' never ends", line);
		return 0;
	}
	for (long x = v[0]; rc == 0 && (v[1] > 0 ? x <= v[2] : x >= v[2]); x += v[1]) {
		char num[32];

		if (++s->seq_lines > DK_PP_MAX_LINES) {
			err(s, src, "sequence '%s' is too long", line);
			break;
		}
		snprintf(num, sizeof(num), hex ? "%lx" : "%ld", x);
		rc = set_param(s, a[0], strlen(a[0]), num);
		if (rc == 0)
			rc = process_line(s, src, close + 1);
	}
	del_param(s, a[0]);
	return rc;
}

static const char *const include_kws[] = {
	"include", "includer", "includem", "includew", "includeb", "includea",
};

static int
process_line(struct pp *s, const struct src *src, const char *line)
{
	char *buf = malloc(DK_PP_MAX_LINE);
	const char *p = line;
	char kw[16];
	int rc = 0, n;

	if (!buf)
		return -ENOMEM;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '@') {
		bool neg = p[1] == '^';
		const char *id = p + 1 + neg;
		size_t l = strcspn(id, " \t");
		bool match = strlen(s->instance) == l && memcmp(id, s->instance, l) == 0;

		if (match == neg)
			goto out;
		p = id + l;
		while (isspace((unsigned char)*p))
			p++;
	}
	if (strncmp(p, "~SEQ(", 5) == 0 || strncmp(p, "~SEQx(", 6) == 0 ||
	    strncmp(p, "~LST(", 5) == 0) {
		rc = sequence(s, src, p);
		goto out;
	}
	rc = expand(s, src, p, buf, DK_PP_MAX_LINE);
	if (rc < 0) {
		err(s, src, rc == -ELOOP ? "parameters expand forever in '%s'" :
			    "line too long after expanding '%s'", p);
		rc = 0;
		goto out;
	}
	if (sscanf(buf, "%15s%n", kw, &n) == 1) {
		for (unsigned i = 0; i < DK_ARRAY_SIZE(include_kws); i++) {
			char pat[PATH_MAX];

			if (strcmp(kw, include_kws[i]) != 0)
				continue;
			if (sscanf(buf + n, "%4095s", pat) != 1)
				err(s, src, "'%s' needs a file name", kw);
			else
				rc = include(s, src, kw, pat);
			goto out;
		}
	}
	if (s->out->n >= DK_PP_MAX_LINES) {
		err(s, src, "too many lines (more than %s)", "200000");
		goto out;
	}
	/* A multi-line parameter value stands for several lines. */
	for (char *q = buf; rc == 0; ) {
		size_t l = strcspn(q, "\n");

		rc = dk_clines_add(s->out, q, l, src->file, src->line);
		if (!q[l])
			break;
		q += l + 1;
	}
out:
	free(buf);
	return rc;
}

/* "$NAME=VALUE": returns the length of NAME, 0 when the line is not a definition. */
static size_t
definition(const char *p)
{
	size_t l = 0;

	if (*p != '$' || !name_char(p[1], true))
		return 0;
	while (name_char(p[1 + l], l == 0))
		l++;
	return p[1 + l] == '=' ? l : 0;
}

static int
process_text(struct pp *s, const char *text, const char *file)
{
	struct src src = { .file = file, .line = 0 };
	char *dup = strdup(file), *line = NULL;
	size_t cap = 0;
	int rc = 0;

	if (!dup)
		return -ENOMEM;
	snprintf(src.dir, sizeof(src.dir), "%s", dirname(dup));
	free(dup);
	while (*text && rc == 0) {
		size_t len = strcspn(text, "\n"), nl;
		const char *p;

		src.line++;
		if (len + 1 > cap) {
			char *nb = realloc(line, len + 1);

			if (!nb) {
				rc = -ENOMEM;
				break;
			}
			line = nb;
			cap = len + 1;
		}
		memcpy(line, text, len);
		line[len] = '\0';
		text += len + (text[len] == '\n');
		for (p = line; isspace((unsigned char)*p); p++)
			;
		nl = definition(p);
		if (nl) {
			char value[DK_PP_MAX_LINE];
			const char *v = p + nl + 2;
			size_t vl;

			snprintf(value, sizeof(value), "%s", v);
			/* A trailing backslash continues the value on the next line. */
			while ((vl = strlen(value)) && value[vl - 1] == '\\' && *text) {
				size_t l2 = strcspn(text, "\n");

				value[vl - 1] = '\n';
				if (vl + l2 >= sizeof(value))
					l2 = sizeof(value) - vl - 1;
				memcpy(value + vl, text, l2);
				value[vl + l2] = '\0';
				text += strcspn(text, "\n");
				text += *text == '\n';
				src.line++;
			}
			if (set_param(s, p + 1, nl, value) == -ENOSPC)
				err(s, &src, "too many parameters at %s", p);
			continue;
		}
		rc = process_line(s, &src, line);
	}
	free(line);
	return rc;
}

int
dk_pp_run(const struct dk_pp_params *p, struct dk_clines *out, struct dk_diag *diag)
{
	struct pp *s = calloc(1, sizeof(*s));
	char *text = NULL;
	int rc;

	if (!s)
		return -ENOMEM;
	s->p = p;
	s->out = out;
	s->diag = diag;
	s->max_depth = p->max_depth ? p->max_depth : 16;
	if (p->instance_id) {
		snprintf(s->instance, sizeof(s->instance), "%s", p->instance_id);
	} else {
		gethostname(s->instance, sizeof(s->instance) - 1);
		s->instance[strcspn(s->instance, ".")] = '\0';
	}
	if (p->include_root && !realpath(p->include_root, s->root)) {
		rc = -errno;
		goto out;
	}
	if (p->include_root && !s->root[0])
		s->root[0] = '/';
	if (!p->text) {
		rc = dk_conf_read_file(p->path, &text, NULL);
		if (rc < 0) {
			dk_diag_error(diag, p->path, 0, "cannot read: %s", strerror(-rc));
			goto out;
		}
	}
	rc = process_text(s, p->text ? p->text : text, p->path);
	if (rc == 0)
		rc = s->rc;
out:
	for (unsigned i = 0; i < s->n_params; i++) {
		free(s->params[i].name);
		free(s->params[i].value);
	}
	free(text);
	free(s);
	return rc;
}
