/* Log destinations and levels; see logging.h. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include <rte_log.h>

#include "dk_common.h"
#include "dk_log.h"
#include "dk_out.h"
#include "logging.h"

static const struct {
	const char *name;
	int facility;
} facilities[] = {
	{ "daemon", LOG_DAEMON }, { "user", LOG_USER },	    { "local0", LOG_LOCAL0 },
	{ "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 },
	{ "local7", LOG_LOCAL7 },
};

static bool syslog_also_stderr;

/* rte_log writes a message in one or more chunks; syslog gets whole lines, at the level
 * of the message being written (RTE_LOG_x is syslog's LOG_x + 1). */
static ssize_t
syslog_write(void *cookie, const char *buf, size_t size)
{
	static char line[1024];
	static size_t len;
	int level = rte_log_cur_msg_loglevel();
	int prio = level >= (int)RTE_LOG_EMERG && level <= (int)RTE_LOG_DEBUG ? level - 1 :
		   LOG_INFO;

	(void)cookie;
	if (syslog_also_stderr)
		fwrite(buf, 1, size, stderr);
	for (size_t i = 0; i < size; i++) {
		if (buf[i] != '\n' && len + 1 < sizeof(line)) {
			line[len++] = buf[i];
			continue;
		}
		line[len] = '\0';
		if (len)
			syslog(prio, "%s", line);
		len = 0;
		if (buf[i] != '\n')
			line[len++] = buf[i];
	}
	return (ssize_t)size;
}

int
dk_logging_syslog(const char *facility, bool also_stderr)
{
	static const cookie_io_functions_t io = { .write = syslog_write };
	FILE *f;
	int fac = -1;

	for (unsigned i = 0; i < DK_ARRAY_SIZE(facilities); i++)
		if (strcasecmp(facility, facilities[i].name) == 0 ||
		    (strncasecmp(facility, "log_", 4) == 0 &&
		     strcasecmp(facility + 4, facilities[i].name) == 0))
			fac = facilities[i].facility;
	/* keepalived's -S takes a local number too. */
	if (fac < 0 && facility[0] >= '0' && facility[0] <= '7' && facility[1] == '\0')
		fac = facilities[2 + facility[0] - '0'].facility;
	if (fac < 0)
		return -EINVAL;
	f = fopencookie(NULL, "w", io);
	if (f == NULL)
		return -errno;
	setvbuf(f, NULL, _IONBF, 0);
	syslog_also_stderr = also_stderr;
	openlog("dpkeep", LOG_PID | LOG_NDELAY, fac);
	return rte_openlog_stream(f);
}

/* Every registered DPDK log type and its level, from rte_log_dump (the only listing
 * the library offers). Calls fn for each; stops at a non-zero return. */
static int
walk_types(int (*fn)(void *arg, const char *name, const char *level), void *arg)
{
	char *text = NULL, *save = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	int rc = 0;

	if (f == NULL)
		return -errno;
	rte_log_dump(f);
	fclose(f);
	for (char *l = strtok_r(text, "\n", &save); l && rc == 0; l = strtok_r(NULL, "\n", &save)) {
		char *name = strchr(l, ':'), *lvl;

		if (strncmp(l, "id ", 3) != 0 || name == NULL)
			continue;
		name += 2;
		lvl = strstr(name, ", level is ");
		if (lvl == NULL)
			continue;
		*lvl = '\0';
		rc = fn(arg, name, lvl + strlen(", level is "));
	}
	free(text);
	return rc;
}

static int
match_type(void *arg, const char *name, const char *level)
{
	(void)level;
	return fnmatch(arg, name, 0) == 0;
}

int
dk_logging_set_level(const char *component, const char *level, struct dk_out *out)
{
	int lvl = dk_log_level_from_name(level);
	int comp = dk_log_comp_from_name(component);
	char pattern[128];

	if (lvl < 0) {
		dk_out_error(out, "unknown level '%s' (emerg alert crit err warning notice info "
			     "debug)", level);
		return -EINVAL;
	}
	if (comp >= 0) {
		snprintf(pattern, sizeof(pattern), "dk.%s", dk_log_comp_name(comp));
		dk_log_set_level(comp, lvl);
	} else if (strcmp(component, "all") == 0) {
		snprintf(pattern, sizeof(pattern), "dk.*");
		for (int c = 0; c < DK_LOGC_MAX; c++)
			dk_log_set_level(c, lvl);
	} else if (walk_types(match_type, (void *)component) > 0) {
		snprintf(pattern, sizeof(pattern), "%s", component);
	} else {
		dk_out_error(out, "no log type '%s' (see show log)", component);
		return -ENOENT;
	}
	if (rte_log_set_level_pattern(pattern, (uint32_t)lvl) < 0) {
		dk_out_error(out, "cannot set level of %s", pattern);
		return -EINVAL;
	}
	dk_out_text(out, "%s: %s\n", pattern, dk_log_level_name(lvl));
	return 0;
}

static int
show_type(void *arg, const char *name, const char *level)
{
	struct dk_out *out = arg;

	dk_out_obj_begin(out, NULL);
	dk_out_str(out, "type", name);
	dk_out_str(out, "level", level);
	dk_out_obj_end(out);
	return 0;
}

int
dk_logging_show(struct dk_out *out)
{
	int rc;

	dk_out_arr_begin(out, "log_types");
	rc = walk_types(show_type, out);
	dk_out_arr_end(out);
	if (rc < 0)
		dk_out_error(out, "log types: %s", strerror(-rc));
	return rc;
}
