/*
 * Effective priority from tracked objects, with keepalived's semantics:
 * - track_interface / track_script: weight 0 means failure puts the instance in FAULT;
 *   a positive weight is added while up/ok, a negative one while down/failing; `reverse`
 *   swaps which status applies the weight.
 * - track_file: weight 0 means a non-zero value is a failure (FAULT); otherwise
 *   value x weight (negated by `reverse`) is added, and a result of -254 or less is FAULT.
 * The sum is clamped to 1..254; an address owner (base 255) stays 255.
 */
#ifndef DK_VRRP_TRACK_H
#define DK_VRRP_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dk_vrrp_track_obj {
	bool ok;      /* interface up / script ok */
	int weight;   /* -254..254 */
	bool reverse;
};

struct dk_vrrp_track_file {
	int64_t value; /* the number read from the file */
	int weight;
	bool reverse;
};

struct dk_vrrp_track_input {
	uint8_t base_priority;
	const struct dk_vrrp_track_obj *ifs;
	size_t n_ifs;
	const struct dk_vrrp_track_obj *scripts;
	size_t n_scripts;
	const struct dk_vrrp_track_file *files;
	size_t n_files;
};

struct dk_vrrp_track_result {
	uint8_t priority; /* feed to DK_VRRP_EV_PRIORITY_CHANGE */
	bool fault;	  /* feed to DK_VRRP_EV_FAULT / DK_VRRP_EV_RESUME on change */
};

int dk_vrrp_track_eval(const struct dk_vrrp_track_input *in, struct dk_vrrp_track_result *out);

#endif
