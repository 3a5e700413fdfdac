#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dk_log.h"
#include "proc.h"

#define MAX_CHILDREN 256
/* Distinct unsafe commands remembered so each is logged once, not at every interval. */
#define MAX_WARNED 64
#define SCRIPT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

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
static bool script_security;
static uint64_t warned[MAX_WARNED];
static unsigned n_warned;

void
dk_proc_set_script_security(bool on)
{
	script_security = on;
	n_warned = 0;
}

/* The executable a command line runs: its first word, looked up in PATH when bare. */
static int
script_file(const char *cmd, char out[PATH_MAX])
{
	char word[PATH_MAX], dir[PATH_MAX];
	size_t n = strcspn(cmd += strspn(cmd, " \t"), " \t");
	const char *p = SCRIPT_PATH;

	if (n == 0 || n >= sizeof(word))
		return -ENOENT;
	memcpy(word, cmd, n);
	word[n] = '\0';
	if (strchr(word, '/'))
		return realpath(word, out) ? 0 : -errno;
	while (*p) {
		size_t d = strcspn(p, ":");

		if (d + 1 + n < sizeof(dir)) {
			memcpy(dir, p, d);
			dir[d] = '/';
			memcpy(dir + d + 1, word, n + 1);
			if (access(dir, X_OK) == 0 && realpath(dir, out))
				return 0;
		}
		p += d + (p[d] == ':');
	}
	return -ENOENT;
}

/*
 * keepalived's enable_script_security: the script and every directory above it must
 * be owned by root and writable by no one else, or whoever can write there chooses what
 * runs as root (or as script_user). Returns NULL when safe, else why not.
 */
static const char *
script_unsafe(const char *cmd, char file[PATH_MAX], char *buf, size_t len)
{
	char path[PATH_MAX];
	struct stat st;
	char *slash;

	if (script_file(cmd, file) < 0) {
		snprintf(file, PATH_MAX, "%.*s", (int)strcspn(cmd, " \t"), cmd);
		snprintf(buf, len, "not found");
		return buf;
	}
	memcpy(path, file, PATH_MAX);
	for (;;) {
		if (stat(path, &st) < 0) {
			snprintf(buf, len, "%s cannot be read", path);
			return buf;
		}
		if (st.st_uid != 0) {
			snprintf(buf, len, "%s is not owned by root", path);
			return buf;
		}
		/* A sticky directory (/tmp) still lets others add files, not replace ours. */
		if ((st.st_mode & (S_IWGRP | S_IWOTH)) &&
		    !(S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX))) {
			snprintf(buf, len, "%s is writable by group or others", path);
			return buf;
		}
		slash = strrchr(path, '/');
		if (slash == NULL || slash == path)
			break;
		*slash = '\0';
	}
	return NULL;
}

static bool
warn_once(const char *cmd)
{
	uint64_t h = 1469598103934665603ULL;

	for (const char *c = cmd; *c; c++)
		h = (h ^ (uint8_t)*c) * 1099511628211ULL;
	for (unsigned i = 0; i < n_warned; i++)
		if (warned[i] == h)
			return false;
	if (n_warned < MAX_WARNED)
		warned[n_warned++] = h;
	return true;
}

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
	char why[PATH_MAX + 64], file[PATH_MAX];
	pid_t pid;

	/* Logged once per script file: checks and notifies run again and again. */
	if (script_unsafe(p->cmd, file, why, sizeof(why)) != NULL) {
		if (script_security) {
			if (warn_once(file))
				DK_LOG(MAIN, ERR, "Unsafe permissions found for script '%s': %s; "
				       "not running it (enable_script_security)", file, why);
			return -EPERM;
		}
		if (warn_once(file))
			DK_LOG(MAIN, WARNING, "SECURITY VIOLATION - script '%s' is unsafe (%s) "
			       "and enable_script_security is not set", file, why);
	}
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
