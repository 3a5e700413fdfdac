/*
 * The control socket's wire protocol from both ends. Server: arbitrary bytes, written
 * in arbitrary pieces by a client, must get only well-framed replies ("OK LEN" or
 * "ERR ERRNO LEN", then LEN bytes), never more replies than requests, and the server
 * must keep serving. Client: arbitrary bytes as a daemon's reply must give dk_ctl_request
 * a clean result or a clean error, never an overrun or a hang (the peer closes).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dk_cmd.h"
#include "dk_common.h"
#include "dk_ctl.h"
#include "dk_out.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
echo(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	(void)arg;
	for (int i = 0; i < argc; i++)
		dk_out_str(out, "word", argv[i]);
	return argc > 2 ? -E2BIG : 0;
}

static const struct dk_cmd cmds[] = {
	{ "show port stats [PORT]", "x", echo, NULL },
	{ "echo ...", "x", echo, NULL },
};

static struct dk_ctl_server *srv;
static char path[64];

static void
remove_socket(void)
{
	unlink(path);
}

static void
setup(void)
{
	struct dk_ctl_server_params p = { .path = path };

	snprintf(path, sizeof(path), "/tmp/dk-fuzz-ctl-%d.sock", (int)getpid());
	if (dk_cmd_table_create(NULL, &p.table) < 0 ||
	    dk_cmd_register_many(p.table, cmds, DK_ARRAY_SIZE(cmds)) < 0 ||
	    dk_ctl_server_create(&p, &srv) < 0)
		abort();
	atexit(remove_socket);
}

/* Replies in buf[0..len), each well framed; returns how many and where the last began. */
static unsigned
check_replies(const char *buf, size_t len, size_t *last)
{
	unsigned n = 0;
	size_t i = 0;

	while (i < len) {
		unsigned long blen;
		char *end;

		*last = i;
		if (len - i >= 3 && memcmp(buf + i, "OK ", 3) == 0) {
			i += 3;
		} else if (len - i >= 4 && memcmp(buf + i, "ERR ", 4) == 0) {
			if (strtoul(buf + i + 4, &end, 10) == 0 || *end != ' ')
				abort();
			i = (size_t)(end - buf) + 1;
		} else {
			abort();
		}
		blen = strtoul(buf + i, &end, 10);
		if (end == buf + i || *end != '\n' || (size_t)(end - buf) + 1 + blen > len)
			abort();
		i = (size_t)(end - buf) + 1 + blen;
		n++;
	}
	return n;
}

/* Writes data in pieces of step bytes while polling the server; returns bytes read back. */
static size_t
exchange(int fd, const uint8_t *data, size_t size, size_t step, char *out, size_t cap)
{
	size_t got = 0, off = 0;
	int quiet = 0;

	while (quiet < 4) {
		ssize_t w = 0, rd;

		if (off < size) {
			w = send(fd, data + off, size - off < step ? size - off : step,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
			if (w > 0)
				off += (size_t)w;
		}
		dk_ctl_server_poll(srv);
		rd = recv(fd, out + got, cap - got, MSG_DONTWAIT);
		if (rd > 0)
			got += (size_t)rd;
		quiet = (w <= 0 && rd <= 0 && off == size) ? quiet + 1 : 0;
	}
	return got;
}

static void
fuzz_server(const uint8_t *data, size_t size)
{
	static const uint8_t probe[] = "\nt echo ok\n";
	static char out[1 << 20];
	size_t got, lfs = 0, last = 0;
	unsigned n;
	int fd;

	if (dk_ctl_connect(path, &fd) < 0)
		abort();
	for (size_t i = 0; i < size; i++)
		lfs += data[i] == '\n';
	got = exchange(fd, data + 1, size - 1, (size_t)data[0] % 64 + 1, out, sizeof(out));
	/* Then the connection must still serve: whatever was pending ends at the first LF. */
	got += exchange(fd, probe, sizeof(probe) - 1, sizeof(probe), out + got,
			sizeof(out) - got);
	n = check_replies(out, got, &last);
	if (n > lfs + 2 || n == 0 || memcmp(out + last, "OK ", 3) != 0)
		abort();
	close(fd);
	dk_ctl_server_poll(srv);
}

/* The bytes as a daemon's whole answer; the peer closes, so a short one ends in EOF. */
static void
fuzz_client(const uint8_t *data, size_t size)
{
	struct dk_ctl_reply r = { 0 };
	char sink[256];
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return;
	if (write(sv[1], data, size) == (ssize_t)size) {
		shutdown(sv[1], SHUT_WR);
		if (dk_ctl_request(sv[0], size & 1, "show port stats", &r) == 0) {
			if (r.body == NULL || strlen(r.body) > r.len || r.status > 0)
				abort();
			dk_ctl_reply_free(&r);
		}
	}
	close(sv[0]);
	while (read(sv[1], sink, sizeof(sink)) > 0)
		;
	close(sv[1]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (srv == NULL)
		setup();
	/* Bounded so the client's reply fits the socket buffer and the server's queues. */
	if (size < 2 || size > 16384)
		return 0;
	if (data[0] & 0x80)
		fuzz_client(data + 1, size - 1);
	else
		fuzz_server(data, size);
	return 0;
}
