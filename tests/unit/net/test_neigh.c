#include "net_test.h"

#include <errno.h>

#include "dk_neigh.h"

#define SEC DK_USEC_PER_SEC

/* Records solicitations and freed packets so tests can see what the table asked for. */
struct rec {
	unsigned solicits;
	unsigned unicast;
	struct dk_addr last;
	uint16_t last_port;
	unsigned freed;
	int freed_ids[64];
};

static struct rec rec;

static void
solicit(void *ctx, uint16_t port, const struct dk_addr *a, const struct dk_mac *unicast)
{
	(void)ctx;
	rec.solicits++;
	rec.unicast += unicast != NULL;
	rec.last = *a;
	rec.last_port = port;
}

static void
free_pkt(void *ctx, void *pkt)
{
	(void)ctx;
	if (rec.freed < 64)
		rec.freed_ids[rec.freed] = *(int *)pkt;
	rec.freed++;
}

static int ids[32];

static struct dk_neigh_table *
mk(uint32_t max_entries)
{
	struct dk_neigh_params p = { .max_entries = max_entries, .solicit = solicit,
				     .free_pkt = free_pkt };
	struct dk_neigh_table *t;

	memset(&rec, 0, sizeof(rec));
	for (int k = 0; k < 32; k++)
		ids[k] = k;
	assert_int_equal(dk_neigh_create(&p, &t), 0);
	return t;
}

struct find {
	uint16_t port;
	struct dk_addr a;
	int state;
};

static int
find_cb(void *ctx, const struct dk_neigh_entry_info *e)
{
	struct find *f = ctx;

	if (e->port == f->port && dk_addr_eq(&e->addr, &f->a)) {
		f->state = (int)e->state;
		return 1;
	}
	return 0;
}

/* The state of an entry as `show neigh` would see it, -1 when absent. */
static enum dk_neigh_state
state_of(struct dk_neigh_table *t, uint16_t port, const char *addr, uint64_t now)
{
	struct find f = { port, A(addr), -1 };

	dk_neigh_walk(t, now, find_cb, &f);
	return (enum dk_neigh_state)f.state;
}

static void
test_resolve_and_release(void **state)
{
	struct dk_neigh_table *t = mk(16);
	struct dk_addr gw = A("10.0.0.254");
	struct dk_mac mac, gwmac = M("02:00:00:00:00:fe");
	void *out[8];
	unsigned n;

	(void)state;
	assert_int_equal(dk_neigh_lookup(t, 1, &gw, &ids[1], 0, &mac), DK_NEIGH_QUEUED);
	assert_int_equal(rec.solicits, 1);
	assert_int_equal(rec.unicast, 0);
	assert_int_equal(rec.last_port, 1);
	assert_true(dk_addr_eq(&rec.last, &gw));
	assert_int_equal(dk_neigh_lookup(t, 1, &gw, &ids[2], 100, &mac), DK_NEIGH_QUEUED);
	assert_int_equal(rec.solicits, 1); /* no storm: retries are the tick's job */
	assert_int_equal(state_of(t, 1, "10.0.0.254", 0), DK_NEIGH_INCOMPLETE);

	assert_int_equal(dk_neigh_learn(t, 1, &gw, &gwmac, DK_NEIGH_F_CONFIRMED, 200, out, 8, &n),
			 0);
	assert_int_equal(n, 2);
	assert_ptr_equal(out[0], &ids[1]);
	assert_ptr_equal(out[1], &ids[2]);
	assert_int_equal(rec.freed, 0);
	assert_int_equal(state_of(t, 1, "10.0.0.254", 0), DK_NEIGH_REACHABLE);
	assert_int_equal(dk_neigh_lookup(t, 1, &gw, &ids[3], 300, &mac), DK_NEIGH_FOUND);
	assert_memory_equal(mac.b, gwmac.b, 6);
	/* Same address on another port is another neighbour. */
	assert_int_equal(dk_neigh_lookup(t, 2, &gw, NULL, 300, &mac), DK_NEIGH_QUEUED);
	assert_int_equal(dk_neigh_count(t), 2);
	assert_int_equal(dk_neigh_counter(t, DK_NEIGH_CNT_RESOLVED), 1);
	dk_neigh_free(t);
}

