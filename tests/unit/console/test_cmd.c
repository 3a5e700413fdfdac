#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dk_cmd.h"
#include "dk_common.h"
#include "dk_out.h"

/* What the last handler saw. */
static struct {
	const char *name;
	int argc;
	char argv[8][64];
} seen;

static int
rec(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	int i;

	seen.name = arg;
	seen.argc = argc;
	for (i = 0; i < argc && i < 8; i++)
		snprintf(seen.argv[i], sizeof(seen.argv[i]), "%s", argv[i]);
	dk_out_str(out, "cmd", arg);
	return 0;
}

static int
fail_eperm(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	(void)arg;
	(void)argc;
	(void)argv;
	(void)out;
	return -EPERM;
}

static int
fail_reason(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	(void)arg;
	(void)argc;
	dk_out_error(out, "no such port %s", argv[0]);
	return -ENODEV;
}

static void
ports(void *arg, const char *placeholder, struct dk_cmd_cands *c)
{
	(void)arg;
	assert_string_equal(placeholder, "PORT");
	dk_cmd_cands_add(c, "eth0");
	dk_cmd_cands_add(c, "eth1");
	dk_cmd_cands_add(c, "mgmt");
}

static const struct dk_cmd cmds[] = {
	{ "show port stats [PORT]", "port counters", rec, "port_stats" },
	{ "show port info PORT", "port details", rec, "port_info" },
	{ "show vs", "all virtual servers", rec, "vs_all" },
	{ "show vs VS", "one virtual server", rec, "vs_one" },
	{ "show vs stats", "vs counters", rec, "vs_stats" },
	{ "set rs VS RS weight N", "change a weight", rec, "set_weight" },
	{ "capture start ...", "start a capture", rec, "capture" },
	{ "fail perm", "always fails", fail_eperm, NULL },
	{ "fail port PORT", "fails with a reason", fail_reason, NULL },
};

static int
setup(void **state)
{
	struct dk_cmd_table *t;

	assert_int_equal(dk_cmd_table_create(NULL, &t), 0);
	assert_int_equal(dk_cmd_register_many(t, cmds, DK_ARRAY_SIZE(cmds)), 0);
	assert_int_equal(dk_cmd_set_completer(t, "PORT", ports, NULL), 0);
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	dk_cmd_table_destroy(*state);
	return 0;
}

static int
tok(const char *line, char **argv, char *buf, size_t size)
{
	return dk_cmd_tokenize(line, buf, size, argv, 8);
}

