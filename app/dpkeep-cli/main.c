/*
 * dpkeep-cli: runs console commands in a running dpkeep over its control socket.
 * Exit status: 0 all commands succeeded, 1 a command failed, 2 usage or transport error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dk_buf.h"
#include "dk_cmd.h"
#include "dk_ctl.h"

#define EXIT_CMD_FAILED 1
#define EXIT_TRANSPORT 2

struct cli {
	const char *path;
	bool json;
	int fd;
};

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: dpkeep-cli [--ctl PATH] [--json] COMMAND...\n"
		"       dpkeep-cli [--ctl PATH] [--json] -f FILE\n"
		"Runs dpkeep console commands through the control socket (default %s).\n"
		"  -c, --ctl PATH   control socket of the daemon\n"
		"  -j, --json       JSON output, one object per command\n"
		"  -f, --file FILE  one command per line ('#' starts a comment, '-' is stdin);\n"
		"                   stops at the first failing command\n"
		"Try: dpkeep-cli help\n"
		"Exit status: 0 success, 1 a command failed, 2 usage or connection error.\n",
		DK_CTL_DEFAULT_PATH);
}

/* Words are re-quoted so that the daemon's tokenizer sees exactly the shell's argv. */
static int
join_args(int argc, char **argv, struct dk_buf *b)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789_./:@%+=,-[]";
	const char *p;
	int i;

	for (i = 0; i < argc; i++) {
		if (i > 0 && dk_buf_addc(b, ' ', 1) < 0)
			return -E2BIG;
		if (argv[i][0] != '\0' && strspn(argv[i], plain) == strlen(argv[i])) {
			if (dk_buf_add(b, argv[i], strlen(argv[i])) < 0)
				return -E2BIG;
			continue;
		}
		if (dk_buf_addc(b, '\'', 1) < 0)
			return -E2BIG;
		for (p = argv[i]; *p != '\0'; p++) {
			if (*p == '\n')
				return -EINVAL;
			if ((*p == '\'' ? dk_buf_add(b, "'\\''", 4) : dk_buf_addc(b, *p, 1)) < 0)
				return -E2BIG;
		}
		if (dk_buf_addc(b, '\'', 1) < 0)
			return -E2BIG;
	}
	return 0;
}

static int
connect_daemon(struct cli *c)
{
	int rc = dk_ctl_connect(c->path, &c->fd);

	if (rc == -ECONNREFUSED || rc == -ENOENT)
		fprintf(stderr, "dpkeep-cli: cannot connect to %s: is dpkeep running?\n", c->path);
	else if (rc < 0)
		fprintf(stderr, "dpkeep-cli: cannot connect to %s: %s\n", c->path, strerror(-rc));
	return rc;
}

/* Runs one command; where is "FILE:LINE: " in batch mode, for the messages. */
static int
run(struct cli *c, const char *line, const char *where)
{
	struct dk_ctl_reply r;
	int rc;

	rc = dk_ctl_request(c->fd, c->json, line, &r);
	if (rc == -EMSGSIZE) {
		fprintf(stderr, "dpkeep-cli: %scommand too long (limit %d bytes)\n", where,
			DK_CTL_MAX_REQUEST - 3);
		return EXIT_CMD_FAILED;
	}
	if (rc < 0) {
		fprintf(stderr, "dpkeep-cli: %sno reply from dpkeep: %s\n", where, strerror(-rc));
		return EXIT_TRANSPORT;
	}
	if (r.status < 0) {
		fprintf(stderr, "dpkeep-cli: %s%s\n", where, r.body);
		dk_ctl_reply_free(&r);
		return EXIT_CMD_FAILED;
	}
	if (r.len > 0 && fwrite(r.body, 1, r.len, stdout) != r.len)
		rc = -EIO;
	dk_ctl_reply_free(&r);
	if (fflush(stdout) != 0 || rc < 0) {
		fprintf(stderr, "dpkeep-cli: cannot write output\n");
		return EXIT_TRANSPORT;
	}
	return 0;
}

static int
run_file(struct cli *c, const char *file)
{
	char where[512], *line = NULL, *s, *e;
	size_t cap = 0;
	unsigned lineno = 0;
	FILE *f;
	int rc = 0;

	f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	if (f == NULL) {
		fprintf(stderr, "dpkeep-cli: %s: %s\n", file, strerror(errno));
		return EXIT_TRANSPORT;
	}
	while (rc == 0 && getline(&line, &cap, f) >= 0) {
		lineno++;
		for (s = line; *s == ' ' || *s == '\t'; s++)
			;
		e = s + strlen(s);
		while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (*s == '\0' || *s == '#')
			continue;
		snprintf(where, sizeof(where), "%s:%u: ", file, lineno);
		rc = run(c, s, where);
	}
	if (rc == 0 && ferror(f)) {
		fprintf(stderr, "dpkeep-cli: %s: read error\n", file);
		rc = EXIT_TRANSPORT;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ctl", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli c = { .path = DK_CTL_DEFAULT_PATH, .fd = -1 };
	const char *file = NULL;
	struct dk_buf cmd;
	int opt, rc;

	/* '+': options end at the command, so "dpkeep-cli capture start -w x" passes -w on. */
	while ((opt = getopt_long(argc, argv, "+c:jf:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			c.path = optarg;
			break;
		case 'j':
			c.json = true;
			break;
		case 'f':
			file = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_TRANSPORT;
		}
	}
	if ((file == NULL) == (optind == argc)) {
		usage(stderr);
		return EXIT_TRANSPORT;
	}
	dk_buf_init(&cmd, DK_CMD_MAX_LINE);
	if (file == NULL) {
		rc = join_args(argc - optind, argv + optind, &cmd);
		if (rc < 0) {
			fprintf(stderr, "dpkeep-cli: %s\n", rc == -EINVAL ?
				"a command word contains a newline" : "command too long");
			rc = EXIT_CMD_FAILED;
			goto out;
		}
	}
	if (connect_daemon(&c) < 0) {
		rc = EXIT_TRANSPORT;
		goto out;
	}
	rc = file != NULL ? run_file(&c, file) : run(&c, cmd.p, "");
	close(c.fd);
out:
	dk_buf_free(&cmd);
	return rc;
}
