/* Blocking client side of the control socket protocol described in dk_ctl.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "dk_ctl.h"

/* Far above any reply the server can produce; guards against a corrupt length. */
#define MAX_REPLY (64u << 20)
#define MAX_STATUS 64

int
dk_ctl_connect(const char *path, int *fd)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int s, rc;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	memcpy(addr.sun_path, path, strlen(path) + 1);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (connect(s, (const struct sockaddr *)&addr, sizeof(addr)) < 0) {
		rc = -errno;
		close(s);
		return rc;
	}
	*fd = s;
	return 0;
}

static int
send_all(int fd, const char *p, size_t len)
{
	ssize_t w;

	while (len > 0) {
		w = send(fd, p, len, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int
recv_all(int fd, char *p, size_t len)
{
	ssize_t r;

	while (len > 0) {
		r = recv(fd, p, len, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ECONNRESET;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/* Reads byte by byte so that nothing of the body is consumed with the status line. */
static int
recv_status(int fd, char *line, size_t size)
{
	size_t n = 0;
	int rc;

	while (n + 1 < size) {
		rc = recv_all(fd, line + n, 1);
		if (rc < 0)
			return rc;
		if (line[n] == '\n') {
			line[n] = '\0';
			return 0;
		}
		n++;
	}
	return -EPROTO;
}

static int
parse_status(const char *line, int *status, size_t *len)
{
	unsigned long long l;
	int err, end = 0;

	if (sscanf(line, "OK %llu%n", &l, &end) == 1 && line[end] == '\0') {
		*status = 0;
	} else if (sscanf(line, "ERR %d %llu%n", &err, &l, &end) == 2 && line[end] == '\0' &&
		   err > 0) {
		*status = -err;
	} else {
		return -EPROTO;
	}
	if (l > MAX_REPLY)
		return -EPROTO;
	*len = (size_t)l;
	return 0;
}

int
dk_ctl_request(int fd, bool json, const char *line, struct dk_ctl_reply *r)
{
	char status[MAX_STATUS];
	size_t len = strlen(line);
	char *req = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	if (strchr(line, '\n') != NULL)
		return -EINVAL;
	if (len + 3 > DK_CTL_MAX_REQUEST)
		return -EMSGSIZE;
	if (asprintf(&req, "%c %s\n", json ? 'j' : 't', line) < 0)
		return -ENOMEM;
	rc = send_all(fd, req, len + 3);
	if (rc < 0)
		goto out;
	rc = recv_status(fd, status, sizeof(status));
	if (rc < 0)
		goto out;
	rc = parse_status(status, &r->status, &r->len);
	if (rc < 0)
		goto out;
	r->body = malloc(r->len + 1);
	if (r->body == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	rc = recv_all(fd, r->body, r->len);
	if (rc < 0)
		goto out;
	r->body[r->len] = '\0';
out:
	free(req);
	if (rc < 0)
		dk_ctl_reply_free(r);
	return rc;
}

void
dk_ctl_reply_free(struct dk_ctl_reply *r)
{
	free(r->body);
	r->body = NULL;
	r->len = 0;
}