static void
test_retry_then_fail(void **state)
{
	struct dk_neigh_table *t = mk(16);
	struct dk_addr a = A("2001:db8::7");
	struct dk_mac mac;

	(void)state;
	assert_int_equal(dk_neigh_lookup(t, 0, &a, &ids[5], 0, &mac), DK_NEIGH_QUEUED);
	assert_int_equal(dk_neigh_next_event(t), SEC);
	dk_neigh_tick(t, SEC - 1);
	assert_int_equal(rec.solicits, 1);
	dk_neigh_tick(t, SEC);
	assert_int_equal(rec.solicits, 2);
	dk_neigh_tick(t, 2 * SEC);
	assert_int_equal(rec.solicits, 3);
	assert_int_equal(rec.freed, 0);
	dk_neigh_tick(t, 3 * SEC);
	assert_int_equal(rec.solicits, 3);
	assert_int_equal(state_of(t, 0, "2001:db8::7", 0), DK_NEIGH_FAILED);
	assert_int_equal(rec.freed, 1);
	assert_int_equal(rec.freed_ids[0], 5);
	assert_int_equal(dk_neigh_counter(t, DK_NEIGH_CNT_RESOLVE_FAILED), 1);
	assert_int_equal(dk_neigh_counter(t, DK_NEIGH_CNT_FAILED_DROP), 1);

	/* While FAILED, packets are dropped at once instead of queueing forever. */
	assert_int_equal(dk_neigh_lookup(t, 0, &a, &ids[6], 3 * SEC, &mac), DK_NEIGH_DROPPED);
	assert_int_equal(rec.freed, 2);
	/* After the hold time the entry is collected and the next lookup starts over. */
	dk_neigh_tick(t, 6 * SEC);
	assert_int_equal(dk_neigh_count(t), 0);
	assert_int_equal(dk_neigh_lookup(t, 0, &a, NULL, 6 * SEC, &mac), DK_NEIGH_QUEUED);
	assert_int_equal(rec.solicits, 4);
	dk_neigh_free(t);
}

static void
test_queue_bound(void **state)
{
	struct dk_neigh_table *t = mk(16);
	struct dk_addr a = A("10.0.0.5");
	struct dk_mac mac, m5 = M("02:00:00:00:00:05");
	void *out[4];
	unsigned n;

	(void)state;
	for (int k = 0; k < 10; k++)
		assert_int_equal(dk_neigh_lookup(t, 0, &a, &ids[k], 0, &mac), DK_NEIGH_QUEUED);
	/* Bound 8: the two oldest went first. */
	assert_int_equal(rec.freed, 2);
	assert_int_equal(rec.freed_ids[0], 0);
	assert_int_equal(rec.freed_ids[1], 1);
	assert_int_equal(dk_neigh_counter(t, DK_NEIGH_CNT_QUEUE_OVERFLOW), 2);
	/* The caller takes 4; the other 4 are freed and counted. */
	assert_int_equal(dk_neigh_learn(t, 0, &a, &m5, 0, 10, out, 4, &n), 0);
	assert_int_equal(n, 4);
	assert_ptr_equal(out[0], &ids[2]);
	assert_ptr_equal(out[3], &ids[5]);
	assert_int_equal(rec.freed, 6);
	assert_int_equal(dk_neigh_counter(t, DK_NEIGH_CNT_RELEASED_OVERFLOW), 4);
	assert_int_equal(state_of(t, 0, "10.0.0.5", 0), DK_NEIGH_STALE);
	dk_neigh_free(t);
}

