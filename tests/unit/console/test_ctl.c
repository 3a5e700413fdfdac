#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "dk_cmd.h"
#include "dk_common.h"
#include "dk_ctl.h"
#include "dk_out.h"

struct fixture {
	char dir[64];
	char path[128];
	struct dk_cmd_table *table;
	struct dk_ctl_server *srv;
	pthread_t thread;
	atomic_bool stop;
};

static int
echo(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	int i;

	(void)arg;
	dk_out_arr_begin(out, "words");
	for (i = 0; i < argc; i++)
		dk_out_str(out, NULL, argv[i]);
	dk_out_arr_end(out);
	return 0;
}

static int
big(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	long i, n = strtol(argv[0], NULL, 10);

	(void)arg;
	(void)argc;
	for (i = 0; i < n; i++)
		dk_out_text(out, "line %08ld of a long reply to check that it arrives whole\n", i);
	return 0;
}

static int
always_fail(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	(void)arg;
	(void)argc;
	(void)argv;
	dk_out_error(out, "nope");
	return -EPERM;
}

static const struct dk_cmd cmds[] = {
	{ "echo ...", "repeat the words", echo, NULL },
	{ "big N", "N lines of output", big, NULL },
	{ "fail", "always fails", always_fail, NULL },
};

static void *
serve(void *arg)
{
	struct fixture *f = arg;
	struct pollfd pfd = { .fd = dk_ctl_server_fd(f->srv), .events = POLLIN };

	while (!atomic_load(&f->stop)) {
		if (poll(&pfd, 1, 10) > 0)
			dk_ctl_server_poll(f->srv);
	}
	return NULL;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct dk_ctl_server_params p;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/dk_ctl_XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	/* A missing parent directory is created by the server. */
	snprintf(f->path, sizeof(f->path), "%s/run/test.ctl", f->dir);
	assert_int_equal(dk_cmd_table_create(NULL, &f->table), 0);
	assert_int_equal(dk_cmd_register_many(f->table, cmds, DK_ARRAY_SIZE(cmds)), 0);
	p = (struct dk_ctl_server_params){ .path = f->path, .table = f->table };
	assert_int_equal(dk_ctl_server_create(&p, &f->srv), 0);
	assert_int_equal(pthread_create(&f->thread, NULL, serve, f), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char run[160];

	atomic_store(&f->stop, true);
	pthread_join(f->thread, NULL);
	dk_ctl_server_destroy(f->srv);
	/* The server removes its socket file on the way out. */
	assert_int_equal(access(f->path, F_OK), -1);
	dk_cmd_table_destroy(f->table);
	snprintf(run, sizeof(run), "%s/run", f->dir);
	rmdir(run);
	rmdir(f->dir);
	free(f);
	return 0;
}

static int
conn(struct fixture *f)
{
	int fd = -1;

	assert_int_equal(dk_ctl_connect(f->path, &fd), 0);
	return fd;
}

static void
test_round_trip(void **state)
{
	struct fixture *f = *state;
	struct dk_ctl_reply r;
	struct stat st;
	int fd = conn(f);

	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_uid, getuid());

	assert_int_equal(dk_ctl_request(fd, false, "echo a 'b c'", &r), 0);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.body, "words: a, b c\n");
	dk_ctl_reply_free(&r);
	/* Same connection, JSON this time: batch mode keeps one connection. */
	assert_int_equal(dk_ctl_request(fd, true, "echo \"q\\\"uote\"", &r), 0);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.body, "{\"words\":[\"q\\\"uote\"]}\n");
	dk_ctl_reply_free(&r);
	assert_int_equal(dk_ctl_request(fd, false, "fail", &r), 0);
	assert_int_equal(r.status, -EPERM);
	assert_string_equal(r.body, "nope");
	dk_ctl_reply_free(&r);
	assert_int_equal(dk_ctl_request(fd, true, "no such thing", &r), 0);
	assert_int_equal(r.status, -EINVAL);
	assert_string_equal(r.body, "unknown command: no (see \"help\")");
	dk_ctl_reply_free(&r);
	assert_int_equal(dk_ctl_request(fd, false, "", &r), 0);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.len, 0);
	dk_ctl_reply_free(&r);
	assert_int_equal(dk_ctl_request(fd, false, "two\nlines", &r), -EINVAL);
	assert_int_equal(dk_ctl_request(fd, false, "stop", &r), 0);
	assert_int_equal(r.status, 0);
	dk_ctl_reply_free(&r);
	assert_true(dk_cmd_table_stop_requested(f->table));
	close(fd);
}

