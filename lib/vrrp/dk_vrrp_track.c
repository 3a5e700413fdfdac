/* Effective priority and FAULT from tracked interfaces, scripts and files. */
#include <errno.h>

#include "dk_vrrp.h"
#include "dk_vrrp_track.h"

#define WEIGHT_MAX 254

static bool
weight_ok(int w)
{
	return w >= -WEIGHT_MAX && w <= WEIGHT_MAX;
}

/* Adds one interface or script; returns false when the object is invalid. */
static bool
add_obj(const struct dk_vrrp_track_obj *o, int64_t *delta, bool *fault)
{
	bool applies;

	if (!weight_ok(o->weight))
		return false;
	if (o->weight == 0) {
		if (!o->ok)
			*fault = true;
		return true;
	}
	applies = o->weight > 0 ? o->ok : !o->ok;
	if (applies != o->reverse)
		*delta += o->weight;
	return true;
}

static bool
add_file(const struct dk_vrrp_track_file *f, int64_t *delta, bool *fault)
{
	int64_t v;

	if (!weight_ok(f->weight))
		return false;
	if (f->weight == 0) {
		if (f->value != 0)
			*fault = true;
		return true;
	}
	/* Clamp before multiplying: the file is outside our control. */
	v = f->value > WEIGHT_MAX ? WEIGHT_MAX : f->value < -WEIGHT_MAX ? -WEIGHT_MAX : f->value;
	v *= f->reverse ? -f->weight : f->weight;
	if (v <= -WEIGHT_MAX)
		*fault = true;
	*delta += v;
	return true;
}

int
dk_vrrp_track_eval(const struct dk_vrrp_track_input *in, struct dk_vrrp_track_result *out)
{
	int64_t delta = 0, prio;
	bool fault = false;

	if (in->base_priority == 0 || (in->n_ifs && in->ifs == NULL) ||
	    (in->n_scripts && in->scripts == NULL) || (in->n_files && in->files == NULL))
		return -EINVAL;
	for (size_t i = 0; i < in->n_ifs; i++)
		if (!add_obj(&in->ifs[i], &delta, &fault))
			return -EINVAL;
	for (size_t i = 0; i < in->n_scripts; i++)
		if (!add_obj(&in->scripts[i], &delta, &fault))
			return -EINVAL;
	for (size_t i = 0; i < in->n_files; i++)
		if (!add_file(&in->files[i], &delta, &fault))
			return -EINVAL;
	if (in->base_priority == DK_VRRP_PRIO_OWNER) {
		prio = DK_VRRP_PRIO_OWNER;
	} else {
		prio = in->base_priority + delta;
		prio = prio < 1 ? 1 : prio > 254 ? 254 : prio;
	}
	out->priority = (uint8_t)prio;
	out->fault = fault;
	return 0;
}
