#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dk_common.h"
#include "dk_ctree.h"

const char *
dk_clines_intern(struct dk_clines *lines, const char *file)
{
	char **nf;

	for (unsigned i = 0; i < lines->n_files; i++)
		if (strcmp(lines->files[i], file) == 0)
			return lines->files[i];
	if (lines->n_files == lines->cap_files) {
		unsigned cap = lines->cap_files ? lines->cap_files * 2 : 8;

		nf = realloc(lines->files, cap * sizeof(*nf));
		if (!nf)
			return NULL;
		lines->files = nf;
		lines->cap_files = cap;
	}
	lines->files[lines->n_files] = strdup(file);
	if (!lines->files[lines->n_files])
		return NULL;
	return lines->files[lines->n_files++];
}

int
dk_clines_add(struct dk_clines *lines, const char *text, size_t len, const char *file,
	      int line)
{
	const char *f = dk_clines_intern(lines, file);
	struct dk_cline *nv;
	char *t;

	if (!f)
		return -ENOMEM;
	if (lines->n == lines->cap) {
		unsigned cap = lines->cap ? lines->cap * 2 : 64;

		nv = realloc(lines->v, cap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		lines->v = nv;
		lines->cap = cap;
	}
	t = strndup(text, len);
	if (!t)
		return -ENOMEM;
	lines->v[lines->n].text = t;
	lines->v[lines->n].file = f;
	lines->v[lines->n].line = line;
	lines->n++;
	return 0;
}

int
dk_clines_from_string(struct dk_clines *lines, const char *text, const char *file)
{
	int lineno = 1;

	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		int rc;

		if (len && text[len - 1] == '\r')
			rc = dk_clines_add(lines, text, len - 1, file, lineno);
		else
			rc = dk_clines_add(lines, text, len, file, lineno);
		if (rc < 0)
			return rc;
		lineno++;
		text += len;
		if (*text == '\n')
			text++;
	}
	return 0;
}

