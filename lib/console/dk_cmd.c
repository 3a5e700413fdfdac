#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dk_cmd.h"
#include "dk_common.h"
#include "dk_out.h"
#include "cmd_priv.h"

#define DEFAULT_MAX_CMDS 256

/* Tokenizer ------------------------------------------------------------------------------ */

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Strict mode fails on unfinished quoting; partial mode (completion) accepts it, since the
 * user is still typing. *in_word tells whether the line ends inside a word.
 */
int
dk_cmd_split(const char *line, char *buf, size_t bufsz, char **argv, size_t *starts, int max,
	     bool partial, bool *in_word)
{
	const char *s = line;
	char *d = buf;
	int n = 0;

	*in_word = false;
	if (strlen(line) + 1 > bufsz)
		return -E2BIG;
	for (;;) {
		while (is_blank(*s))
			s++;
		if (*s == '\0')
			return n;
		if (n == max)
			return -E2BIG;
		if (starts != NULL)
			starts[n] = (size_t)(s - line);
		argv[n++] = d;
		while (*s != '\0' && !is_blank(*s)) {
			if (*s == '\'') {
				for (s++; *s != '\0' && *s != '\''; )
					*d++ = *s++;
				if (*s++ == '\0')
					goto unterminated;
			} else if (*s == '"') {
				for (s++; *s != '\0' && *s != '"'; ) {
					if (s[0] == '\\' && (s[1] == '"' || s[1] == '\\'))
						s++;
					*d++ = *s++;
				}
				if (*s++ == '\0')
					goto unterminated;
			} else if (*s == '\\') {
				if (*++s == '\0')
					goto unterminated;
				*d++ = *s++;
			} else {
				*d++ = *s++;
			}
		}
		*d++ = '\0';
		if (*s == '\0') {
			*in_word = true;
			return n;
		}
	}
unterminated:
	*d = '\0';
	*in_word = true;
	return partial ? n : -EINVAL;
}

int
dk_cmd_tokenize(const char *line, char *buf, size_t bufsz, char **argv, int max)
{
	bool in_word;

	return dk_cmd_split(line, buf, bufsz, argv, NULL, max, false, &in_word);
}

/* Registry ------------------------------------------------------------------------------- */


static int builtin_stop(void *arg, int argc, const char *const *argv, struct dk_out *out);

int
dk_cmd_table_create(const struct dk_cmd_table_params *p, struct dk_cmd_table **out)
{
	struct dk_cmd_table *t;
	int rc = -ENOMEM;

	t = calloc(1, sizeof(*t));
	if (t == NULL)
		goto fail;
	t->max = p != NULL && p->max_cmds != 0 ? p->max_cmds : DEFAULT_MAX_CMDS;
	t->max += 3;
	t->cmds = calloc(t->max, sizeof(*t->cmds));
	if (t->cmds == NULL)
		goto fail;
	const struct dk_cmd builtins[] = {
		{ "help ...", "list commands, or those starting with the given words",
		  dk_cmd_builtin_help, t },
		{ "quit", "stop dpkeep", builtin_stop, t },
		{ "stop", "stop dpkeep", builtin_stop, t },
	};
	rc = dk_cmd_register_many(t, builtins, DK_ARRAY_SIZE(builtins));
	if (rc < 0)
		goto fail;
	*out = t;
	return 0;
fail:
	dk_cmd_table_destroy(t);
	return rc;
}

static void
free_cmd(struct cmd *c)
{
	unsigned i;

	for (i = 0; i < c->ntok; i++)
		free(c->toks[i].word);
	free(c->toks);
	free(c->syntax);
	free(c->help);
	memset(c, 0, sizeof(*c));
}

void
dk_cmd_table_destroy(struct dk_cmd_table *t)
{
	unsigned i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++)
		free_cmd(&t->cmds[i]);
	for (i = 0; i < t->ncomp; i++)
		free(t->comp[i].name);
	free(t->cmds);
	free(t);
}

static bool
is_placeholder(const char *w, size_t len)
{
	size_t i;

	if (len == 0 || !isupper((unsigned char)w[0]))
		return false;
	for (i = 0; i < len; i++)
		if (!isupper((unsigned char)w[i]) && !isdigit((unsigned char)w[i]) && w[i] != '_')
			return false;
	return true;
}

static bool
is_literal(const char *w)
{
	const char *p;

	if (!islower((unsigned char)w[0]) && !isdigit((unsigned char)w[0]))
		return false;
	for (p = w; *p != '\0'; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) &&
		    strchr("_-.:/", *p) == NULL)
			return false;
	return p != w;
}

