/*
 * The console is one cmdline instruction with dynamic tokens, one per typed word. The
 * words only serve completion (cmdline completes word by word); a complete line is run
 * as typed through dk_cmd_exec, so quoting and errors behave exactly as on the control
 * socket.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_rdline.h>
#include <cmdline_socket.h>

#include "console_cmdline.h"
#include "dk_cmd.h"
#include "dk_common.h"
#include "dk_out.h"

#define DEFAULT_PROMPT "dpkeep> "
/* Keys handled per poll, so that a paste cannot hold the control loop. */
#define MAX_KEYS 256
#define MAX_WORD 64

struct word_tok {
	cmdline_parse_token_hdr_t hdr;
	struct dk_console *con;
	unsigned idx;
};

struct dk_console {
	struct dk_cmd_table *table;
	struct cmdline *cl;
	struct dk_out *out;
	cmdline_parse_ctx_t ctx[2];
	struct cmdline_inst *inst;
	struct word_tok toks[DK_CMD_MAX_ARGS];
	char words[DK_CMD_MAX_ARGS][MAX_WORD];
	unsigned end_idx; /* no token at this index: the line ended before it */
	struct dk_cmd_cands cands;
	char help[256];
	bool ended;
};

static bool
blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool
line_end(char c)
{
	return c == '\0' || c == '\n' || c == '\r';
}

/*
 * One word per token. A line given to cmdline_parse ends in '\n', a line being completed
 * does not; only in the first case does the last word end the instruction.
 */
static int
tok_parse(cmdline_parse_token_hdr_t *hdr, const char *buf, void *res, unsigned ressize)
{
	struct word_tok *t = DK_CONTAINER_OF(hdr, struct word_tok, hdr);
	struct dk_console *con = t->con;
	const char *rest;
	size_t n = 0;

	while (!line_end(buf[n]) && !blank(buf[n]))
		n++;
	if (n == 0)
		return -1;
	/* The first word hands the start of the raw line to the callback. */
	if (t->idx == 0 && res != NULL && ressize >= sizeof(buf))
		memcpy(res, &buf, sizeof(buf));
	snprintf(con->words[t->idx], MAX_WORD, "%.*s", (int)DK_MIN(n, MAX_WORD - 1), buf);
	for (rest = buf + n; blank(*rest); rest++)
		;
	con->end_idx = *rest == '\n' || *rest == '\r' ? t->idx + 1 : DK_CMD_MAX_ARGS;
	return (int)n;
}

static int
tok_complete_get_nb(cmdline_parse_token_hdr_t *hdr)
{
	struct word_tok *t = DK_CONTAINER_OF(hdr, struct word_tok, hdr);
	struct dk_console *con = t->con;
	char line[DK_CMD_MAX_ARGS * MAX_WORD + 1] = "";
	size_t off = 0;
	unsigned i;
	char *nl, *pad, *end;
	int n;

	for (i = 0; i < t->idx; i++)
		off += (size_t)snprintf(line + off, sizeof(line) - off, "%s ", con->words[i]);
	dk_cmd_cands_free(&con->cands);
	n = dk_cmd_complete(con->table, line, &con->cands);
	/* cmdline prints the instruction's help next to the choices: make it the syntax. */
	if (dk_cmd_help_for(con->table, line, con->help, sizeof(con->help)) <= 0)
		snprintf(con->help, sizeof(con->help), "no such command");
	nl = strchr(con->help, '\n');
	if (nl != NULL)
		*nl = '\0';
	/* "syntax<padding> help" reads better as "syntax - help" after a choice. */
	pad = strstr(con->help, "  ");
	if (pad != NULL) {
		for (end = pad; *end == ' '; end++)
			;
		if (end - pad >= 3) {
			memmove(pad + 3, end, strlen(end) + 1);
			memcpy(pad, " - ", 3);
		}
	}
	return n < 0 ? 0 : n;
}

static int
tok_complete_get_elt(cmdline_parse_token_hdr_t *hdr, int idx, char *dst, unsigned size)
{
	struct word_tok *t = DK_CONTAINER_OF(hdr, struct word_tok, hdr);

	if (idx < 0 || (unsigned)idx >= t->con->cands.n || size == 0)
		return -1;
	snprintf(dst, size, "%s", t->con->cands.v[idx]);
	return 0;
}

static int
tok_get_help(cmdline_parse_token_hdr_t *hdr, char *dst, unsigned size)
{
	(void)hdr;
	snprintf(dst, size, "word");
	return 0;
}

static struct cmdline_token_ops word_ops = {
	.parse = tok_parse,
	.complete_get_nb = tok_complete_get_nb,
	.complete_get_elt = tok_complete_get_elt,
	.get_help = tok_get_help,
};

