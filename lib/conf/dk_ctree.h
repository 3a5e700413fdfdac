/*
 * The brace syntax shared by keepalived.conf and drivers-cfg profiles, as two layers:
 *
 *   lines  - logical lines with their origin (file, line). The keepalived.conf
 *            preprocessor (includes, @id, $PARAMS, ~SEQ) produces them; a profile is
 *            simply split at newlines.
 *   tree   - statements built from those lines with keepalived's lexical rules:
 *            "{" and "}" are tokens of their own wherever they appear, "{" may stand
 *            on the keyword's line or on the next one, "#" and "!" outside quotes start
 *            a comment, "..." is one token without its quotes (backslash escapes).
 *
 * Each statement keeps where it came from so that every later check can say
 * FILE:LINE: what is wrong.
 */
#ifndef DK_CTREE_H
#define DK_CTREE_H

#include <stdbool.h>
#include <stddef.h>

#include "dk_diag.h"

#define DK_CTREE_MAX_DEPTH 32
#define DK_CTREE_MAX_ARGS 256

struct dk_cline {
	char *text;
	const char *file; /* interned in dk_clines.files */
	int line;
};

struct dk_clines {
	struct dk_cline *v;
	unsigned n, cap;
	char **files;
	unsigned n_files, cap_files;
};

/* Returns the stable copy of file kept by lines, or NULL when out of memory. */
const char *dk_clines_intern(struct dk_clines *lines, const char *file);
int dk_clines_add(struct dk_clines *lines, const char *text, size_t len, const char *file,
		  int line);
/* Splits text at newlines (file is the name used in messages). */
int dk_clines_from_string(struct dk_clines *lines, const char *text, const char *file);
void dk_clines_free(struct dk_clines *lines);

struct dk_cnode {
	char *kw;
	char **args;
	unsigned n_args;
	bool block;              /* the statement opened a { ... } block */
	struct dk_cnode *child;  /* first statement of the block */
	struct dk_cnode *next;   /* next statement at the same level */
	const char *file;
	int line;
};

struct dk_ctree {
	struct dk_cnode *root; /* first top-level statement */
	char **files;          /* owned: the names nodes point to */
	unsigned n_files;
};

/* Builds the tree from lines; lexical problems (unbalanced braces, unterminated quotes)
 * go to diag. The file name table moves from lines into the tree. Returns 0, -EINVAL
 * after a lexical error (*out still holds what could be built), -ENOMEM. */
int dk_ctree_build(struct dk_clines *lines, struct dk_ctree **out, struct dk_diag *diag);
void dk_ctree_free(struct dk_ctree *tree);

/* Splits one line into tokens the way the tree builder does; quoted[i] tells whether a
 * token was quoted (a quoted "{" is not a brace). Returns the token count (at most max),
 * or -EINVAL for an unterminated quote. The caller frees each token. */
int dk_ctree_tokenize(const char *text, char **tok, bool *quoted, int max);

#endif
