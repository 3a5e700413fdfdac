/* Lookup side of the command table: running a line, help, and completion. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_priv.h"
#include "dk_buf.h"
#include "dk_common.h"
#include "dk_out.h"

/* Collects the placeholder values when every word of the line fits the syntax. */
static bool
match(const struct cmd *c, int argc, char **argv, const char **vals, int *nvals)
{
	unsigned i;
	int j = 0, n = 0;

	for (i = 0; i < c->ntok; i++) {
		const struct tok *k = &c->toks[i];

		switch (k->kind) {
		case T_LIT:
			if (j == argc || strcmp(argv[j], k->word) != 0)
				return false;
			j++;
			break;
		case T_ARG:
			if (j == argc)
				return false;
			vals[n++] = argv[j++];
			break;
		case T_OPT:
			if (j < argc)
				vals[n++] = argv[j++];
			break;
		case T_REST:
			while (j < argc)
				vals[n++] = argv[j++];
			break;
		}
	}
	*nvals = n;
	return j == argc;
}

/* How many of the command's leading literals the line starts with. */
static unsigned
lead_match(const struct cmd *c, int argc, char **argv)
{
	unsigned i;

	for (i = 0; i < c->nlead && (int)i < argc; i++)
		if (strcmp(argv[i], c->toks[i].word) != 0)
			break;
	return i;
}

/* The line named a command but got its arguments wrong: show every syntax it could mean. */
static int
lookup_error(struct dk_cmd_table *t, int argc, char **argv, struct dk_out *out)
{
	struct dk_buf b;
	unsigned i, best = 0, lead;
	int w;

	for (i = 0; i < t->n; i++) {
		lead = lead_match(&t->cmds[i], argc, argv);
		if (lead == t->cmds[i].nlead)
			best = DK_MAX(best, lead);
	}
	if (best == 0) {
		for (i = 0; i < t->n; i++)
			best = DK_MAX(best, lead_match(&t->cmds[i], argc, argv));
		dk_buf_init(&b, 512);
		for (w = 0; w < (int)best; w++)
			dk_buf_printf(&b, " %s", argv[w]);
		dk_out_error(out, "unknown command: %.200s (see \"help%s\")", argv[0],
			     b.p != NULL ? b.p : "");
		dk_buf_free(&b);
		return -EINVAL;
	}
	dk_buf_init(&b, 900);
	for (i = 0; i < t->n; i++) {
		const struct cmd *c = &t->cmds[i];

		if (c->nlead == best && lead_match(c, argc, argv) == best)
			dk_buf_printf(&b, "%s%s", b.len > 0 ? " | " : "", c->syntax);
	}
	dk_out_error(out, "usage: %s", b.p != NULL ? b.p : "");
	dk_buf_free(&b);
	return -EINVAL;
}

int
dk_cmd_exec(struct dk_cmd_table *t, const char *line, struct dk_out *out)
{
	char buf[DK_CMD_MAX_LINE + 1];
	char *argv[DK_CMD_MAX_ARGS];
	const char *vals[DK_CMD_MAX_ARGS], *best_vals[DK_CMD_MAX_ARGS];
	const struct cmd *best = NULL;
	int argc, nvals, best_n = 0, rc;
	bool in_word;
	unsigned i;

	if (strlen(line) > DK_CMD_MAX_LINE) {
		dk_out_error(out, "line too long (more than %d bytes)", DK_CMD_MAX_LINE);
		return -E2BIG;
	}
	argc = dk_cmd_split(line, buf, sizeof(buf), argv, NULL, DK_CMD_MAX_ARGS, false, &in_word);
	if (argc == -EINVAL) {
		dk_out_error(out, "unterminated quote or trailing backslash");
		return argc;
	}
	if (argc < 0) {
		dk_out_error(out, "too many words (more than %d)", DK_CMD_MAX_ARGS);
		return argc;
	}
	if (argc == 0)
		return 0;
	/* The most literal words wins: "show vs stats" over "show vs VS". */
	for (i = 0; i < t->n; i++) {
		const struct cmd *c = &t->cmds[i];

		if (match(c, argc, argv, vals, &nvals) && (best == NULL || c->nlit > best->nlit)) {
			best = c;
			best_n = nvals;
			memcpy(best_vals, vals, sizeof(vals[0]) * (size_t)nvals);
		}
	}
	if (best == NULL)
		return lookup_error(t, argc, argv, out);
	rc = best->fn(best->arg, best_n, best_vals, out);
	if (rc > 0)
		rc = 0;
	if (rc < 0 && dk_out_error_msg(out) == NULL)
		dk_out_error(out, "%s", strerror(-rc));
	return rc;
}

/* Help ---------------------------------------------------------------------------------- */

/* A command is listed under "help w1 w2" when its leading literals start with w1 w2. */
static bool
help_matches(const struct cmd *c, int argc, const char *const *argv)
{
	int i;

	if (argc > (int)c->nlead)
		return false;
	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], c->toks[i].word) != 0)
			return false;
	return true;
}

static int
by_syntax(const void *a, const void *b)
{
	const struct cmd *const *x = a, *const *y = b;

	return strcmp((*x)->syntax, (*y)->syntax);
}

