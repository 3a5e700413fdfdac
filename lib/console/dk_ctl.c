/*
 * Control socket server. Everything is non-blocking and driven from the daemon's control
 * loop through one epoll descriptor, so the loop needs a single entry in its poll set
 * however many clients are connected.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "dk_buf.h"
#include "dk_cmd.h"
#include "dk_common.h"
#include "dk_ctl.h"
#include "dk_out.h"

#define LISTEN_TAG UINT32_MAX
#define MAX_EVENTS 32
/* Work per client per poll, so one busy client cannot hold the control loop. */
#define MAX_STEPS 64
#define MAX_ACCEPTS 16
/* One rendered reply at most: the renderer's cap plus the status line. */
#define MAX_QUEUED (2 * DK_OUT_DEFAULT_MAX + 1024)

struct client {
	int fd;
	struct dk_buf in;
	struct dk_buf outq;
	bool discarding; /* skipping the rest of a too-long request */
	uint32_t events;
};

struct dk_ctl_server {
	struct sockaddr_un addr;
	int lfd;
	int epfd;
	dev_t dev;
	ino_t ino;
	struct dk_cmd_table *table;
	struct dk_out *out;
	struct client cl[DK_CTL_MAX_CLIENTS];
	unsigned ncl;
};

static int
make_parent_dir(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* A socket file nobody answers on was left by a dead daemon and may be replaced. */
static int
clear_stale(const struct sockaddr_un *addr)
{
	struct stat st;
	int fd, rc;

	if (lstat(addr->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = connect(fd, (const struct sockaddr *)addr, sizeof(*addr));
	if (rc == 0)
		rc = -EADDRINUSE;
	else if (errno == ECONNREFUSED || errno == ENOENT)
		rc = unlink(addr->sun_path) < 0 && errno != ENOENT ? -errno : 0;
	else
		rc = -errno;
	close(fd);
	return rc;
}

static int
listen_on(struct dk_ctl_server *s)
{
	struct stat st;
	mode_t old;
	int rc;

	s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->lfd < 0)
		return -errno;
	/* umask keeps the file private from its first moment, chmod from any inherited mask. */
	old = umask(0177);
	rc = bind(s->lfd, (const struct sockaddr *)&s->addr, sizeof(s->addr));
	umask(old);
	if (rc < 0)
		return -errno;
	if (chmod(s->addr.sun_path, 0600) < 0 || stat(s->addr.sun_path, &st) < 0)
		return -errno;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	if (listen(s->lfd, DK_CTL_MAX_CLIENTS) < 0)
		return -errno;
	return 0;
}

int
dk_ctl_server_create(const struct dk_ctl_server_params *p, struct dk_ctl_server **out)
{
	const char *path = p->path != NULL ? p->path : DK_CTL_DEFAULT_PATH;
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = LISTEN_TAG };
	struct dk_out_params op = { .fmt = DK_OUT_TEXT };
	struct dk_ctl_server *s;
	unsigned i;
	int rc = -ENOMEM;

	if (p->table == NULL || path[0] == '\0')
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->lfd = s->epfd = -1;
	for (i = 0; i < DK_CTL_MAX_CLIENTS; i++)
		s->cl[i].fd = -1;
	s->table = p->table;
	if (strlen(path) >= sizeof(s->addr.sun_path)) {
		rc = -ENAMETOOLONG;
		goto fail;
	}
	s->addr.sun_family = AF_UNIX;
	memcpy(s->addr.sun_path, path, strlen(path) + 1);
	rc = dk_out_create(&op, &s->out);
	if (rc < 0)
		goto fail;
	rc = make_parent_dir(path);
	if (rc < 0)
		goto fail;
	rc = clear_stale(&s->addr);
	if (rc < 0)
		goto fail;
	rc = listen_on(s);
	if (rc < 0)
		goto fail_unlink;
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0 || epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->lfd, &ev) < 0) {
		rc = -errno;
		goto fail_unlink;
	}
	*out = s;
	return 0;
fail_unlink:
	if (s->ino != 0)
		unlink(path);
fail:
	dk_ctl_server_destroy(s);
	return rc;
}

static void
drop(struct dk_ctl_server *s, struct client *c)
{
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	dk_buf_free(&c->in);
	dk_buf_free(&c->outq);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	s->ncl--;
}