void
dk_clines_free(struct dk_clines *lines)
{
	for (unsigned i = 0; i < lines->n; i++)
		free(lines->v[i].text);
	for (unsigned i = 0; i < lines->n_files; i++)
		free(lines->files[i]);
	free(lines->v);
	free(lines->files);
	memset(lines, 0, sizeof(*lines));
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Copies a quoted token body starting after the opening quote; returns the position
 * after the closing quote, or NULL when the quote is not closed on this line. */
static const char *
unquote(const char *p, char *dst)
{
	while (*p && *p != '"') {
		if (*p == '\\' && p[1]) {
			switch (p[1]) {
			case 'n': *dst++ = '\n'; break;
			case 't': *dst++ = '\t'; break;
			case 'r': *dst++ = '\r'; break;
			case '\\': *dst++ = '\\'; break;
			case '"': *dst++ = '"'; break;
			default:
				/* Unknown escapes keep their backslash so regexes survive. */
				*dst++ = '\\';
				*dst++ = p[1];
				break;
			}
			p += 2;
			continue;
		}
		*dst++ = *p++;
	}
	*dst = '\0';
	return *p == '"' ? p + 1 : NULL;
}

int
dk_ctree_tokenize(const char *text, char **tok, bool *quoted, int max)
{
	const char *p = text;
	int n = 0, rc = 0;

	while (*p) {
		const char *start;
		char *t;

		while (is_space(*p))
			p++;
		if (!*p || *p == '#' || *p == '!')
			break;
		if (n == max) {
			rc = -E2BIG;
			goto fail;
		}
		start = p;
		if (*p == '"') {
			t = malloc(strlen(p) + 1);
			if (!t) {
				rc = -ENOMEM;
				goto fail;
			}
			p = unquote(p + 1, t);
			if (!p) {
				free(t);
				rc = -EINVAL;
				goto fail;
			}
			quoted[n] = true;
			tok[n++] = t;
			continue;
		}
		if (*p == '{' || *p == '}')
			p++;
		else
			while (*p && !is_space(*p) && *p != '{' && *p != '}' && *p != '"' &&
			       *p != '#' && *p != '!')
				p++;
		t = strndup(start, (size_t)(p - start));
		if (!t) {
			rc = -ENOMEM;
			goto fail;
		}
		quoted[n] = false;
		tok[n++] = t;
	}
	return n;
fail:
	while (n > 0)
		free(tok[--n]);
	return rc;
}

static void
free_nodes(struct dk_cnode *n)
{
	while (n) {
		struct dk_cnode *next = n->next;

		free_nodes(n->child);
		for (unsigned i = 0; i < n->n_args; i++)
			free(n->args[i]);
		free(n->args);
		free(n->kw);
		free(n);
		n = next;
	}
}

void
dk_ctree_free(struct dk_ctree *tree)
{
	if (!tree)
		return;
	free_nodes(tree->root);
	for (unsigned i = 0; i < tree->n_files; i++)
		free(tree->files[i]);
	free(tree->files);
	free(tree);
}

/* Where new statements go: the tail pointer of one nesting level. */
struct level {
	struct dk_cnode *owner; /* NULL at top level */
	struct dk_cnode **tail;
	struct dk_cnode *last;
};

struct builder {
	struct level lv[DK_CTREE_MAX_DEPTH + 1];
	int depth;
	struct dk_diag *diag;
	int rc;
};

static int
add_arg(struct dk_cnode *n, char *tok)
{
	char **na;

	if (n->n_args >= DK_CTREE_MAX_ARGS)
		return -E2BIG;
	na = realloc(n->args, (n->n_args + 1) * sizeof(*na));
	if (!na)
		return -ENOMEM;
	n->args = na;
	n->args[n->n_args++] = tok;
	return 0;
}

static void
open_block(struct builder *b, struct dk_cnode *target, const struct dk_cline *l)
{
	if (!target || target->block) {
		dk_diag_error(b->diag, l->file, l->line, "'{' without a keyword before it");
		b->rc = -EINVAL;
		return;
	}
	if (b->depth == DK_CTREE_MAX_DEPTH) {
		dk_diag_error(b->diag, l->file, l->line, "blocks nested too deeply");
		b->rc = -EINVAL;
		return;
	}
	target->block = true;
	b->depth++;
	b->lv[b->depth].owner = target;
	b->lv[b->depth].tail = &target->child;
	b->lv[b->depth].last = NULL;
}

/* Feeds one line's tokens; takes ownership of them. Returns 0 or -ENOMEM. */
static int
feed(struct builder *b, const struct dk_cline *l, char **tok, const bool *quoted, int ntok)
{
	struct dk_cnode *stmt = NULL;
	int i, rc = 0;

	for (i = 0; i < ntok; i++) {
		struct level *cur = &b->lv[b->depth];
		bool brace = !quoted[i] && tok[i][1] == '\0';

		if (brace && tok[i][0] == '{') {
			/* "{" on its own line belongs to the statement on the line before. */
			open_block(b, stmt ? stmt : cur->last, l);
			stmt = NULL;
			free(tok[i]);
			continue;
		}
		if (brace && tok[i][0] == '}') {
			if (b->depth == 0) {
				dk_diag_error(b->diag, l->file, l->line, "'}' without a block to close");
				b->rc = -EINVAL;
			} else {
				b->depth--;
			}
			stmt = NULL;
			free(tok[i]);
			continue;
		}
		if (stmt) {
			rc = add_arg(stmt, tok[i]);
			if (rc < 0)
				goto fail;
			continue;
		}
		stmt = calloc(1, sizeof(*stmt));
		if (!stmt) {
			rc = -ENOMEM;
			goto fail;
		}
		stmt->kw = tok[i];
		stmt->file = l->file;
		stmt->line = l->line;
		*cur->tail = stmt;
		cur->tail = &stmt->next;
		cur->last = stmt;
	}
	return 0;
fail:
	for (; i < ntok; i++)
		free(tok[i]);
	return rc;
}

int
dk_ctree_build(struct dk_clines *lines, struct dk_ctree **out, struct dk_diag *diag)
{
	struct dk_ctree *tree = calloc(1, sizeof(*tree));
	struct builder *b = calloc(1, sizeof(*b));
	char *tok[DK_CTREE_MAX_ARGS + 1];
	bool quoted[DK_CTREE_MAX_ARGS + 1];
	int rc = 0;

	*out = NULL;
	if (!tree || !b) {
		rc = -ENOMEM;
		goto fail;
	}
	tree->files = lines->files;
	tree->n_files = lines->n_files;
	lines->files = NULL;
	lines->n_files = lines->cap_files = 0;
	b->diag = diag;
	b->lv[0].tail = &tree->root;
	for (unsigned i = 0; i < lines->n; i++) {
		const struct dk_cline *l = &lines->v[i];
		int n = dk_ctree_tokenize(l->text, tok, quoted, (int)DK_ARRAY_SIZE(tok) - 1);

		if (n == -ENOMEM) {
			rc = n;
			goto fail;
		}
		if (n < 0) {
			dk_diag_error(diag, l->file, l->line, n == -E2BIG ?
				      "too many words on one line" : "unterminated quoted string");
			b->rc = -EINVAL;
			continue;
		}
		rc = feed(b, l, tok, quoted, n);
		if (rc < 0)
			goto fail;
	}
	if (b->depth > 0) {
		struct dk_cnode *o = b->lv[b->depth].owner;

		dk_diag_error(diag, o->file, o->line, "block of '%s' is not closed", o->kw);
		b->rc = -EINVAL;
	}
	rc = b->rc;
	*out = tree;
	free(b);
	return rc;
fail:
	dk_ctree_free(tree);
	free(b);
	return rc;
}