static void
test_reachable_stale_probe(void **state)
{
	struct dk_neigh_table *t = mk(16);
	struct dk_addr a = A("10.0.0.5");
	struct dk_mac mac, m5 = M("02:00:00:00:00:05"), m6 = M("02:00:00:00:00:06");
	unsigned n;

	(void)state;
	assert_int_equal(dk_neigh_learn(t, 0, &a, &m5, 0, 0, NULL, 0, &n), -ENOENT);
	assert_int_equal(dk_neigh_learn(t, 0, &a, &m5, DK_NEIGH_F_CREATE | DK_NEIGH_F_CONFIRMED,
					0, NULL, 0, &n), 0);
	dk_neigh_tick(t, 30 * SEC - 1);
	assert_int_equal(state_of(t, 0, "10.0.0.5", 0), DK_NEIGH_REACHABLE);
	dk_neigh_tick(t, 30 * SEC);
	assert_int_equal(state_of(t, 0, "10.0.0.5", 0), DK_NEIGH_STALE);
	assert_int_equal(rec.solicits, 0);

	/* Use of a STALE entry works and starts a unicast probe. */
	assert_int_equal(dk_neigh_lookup(t, 0, &a, &ids[0], 31 * SEC, &mac), DK_NEIGH_FOUND);
	assert_memory_equal(mac.b, m5.b, 6);
	assert_int_equal(rec.solicits, 1);
	assert_int_equal(rec.unicast, 1);
	assert_int_equal(state_of(t, 0, "10.0.0.5", 0), DK_NEIGH_PROBE);
	/* A confirmation ends the probe. */
	assert_int_equal(dk_neigh_learn(t, 0, &a, &m5, DK_NEIGH_F_CONFIRMED, 31 * SEC + 5, NULL,
					0, &n), 0);
	assert_int_equal(state_of(t, 0, "10.0.0.5", 0), DK_NEIGH_REACHABLE);

	/* A different MAC without override only casts doubt; with override it wins. */
	assert_int_equal(dk_neigh_learn(t, 0, &a, &m6, 0, 32 * SEC, NULL, 0, &n), 0);
	assert_int_equal(state_of(t, 0, "10.0.0.5", 0), DK_NEIGH_STALE);
	assert_int_equal(dk_neigh_lookup(t, 0, &a, NULL, 32 * SEC, &mac), DK_NEIGH_FOUND);
	assert_memory_equal(mac.b, m5.b, 6);
	assert_int_equal(dk_neigh_learn(t, 0, &a, &m6, DK_NEIGH_F_OVERRIDE, 33 * SEC, NULL, 0, &n),
			 0);
	assert_int_equal(dk_neigh_lookup(t, 0, &a, NULL, 33 * SEC, &mac), DK_NEIGH_FOUND);
	assert_memory_equal(mac.b, m6.b, 6);
	assert_int_equal(dk_neigh_counter(t, DK_NEIGH_CNT_MAC_CHANGED), 1);

	/* Unanswered probes fail the entry. */
	for (uint64_t s = 34; s < 37; s++)
		dk_neigh_tick(t, s * SEC);
	assert_int_equal(state_of(t, 0, "10.0.0.5", 0), DK_NEIGH_FAILED);
	dk_neigh_free(t);
}

static void
test_probe_confirmed_without_lla(void **state)
{
	struct dk_neigh_table *t = mk(16);
	struct dk_addr a = A("10.0.0.5");
	struct dk_mac mac, m5 = M("02:00:00:00:00:05");
	unsigned n;

	(void)state;
	assert_int_equal(dk_neigh_learn(t, 0, &a, &m5, DK_NEIGH_F_CREATE | DK_NEIGH_F_CONFIRMED,
					0, NULL, 0, &n), 0);
	assert_int_equal(dk_neigh_learn(t, 0, &a, NULL, DK_NEIGH_F_CONFIRMED, 0, NULL, 0, &n),
			 -EINVAL);
	dk_neigh_tick(t, 30 * SEC);
	assert_int_equal(state_of(t, 0, "10.0.0.5", 0), DK_NEIGH_STALE);
	/* An NA without TLLA (Linux's answer to a unicast probe) confirms the known MAC. */
	assert_int_equal(dk_neigh_lookup(t, 0, &a, NULL, 31 * SEC, &mac), DK_NEIGH_FOUND);
	assert_int_equal(state_of(t, 0, "10.0.0.5", 0), DK_NEIGH_PROBE);
	assert_int_equal(dk_neigh_learn(t, 0, &a, NULL, DK_NEIGH_F_CONFIRMED | DK_NEIGH_F_NO_LLA,
					31 * SEC + 5, NULL, 0, &n), 0);
	assert_int_equal(state_of(t, 0, "10.0.0.5", 0), DK_NEIGH_REACHABLE);
	assert_int_equal(dk_neigh_lookup(t, 0, &a, NULL, 31 * SEC + 6, &mac), DK_NEIGH_FOUND);
	assert_memory_equal(mac.b, m5.b, 6);
	{
		struct dk_addr b = A("10.0.0.6");

		/* Nothing to learn without a MAC: missing or unresolved stays so. */
		assert_int_equal(dk_neigh_learn(t, 0, &b, NULL, DK_NEIGH_F_CONFIRMED |
						DK_NEIGH_F_NO_LLA | DK_NEIGH_F_CREATE, 32 * SEC,
						NULL, 0, &n), -ENOENT);
		assert_int_equal(dk_neigh_lookup(t, 0, &b, NULL, 32 * SEC, &mac), DK_NEIGH_QUEUED);
		assert_int_equal(dk_neigh_learn(t, 0, &b, NULL, DK_NEIGH_F_CONFIRMED |
						DK_NEIGH_F_NO_LLA, 32 * SEC, NULL, 0, &n), -ENOENT);
		assert_int_equal(state_of(t, 0, "10.0.0.6", 0), DK_NEIGH_INCOMPLETE);
		dk_neigh_delete(t, 0, &b);
	}
	dk_neigh_free(t);
}

