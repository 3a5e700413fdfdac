#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dk_log.h"
#include "proc.h"

#define MAX_CHILDREN 256

struct child {
	pid_t pid;
	uint64_t deadline_us;
	bool killed;
	dk_proc_done_fn done;
	void *arg;
};

static struct child children[MAX_CHILDREN];
static unsigned n_children;
static uint64_t last_now_us; /* for queues that start their next command from a callback */

static void
child_exec(const char *cmd, const char *user)
{
	if (user && *user) {
		struct passwd *pw = getpwnam(user);

		if (pw == NULL || initgroups(pw->pw_name, pw->pw_gid) < 0 ||
		    setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
			_exit(126);
	}
	/* The daemon ignores SIGPIPE; scripts expect the default. */
	signal(SIGPIPE, SIG_DFL);
	setsid();
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

int
dk_proc_spawn(const struct dk_proc_params *p, uint64_t now_us, pid_t *pid_out)
{
	pid_t pid;

	if (n_children >= MAX_CHILDREN) {
		DK_LOG(MAIN, WARNING, "too many scripts running; not starting '%s'", p->cmd);
		return -EAGAIN;
	}
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		child_exec(p->cmd, p->user);
	children[n_children++] = (struct child){
		.pid = pid,
		.deadline_us = p->timeout_us ? now_us + p->timeout_us : UINT64_MAX,
		.done = p->done,
		.arg = p->arg,
	};
	if (pid_out)
		*pid_out = pid;
	return 0;
}

static void
finish(unsigned i, int status)
{
	struct child c = children[i];

	children[i] = children[--n_children];
	if (c.done)
		c.done(c.arg, status);
}

unsigned
dk_proc_poll(uint64_t now_us)
{
	unsigned ended = 0;

	last_now_us = now_us;
	for (unsigned i = 0; i < n_children;) {
		struct child *c = &children[i];
		int st;
		pid_t r = waitpid(c->pid, &st, WNOHANG);

		if (r == c->pid) {
			int status = c->killed ? DK_PROC_TIMED_OUT :
				     WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);

			finish(i, status);
			ended++;
			continue;
		}
		if (r < 0 && errno == ECHILD) {
			finish(i, -ECHILD);
			ended++;
			continue;
		}
		if (!c->killed && now_us >= c->deadline_us) {
			/* The whole process group: a script's own children go too. */
			kill(-c->pid, SIGKILL);
			kill(c->pid, SIGKILL);
			c->killed = true;
		}
		i++;
	}
	return ended;
}

unsigned
dk_proc_running(void)
{
	return n_children;
}

void
dk_proc_forget(void *arg)
{
	for (unsigned i = 0; i < n_children; i++)
		if (children[i].arg == arg)
			children[i].done = NULL;
}

static void queue_next(struct dk_proc_queue *q, uint64_t now_us);

static void
queue_done(void *arg, int status)
{
	struct dk_proc_queue *q = arg;

	(void)status;
	q->busy = false;
	queue_next(q, last_now_us);
}

static void
queue_next(struct dk_proc_queue *q, uint64_t now_us)
{
	while (!q->busy && q->n) {
		char *cmd = q->cmds[q->head];
		struct dk_proc_params p = { .cmd = cmd, .user = q->user,
					    .timeout_us = q->timeout_us, .done = queue_done,
					    .arg = q };

		q->head = (q->head + 1) % q->cap;
		q->n--;
		if (dk_proc_spawn(&p, now_us, NULL) == 0)
			q->busy = true;
		else
			DK_LOG(MAIN, WARNING, "cannot run '%s'", cmd);
		free(cmd);
	}
}

int
dk_proc_queue_push(struct dk_proc_queue *q, const char *cmd, uint64_t now_us)
{
	if (q->n == q->cap) {
		unsigned cap = q->cap ? q->cap * 2 : 8;
		char **v = calloc(cap, sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		for (unsigned i = 0; i < q->n; i++)
			v[i] = q->cmds[(q->head + i) % q->cap];
		free(q->cmds);
		q->cmds = v;
		q->cap = cap;
		q->head = 0;
	}
	q->cmds[(q->head + q->n) % q->cap] = strdup(cmd);
	if (q->cmds[(q->head + q->n) % q->cap] == NULL)
		return -ENOMEM;
	q->n++;
	queue_next(q, now_us);
	return 0;
}

void
dk_proc_queue_free(struct dk_proc_queue *q)
{
	dk_proc_forget(q);
	for (unsigned i = 0; i < q->n; i++)
		free(q->cmds[(q->head + i) % q->cap]);
	free(q->cmds);
	memset(q, 0, sizeof(*q));
}
