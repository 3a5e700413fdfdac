#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dk_out.h"

/* A strict RFC 8259 checker: enough to prove that what we emit parses. */
static const char *json_value(const char *p, int depth);

static const char *
ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static const char *
json_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (strchr("0123456789abcdefABCDEF", p[i]) == NULL || !p[i])
						return NULL;
				p += 4;
			} else if (strchr("\"\\/bfnrt", *p) == NULL || *p == '\0') {
				return NULL;
			}
		}
		p++;
	}
	return p + 1;
}

static const char *
json_number(const char *p)
{
	const char *start;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return NULL;
	if (*p == '.') {
		start = ++p;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p == start)
			return NULL;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		start = p;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p == start)
			return NULL;
	}
	return p;
}

static const char *
json_container(const char *p, int depth, char close)
{
	p = ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			p = json_string(p);
			if (p == NULL || *(p = ws(p)) != ':')
				return NULL;
			p++;
		}
		p = json_value(p, depth + 1);
		if (p == NULL)
			return NULL;
		p = ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *
json_value(const char *p, int depth)
{
	p = ws(p);
	if (depth > 64)
		return NULL;
	switch (*p) {
	case '{':
		return json_container(p, depth, '}');
	case '[':
		return json_container(p, depth, ']');
	case '"':
		return json_string(p);
	case 't':
		return strncmp(p, "true", 4) == 0 ? p + 4 : NULL;
	case 'f':
		return strncmp(p, "false", 5) == 0 ? p + 5 : NULL;
	case 'n':
		return strncmp(p, "null", 4) == 0 ? p + 4 : NULL;
	default:
		return json_number(p);
	}
}

static bool
json_valid(const char *s)
{
	const char *end = json_value(s, 0);

	return end != NULL && *ws(end) == '\0';
}

static void
test_checker(void **state)
{
	(void)state;
	assert_true(json_valid("{\"a\":[1,-2.5e3,true,null,{}],\"b\":\"x\\u00e9\\n\"}"));
	assert_false(json_valid("{\"a\":1,}"));
	assert_false(json_valid("{\"a\" 1}"));
	assert_false(json_valid("{\"a\":\"\x01\"}"));
	assert_false(json_valid("[1] x"));
	assert_false(json_valid("{\"a\":01}"));
}

static struct dk_out *
mk(enum dk_out_fmt fmt, size_t max)
{
	struct dk_out_params p = { .fmt = fmt, .max_bytes = max };
	struct dk_out *o;

	assert_int_equal(dk_out_create(&p, &o), 0);
	return o;
}

/* One handler's worth of output, rendered both ways below. */
static void
build_vs(struct dk_out *o)
{
	dk_out_str(o, "name", "web \"front\"\\\n\t\x01");
	dk_out_u64(o, "conns", UINT64_MAX);
	dk_out_i64(o, "delta", INT64_MIN);
	dk_out_bool(o, "up", true);
	dk_out_double(o, "ratio", 0.5);
	dk_out_double(o, "nan", NAN);
	dk_out_str(o, "none", NULL);
	dk_out_text(o, "free text\n");
	dk_out_obj_begin(o, "nested");
	dk_out_obj_begin(o, "deeper");
	dk_out_str(o, "k", "v");
	dk_out_obj_end(o);
	dk_out_obj_end(o);
	dk_out_arr_begin(o, "vips");
	dk_out_str(o, NULL, "10.0.0.1");
	dk_out_str(o, NULL, "10.0.0.2");
	dk_out_arr_end(o);
	dk_out_arr_begin(o, "empty");
	dk_out_arr_end(o);
	dk_out_arr_begin(o, "real_servers");
	dk_out_obj_begin(o, NULL);
	dk_out_str(o, "ip", "192.168.1.10");
	dk_out_u64(o, "port", 80);
	dk_out_bool(o, "alive", true);
	dk_out_obj_end(o);
	dk_out_obj_begin(o, NULL);
	dk_out_str(o, "ip", "192.168.1.11");
	dk_out_u64(o, "weight", 100);
	dk_out_obj_end(o);
	dk_out_arr_end(o);
}

static void
test_json(void **state)
{
	struct dk_out *o = mk(DK_OUT_JSON, 0);
	const char *s;
	size_t len;

	(void)state;
	build_vs(o);
	s = dk_out_render(o, &len);
	assert_int_equal(strlen(s), len);
	assert_true(json_valid(s));
	assert_string_equal(s,
		"{\"name\":\"web \\\"front\\\"\\\\\\n\\t\\u0001\","
		"\"conns\":18446744073709551615,\"delta\":-9223372036854775808,\"up\":true,"
		"\"ratio\":0.5,\"nan\":null,\"none\":null,\"nested\":{\"deeper\":{\"k\":\"v\"}},"
		"\"vips\":[\"10.0.0.1\",\"10.0.0.2\"],\"empty\":[],\"real_servers\":["
		"{\"ip\":\"192.168.1.10\",\"port\":80,\"alive\":true},"
		"{\"ip\":\"192.168.1.11\",\"weight\":100}]}\n");
	assert_false(dk_out_truncated(o));

	/* Empty output is still one object; invalid UTF-8 is replaced, valid kept. */
	dk_out_reset(o, DK_OUT_JSON);
	assert_string_equal(dk_out_render(o, &len), "{}\n");
	dk_out_str(o, "s", "caf\xc3\xa9 \xff\xc3");
	s = dk_out_render(o, &len);
	assert_string_equal(s, "{\"s\":\"caf\xc3\xa9 \\ufffd\\ufffd\"}\n");
	dk_out_destroy(o);
}

