/* Command table internals shared by registration (dk_cmd.c) and lookup (dk_cmd_exec.c). */
#ifndef DK_CMD_PRIV_H
#define DK_CMD_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "dk_cmd.h"

#define MAX_COMPLETERS 64

enum tok_kind {
	T_LIT,
	T_ARG,
	T_OPT,
	T_REST,
};

struct tok {
	enum tok_kind kind;
	char *word; /* the literal, or the placeholder name without brackets */
};

struct cmd {
	char *syntax;
	char *help;
	dk_cmd_fn_t fn;
	void *arg;
	struct tok *toks;
	unsigned ntok;
	unsigned nlead; /* literal words before the first placeholder */
	unsigned nlit;
};

struct completer {
	char *name;
	dk_cmd_complete_fn_t fn;
	void *arg;
};

struct dk_cmd_table {
	struct cmd *cmds;
	unsigned n;
	unsigned max;
	struct completer comp[MAX_COMPLETERS];
	unsigned ncomp;
	bool stop;
};

int dk_cmd_split(const char *line, char *buf, size_t bufsz, char **argv, size_t *starts, int max,
		 bool partial, bool *in_word);
int dk_cmd_builtin_help(void *arg, int argc, const char *const *argv, struct dk_out *out);

#endif