void
dk_ctl_server_destroy(struct dk_ctl_server *s)
{
	struct stat st;
	unsigned i;

	if (s == NULL)
		return;
	for (i = 0; i < DK_CTL_MAX_CLIENTS; i++)
		if (s->cl[i].fd >= 0)
			drop(s, &s->cl[i]);
	if (s->lfd >= 0) {
		/* A newer daemon may have replaced the file; only remove our own. */
		if (stat(s->addr.sun_path, &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino)
			unlink(s->addr.sun_path);
		close(s->lfd);
	}
	if (s->epfd >= 0)
		close(s->epfd);
	dk_out_destroy(s->out);
	free(s);
}

int
dk_ctl_server_fd(const struct dk_ctl_server *s)
{
	return s->epfd;
}

unsigned
dk_ctl_server_nclients(const struct dk_ctl_server *s)
{
	return s->ncl;
}

static void
reply(struct client *c, int rc, const char *body, size_t len)
{
	int w;

	if (rc < 0)
		w = dk_buf_printf(&c->outq, "ERR %d %zu\n", -rc, len);
	else
		w = dk_buf_printf(&c->outq, "OK %zu\n", len);
	if (w == 0 && dk_buf_add(&c->outq, body, len) == 0)
		return;
	/* Cannot happen within MAX_QUEUED; keep the framing intact if it ever does. */
	dk_buf_clear(&c->outq);
	dk_buf_printf(&c->outq, "ERR %d 20\nreply does not fit\n", ENOBUFS);
}

static void
reply_err(struct client *c, int rc, const char *reason)
{
	reply(c, rc, reason, strlen(reason));
}

static void
execute(struct dk_ctl_server *s, struct client *c, char *req, size_t len)
{
	enum dk_out_fmt fmt;
	const char *body, *line;
	size_t blen;
	int rc;

	if (len > 0 && req[len - 1] == '\r')
		req[--len] = '\0';
	if (memchr(req, '\0', len) != NULL) {
		reply_err(c, -EINVAL, "NUL byte in request");
		return;
	}
	if ((req[0] != 't' && req[0] != 'j') || (req[1] != ' ' && req[1] != '\0')) {
		reply_err(c, -EINVAL, "bad request flags: expected \"t\" or \"j\"");
		return;
	}
	fmt = req[0] == 'j' ? DK_OUT_JSON : DK_OUT_TEXT;
	line = req[1] == ' ' ? req + 2 : req + 1;
	dk_out_reset(s->out, fmt);
	rc = dk_cmd_exec(s->table, line, s->out);
	if (rc < 0) {
		body = dk_out_error_msg(s->out);
		reply_err(c, rc, body != NULL ? body : "command failed");
		return;
	}
	body = dk_out_render(s->out, &blen);
	reply(c, 0, body, blen);
}

/* Runs the next complete request in the input buffer; false when there is none. */
static bool
take_request(struct dk_ctl_server *s, struct client *c)
{
	char *nl;
	size_t len;

	if (c->in.len == 0)
		return false;
	nl = memchr(c->in.p, '\n', c->in.len);
	if (nl == NULL)
		return false;
	len = (size_t)(nl - c->in.p);
	*nl = '\0';
	execute(s, c, c->in.p, len);
	dk_buf_consume(&c->in, len + 1);
	return true;
}

static int
receive(struct client *c)
{
	char tmp[DK_CTL_MAX_REQUEST];
	size_t room = c->discarding ? sizeof(tmp) : DK_CTL_MAX_REQUEST - c->in.len;
	char *nl;
	ssize_t r;

	r = recv(c->fd, tmp, room, MSG_DONTWAIT);
	if (r == 0)
		return -ECONNRESET;
	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	if (!c->discarding) {
		dk_buf_add(&c->in, tmp, (size_t)r);
		if (c->in.len == DK_CTL_MAX_REQUEST && memchr(c->in.p, '\n', c->in.len) == NULL) {
			c->discarding = true;
			dk_buf_clear(&c->in);
		}
		return 0;
	}
	nl = memchr(tmp, '\n', (size_t)r);
	if (nl != NULL) {
		c->discarding = false;
		reply_err(c, -EMSGSIZE, "request too long");
		dk_buf_add(&c->in, nl + 1, (size_t)(tmp + r - nl - 1));
	}
	return 0;
}

static int
flush(struct client *c)
{
	ssize_t w;

	while (c->outq.len > 0) {
		w = send(c->fd, c->outq.p, c->outq.len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 :
			       errno == EINTR ? 0 : -errno;
		dk_buf_consume(&c->outq, (size_t)w);
	}
	return 0;
}

static int
service(struct dk_ctl_server *s, struct client *c)
{
	struct epoll_event ev = { 0 };
	int steps, n = 0, rc = 0;

	for (steps = 0; steps < MAX_STEPS; steps++) {
		rc = flush(c);
		if (rc < 0 || c->outq.len > 0)
			break;
		if (take_request(s, c)) {
			n++;
			continue;
		}
		rc = receive(c);
		if (rc < 0)
			break;
	}
	if (rc == -EAGAIN || rc == -EWOULDBLOCK)
		rc = 0;
	if (rc < 0) {
		drop(s, c);
		return n;
	}
	/*
	 * Input that is already buffered needs no event, so a client over its step budget
	 * gets EPOLLOUT (always ready) to be called again on the next poll.
	 */
	ev.events = c->outq.len > 0 || steps == MAX_STEPS ? EPOLLOUT : EPOLLIN;
	ev.data.u32 = (uint32_t)(c - s->cl);
	if (ev.events != c->events && epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0)
		c->events = ev.events;
	return n;
}

static void
accept_clients(struct dk_ctl_server *s)
{
	static const char busy[] = "ERR 16 24\ntoo many control clients";
	struct epoll_event ev = { .events = EPOLLIN };
	unsigned i, k;
	int fd;

	for (k = 0; k < MAX_ACCEPTS; k++) {
		fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		for (i = 0; i < DK_CTL_MAX_CLIENTS && s->cl[i].fd >= 0; i++)
			;
		if (i == DK_CTL_MAX_CLIENTS) {
			/* Best effort: the client learns why, or just sees the close. */
			ssize_t w = send(fd, busy, sizeof(busy) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);

			(void)w;
			close(fd);
			continue;
		}
		ev.data.u32 = i;
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			continue;
		}
		s->cl[i].fd = fd;
		s->cl[i].events = EPOLLIN;
		dk_buf_init(&s->cl[i].in, DK_CTL_MAX_REQUEST);
		dk_buf_init(&s->cl[i].outq, MAX_QUEUED);
		s->ncl++;
	}
}

int
dk_ctl_server_poll(struct dk_ctl_server *s)
{
	struct epoll_event evs[MAX_EVENTS];
	int n, i, done = 0;

	n = epoll_wait(s->epfd, evs, MAX_EVENTS, 0);
	for (i = 0; i < n; i++) {
		uint32_t tag = evs[i].data.u32;

		if (tag == LISTEN_TAG)
			accept_clients(s);
		else if (tag < DK_CTL_MAX_CLIENTS && s->cl[tag].fd >= 0)
			done += service(s, &s->cl[tag]);
	}
	return done;
}
