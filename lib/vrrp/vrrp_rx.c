/* Advert reception for an instance: RFC 5798 6.4.2/6.4.3, split brain, and the codec glue. */
#include <errno.h>
#include <string.h>

#include "dk_log.h"
#include "dk_vrrp.h"
#include "vrrp_fsm.h"

static void
track_split_brain(struct dk_vrrp *vr, struct dk_vrrp_actions *out, uint64_t now_us,
		  const struct dk_addr *peer)
{
	struct dk_vrrp_action *a;
	char ip[DK_ADDRSTRLEN];

	if (!vr->sb.suspect || !dk_addr_eq(&vr->sb.peer, peer)) {
		if (vr->sb.active)
			return; /* keep reporting the first peer until it is resolved */
		vr->sb.suspect = true;
		vr->sb.peer = *peer;
		vr->sb.since_us = now_us;
	}
	vr->sb.last_rx_us = now_us;
	/* A lower master that hears us steps down within one interval; one that is still
	 * advertising after a whole Master_Down_Interval does not hear us. */
	if (vr->sb.active || now_us - vr->sb.since_us < dk_vrrp_master_down_us(vr))
		return;
	vr->sb.active = true;
	vr->stats[DK_VRRP_ST_SPLIT_BRAIN]++;
	vrrp_act_log(vr, out, DK_LOG_WARNING, "split brain: %s is also MASTER",
		     dk_addr_fmt(peer, ip, sizeof(ip)));
	a = vrrp_act_push(out, DK_VRRP_ACT_SPLIT_BRAIN);
	if (a != NULL) {
		a->split.peer = vr->sb.peer;
		a->split.since_us = vr->sb.since_us;
	}
}

static void
master_rx(struct dk_vrrp *vr, struct dk_vrrp_actions *out, uint64_t now_us,
	  const struct dk_vrrp_advert *adv)
{
	struct dk_vrrp_garp g = vr->p.garp_master;
	char ip[DK_ADDRSTRLEN];
	int cmp;

	dk_addr_fmt(&adv->src, ip, sizeof(ip));
	if (adv->priority == 0) {
		/* A resigning master: answer at once so backups do not start an election. */
		vrrp_send_advert(vr, out, vr->eff_prio);
		vrrp_act_timer(out, DK_VRRP_TIMER_ADVER, true, now_us + vr->p.advert_int_us);
		return;
	}
	cmp = dk_addr_cmp(&adv->src, &vr->p.primary);
	if (adv->priority > vr->eff_prio || (adv->priority == vr->eff_prio && cmp > 0)) {
		if (adv->priority > vr->eff_prio)
			vrrp_act_log(vr, out, DK_LOG_INFO, "Master received advert from %s "
				     "with higher priority %u, ours %u", ip, adv->priority,
				     vr->eff_prio);
		else
			vrrp_act_log(vr, out, DK_LOG_INFO,
				     "Master received advert from %s with same priority %u but "
				     "higher IP address than ours", ip, adv->priority);
		vr->master_addr = adv->src;
		vr->master_prio = adv->priority;
		if (vr->p.version == 3)
			vr->master_adver_int_us = (uint64_t)adv->adver_int_cs * 10000;
		vrrp_become_backup(vr, out, now_us, DK_VRRP_REASON_HIGHER_PRIO);
		return;
	}
	vrrp_act_log(vr, out, DK_LOG_INFO, "Received advert from %s with lower priority %u, "
		     "ours %u, forcing new election", ip, adv->priority, vr->eff_prio);
	vrrp_send_advert(vr, out, vr->eff_prio);
	g.repeat = vr->p.garp_lower_prio_repeat;
	g.delay_us = 0;
	vrrp_act_garp(out, &g);
	vrrp_act_timer(out, DK_VRRP_TIMER_ADVER, true, now_us + vr->p.advert_int_us);
	track_split_brain(vr, out, now_us, &adv->src);
}