static void
send_raw(int fd, const char *s, size_t len)
{
	assert_int_equal(send(fd, s, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* Reads one reply by hand, for requests sent without dk_ctl_request. */
static void
expect_reply(int fd, const char *status, const char *body)
{
	char buf[256];
	size_t n = 0, want = strlen(status) + 1 + strlen(body);

	while (n < want) {
		ssize_t r = recv(fd, buf + n, want - n, 0);

		assert_true(r > 0);
		n += (size_t)r;
	}
	buf[n] = '\0';
	assert_memory_equal(buf, status, strlen(status));
	assert_int_equal(buf[strlen(status)], '\n');
	assert_string_equal(buf + strlen(status) + 1, body);
}

static void
test_pipelined_and_bad_requests(void **state)
{
	struct fixture *f = *state;
	static const char reqs[] = "t echo one\nj echo two\r\nx echo\nt\n";
	char *huge;
	int fd = conn(f);

	send_raw(fd, reqs, sizeof(reqs) - 1);
	expect_reply(fd, "OK 11", "words: one\n");
	expect_reply(fd, "OK 18", "{\"words\":[\"two\"]}\n");
	expect_reply(fd, "ERR 22 38", "bad request flags: expected \"t\" or \"j\"");
	expect_reply(fd, "OK 0", "");
	send_raw(fd, "t echo a\0b\n", 11);
	expect_reply(fd, "ERR 22 19", "NUL byte in request");

	/* A 1 MB line is skipped to its end and refused; the connection stays usable. */
	huge = malloc(1 << 20);
	assert_non_null(huge);
	memset(huge, 'a', 1 << 20);
	huge[0] = 't';
	huge[1] = ' ';
	huge[(1 << 20) - 1] = '\n';
	send_raw(fd, huge, 1 << 20);
	free(huge);
	expect_reply(fd, "ERR 90 16", "request too long");
	send_raw(fd, "t echo after\n", 13);
	expect_reply(fd, "OK 13", "words: after\n");
	close(fd);
}

static void
test_big_output_and_disconnect(void **state)
{
	struct fixture *f = *state;
	struct dk_ctl_reply r;
	char buf[100];
	int fd = conn(f), i;

	assert_int_equal(dk_ctl_request(fd, false, "big 20000", &r), 0);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.len, 20000 * 61);
	assert_non_null(strstr(r.body, "line 00019999 of"));
	dk_ctl_reply_free(&r);
	close(fd);

	/* Clients that leave in the middle of a 3 MB reply must not hurt the server. */
	for (i = 0; i < 3; i++) {
		fd = conn(f);
		send_raw(fd, "t big 50000\n", 12);
		assert_true(recv(fd, buf, sizeof(buf), 0) > 0);
		close(fd);
	}
	fd = conn(f);
	assert_int_equal(dk_ctl_request(fd, false, "echo alive", &r), 0);
	assert_string_equal(r.body, "words: alive\n");
	dk_ctl_reply_free(&r);
	close(fd);
	for (i = 0; i < 200 && dk_ctl_server_nclients(f->srv) > 0; i++)
		usleep(10000);
	assert_int_equal(dk_ctl_server_nclients(f->srv), 0);
}

static void
test_too_many_clients(void **state)
{
	struct fixture *f = *state;
	struct dk_ctl_reply r;
	int fds[DK_CTL_MAX_CLIENTS], fd, i;

	for (i = 0; i < DK_CTL_MAX_CLIENTS; i++) {
		fds[i] = conn(f);
		assert_int_equal(dk_ctl_request(fds[i], false, "echo x", &r), 0);
		dk_ctl_reply_free(&r);
	}
	/* The one too many is told so and closed, without sending anything. */
	fd = conn(f);
	expect_reply(fd, "ERR 16 24", "too many control clients");
	assert_int_equal(recv(fd, &i, sizeof(i), 0), 0);
	close(fd);
	close(fds[0]);
	/* A freed slot is usable again. */
	for (i = 0; i < 200; i++) {
		fd = conn(f);
		if (dk_ctl_request(fd, false, "echo y", &r) == 0 && r.status == 0)
			break;
		/* A refusal ("too many clients") still carries a body to free. */
		dk_ctl_reply_free(&r);
		close(fd);
		usleep(10000);
	}
	assert_string_equal(r.body, "words: y\n");
	dk_ctl_reply_free(&r);
	close(fd);
	for (i = 1; i < DK_CTL_MAX_CLIENTS; i++)
		close(fds[i]);
}

static void
test_socket_file(void **state)
{
	struct fixture *f = *state;
	struct dk_ctl_server_params p = { .path = f->path, .table = f->table };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct dk_ctl_server *s2;
	char other[160], longp[200];
	int fd;

	/* The live server owns its path. */
	assert_int_equal(dk_ctl_server_create(&p, &s2), -EADDRINUSE);

	/* A socket file nobody listens on is stale and replaced. */
	snprintf(other, sizeof(other), "%s/stale.ctl", f->dir);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	memcpy(sa.sun_path, other, strlen(other) + 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	p.path = other;
	assert_int_equal(dk_ctl_server_create(&p, &s2), 0);
	dk_ctl_server_destroy(s2);
	assert_int_equal(access(other, F_OK), -1);

	/* Anything else at the path is left alone. */
	fd = open(other, O_CREAT | O_WRONLY, 0600);
	close(fd);
	assert_int_equal(dk_ctl_server_create(&p, &s2), -EEXIST);
	unlink(other);

	memset(longp, 'x', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	p.path = longp;
	assert_int_equal(dk_ctl_server_create(&p, &s2), -ENAMETOOLONG);
	assert_int_equal(dk_ctl_connect(other, &fd), -ENOENT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipelined_and_bad_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_big_output_and_disconnect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many_clients, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_file, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