static void
test_json_misuse(void **state)
{
	struct dk_out *o = mk(DK_OUT_JSON, 0);
	size_t len;
	int i;

	(void)state;
	/* Unbalanced ends are ignored, unclosed containers closed, deep nesting cut. */
	dk_out_obj_end(o);
	dk_out_arr_end(o);
	dk_out_arr_begin(o, "a");
	dk_out_obj_end(o);
	dk_out_u64(o, "ignored_key", 1);
	for (i = 0; i < 100; i++)
		dk_out_arr_begin(o, NULL);
	dk_out_str(o, NULL, "deep");
	dk_out_obj_begin(o, NULL);
	dk_out_str(o, NULL, "keyless");
	assert_true(json_valid(dk_out_render(o, &len)));
	dk_out_destroy(o);
}

static void
test_text(void **state)
{
	struct dk_out *o = mk(DK_OUT_TEXT, 0);
	const char *s;
	size_t len;

	(void)state;
	build_vs(o);
	s = dk_out_render(o, &len);
	assert_string_equal(s,
		"name: web \"front\"\\\n\t\x01\n"
		"conns: 18446744073709551615\n"
		"delta: -9223372036854775808\n"
		"up: true\n"
		"ratio: 0.5\n"
		"nan: -\n"
		"none: -\n"
		"free text\n"
		"nested:\n"
		"  deeper:\n"
		"    k: v\n"
		"vips: 10.0.0.1, 10.0.0.2\n"
		"empty: (none)\n"
		"real_servers:\n"
		"  ip            port  alive  weight\n"
		"  192.168.1.10  80    true   -\n"
		"  192.168.1.11  -     -      100\n");
	dk_out_destroy(o);
}

static void
test_text_nested_list(void **state)
{
	struct dk_out *o = mk(DK_OUT_TEXT, 0);
	size_t len;
	int i;

	(void)state;
	dk_out_arr_begin(o, "virtual_servers");
	for (i = 0; i < 2; i++) {
		dk_out_obj_begin(o, NULL);
		dk_out_strf(o, "vip", "10.0.0.%d", i + 1);
		dk_out_arr_begin(o, "real_servers");
		dk_out_obj_begin(o, NULL);
		dk_out_str(o, "ip", "192.168.1.10");
		dk_out_u64(o, "weight", 1);
		dk_out_obj_end(o);
		dk_out_arr_end(o);
		dk_out_obj_end(o);
	}
	dk_out_arr_end(o);
	assert_string_equal(dk_out_render(o, &len),
		"virtual_servers:\n"
		"  - vip: 10.0.0.1\n"
		"    real_servers:\n"
		"      ip            weight\n"
		"      192.168.1.10  1\n"
		"  - vip: 10.0.0.2\n"
		"    real_servers:\n"
		"      ip            weight\n"
		"      192.168.1.10  1\n");
	/* JSON mode drops free text entirely. */
	dk_out_reset(o, DK_OUT_JSON);
	dk_out_text(o, "hello");
	assert_string_equal(dk_out_render(o, &len), "{}\n");
	dk_out_destroy(o);
}

static void
test_truncation(void **state)
{
	struct dk_out *o = mk(DK_OUT_JSON, 4096);
	const char *s;
	size_t len;
	int i;

	(void)state;
	dk_out_arr_begin(o, "rows");
	for (i = 0; i < 1000; i++) {
		dk_out_obj_begin(o, NULL);
		dk_out_u64(o, "i", (uint64_t)i);
		dk_out_str(o, "s", "\"\"\"\"");
		dk_out_obj_end(o);
	}
	dk_out_arr_end(o);
	s = dk_out_render(o, &len);
	assert_true(dk_out_truncated(o));
	assert_true(json_valid(s));
	assert_true(len <= 4096 + 64);
	assert_non_null(strstr(s, ",\"truncated\":true}\n"));

	dk_out_reset(o, DK_OUT_TEXT);
	assert_false(dk_out_truncated(o));
	for (i = 0; i < 1000; i++)
		dk_out_text(o, "line %d\n", i);
	s = dk_out_render(o, &len);
	assert_true(dk_out_truncated(o));
	assert_true(len <= 2 * 4096 + 256);
	assert_int_equal(strcmp(s + len - strlen(DK_OUT_TRUNC_MARK), DK_OUT_TRUNC_MARK), 0);
	assert_memory_equal(s, "line 0\nline 1\n", 14);
	dk_out_destroy(o);
}

static void
test_error(void **state)
{
	struct dk_out *o = mk(DK_OUT_TEXT, 0);

	(void)state;
	assert_null(dk_out_error_msg(o));
	dk_out_error(o, "bad %s\nsecond line", "thing");
	assert_string_equal(dk_out_error_msg(o), "bad thing second line");
	dk_out_reset(o, DK_OUT_TEXT);
	assert_null(dk_out_error_msg(o));
	assert_int_equal(dk_out_format(o), DK_OUT_TEXT);
	dk_out_destroy(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checker),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_misuse),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_text_nested_list),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