/* true: the sender is (still) an acceptable master; false: discard, let the timer run. */
static bool
backup_accepts(struct dk_vrrp *vr, struct dk_vrrp_actions *out, uint64_t now_us,
	       const struct dk_vrrp_advert *adv)
{
	char ip[DK_ADDRSTRLEN];

	if (vr->p.nopreempt || adv->priority >= vr->eff_prio) {
		if (vr->preempt_armed)
			vrrp_act_timer(out, DK_VRRP_TIMER_PREEMPT, false, 0);
		vr->preempt_armed = false;
		if (adv->priority >= vr->eff_prio)
			vr->preempt_at_us = 0;
		return true;
	}
	if (vr->p.preempt_delay_us != 0) {
		if (vr->preempt_at_us == 0)
			vr->preempt_at_us = now_us + vr->p.preempt_delay_us;
		if (now_us < vr->preempt_at_us) {
			if (!vr->preempt_armed)
				vrrp_act_timer(out, DK_VRRP_TIMER_PREEMPT, true,
					       vr->preempt_at_us);
			vr->preempt_armed = true;
			return true;
		}
	}
	vrrp_act_log(vr, out, DK_LOG_INFO,
		     "received lower priority (%u) advert from %s - discarding", adv->priority,
		     dk_addr_fmt(&adv->src, ip, sizeof(ip)));
	return false;
}

static void
backup_rx(struct dk_vrrp *vr, struct dk_vrrp_actions *out, uint64_t now_us,
	  const struct dk_vrrp_advert *adv)
{
	if (adv->priority == 0) {
		vrrp_act_log(vr, out, DK_LOG_INFO, "Backup received priority 0 advertisement");
		vrrp_act_timer(out, DK_VRRP_TIMER_MASTER_DOWN, true,
			       now_us + dk_vrrp_skew_us(vr));
		return;
	}
	if (!backup_accepts(vr, out, now_us, adv))
		return;
	vr->master_addr = adv->src;
	vr->master_prio = adv->priority;
	if (adv->auth_type == DK_VRRP_AUTH_AH)
		vr->ah_seq_rx_next = adv->ah_seq + 1;
	if (vr->p.version == 3)
		vr->master_adver_int_us = (uint64_t)adv->adver_int_cs * 10000;
	vrrp_act_timer(out, DK_VRRP_TIMER_MASTER_DOWN, true, now_us + dk_vrrp_master_down_us(vr));
}

int
vrrp_on_advert(struct dk_vrrp *vr, struct dk_vrrp_actions *out, uint64_t now_us,
	       const struct dk_vrrp_advert *adv)
{
	if (adv->vrid != vr->p.vrid || adv->version != vr->p.version)
		return -EINVAL;
	vr->stats[DK_VRRP_ST_ADVERT_RX]++;
	if (adv->priority == 0)
		vr->stats[DK_VRRP_ST_PRI_ZERO_RX]++;
	if (vr->state == DK_VRRP_STATE_MASTER)
		master_rx(vr, out, now_us, adv);
	else if (vr->state == DK_VRRP_STATE_BACKUP)
		backup_rx(vr, out, now_us, adv);
	else
		vr->stats[DK_VRRP_ST_RX_IGNORED]++;
	return 0;
}

int
dk_vrrp_rx(struct dk_vrrp *vr, const uint8_t *ip_pkt, size_t len, uint64_t now_us,
	   struct dk_vrrp_actions *out, enum dk_vrrp_rx_verdict *verdict)
{
	struct dk_vrrp_rx_ctx ctx = {
		.version = vr->p.version,
		.vrid = vr->p.vrid,
		.auth_type = vr->p.auth_type,
		.v2_adver_int_s = (uint8_t)(vr->p.advert_int_us / DK_USEC_PER_SEC),
		.unicast = vr->p.unicast,
		.ttl_min = vr->p.ttl_min,
		.ttl_max = vr->p.ttl_max,
		.v3_checksum_as_v2 = vr->p.v3_checksum_as_v2,
		.strict = vr->p.strict,
		.own_addr = &vr->p.primary,
		.vips = vr->vips,
		.n_vips = vr->p.n_vips,
	};
	struct dk_vrrp_event ev = { .type = DK_VRRP_EV_ADVERT_RX };
	struct dk_vrrp_advert adv;
	enum dk_vrrp_rx_verdict v;

