/* VRRP instance state machine: RFC 5798 section 6.4 plus keepalived's extensions. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dk_log.h"
#include "dk_vrrp.h"
#include "vrrp_fsm.h"

struct dk_vrrp_action *
vrrp_act_push(struct dk_vrrp_actions *out, enum dk_vrrp_action_type type)
{
	struct dk_vrrp_action *a;

	if (out->n >= DK_VRRP_MAX_ACTIONS) {
		out->overflow = true;
		return NULL;
	}
	a = &out->a[out->n++];
	memset(a, 0, sizeof(*a));
	a->type = type;
	return a;
}

void
vrrp_act_log(const struct dk_vrrp *vr, struct dk_vrrp_actions *out, int level,
	     const char *fmt, ...)
{
	struct dk_vrrp_action *a = vrrp_act_push(out, DK_VRRP_ACT_LOG);
	va_list ap;
	int n;

	if (a == NULL)
		return;
	a->log.level = level;
	n = snprintf(a->log.msg, sizeof(a->log.msg), "(%s) ", vr->p.name);
	if (n < 0 || (size_t)n >= sizeof(a->log.msg))
		return;
	va_start(ap, fmt);
	vsnprintf(a->log.msg + n, sizeof(a->log.msg) - (size_t)n, fmt, ap);
	va_end(ap);
}

void
vrrp_act_timer(struct dk_vrrp_actions *out, enum dk_vrrp_timer which, bool arm, uint64_t at)
{
	struct dk_vrrp_action *a;

	a = vrrp_act_push(out, arm ? DK_VRRP_ACT_TIMER_ARM : DK_VRRP_ACT_TIMER_CANCEL);

	if (a == NULL)
		return;
	a->timer.which = which;
	a->timer.expire_us = arm ? at : 0;
}

static void
act_simple(struct dk_vrrp_actions *out, enum dk_vrrp_action_type type)
{
	vrrp_act_push(out, type);
}

void
vrrp_act_garp(struct dk_vrrp_actions *out, const struct dk_vrrp_garp *g)
{
	struct dk_vrrp_action *a = vrrp_act_push(out, DK_VRRP_ACT_GARP_START);

	if (a != NULL)
		a->garp = *g;
}

void
vrrp_send_advert(struct dk_vrrp *vr, struct dk_vrrp_actions *out, uint8_t prio)
{
	struct dk_vrrp_action *a = vrrp_act_push(out, DK_VRRP_ACT_SEND_ADVERT);

	if (a == NULL)
		return;
	a->advert_priority = prio;
	vr->stats[DK_VRRP_ST_ADVERT_TX]++;
	if (prio == 0)
		vr->stats[DK_VRRP_ST_PRI_ZERO_TX]++;
}

uint64_t
dk_vrrp_skew_us(const struct dk_vrrp *vr)
{
	uint64_t factor = 256u - vr->eff_prio;

	if (vr->p.version == 2)
		return factor * DK_USEC_PER_SEC / 256;
	return factor * vr->master_adver_int_us / 256;
}

uint64_t
dk_vrrp_master_down_us(const struct dk_vrrp *vr)
{
	return 3 * vr->master_adver_int_us + dk_vrrp_skew_us(vr);
}

static void
set_state(struct dk_vrrp *vr, struct dk_vrrp_actions *out, enum dk_vrrp_state ns,
	  enum dk_vrrp_reason reason)
{
	struct dk_vrrp_action *a;
	enum dk_vrrp_state old = vr->state;

	vr->state = ns;
	vrrp_act_log(vr, out, DK_LOG_INFO, "Entering %s STATE", dk_vrrp_state_name(ns));
	a = vrrp_act_push(out, DK_VRRP_ACT_NOTIFY);
	if (a == NULL)
		return;
	a->notify.old_state = old;
	a->notify.new_state = ns;
	a->notify.reason = reason;
}

static void
preempt_clear(struct dk_vrrp *vr, struct dk_vrrp_actions *out)
{
	if (vr->preempt_armed)
		vrrp_act_timer(out, DK_VRRP_TIMER_PREEMPT, false, 0);
	vr->preempt_armed = false;
	vr->preempt_at_us = 0;
}

static void
split_brain_end(struct dk_vrrp *vr, struct dk_vrrp_actions *out)
{
	if (vr->sb.active) {
		struct dk_vrrp_action *a;
		char ip[DK_ADDRSTRLEN];

		vrrp_act_log(vr, out, DK_LOG_NOTICE, "split brain with %s resolved",
			     dk_addr_fmt(&vr->sb.peer, ip, sizeof(ip)));
		a = vrrp_act_push(out, DK_VRRP_ACT_SPLIT_BRAIN_RESOLVED);
		if (a != NULL) {
			a->split.peer = vr->sb.peer;
			a->split.since_us = vr->sb.since_us;
		}
	}
	memset(&vr->sb, 0, sizeof(vr->sb));
}

/* Everything a master undoes when it stops being one, before the new state is entered. */
static void
leave_master(struct dk_vrrp *vr, struct dk_vrrp_actions *out, bool resign)
{
	if (resign)
		vrrp_send_advert(vr, out, 0);
	vrrp_act_timer(out, DK_VRRP_TIMER_ADVER, false, 0);
	act_simple(out, DK_VRRP_ACT_GARP_STOP);
	act_simple(out, DK_VRRP_ACT_RELEASE_VIPS);
	vr->stats[DK_VRRP_ST_RELEASE_MASTER]++;
	split_brain_end(vr, out);
}