static void
test_stale_gc_full_permanent(void **state)
{
	struct dk_neigh_table *t = mk(2);
	struct dk_addr a = A("10.0.0.1"), b = A("10.0.0.2"), c = A("10.0.0.3");
	struct dk_mac mac, m = M("02:00:00:00:00:01");
	unsigned n;

	(void)state;
	assert_int_equal(dk_neigh_add_permanent(t, 0, &a, &m, 0), 0);
	assert_int_equal(dk_neigh_learn(t, 0, &a, &m, DK_NEIGH_F_OVERRIDE, 0, NULL, 0, &n), -EPERM);
	assert_int_equal(dk_neigh_lookup(t, 0, &b, &ids[1], 0, &mac), DK_NEIGH_QUEUED);
	/* Full of PERMANENT and INCOMPLETE: nothing may be evicted. */
	assert_int_equal(dk_neigh_lookup(t, 0, &c, &ids[2], 0, &mac), DK_NEIGH_DROPPED);
	assert_int_equal(dk_neigh_counter(t, DK_NEIGH_CNT_TABLE_FULL), 1);
	assert_int_equal(rec.freed, 1);
	assert_int_equal(dk_neigh_learn(t, 0, &c, &m, DK_NEIGH_F_CREATE, 0, NULL, 0, &n), -ENOSPC);
	/* b resolves unconfirmed (STALE) and becomes the eviction candidate. */
	assert_int_equal(dk_neigh_learn(t, 0, &b, &m, 0, 1, NULL, 0, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(rec.freed, 2); /* queued packet did not fit the caller's 0 slots */
	assert_int_equal(dk_neigh_lookup(t, 0, &c, NULL, 2, &mac), DK_NEIGH_QUEUED);
	assert_int_equal(dk_neigh_counter(t, DK_NEIGH_CNT_EVICTED), 1);
	assert_int_equal((int)state_of(t, 0, "10.0.0.2", 0), -1);

	/* PERMANENT never ages; resolved-then-unused STALE entries are collected. */
	assert_int_equal(dk_neigh_learn(t, 0, &c, &m, 0, 3, NULL, 0, &n), 0);
	dk_neigh_tick(t, 3 + 60 * SEC);
	assert_int_equal(dk_neigh_count(t), 1);
	assert_int_equal(state_of(t, 0, "10.0.0.1", 0), DK_NEIGH_PERMANENT);
	assert_int_equal(dk_neigh_lookup(t, 0, &a, NULL, 1000 * SEC, &mac), DK_NEIGH_FOUND);
	assert_int_equal(dk_neigh_delete(t, 0, &a), 0);
	assert_int_equal(dk_neigh_delete(t, 0, &a), -ENOENT);
	dk_neigh_free(t);
}

static int
counter(void *ctx, const struct dk_neigh_entry_info *e)
{
	unsigned *count = ctx;

	if (e->port == 4) {
		assert_int_equal(e->state, DK_NEIGH_INCOMPLETE);
		assert_int_equal(e->queued, 1);
		assert_int_equal(e->probes, 1);
	} else {
		assert_int_equal(e->state, DK_NEIGH_STALE);
		assert_int_equal(e->age_us, 10);
	}
	(*count)++;
	return 0;
}

static void
test_flush_and_walk(void **state)
{
	struct dk_neigh_table *t = mk(0);
	struct dk_addr a = A("10.0.0.1"), b = A("fe80::1");
	struct dk_mac mac, m = M("02:00:00:00:00:01");
	unsigned n, count = 0;

	(void)state;
	assert_int_equal(dk_neigh_lookup(t, 4, &a, &ids[1], 0, &mac), DK_NEIGH_QUEUED);
	assert_int_equal(dk_neigh_learn(t, 5, &b, &m, DK_NEIGH_F_CREATE, 0, NULL, 0, &n), 0);
	assert_int_equal(dk_neigh_walk(t, 10, counter, &count), 0);
	assert_int_equal(count, 2);
	dk_neigh_flush_port(t, 4);
	assert_int_equal(rec.freed, 1);
	assert_int_equal(dk_neigh_count(t), 1);
	assert_string_equal(dk_neigh_state_name(DK_NEIGH_STALE), "STALE");
	assert_string_equal(dk_neigh_counter_name(DK_NEIGH_CNT_TABLE_FULL), "table_full");
	dk_neigh_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve_and_release),
		cmocka_unit_test(test_retry_then_fail),
		cmocka_unit_test(test_queue_bound),
		cmocka_unit_test(test_reachable_stale_probe),
		cmocka_unit_test(test_probe_confirmed_without_lla),
		cmocka_unit_test(test_stale_gc_full_permanent),
		cmocka_unit_test(test_flush_and_walk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