	out->n = 0;
	out->overflow = false;
	memcpy(ctx.auth_pass, vr->p.auth_pass, sizeof(ctx.auth_pass));
	v = dk_vrrp_decode(&ctx, ip_pkt, len, &adv);
	/* Replay protection only against the master we follow: a restarted master starts
	 * its sequence again and is accepted once the master down timer has fired. */
	if (v == DK_VRRP_RX_OK && adv.auth_type == DK_VRRP_AUTH_AH &&
	    vr->state == DK_VRRP_STATE_BACKUP && dk_addr_eq(&adv.src, &vr->master_addr) &&
	    adv.ah_seq < vr->ah_seq_rx_next)
		v = DK_VRRP_RX_BAD_AH_SEQ;
	vr->rx[v]++;
	if (verdict != NULL)
		*verdict = v;
	if (v != DK_VRRP_RX_OK)
		return 0;
	/* keepalived keeps one counter for what it sends and what it accepts, and drops any
	 * sequence number not above it; our next adverts follow the highest number heard so
	 * that a restarted dpkeep is believed once it has heard the current master. */
	if (adv.auth_type == DK_VRRP_AUTH_AH && adv.ah_seq > vr->ah_seq_tx)
		vr->ah_seq_tx = adv.ah_seq;
	ev.advert = &adv;
	return dk_vrrp_handle(vr, &ev, now_us, out);
}

int
dk_vrrp_build_advert(struct dk_vrrp *vr, uint8_t priority, const struct dk_addr *dst,
		     uint8_t *buf, size_t cap, size_t *len_out)
{
	struct dk_vrrp_tx_params tp = {
		.version = vr->p.version,
		.vrid = vr->p.vrid,
		.priority = priority,
		.auth_type = vr->p.auth_type,
		.adver_int_cs = (uint16_t)(vr->p.advert_int_us / 10000),
		.unicast = vr->p.unicast,
		.ip_id = (uint16_t)vr->ah_seq_tx,
		.v3_checksum_as_v2 = vr->p.v3_checksum_as_v2,
		.src = vr->p.primary,
		.dst = *dst,
		.vips = vr->vips,
		.n_vips = vr->p.n_vips,
	};
	int rc;

	memcpy(tp.auth_pass, vr->p.auth_pass, sizeof(tp.auth_pass));
	tp.ah_seq = vr->ah_seq_tx + 1;
	rc = dk_vrrp_encode(&tp, buf, cap, len_out);
	if (rc == 0)
		vr->ah_seq_tx++;
	return rc;
}

#define NAME_FN(fn, type, max, LIST) \
	const char *fn(type v) \
	{ \
		static const char *const names[] = { LIST(DK_XSTR) }; \
		return (unsigned)v < (max) ? names[v] : "unknown"; \
	}

NAME_FN(dk_vrrp_state_name, enum dk_vrrp_state, DK_VRRP_STATE_MAX, DK_VRRP_STATES)
NAME_FN(dk_vrrp_event_name, enum dk_vrrp_event_type, DK_VRRP_EV_MAX, DK_VRRP_EVENTS)
NAME_FN(dk_vrrp_reason_name, enum dk_vrrp_reason, DK_VRRP_REASON_MAX, DK_VRRP_REASONS)
NAME_FN(dk_vrrp_action_name, enum dk_vrrp_action_type, DK_VRRP_ACT_MAX, DK_VRRP_ACTIONS)
NAME_FN(dk_vrrp_timer_name, enum dk_vrrp_timer, DK_VRRP_TIMER_MAX, DK_VRRP_TIMERS)
NAME_FN(dk_vrrp_stat_name, enum dk_vrrp_stat, DK_VRRP_ST_MAX, DK_VRRP_STATS)