void
vrrp_become_master(struct dk_vrrp *vr, struct dk_vrrp_actions *out, uint64_t now_us,
		   enum dk_vrrp_reason reason)
{
	if (vr->state == DK_VRRP_STATE_BACKUP)
		vrrp_act_timer(out, DK_VRRP_TIMER_MASTER_DOWN, false, 0);
	preempt_clear(vr, out);
	set_state(vr, out, DK_VRRP_STATE_MASTER, reason);
	vr->master_adver_int_us = vr->p.advert_int_us;
	vr->master_addr = vr->p.primary;
	vr->master_prio = vr->eff_prio;
	vr->ah_seq_rx_next = 0;
	act_simple(out, DK_VRRP_ACT_TAKE_VIPS);
	vrrp_send_advert(vr, out, vr->eff_prio);
	vrrp_act_garp(out, &vr->p.garp_master);
	vrrp_act_timer(out, DK_VRRP_TIMER_ADVER, true, now_us + vr->p.advert_int_us);
	vr->stats[DK_VRRP_ST_BECOME_MASTER]++;
}

void
vrrp_become_backup(struct dk_vrrp *vr, struct dk_vrrp_actions *out, uint64_t now_us,
		   enum dk_vrrp_reason reason)
{
	if (vr->state == DK_VRRP_STATE_MASTER)
		leave_master(vr, out, false);
	set_state(vr, out, DK_VRRP_STATE_BACKUP, reason);
	vrrp_act_timer(out, DK_VRRP_TIMER_MASTER_DOWN, true, now_us + dk_vrrp_master_down_us(vr));
}

/* FAULT and SHUTDOWN: a master resigns with a priority 0 advert so backups take over fast. */
static void
go_down(struct dk_vrrp *vr, struct dk_vrrp_actions *out, enum dk_vrrp_state ns,
	enum dk_vrrp_reason reason)
{
	if (vr->state == DK_VRRP_STATE_MASTER) {
		leave_master(vr, out, true);
	} else if (vr->state == DK_VRRP_STATE_BACKUP) {
		vrrp_act_timer(out, DK_VRRP_TIMER_MASTER_DOWN, false, 0);
		preempt_clear(vr, out);
	}
	memset(&vr->master_addr, 0, sizeof(vr->master_addr));
	vr->master_prio = 0;
	set_state(vr, out, ns, reason);
}

static void
come_up(struct dk_vrrp *vr, struct dk_vrrp_actions *out, uint64_t now_us,
	enum dk_vrrp_reason reason)
{
	vr->master_adver_int_us = vr->p.advert_int_us;
	if (vr->p.priority == DK_VRRP_PRIO_OWNER) {
		vrrp_become_master(vr, out, now_us, reason == DK_VRRP_REASON_STARTUP ?
					   DK_VRRP_REASON_OWNER : reason);
		return;
	}
	set_state(vr, out, DK_VRRP_STATE_BACKUP, reason);
	/* keepalived's `state MASTER`: listen for one interval, then take over if nobody
	 * better spoke, instead of waiting a full Master_Down_Interval. */
	if (reason == DK_VRRP_REASON_STARTUP && vr->p.init_state == DK_VRRP_STATE_MASTER)
		vrrp_act_timer(out, DK_VRRP_TIMER_MASTER_DOWN, true,
			  now_us + vr->p.advert_int_us + dk_vrrp_skew_us(vr));
	else
		vrrp_act_timer(out, DK_VRRP_TIMER_MASTER_DOWN, true,
			  now_us + dk_vrrp_master_down_us(vr));
}