int
dk_cmd_builtin_help(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	struct dk_cmd_table *t = arg;
	const struct cmd **list;
	unsigned i, n = 0;

	list = calloc(t->n, sizeof(*list));
	if (list == NULL)
		return -ENOMEM;
	for (i = 0; i < t->n; i++)
		if (help_matches(&t->cmds[i], argc, argv))
			list[n++] = &t->cmds[i];
	if (n == 0) {
		free(list);
		dk_out_error(out, "no command starts with \"%.200s\"", argv[0]);
		return -ENOENT;
	}
	qsort(list, n, sizeof(*list), by_syntax);
	dk_out_arr_begin(out, "commands");
	for (i = 0; i < n; i++) {
		dk_out_obj_begin(out, NULL);
		dk_out_str(out, "command", list[i]->syntax);
		dk_out_str(out, "help", list[i]->help);
		dk_out_obj_end(out);
	}
	dk_out_arr_end(out);
	free(list);
	return 0;
}

int
dk_cmd_help_for(struct dk_cmd_table *t, const char *line, char *buf, size_t size)
{
	char words[DK_CMD_MAX_LINE + 1];
	char *argv[DK_CMD_MAX_ARGS];
	bool in_word;
	unsigned i;
	int argc, n = 0, off = 0, w;

	if (size == 0)
		return -EINVAL;
	buf[0] = '\0';
	argc = dk_cmd_split(line, words, sizeof(words), argv, NULL, DK_CMD_MAX_ARGS, true,
			    &in_word);
	if (argc < 0)
		return argc;
	if (in_word)
		argc--;
	for (i = 0; i < t->n; i++) {
		const struct cmd *c = &t->cmds[i];

		if (lead_match(c, argc, argv) < DK_MIN((unsigned)argc, c->nlead))
			continue;
		/* The word being typed narrows the list like a prefix of the next literal. */
		if (in_word && ((unsigned)argc >= c->nlead ||
				strncmp(c->toks[argc].word, argv[argc], strlen(argv[argc])) != 0))
			continue;
		w = snprintf(buf + off, size - (size_t)off, "%-32s %s\n", c->syntax, c->help);
		if (w < 0 || (size_t)w >= size - (size_t)off)
			break;
		off += w;
		n++;
	}
	return n;
}

/* Completion ---------------------------------------------------------------------------- */

void
dk_cmd_cands_add(struct dk_cmd_cands *c, const char *s)
{
	char *d;

	if (c->n == DK_CMD_CANDS_MAX || strncmp(s, c->word, strlen(c->word)) != 0)
		return;
	d = strdup(s);
	if (d != NULL)
		c->v[c->n++] = d;
}

void
dk_cmd_cands_free(struct dk_cmd_cands *c)
{
	unsigned i;

	for (i = 0; i < c->n; i++)
		free(c->v[i]);
	c->n = 0;
}

static int
by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
complete_placeholder(struct dk_cmd_table *t, const char *name, struct dk_cmd_cands *c)
{
	unsigned i;

	for (i = 0; i < t->ncomp; i++)
		if (strcmp(t->comp[i].name, name) == 0 && t->comp[i].fn != NULL)
			t->comp[i].fn(t->comp[i].arg, name, c);
}

/* Offers what may follow the argc complete words for one command. */
static void
complete_cmd(struct dk_cmd_table *t, const struct cmd *cmd, int argc, char **argv,
	     bool literals_only, struct dk_cmd_cands *c)
{
	unsigned i;
	int j = 0;

	for (i = 0; i < cmd->ntok && j < argc; i++) {
		const struct tok *k = &cmd->toks[i];

		if (k->kind == T_REST)
			return;
		if (k->kind == T_LIT && strcmp(argv[j], k->word) != 0)
			return;
		if (k->kind != T_LIT && literals_only)
			return;
		j++;
	}
	if (j < argc || i == cmd->ntok)
		return;
	if (cmd->toks[i].kind == T_LIT)
		dk_cmd_cands_add(c, cmd->toks[i].word);
	else if (cmd->toks[i].kind != T_REST && !literals_only)
		complete_placeholder(t, cmd->toks[i].word, c);
}

int
dk_cmd_complete(struct dk_cmd_table *t, const char *line, struct dk_cmd_cands *c)
{
	char buf[DK_CMD_MAX_LINE + 1];
	char *argv[DK_CMD_MAX_ARGS];
	size_t starts[DK_CMD_MAX_ARGS];
	bool in_word, help = false;
	unsigned i, n;
	int argc;

	c->n = 0;
	c->word[0] = '\0';
	c->word_start = strlen(line);
	argc = dk_cmd_split(line, buf, sizeof(buf), argv, starts, DK_CMD_MAX_ARGS, true,
			    &in_word);
	if (argc < 0)
		return argc;
	if (in_word) {
		argc--;
		snprintf(c->word, sizeof(c->word), "%s", argv[argc]);
		c->word_start = starts[argc];
	}
	/* "help show v<Tab>" completes the words of the commands it will list. */
	if (argc > 0 && strcmp(argv[0], "help") == 0) {
		help = true;
		argc--;
	}
	for (i = 0; i < t->n; i++)
		complete_cmd(t, &t->cmds[i], argc, argv + help, help, c);
	qsort(c->v, c->n, sizeof(c->v[0]), by_str);
	for (i = 0, n = 0; i < c->n; i++) {
		if (n > 0 && strcmp(c->v[n - 1], c->v[i]) == 0)
			free(c->v[i]);
		else
			c->v[n++] = c->v[i];
	}
	c->n = n;
	return (int)n;
}
