/*
 * notify_fifo: every instance and sync-group state change as one line in keepalived's
 * format (INSTANCE "VI_1" MASTER 100 / GROUP "VG_1" BACKUP) written to a FIFO, in order.
 * The control loop never waits on the reader: the FIFO is opened O_NONBLOCK (which fails
 * with ENXIO while nobody reads, so the open is retried from a timer), lines wait in a
 * bounded buffer while the pipe is full, and each line goes out in one write of at most
 * PIPE_BUF bytes, so a reader never sees half a line.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dk_log.h"
#include "vrrp_priv.h"

#define FIFO_BUF 16384
#define FIFO_RETRY_US (100 * 1000)

struct vrrp_fifo {
	struct dk_app *app;
	char path[DK_CONF_PATHSIZ];
	int fd;
	struct dk_timer retry_t;
	size_t len;
	uint64_t stats[DK_APP_VRRP_FIFO_ST_MAX];
	char buf[FIFO_BUF];
};

static const char *const stat_names[] = {
#define X(e, s) [DK_APP_VRRP_FIFO_ST_##e] = s,
	DK_APP_VRRP_FIFO_STATS(X)
#undef X
};

const char *
dk_app_vrrp_fifo_stat_name(unsigned s)
{
	return s < DK_APP_VRRP_FIFO_ST_MAX ? stat_names[s] : "?";
}

const uint64_t *
dk_app_vrrp_fifo_stats(const struct dk_app *app)
{
	return app->vrrp && app->vrrp->fifo ? app->vrrp->fifo->stats : NULL;
}

static void
fifo_close(struct vrrp_fifo *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

/* Writes whole lines while the pipe takes them; true when the buffer is empty. */
static bool
flush(struct vrrp_fifo *f)
{
	if (f->fd < 0) {
		f->fd = open(f->path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (f->fd < 0) {
			f->stats[errno == ENXIO ? DK_APP_VRRP_FIFO_ST_NO_READER :
						  DK_APP_VRRP_FIFO_ST_OPEN_ERROR]++;
			return f->len == 0;
		}
	}
	while (f->len) {
		size_t n = (size_t)((char *)memchr(f->buf, '\n', f->len) - f->buf) + 1;
		ssize_t w = write(f->fd, f->buf, n);

		if (w < 0 && errno == EAGAIN)
			return false;
		if (w < 0) {
			/* EPIPE: the reader went away; a new one gets the lines still held. */
			f->stats[DK_APP_VRRP_FIFO_ST_WRITE_ERROR]++;
			fifo_close(f);
			return false;
		}
		f->stats[DK_APP_VRRP_FIFO_ST_LINES]++;
		f->len -= n;
		memmove(f->buf, f->buf + n, f->len);
	}
	return true;
}

static void
retry(struct dk_timer *t, void *arg, uint64_t now_us)
{
	struct vrrp_fifo *f = arg;

	if (!flush(f))
		dk_timer_arm(f->app->wheel, t, now_us + FIFO_RETRY_US);
}

static void
push(struct dk_app *app, const char *line)
{
	struct vrrp_fifo *f = app->vrrp ? app->vrrp->fifo : NULL;
	size_t n;

	if (f == NULL)
		return;
	n = strlen(line);
	if (f->len + n > sizeof(f->buf)) {
		f->stats[DK_APP_VRRP_FIFO_ST_DROPPED]++;
		return;
	}
	memcpy(f->buf + f->len, line, n);
	f->len += n;
	if (!flush(f) && !dk_timer_armed(&f->retry_t))
		dk_timer_arm(app->wheel, &f->retry_t, app->now_us + FIFO_RETRY_US);
}

void
dk_app_vrrp_fifo_instance(struct dk_app *app, const char *name, enum dk_vrrp_state st,
			  unsigned prio)
{
	char line[PIPE_BUF];

	if (snprintf(line, sizeof(line), "INSTANCE \"%s\" %s %u\n", name,
		     dk_vrrp_state_name(st), prio) < (int)sizeof(line))
		push(app, line);
}

void
dk_app_vrrp_fifo_group(struct dk_app *app, const char *name, enum dk_vrrp_state st)
{
	char line[PIPE_BUF];

	if (snprintf(line, sizeof(line), "GROUP \"%s\" %s\n", name, dk_vrrp_state_name(st)) <
	    (int)sizeof(line))
		push(app, line);
}

/* notify_fifo_script reads the FIFO: create it if needed and start the reader. */
static int
start_reader(struct vrrp_fifo *f, const struct dk_conf *conf)
{
	char cmd[2 * DK_CONF_PATHSIZ + 2];
	struct dk_proc_params p = { .cmd = cmd, .user = f->app->vrrp->script_user };
	struct stat st;

	if (stat(f->path, &st) < 0 && mkfifo(f->path, 0600) < 0) {
		DK_LOG(VRRP, ERR, "notify_fifo %s: cannot create: %s", f->path, strerror(errno));
		return -errno;
	}
	snprintf(cmd, sizeof(cmd), "%s %s", conf->global.notify_fifo_script, f->path);
	return dk_proc_spawn(&p, f->app->now_us, NULL);
}

int
dk_app_vrrp_fifo_init(struct dk_app *app, const struct dk_conf *conf)
{
	struct vrrp_fifo *f;
	struct stat st;
	int rc;

	if (conf->global.notify_fifo[0] == '\0')
		return 0;
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -ENOMEM;
	f->app = app;
	f->fd = -1;
	snprintf(f->path, sizeof(f->path), "%s", conf->global.notify_fifo);
	dk_timer_init(&f->retry_t, retry, f);
	if (conf->global.notify_fifo_script[0]) {
		rc = start_reader(f, conf);
		if (rc < 0)
			goto fail;
	} else if (stat(f->path, &st) == 0 && !S_ISFIFO(st.st_mode)) {
		DK_LOG(VRRP, ERR, "notify_fifo %s is not a FIFO", f->path);
		rc = -EINVAL;
		goto fail;
	}
	app->vrrp->fifo = f;
	return 0;
fail:
	free(f);
	return rc;
}

void
dk_app_vrrp_fifo_fini(struct dk_app *app)
{
	struct vrrp_fifo *f = app->vrrp ? app->vrrp->fifo : NULL;

	if (f == NULL)
		return;
	/* Last chance for the STOP lines, without waiting for a slow reader. */
	flush(f);
	dk_timer_cancel(app->wheel, &f->retry_t);
	fifo_close(f);
	free(f);
	app->vrrp->fifo = NULL;
}