static int
on_start(struct dk_vrrp *vr, struct dk_vrrp_actions *out, uint64_t now_us)
{
	if (vr->started)
		return 0;
	vr->started = true;
	if (vr->p.preempt_delay_us != 0 && !vr->p.nopreempt)
		vr->preempt_at_us = now_us + vr->p.preempt_delay_us;
	if (vr->fault) {
		set_state(vr, out, DK_VRRP_STATE_FAULT, DK_VRRP_REASON_FAULT);
		return 0;
	}
	come_up(vr, out, now_us, DK_VRRP_REASON_STARTUP);
	return 0;
}

static int
on_priority(struct dk_vrrp *vr, struct dk_vrrp_actions *out, uint64_t now_us, uint8_t prio)
{
	/* The address owner is always 255: tracking never moves it (keepalived does the same). */
	if (vr->p.priority == DK_VRRP_PRIO_OWNER)
		return 0;
	prio = prio < 1 ? 1 : prio > 254 ? 254 : prio;
	if (prio == vr->eff_prio)
		return 0;
	vrrp_act_log(vr, out, DK_LOG_INFO, "Changing effective priority from %u to %u",
		     vr->eff_prio, prio);
	vr->eff_prio = prio;
	if (vr->state == DK_VRRP_STATE_MASTER) {
		/* Tell backups at once so a now-better one can preempt without waiting. */
		vr->master_prio = prio;
		vrrp_send_advert(vr, out, prio);
		vrrp_act_timer(out, DK_VRRP_TIMER_ADVER, true, now_us + vr->p.advert_int_us);
	}
	return 0;
}

static int
on_timer(struct dk_vrrp *vr, struct dk_vrrp_actions *out, uint64_t now_us,
	 enum dk_vrrp_event_type type)
{
	switch (type) {
	case DK_VRRP_EV_MASTER_DOWN_TIMER:
		if (vr->state != DK_VRRP_STATE_BACKUP)
			return 0;
		vrrp_act_log(vr, out, DK_LOG_INFO, "Receive advertisement timeout");
		vrrp_become_master(vr, out, now_us, DK_VRRP_REASON_MASTER_DOWN);
		return 0;
	case DK_VRRP_EV_ADVER_TIMER:
		if (vr->state != DK_VRRP_STATE_MASTER)
			return 0;
		vrrp_send_advert(vr, out, vr->eff_prio);
		vrrp_act_timer(out, DK_VRRP_TIMER_ADVER, true, now_us + vr->p.advert_int_us);
		if (vr->sb.suspect && now_us - vr->sb.last_rx_us > dk_vrrp_master_down_us(vr))
			split_brain_end(vr, out);
		return 0;
	case DK_VRRP_EV_PREEMPT_DELAY_TIMER:
		vr->preempt_armed = false;
		if (vr->state != DK_VRRP_STATE_BACKUP || vr->preempt_at_us == 0)
			return 0;
		if (vr->master_prio != 0 && vr->master_prio < vr->eff_prio) {
			vrrp_act_log(vr, out, DK_LOG_INFO, "preempt delay expired, preempting");
			vrrp_become_master(vr, out, now_us, DK_VRRP_REASON_PREEMPT);
		}
		vr->preempt_at_us = 0;
		return 0;
	default:
		return -EINVAL;
	}
}

int
dk_vrrp_handle(struct dk_vrrp *vr, const struct dk_vrrp_event *ev, uint64_t now_us,
	       struct dk_vrrp_actions *out)
{
	int rc = 0;

