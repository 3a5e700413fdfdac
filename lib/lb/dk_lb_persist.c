/*
 * Persistence: a client (masked to the service's granularity) keeps its backend while
 * its template lives. As in IPVS, a template keeps pointing at a backend that is alive
 * but drained or at weight 0 (persistent clients finish their session there); only a
 * dead or removed backend makes the client be scheduled anew.
 */
#include "dk_conn.h"

enum dk_lb_verdict
dk_lb_schedule_persist(const struct dk_lb_table *t, const struct dk_lb_service *svc,
		       struct dk_conn_table *ct, const struct dk_lb_sched_ctx *ctx,
		       const struct dk_lb_backend **out)
{
	struct dk_conn_key k;
	struct dk_addr client;
	struct dk_conn *tmpl;
	enum dk_lb_verdict v;

	if (svc->persist_timeout_s == 0 || ct == NULL)
		return dk_lb_schedule(svc, ctx, out);
	dk_lb_persist_client(svc, &ctx->src, &client);
	dk_conn_tmpl_key(&k, svc->proto, &client, &svc->vip, svc->port);
	tmpl = dk_conn_tmpl_lookup(ct, &k, ctx->now_us);
	if (tmpl != NULL) {
		const struct dk_lb_backend *b = dk_lb_table_backend(t, tmpl->backend_slot);

		if (b != NULL && b != svc->sorry && b->svc_index == svc->index &&
		    (b->flags & (DK_LB_BACKEND_F_ALIVE | DK_LB_BACKEND_F_REMOVED)) ==
			    DK_LB_BACKEND_F_ALIVE) {
			*out = b;
			return DK_LB_SCHED_OK;
		}
		dk_conn_delete(ct, tmpl);
	}
	v = dk_lb_schedule(svc, ctx, out);
	/* A full table only costs stickiness: the flow itself is still served. */
	if (v == DK_LB_SCHED_OK)
		(void)dk_conn_tmpl_insert(ct, &k, (*out)->slot, svc->persist_timeout_s,
					  ctx->now_us, &tmpl);
	return v;
}
