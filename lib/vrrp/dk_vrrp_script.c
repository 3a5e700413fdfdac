/* vrrp_script scheduling and rise/fall accounting. */
#include <errno.h>
#include <string.h>

#include "dk_vrrp_script.h"

int
dk_vrrp_script_init(struct dk_vrrp_script *s, const struct dk_vrrp_script_params *p,
		    uint64_t now_us)
{
	if (p->interval_us == 0)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->p = *p;
	if (s->p.timeout_us == 0)
		s->p.timeout_us = s->p.interval_us;
	if (s->p.rise == 0)
		s->p.rise = 1;
	if (s->p.fall == 0)
		s->p.fall = 1;
	s->status = p->init_fail ? DK_VRRP_SCRIPT_FAILED : DK_VRRP_SCRIPT_UNKNOWN;
	s->next_run_us = now_us;
	return 0;
}

bool
dk_vrrp_script_due(const struct dk_vrrp_script *s, uint64_t now_us)
{
	return !s->running && now_us >= s->next_run_us;
}

uint64_t
dk_vrrp_script_started(struct dk_vrrp_script *s, uint64_t now_us)
{
	s->running = true;
	s->next_run_us = now_us + s->p.interval_us;
	s->deadline_us = now_us + s->p.timeout_us;
	return s->deadline_us;
}

bool
dk_vrrp_script_result(struct dk_vrrp_script *s, enum dk_vrrp_script_end end, int exit_code,
		      uint64_t now_us)
{
	bool good = end == DK_VRRP_SCRIPT_EXITED && exit_code == 0;
	enum dk_vrrp_script_status want = good ? DK_VRRP_SCRIPT_OK : DK_VRRP_SCRIPT_FAILED;
	uint32_t need = good ? s->p.rise : s->p.fall;

	s->running = false;
	/* A run that overran its interval is not repeated back to back. */
	if (s->next_run_us < now_us)
		s->next_run_us = now_us;
	if (s->status == DK_VRRP_SCRIPT_UNKNOWN) {
		s->status = want;
		s->streak = 0;
		return true;
	}
	if (s->status == want) {
		s->streak = 0;
		return false;
	}
	if (++s->streak < need)
		return false;
	s->status = want;
	s->streak = 0;
	return true;
}

bool
dk_vrrp_script_ok(const struct dk_vrrp_script *s)
{
	return s->status != DK_VRRP_SCRIPT_FAILED;
}

const char *
dk_vrrp_script_status_name(enum dk_vrrp_script_status st)
{
	static const char *const names[] = { DK_VRRP_SCRIPT_STATUSES(DK_XSTR) };

	return (unsigned)st < DK_VRRP_SCRIPT_STATUS_MAX ? names[st] : "unknown";
}