static void
test_tokenize(void **state)
{
	char buf[256], *argv[8];

	(void)state;
	assert_int_equal(tok("", argv, buf, sizeof(buf)), 0);
	assert_int_equal(tok("  \t ", argv, buf, sizeof(buf)), 0);
	assert_int_equal(tok(" a  bc\td ", argv, buf, sizeof(buf)), 3);
	assert_string_equal(argv[0], "a");
	assert_string_equal(argv[1], "bc");
	assert_string_equal(argv[2], "d");
	assert_int_equal(tok("say 'a b' \"c \\\"d\\\" \\\\\" x\\ y", argv, buf, sizeof(buf)), 4);
	assert_string_equal(argv[1], "a b");
	assert_string_equal(argv[2], "c \"d\" \\");
	assert_string_equal(argv[3], "x y");
	/* Quotes join with the surrounding word; an empty quoted word is still a word. */
	assert_int_equal(tok("ab'c d'e \"\" ''", argv, buf, sizeof(buf)), 3);
	assert_string_equal(argv[0], "abc de");
	assert_string_equal(argv[1], "");
	assert_string_equal(argv[2], "");
	/* Inside single quotes a backslash is literal. */
	assert_int_equal(tok("'a\\b'", argv, buf, sizeof(buf)), 1);
	assert_string_equal(argv[0], "a\\b");
	assert_int_equal(tok("say 'open", argv, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(tok("say \"open\\\"", argv, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(tok("trailing\\", argv, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(tok("1 2 3 4 5 6 7 8 9", argv, buf, sizeof(buf)), -E2BIG);
	assert_int_equal(tok("abc", argv, buf, 3), -E2BIG);
}

static int
run(struct dk_cmd_table *t, const char *line, struct dk_out **o)
{
	struct dk_out_params p = { .fmt = DK_OUT_TEXT };

	if (*o == NULL)
		assert_int_equal(dk_out_create(&p, o), 0);
	dk_out_reset(*o, DK_OUT_TEXT);
	seen.name = NULL;
	return dk_cmd_exec(t, line, *o);
}

static void
test_match(void **state)
{
	struct dk_cmd_table *t = *state;
	struct dk_out *o = NULL;

	assert_int_equal(run(t, "show port stats", &o), 0);
	assert_string_equal(seen.name, "port_stats");
	assert_int_equal(seen.argc, 0);
	assert_int_equal(run(t, "show port stats eth0", &o), 0);
	assert_int_equal(seen.argc, 1);
	assert_string_equal(seen.argv[0], "eth0");
	/* Literal words beat placeholders: "stats" is not a VS name here. */
	assert_int_equal(run(t, "show vs stats", &o), 0);
	assert_string_equal(seen.name, "vs_stats");
	assert_int_equal(run(t, "show vs web", &o), 0);
	assert_string_equal(seen.name, "vs_one");
	assert_string_equal(seen.argv[0], "web");
	assert_int_equal(run(t, "show vs", &o), 0);
	assert_string_equal(seen.name, "vs_all");
	assert_int_equal(run(t, "set rs web '10.0.0.2 80' weight 5", &o), 0);
	assert_string_equal(seen.name, "set_weight");
	assert_int_equal(seen.argc, 3);
	assert_string_equal(seen.argv[1], "10.0.0.2 80");
	assert_string_equal(seen.argv[2], "5");
	assert_int_equal(run(t, "capture start", &o), 0);
	assert_int_equal(seen.argc, 0);
	assert_int_equal(run(t, "capture start eth0 file /tmp/x.pcap", &o), 0);
	assert_int_equal(seen.argc, 3);
	assert_string_equal(seen.argv[2], "/tmp/x.pcap");
	assert_int_equal(run(t, "   ", &o), 0);
	assert_null(seen.name);
	dk_out_destroy(o);
}

static void
test_errors(void **state)
{
	struct dk_cmd_table *t = *state;
	struct dk_out *o = NULL;

	assert_int_equal(run(t, "frobnicate now", &o), -EINVAL);
	assert_null(seen.name);
	assert_string_equal(dk_out_error_msg(o), "unknown command: frobnicate (see \"help\")");
	assert_int_equal(run(t, "show nothing", &o), -EINVAL);
	assert_string_equal(dk_out_error_msg(o), "unknown command: show (see \"help show\")");
	assert_int_equal(run(t, "show port info", &o), -EINVAL);
	assert_string_equal(dk_out_error_msg(o), "usage: show port info PORT");
	assert_int_equal(run(t, "show port stats a b", &o), -EINVAL);
	assert_string_equal(dk_out_error_msg(o), "usage: show port stats [PORT]");
	assert_int_equal(run(t, "set rs web 1.2.3.4 wieght 5", &o), -EINVAL);
	assert_string_equal(dk_out_error_msg(o), "usage: set rs VS RS weight N");
	assert_int_equal(run(t, "show vs a b", &o), -EINVAL);
	assert_string_equal(dk_out_error_msg(o), "usage: show vs | show vs VS");
	assert_int_equal(run(t, "show 'unterminated", &o), -EINVAL);
	assert_non_null(strstr(dk_out_error_msg(o), "unterminated"));
	/* A handler that gives no reason gets strerror. */
	assert_int_equal(run(t, "fail perm", &o), -EPERM);
	assert_string_equal(dk_out_error_msg(o), strerror(EPERM));
	assert_int_equal(run(t, "fail port p9", &o), -ENODEV);
	assert_string_equal(dk_out_error_msg(o), "no such port p9");
	dk_out_destroy(o);
}

static void
test_register(void **state)
{
	struct dk_cmd_table *t = *state;
	struct dk_cmd_table *small;
	struct dk_cmd_table_params p = { .max_cmds = 1 };
	const char *bad[] = {
		"", "VS", "[PORT]", "show [A] B", "show [A] word", "show ... more", "Show x",
		"show [lower]", "show (x)",
	};
	struct dk_cmd c = { .fn = rec };
	size_t i;

	for (i = 0; i < DK_ARRAY_SIZE(bad); i++) {
		c.syntax = bad[i];
		assert_int_equal(dk_cmd_register(t, &c), -EINVAL);
	}
	c.syntax = "show vs NAME";
	assert_int_equal(dk_cmd_register(t, &c), -EEXIST);
	c.syntax = NULL;
	assert_int_equal(dk_cmd_register(t, &c), -EINVAL);
	assert_int_equal(dk_cmd_set_completer(t, "lower", ports, NULL), -EINVAL);

	assert_int_equal(dk_cmd_table_create(&p, &small), 0);
	c.syntax = "one";
	assert_int_equal(dk_cmd_register(small, &c), 0);
	c.syntax = "two";
	assert_int_equal(dk_cmd_register(small, &c), -ENOSPC);
	assert_false(dk_cmd_table_stop_requested(small));
	dk_cmd_table_destroy(small);
}

static void
test_help_and_stop(void **state)
{
	struct dk_cmd_table *t = *state;
	struct dk_out *o = NULL;
	const char *s;
	size_t len;

	assert_int_equal(run(t, "help", &o), 0);
	s = dk_out_render(o, &len);
	/* Table with a header, sorted by syntax, builtins included. */
	assert_non_null(strstr(s, "commands:\n  command"));
	assert_non_null(strstr(s, "set rs VS RS weight N   change a weight\n"));
	assert_true(strstr(s, "capture start") < strstr(s, "show vs stats"));
	assert_non_null(strstr(s, "  quit "));
	assert_int_equal(run(t, "help show vs", &o), 0);
	s = dk_out_render(o, &len);
	assert_non_null(strstr(s, "show vs VS"));
	assert_null(strstr(s, "show port"));
	assert_int_equal(run(t, "help nothing", &o), -ENOENT);

	dk_out_reset(o, DK_OUT_JSON);
	assert_int_equal(dk_cmd_exec(t, "help fail", o), 0);
	s = dk_out_render(o, &len);
	assert_string_equal(s, "{\"commands\":["
			    "{\"command\":\"fail perm\",\"help\":\"always fails\"},"
			    "{\"command\":\"fail port PORT\","
			    "\"help\":\"fails with a reason\"}]}\n");

	assert_false(dk_cmd_table_stop_requested(t));
	assert_int_equal(run(t, "quit", &o), 0);
	assert_true(dk_cmd_table_stop_requested(t));
	dk_out_destroy(o);
}

static void
check_cands(struct dk_cmd_table *t, const char *line, size_t word_start, const char *expect)
{
	struct dk_cmd_cands *c = malloc(sizeof(*c));
	char got[512] = "";
	unsigned i;
	int n;

	assert_non_null(c);
	n = dk_cmd_complete(t, line, c);
	assert_true(n >= 0);
	for (i = 0; i < c->n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? " " : "",
			 c->v[i]);
	assert_string_equal(got, expect);
	assert_int_equal(c->word_start, word_start);
	dk_cmd_cands_free(c);
	free(c);
}

static void
test_complete(void **state)
{
	struct dk_cmd_table *t = *state;
	char help[1024];

	check_cands(t, "", 0, "capture fail help quit set show stop");
	check_cands(t, "s", 0, "set show stop");
	check_cands(t, "show ", 5, "port vs");
	check_cands(t, "show p", 5, "port");
	check_cands(t, "  show  port ", 13, "info stats");
	check_cands(t, "show port stats ", 16, "eth0 eth1 mgmt");
	check_cands(t, "show port stats e", 16, "eth0 eth1");
	check_cands(t, "show port stats eth0 ", 21, "");
	/* No completer for VS: nothing to offer, and "stats" comes from "show vs stats". */
	check_cands(t, "show vs ", 8, "stats");
	check_cands(t, "set rs a b ", 11, "weight");
	check_cands(t, "capture start ", 14, "");
	check_cands(t, "nothing ", 8, "");
	check_cands(t, "help sh", 5, "show");
	check_cands(t, "help show ", 10, "port vs");
	check_cands(t, "show 'po", 5, "port");

	assert_int_equal(dk_cmd_help_for(t, "show port ", help, sizeof(help)), 2);
	assert_non_null(strstr(help, "show port info PORT"));
	assert_non_null(strstr(help, "port counters"));
	assert_int_equal(dk_cmd_help_for(t, "sh", help, sizeof(help)), 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokenize),
		cmocka_unit_test_setup_teardown(test_match, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register, setup, teardown),
		cmocka_unit_test_setup_teardown(test_help_and_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_complete, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
