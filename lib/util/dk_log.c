#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dk_common.h"
#include "dk_log.h"

static const char *const comp_names[] = {
#define X(n, s) s,
	DK_LOG_COMPONENTS(X)
#undef X
};

static const char *const level_names[] = {
	[DK_LOG_EMERG] = "emerg", [DK_LOG_ALERT] = "alert",     [DK_LOG_CRIT] = "crit",
	[DK_LOG_ERR] = "err",     [DK_LOG_WARNING] = "warning", [DK_LOG_NOTICE] = "notice",
	[DK_LOG_INFO] = "info",   [DK_LOG_DEBUG] = "debug",
};

static void
stderr_hook(enum dk_log_comp comp, enum dk_log_level level, const char *fmt, va_list ap)
{
	(void)level;
	fprintf(stderr, "dk.%s: ", comp_names[comp]);
	vfprintf(stderr, fmt, ap);
	if (fmt[0] && fmt[strlen(fmt) - 1] != '\n')
		fputc('\n', stderr);
}

static dk_log_hook_t log_hook = stderr_hook;
static enum dk_log_level log_levels[DK_LOGC_MAX] = {
	[0 ... DK_LOGC_MAX - 1] = DK_LOG_INFO,
};

void
dk_log_set_hook(dk_log_hook_t hook)
{
	log_hook = hook ? hook : stderr_hook;
}

void
dk_log_set_level(enum dk_log_comp comp, enum dk_log_level level)
{
	if ((unsigned)comp < DK_LOGC_MAX)
		log_levels[comp] = level;
}

enum dk_log_level
dk_log_get_level(enum dk_log_comp comp)
{
	return (unsigned)comp < DK_LOGC_MAX ? log_levels[comp] : DK_LOG_INFO;
}

const char *
dk_log_comp_name(enum dk_log_comp comp)
{
	return (unsigned)comp < DK_LOGC_MAX ? comp_names[comp] : "?";
}

int
dk_log_comp_from_name(const char *name)
{
	if (strncmp(name, "dk.", 3) == 0)
		name += 3;
	for (unsigned i = 0; i < DK_LOGC_MAX; i++)
		if (strcasecmp(name, comp_names[i]) == 0)
			return (int)i;
	return -1;
}

int
dk_log_level_from_name(const char *name)
{
	for (unsigned i = DK_LOG_EMERG; i < DK_ARRAY_SIZE(level_names); i++)
		if (strcasecmp(name, level_names[i]) == 0)
			return (int)i;
	if (strcasecmp(name, "error") == 0)
		return DK_LOG_ERR;
	if (strcasecmp(name, "warn") == 0)
		return DK_LOG_WARNING;
	return -1;
}

const char *
dk_log_level_name(enum dk_log_level level)
{
	return level >= DK_LOG_EMERG && level <= DK_LOG_DEBUG ? level_names[level] : "?";
}

void
dk_log(enum dk_log_comp comp, enum dk_log_level level, const char *fmt, ...)
{
	va_list ap;

	if ((unsigned)comp >= DK_LOGC_MAX || level > log_levels[comp])
		return;
	va_start(ap, fmt);
	log_hook(comp, level, fmt, ap);
	va_end(ap);
}
