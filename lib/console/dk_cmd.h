/*
 * The command table shared by the interactive console, the control socket and
 * dpkeep-cli: every command is registered once and reachable from all three.
 *
 * Syntax strings are words separated by spaces:
 *   lowercase word    a literal that must be typed as is ("show", "port", "weight")
 *   UPPERCASE word    a required placeholder ("PORT", "VS", "N")
 *   [UPPERCASE]       an optional placeholder; only at the end, after the required ones
 *   ...               the rest of the line, zero or more words; only as the last word
 * e.g. "show port stats [PORT]", "set rs VS RS weight N", "log level COMPONENT LEVEL",
 * "capture start ...".
 *
 * Handlers receive only the placeholder values, in order: for "set rs VS RS weight N"
 * and the line "set rs web 10.0.0.2:80 weight 5", argv = {"web", "10.0.0.2:80", "5"}.
 * A missing optional placeholder is simply absent (argc is smaller).
 *
 * Lines are tokenized shell-like: blanks separate words, '...' quotes literally,
 * "..." quotes with backslash escapes (\" \\), a backslash outside quotes escapes the
 * next character.
 *
 * Built in: "help [WORD...]" lists the commands (all, or those starting with WORDs),
 * "quit" and "stop" request the daemon to stop (see dk_cmd_table_request_stop()).
 */
#ifndef DK_CMD_H
#define DK_CMD_H

#include <stdbool.h>
#include <stddef.h>

struct dk_out;
struct dk_cmd_table;
struct dk_cmd_cands;

#define DK_CMD_MAX_ARGS 64   /* words per line */
#define DK_CMD_MAX_LINE 4096 /* bytes per line, without the newline */

/* Returns 0 or -errno; on failure it sets a reason with dk_out_error(). */
typedef int (*dk_cmd_fn_t)(void *arg, int argc, const char *const *argv, struct dk_out *out);

/*
 * Offers values for a placeholder (e.g. "PORT", "INSTANCE") by calling
 * dk_cmd_cands_add() for each; candidates not starting with the word being completed
 * are filtered out by dk_cmd_cands_add(), so the callback may add them all.
 */
typedef void (*dk_cmd_complete_fn_t)(void *arg, const char *placeholder,
				     struct dk_cmd_cands *c);

struct dk_cmd {
	const char *syntax;
	const char *help; /* one line */
	dk_cmd_fn_t fn;
	void *arg;
};

struct dk_cmd_table_params {
	unsigned max_cmds; /* 0: 256 */
};

int dk_cmd_table_create(const struct dk_cmd_table_params *p, struct dk_cmd_table **out);
void dk_cmd_table_destroy(struct dk_cmd_table *t);

/*
 * Copies syntax and help. -EINVAL for a malformed syntax, -EEXIST when a command with the
 * same syntax shape exists, -ENOSPC when the table is full.
 */
int dk_cmd_register(struct dk_cmd_table *t, const struct dk_cmd *cmd);
/* Registers n commands; stops at and returns the first error. */
int dk_cmd_register_many(struct dk_cmd_table *t, const struct dk_cmd *cmds, size_t n);
/* One completer per placeholder name, used by every command that has the placeholder. */
int dk_cmd_set_completer(struct dk_cmd_table *t, const char *placeholder,
			 dk_cmd_complete_fn_t fn, void *arg);

/*
 * Tokenizes and runs one line. The caller has reset `out` with the wanted format and
 * renders it afterwards. An empty or blank line is a no-op returning 0.
 * Errors: -EINVAL "unknown command: ..." / bad quoting, -E2BIG too many words or line too
 * long, -EINVAL "usage: <syntax>" for a known command with wrong arguments, or whatever
 * the handler returned. The reason is always set in `out` on failure.
 */
int dk_cmd_exec(struct dk_cmd_table *t, const char *line, struct dk_out *out);

/* Set by "quit"/"stop" (or any handler); the daemon's control loop checks it. */
void dk_cmd_table_request_stop(struct dk_cmd_table *t);
bool dk_cmd_table_stop_requested(const struct dk_cmd_table *t);

/*
 * Splits line into words in buf (bufsz >= strlen(line) + 1), argv pointing into buf.
 * Returns the word count, -EINVAL for an unterminated quote or dangling backslash,
 * -E2BIG for more than max words.
 */
int dk_cmd_tokenize(const char *line, char *buf, size_t bufsz, char **argv, int max);

/* Completion -------------------------------------------------------------------------- */

#define DK_CMD_CANDS_MAX 256

/*
 * Candidates for the word under the cursor at the end of a partial line. `word` is the
 * partial word being completed (empty after a blank) and word_start its byte offset in
 * the line, so an adapter can insert v[i] + strlen(word). Sorted, without duplicates.
 */
struct dk_cmd_cands {
	unsigned n;
	size_t word_start;
	char word[DK_CMD_MAX_LINE];
	char *v[DK_CMD_CANDS_MAX];
};

/*
 * Fills c (which the caller later frees with dk_cmd_cands_free) with the literals and
 * completer values that can follow the complete words of line. Returns the number of
 * candidates or -errno.
 */
int dk_cmd_complete(struct dk_cmd_table *t, const char *line, struct dk_cmd_cands *c);
/* For completers: adds s if it starts with c->word. Silently drops beyond the cap. */
void dk_cmd_cands_add(struct dk_cmd_cands *c, const char *s);
void dk_cmd_cands_free(struct dk_cmd_cands *c);

/*
 * Help for the line being typed: syntax and help of the commands whose literal words
 * match the complete words of line, one per line, into buf. Returns the count.
 */
int dk_cmd_help_for(struct dk_cmd_table *t, const char *line, char *buf, size_t size);

#endif
