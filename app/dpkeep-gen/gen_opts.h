/* dpkeep-gen command line: options, EAL arguments, poll contexts. */
#ifndef DK_GEN_OPTS_H
#define DK_GEN_OPTS_H

#include "gen.h"

/* 0: run; 1: done (help printed); -EINVAL: bad usage (reported on stderr). */
int gen_parse_opts(int argc, char **argv, struct gen_opts *o);
/* EAL argv (from the profile when one was given, then the user's); returns argc. */
int gen_eal_args(const struct gen_opts *o, char ***argv_out);
void gen_eal_args_free(int argc, char **argv);
/* Fills g->ctx from the lcore map: one context doing both, or an RX and a TX one. */
void gen_make_contexts(const struct gen_opts *o, struct gen_state *g,
		       const struct dk_gen_tmpl *t, struct rte_mempool *pool, uint16_t txp,
		       uint16_t rxp);

#endif