static int
parse_syntax(struct cmd *c, const char *syntax)
{
	char buf[DK_CMD_MAX_LINE + 1];
	char *words[DK_CMD_MAX_ARGS];
	bool in_word, seen_opt = false, seen_arg = false;
	int n, i;

	n = dk_cmd_split(syntax, buf, sizeof(buf), words, NULL, DK_CMD_MAX_ARGS, false, &in_word);
	if (n <= 0)
		return n < 0 ? n : -EINVAL;
	c->toks = calloc((size_t)n, sizeof(*c->toks));
	if (c->toks == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct tok *k = &c->toks[i];
		size_t len = strlen(words[i]);

		if (strcmp(words[i], "...") == 0 && i == n - 1) {
			k->kind = T_REST;
			k->word = strdup("...");
		} else if (len > 2 && words[i][0] == '[' && words[i][len - 1] == ']' &&
			   is_placeholder(words[i] + 1, len - 2)) {
			k->kind = T_OPT;
			k->word = strndup(words[i] + 1, len - 2);
			seen_opt = true;
		} else if (is_placeholder(words[i], len) && !seen_opt) {
			k->kind = T_ARG;
			k->word = strdup(words[i]);
			seen_arg = true;
		} else if (is_literal(words[i]) && !seen_opt) {
			k->kind = T_LIT;
			k->word = strdup(words[i]);
		} else {
			return -EINVAL;
		}
		c->ntok++;
		if (k->word == NULL)
			return -ENOMEM;
		if (k->kind == T_LIT) {
			c->nlit++;
			if (!seen_arg)
				c->nlead++;
		}
	}
	/* A command must start with a word to be found by help and completion. */
	return c->nlead > 0 ? 0 : -EINVAL;
}

static bool
same_shape(const struct cmd *a, const struct cmd *b)
{
	unsigned i;

	if (a->ntok != b->ntok)
		return false;
	for (i = 0; i < a->ntok; i++) {
		if (a->toks[i].kind != b->toks[i].kind)
			return false;
		if (a->toks[i].kind == T_LIT && strcmp(a->toks[i].word, b->toks[i].word) != 0)
			return false;
	}
	return true;
}

int
dk_cmd_register(struct dk_cmd_table *t, const struct dk_cmd *cmd)
{
	struct cmd c = { 0 };
	unsigned i;
	int rc;

	if (cmd->syntax == NULL || cmd->fn == NULL)
		return -EINVAL;
	if (t->n == t->max)
		return -ENOSPC;
	rc = parse_syntax(&c, cmd->syntax);
	if (rc < 0)
		goto fail;
	for (i = 0; i < t->n; i++) {
		if (same_shape(&t->cmds[i], &c)) {
			rc = -EEXIST;
			goto fail;
		}
	}
	c.syntax = strdup(cmd->syntax);
	c.help = strdup(cmd->help != NULL ? cmd->help : "");
	if (c.syntax == NULL || c.help == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	c.fn = cmd->fn;
	c.arg = cmd->arg;
	t->cmds[t->n++] = c;
	return 0;
fail:
	free_cmd(&c);
	return rc;
}

int
dk_cmd_register_many(struct dk_cmd_table *t, const struct dk_cmd *cmds, size_t n)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = dk_cmd_register(t, &cmds[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int
dk_cmd_set_completer(struct dk_cmd_table *t, const char *placeholder, dk_cmd_complete_fn_t fn,
		     void *arg)
{
	struct completer *c = NULL;
	unsigned i;

	if (placeholder == NULL || !is_placeholder(placeholder, strlen(placeholder)))
		return -EINVAL;
	for (i = 0; i < t->ncomp && c == NULL; i++)
		if (strcmp(t->comp[i].name, placeholder) == 0)
			c = &t->comp[i];
	if (c == NULL) {
		if (t->ncomp == MAX_COMPLETERS)
			return -ENOSPC;
		c = &t->comp[t->ncomp];
		c->name = strdup(placeholder);
		if (c->name == NULL)
			return -ENOMEM;
		t->ncomp++;
	}
	c->fn = fn;
	c->arg = arg;
	return 0;
}

void
dk_cmd_table_request_stop(struct dk_cmd_table *t)
{
	t->stop = true;
}

bool
dk_cmd_table_stop_requested(const struct dk_cmd_table *t)
{
	return t->stop;
}

static int
builtin_stop(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	(void)argc;
	(void)argv;
	dk_cmd_table_request_stop(arg);
	dk_out_text(out, "stopping\n");
	return 0;
}
