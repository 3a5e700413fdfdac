/*
 * keepalived.conf preprocessor: include (with globs and the includer/includem/includew/
 * includeb/includea variants), @id / @^id conditional lines, $NAME=VALUE parameters
 * with $NAME / ${NAME} expansion (recursive; a definition continues over lines ending
 * in "\"), the builtins ${_PWD} ${_INSTANCE} ${_RANDOM} ${_ENV VAR}, and ~SEQ(NAME,
 * [START,] [STEP,] END) / ~SEQx(...) / ~LST(NAME, V1, V2, ...) line repetition.
 * Internal to lib/conf.
 */
#ifndef DK_PP_H
#define DK_PP_H

#include "dk_ctree.h"
#include "dk_diag.h"

#define DK_PP_MAX_LINES 200000
#define DK_PP_MAX_LINE 16384

struct dk_pp_params {
	const char *path;
	const char *text;         /* parse this instead of reading path */
	const char *instance_id;  /* NULL: the host name up to the first dot */
	const char *include_root; /* non-NULL: includes must resolve inside it */
	unsigned max_depth;       /* 0: 16 */
};

/* Returns 0, -EINVAL after reported errors, -ENOMEM, or -errno for the main file. */
int dk_pp_run(const struct dk_pp_params *p, struct dk_clines *out, struct dk_diag *diag);

#endif
