#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <cmocka.h>

#include "dk_conf.h"
#include "diag_capture.h"

static struct diag_capture cap;

static struct dk_conf *
load_id(const char *text, const char *path, const char *id, int want_rc)
{
	struct dk_conf_load_params p = { .path = path, .text = text, .instance_id = id };
	struct dk_conf *c = NULL;
	int rc;

	diag_capture_init(&cap);
	rc = dk_conf_load_ex(&p, &c, &cap.diag, NULL);
	if (rc != want_rc)
		fail_msg("rc %d, want %d:\n%s", rc, want_rc, cap.all);
	return c;
}

static void
test_conditionals(void **state)
{
	static const char t[] =
		"global_defs {\n@high router_id HIGH\n@low router_id LOW\n@^high smtp_server x.y\n}\n";
	struct dk_conf *c = load_id(t, "k.conf", "high", 0);

	(void)state;
	assert_string_equal(c->global.router_id, "HIGH");
	assert_string_equal(c->global.smtp_server, "");
	dk_conf_free(c);
	c = load_id(t, "k.conf", "low", 0);
	assert_string_equal(c->global.router_id, "LOW");
	assert_string_equal(c->global.smtp_server, "x.y");
	dk_conf_free(c);
}

static void
test_parameters(void **state)
{
	struct dk_conf *c = load_id(
		"$IF=lo\n$ID=5\n$PRIO=${ID}0\n$BODY=interface $IF \\\n virtual_router_id $ID\n"
		"vrrp_instance V {\n $BODY\n priority $PRIO\n"
		" notify_master \"${_INSTANCE} ${_ENV DK_TEST_VAR}\"\n}\n", "k.conf", "n1", 0);

	(void)state;
	assert_string_equal(c->vrrp[0].interface, "lo");
	assert_int_equal(c->vrrp[0].vrid, 5);
	assert_int_equal(c->vrrp[0].priority, 50);
	assert_string_equal(c->vrrp[0].notify_master, "n1 env-ok");
	dk_conf_free(c);
	c = load_id("$A=$B\n$B=$A\nglobal_defs {\n router_id $A\n}\n", "k.conf", "x", -EINVAL);
	assert_non_null(strstr(cap.first_error, "expand forever"));
	dk_conf_free(c);
}

static void
test_sequences(void **state)
{
	struct dk_conf *c;

	(void)state;
	c = load_id("$VI=vrrp_instance V$N { \\\n interface lo \\\n virtual_router_id $N \\\n}\n"
		    "~SEQ(N, 2, 2, 6) $VI\n"
		    "~SEQx(H, 10, 11) virtual_server 10.0.0.$H 80 { }\n"
		    "~LST(P, 80, 443) virtual_server 10.1.0.1 $P { }\n", "k.conf", "x", 0);
	assert_int_equal(c->n_vrrp, 3);
	assert_string_equal(c->vrrp[2].name, "V6");
	assert_int_equal(c->vrrp[2].vrid, 6);
	assert_int_equal(c->n_vs, 4);
	assert_int_equal(c->vs[1].vip.b[3], 11); /* hex "11" printed as hex */
	assert_int_equal(c->vs[3].port, 443);
	dk_conf_free(c);
}

static void
test_includes(void **state)
{
	char dir[] = "/tmp/dk_pp_XXXXXX", path[256];
	struct dk_conf *c;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (int i = 1; i <= 2; i++) {
		snprintf(path, sizeof(path), "%s/vs%d.conf", dir, i);
		f = fopen(path, "w");
		fprintf(f, "virtual_server 10.0.0.%d 80 {\n bogus_kw\n}\n", i);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/main.conf", dir);
	c = load_id("include vs*.conf\nincludem none*.conf\n", path, "x", 0);
	assert_int_equal(c->n_vs, 2);
	snprintf(path, sizeof(path), "%s/vs2.conf:2: warning: Unknown keyword 'bogus_kw'", dir);
	assert_non_null(strstr(cap.all, path));
	dk_conf_free(c);
	snprintf(path, sizeof(path), "%s/main.conf", dir);
	c = load_id("includer none*.conf\n", path, "x", -EINVAL);
	assert_non_null(strstr(cap.first_error, "no file matches include none*.conf"));
	dk_conf_free(c);
	/* A file including itself stops at the depth limit instead of recursing forever. */
	f = fopen(path, "w");
	fprintf(f, "include main.conf\n");
	fclose(f);
	c = load_id(NULL, path, "x", -EINVAL);
	assert_non_null(strstr(cap.first_error, "nested too deeply"));
	dk_conf_free(c);
	for (int i = 1; i <= 2; i++) {
		snprintf(path, sizeof(path), "%s/vs%d.conf", dir, i);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/main.conf", dir);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conditionals),
		cmocka_unit_test(test_parameters),
		cmocka_unit_test(test_sequences),
		cmocka_unit_test(test_includes),
	};

	setenv("DK_TEST_VAR", "env-ok", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