	out->n = 0;
	out->overflow = false;
	switch (ev->type) {
	case DK_VRRP_EV_START:
		rc = on_start(vr, out, now_us);
		break;
	case DK_VRRP_EV_ADVERT_RX:
		rc = ev->advert == NULL ? -EINVAL : vrrp_on_advert(vr, out, now_us, ev->advert);
		break;
	case DK_VRRP_EV_MASTER_DOWN_TIMER:
	case DK_VRRP_EV_ADVER_TIMER:
	case DK_VRRP_EV_PREEMPT_DELAY_TIMER:
		rc = on_timer(vr, out, now_us, ev->type);
		break;
	case DK_VRRP_EV_PRIORITY_CHANGE:
		rc = on_priority(vr, out, now_us, ev->priority);
		break;
	case DK_VRRP_EV_FAULT:
		vr->fault = true;
		if (vr->started && vr->state != DK_VRRP_STATE_FAULT)
			go_down(vr, out, DK_VRRP_STATE_FAULT, DK_VRRP_REASON_FAULT);
		break;
	case DK_VRRP_EV_RESUME:
		vr->fault = false;
		if (vr->started && vr->state == DK_VRRP_STATE_FAULT)
			come_up(vr, out, now_us, DK_VRRP_REASON_RESUME);
		break;
	case DK_VRRP_EV_SHUTDOWN:
		if (vr->started && vr->state != DK_VRRP_STATE_INIT)
			go_down(vr, out, DK_VRRP_STATE_INIT, DK_VRRP_REASON_SHUTDOWN);
		vr->started = false;
		break;
	case DK_VRRP_EV_SYNC_MASTER:
		if (vr->state == DK_VRRP_STATE_BACKUP)
			vrrp_become_master(vr, out, now_us, DK_VRRP_REASON_SYNC);
		break;
	case DK_VRRP_EV_SYNC_BACKUP:
		if (vr->state == DK_VRRP_STATE_MASTER)
			vrrp_become_backup(vr, out, now_us, DK_VRRP_REASON_SYNC);
		break;
	default:
		rc = -EINVAL;
		break;
	}
	if (rc == 0 && out->overflow)
		rc = -ENOBUFS;
	return rc;
}

static int
check_params(const struct dk_vrrp_params *p)
{
	uint64_t ai = p->advert_int_us;

	if (p->vrid == 0 || p->priority == 0 || ai == 0 || p->name[0] == '\0' ||
	    memchr(p->name, '\0', sizeof(p->name)) == NULL)
		return -EINVAL;
	if (p->primary.af != AF_INET && p->primary.af != AF_INET6)
		return -EINVAL;
	if (p->n_vips > DK_VRRP_MAX_ADDRS || (p->n_vips > 0 && p->vips == NULL))
		return -EINVAL;
	for (size_t i = 0; i < p->n_vips; i++)
		if (p->vips[i].af != p->primary.af)
			return -EINVAL;
	if (p->version == 2)
		return p->primary.af == AF_INET && ai % DK_USEC_PER_SEC == 0 &&
			       ai / DK_USEC_PER_SEC <= 255 && p->auth_type <= DK_VRRP_AUTH_AH
		       ? 0 : -EINVAL;
	if (p->version == 3)
		return ai % 10000 == 0 && ai / 10000 <= 0x0fff &&
			       p->auth_type == DK_VRRP_AUTH_NONE ? 0 : -EINVAL;
	return -EINVAL;
}

int
dk_vrrp_create(const struct dk_vrrp_params *p, struct dk_vrrp **out)
{
	struct dk_vrrp *vr = NULL;
	int rc;

	rc = check_params(p);
	if (rc != 0)
		goto fail;
	vr = calloc(1, sizeof(*vr));
	if (vr == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	vr->p = *p;
	if (p->n_vips > 0) {
		vr->vips = calloc(p->n_vips, sizeof(*vr->vips));
		if (vr->vips == NULL) {
			rc = -ENOMEM;
			goto fail;
		}
		memcpy(vr->vips, p->vips, p->n_vips * sizeof(*vr->vips));
	}
	vr->p.vips = vr->vips;
	/* keepalived refuses `state MASTER` with nopreempt and starts as BACKUP instead. */
	if (vr->p.init_state != DK_VRRP_STATE_MASTER || vr->p.nopreempt)
		vr->p.init_state = DK_VRRP_STATE_BACKUP;
	if (vr->p.garp_lower_prio_repeat == 0)
		vr->p.garp_lower_prio_repeat = vr->p.garp_master.repeat;
	vr->state = DK_VRRP_STATE_INIT;
	vr->eff_prio = p->priority;
	vr->master_adver_int_us = p->advert_int_us;
	*out = vr;
	return 0;
fail:
	dk_vrrp_free(vr);
	return rc;
}

void
dk_vrrp_free(struct dk_vrrp *vr)
{
	if (vr == NULL)
		return;
	free(vr->vips);
	free(vr);
}