static void
write_all(const char *p, size_t len)
{
	ssize_t w;

	while (len > 0) {
		w = write(STDOUT_FILENO, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		len -= (size_t)w;
	}
}

static void
run_line(struct dk_console *con, const char *start)
{
	char line[DK_CMD_MAX_LINE + 1];
	const char *body;
	size_t len;
	int rc;

	len = strcspn(start, "\r\n");
	snprintf(line, sizeof(line), "%.*s", (int)DK_MIN(len, DK_CMD_MAX_LINE), start);
	dk_out_reset(con->out, DK_OUT_TEXT);
	rc = dk_cmd_exec(con->table, line, con->out);
	if (rc < 0) {
		cmdline_printf(con->cl, "error: %s\n", dk_out_error_msg(con->out));
	} else {
		body = dk_out_render(con->out, &len);
		write_all(body, len);
	}
	if (dk_cmd_table_stop_requested(con->table))
		cmdline_quit(con->cl);
}

/*
 * cmdline asks for dynamic tokens without any user pointer, so the one console of the
 * process is found here.
 */
static struct dk_console *active;

/*
 * cmdline calls the instruction's function in two ways: with cl == NULL to ask for the
 * dynamic token at an index, and with the parse result to run the line.
 */
static void
inst_fn(void *res, struct cmdline *cl, void *data)
{
	struct dk_console *con = active;
	size_t idx;

	if (cl == NULL) {
		idx = (size_t)((cmdline_parse_token_hdr_t **)data - con->inst->tokens);
		if (idx == 0)
			con->end_idx = DK_CMD_MAX_ARGS;
		*(cmdline_parse_token_hdr_t **)res =
			idx < con->end_idx ? &con->toks[idx].hdr : NULL;
		return;
	}
	run_line(con, *(const char **)res);
}

int
dk_console_create(const struct dk_console_params *p, struct dk_console **out)
{
	struct dk_console_params dp = { 0 };
	struct dk_out_params op = { .fmt = DK_OUT_TEXT };
	struct dk_console *con;
	unsigned i;
	int rc = -ENOMEM;

	if (p == NULL || p->table == NULL)
		return -EINVAL;
	if (active != NULL)
		return -EBUSY;
	dp = *p;
	con = calloc(1, sizeof(*con));
	if (con == NULL)
		return -ENOMEM;
	con->table = dp.table;
	/* tokens[0] == NULL with f set is cmdline's signal for dynamic tokens. */
	con->inst = calloc(1, sizeof(*con->inst) + 2 * sizeof(con->inst->tokens[0]));
	if (con->inst == NULL)
		goto fail;
	con->inst->f = inst_fn;
	con->inst->data = NULL;
	con->inst->help_str = con->help;
	for (i = 0; i < DK_CMD_MAX_ARGS; i++) {
		con->toks[i].hdr.ops = &word_ops;
		con->toks[i].con = con;
		con->toks[i].idx = i;
	}
	con->end_idx = DK_CMD_MAX_ARGS;
	con->ctx[0] = con->inst;
	rc = dk_out_create(&op, &con->out);
	if (rc < 0)
		goto fail;
	active = con;
	con->cl = cmdline_stdin_new(con->ctx, dp.prompt != NULL ? dp.prompt : DEFAULT_PROMPT);
	if (con->cl == NULL) {
		rc = -EIO;
		goto fail;
	}
	*out = con;
	return 0;
fail:
	active = NULL;
	dk_out_destroy(con->out);
	free(con->inst);
	free(con);
	return rc;
}

void
dk_console_destroy(struct dk_console *con)
{
	if (con == NULL)
		return;
	cmdline_stdin_exit(con->cl);
	dk_cmd_cands_free(&con->cands);
	dk_out_destroy(con->out);
	free(con->inst);
	if (active == con)
		active = NULL;
	free(con);
}

int
dk_console_fd(const struct dk_console *con)
{
	(void)con;
	return STDIN_FILENO;
}

int
dk_console_poll(struct dk_console *con)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	int keys, st = RDLINE_RUNNING;

	if (con->ended)
		return -EPIPE;
	for (keys = 0; keys < MAX_KEYS; keys++) {
		if (poll(&pfd, 1, 0) <= 0)
			break;
		st = cmdline_poll(con->cl);
		if (st < 0 || st == RDLINE_EXITED)
			break;
	}
	if (st >= 0 && st != RDLINE_EXITED)
		return 0;
	/* Ctrl-D, "quit", or a closed stdin all end the daemon. */
	con->ended = true;
	dk_cmd_table_request_stop(con->table);
	cmdline_printf(con->cl, "\n");
	return -EPIPE;
}
