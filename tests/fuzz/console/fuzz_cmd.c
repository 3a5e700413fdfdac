/*
 * Arbitrary bytes as control-socket command lines: tokenizing, matching, handlers'
 * output in both formats, completion and help must never crash or overrun.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dk_cmd.h"
#include "dk_common.h"
#include "dk_out.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
echo(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	int i;

	(void)arg;
	dk_out_arr_begin(out, "words");
	for (i = 0; i < argc; i++) {
		dk_out_obj_begin(out, NULL);
		dk_out_str(out, "word", argv[i]);
		dk_out_u64(out, "len", strlen(argv[i]));
		dk_out_obj_end(out);
	}
	dk_out_arr_end(out);
	dk_out_text(out, "%d words\n", argc);
	return argc > 3 ? -E2BIG : 0;
}

static void
complete(void *arg, const char *placeholder, struct dk_cmd_cands *c)
{
	(void)arg;
	dk_cmd_cands_add(c, placeholder);
	dk_cmd_cands_add(c, "eth0");
}

static const struct dk_cmd cmds[] = {
	{ "show port stats [PORT]", "x", echo, NULL },
	{ "set rs VS RS weight N", "x", echo, NULL },
	{ "show vs VS", "x", echo, NULL },
	{ "show vs stats", "x", echo, NULL },
	{ "capture start ...", "x", echo, NULL },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dk_cmd_table *t;
	static struct dk_out *o;
	static struct dk_cmd_cands cands;
	static char help[512];
	struct dk_out_params p = { .max_bytes = 4096 };
	char *line, *save = NULL, *l;
	size_t len;

	if (t == NULL) {
		if (dk_cmd_table_create(NULL, &t) < 0 ||
		    dk_cmd_register_many(t, cmds, DK_ARRAY_SIZE(cmds)) < 0 ||
		    dk_cmd_set_completer(t, "PORT", complete, NULL) < 0 ||
		    dk_out_create(&p, &o) < 0)
			abort();
	}
	if (size == 0)
		return 0;
	line = malloc(size);
	if (line == NULL)
		return 0;
	memcpy(line, data + 1, size - 1);
	line[size - 1] = '\0';
	for (l = strtok_r(line, "\n", &save); l != NULL; l = strtok_r(NULL, "\n", &save)) {
		dk_out_reset(o, data[0] & 1 ? DK_OUT_JSON : DK_OUT_TEXT);
		if (dk_cmd_exec(t, l, o) < 0 && dk_out_error_msg(o) == NULL)
			abort();
		if (dk_out_render(o, &len) == NULL || strlen(dk_out_render(o, &len)) != len)
			abort();
		if (dk_cmd_complete(t, l, &cands) >= 0 && cands.word_start > strlen(l))
			abort();
		dk_cmd_cands_free(&cands);
		dk_cmd_help_for(t, l, help, sizeof(help));
	}
	free(line);
	return 0;
}
