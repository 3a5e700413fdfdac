/*
 * Control socket: a unix stream socket through which dpkeep-cli (or a script) runs
 * commands of the table in a running daemon. Polled from the control loop, never blocks.
 *
 * Wire protocol (one connection may carry any number of requests, answered in order):
 *   request:  FLAGS SP COMMAND-LINE LF
 *             FLAGS is one word: "t" for text output, "j" for JSON output.
 *             At most DK_CTL_MAX_REQUEST bytes including LF.
 *   reply:    "OK" SP LEN LF BODY              LEN bytes of rendered output
 *             "ERR" SP ERRNO SP LEN LF BODY    ERRNO positive, BODY the one-line reason
 *   LEN is decimal, BODY may be empty and is not terminated by anything but its length.
 * A request that is too long is read to its LF and answered with ERR EMSGSIZE; a bad
 * FLAGS word gets ERR EINVAL. The server answers one request at a time per client and
 * reads no further requests from a client until that client has taken its reply.
 * The client closes the connection when done; the server may close a client that has
 * too many unread reply bytes or when DK_CTL_MAX_CLIENTS are already connected (after a
 * best-effort "ERR EBUSY" reply).
 */
#ifndef DK_CTL_H
#define DK_CTL_H

#include <stdbool.h>
#include <stddef.h>

struct dk_cmd_table;

#define DK_CTL_DEFAULT_PATH "/run/dpkeep/dpkeep.ctl"
#define DK_CTL_MAX_REQUEST 4096
#define DK_CTL_MAX_CLIENTS 16

struct dk_ctl_server;

struct dk_ctl_server_params {
	const char *path;	   /* NULL: DK_CTL_DEFAULT_PATH */
	struct dk_cmd_table *table;
};

/*
 * Binds and listens (mode 0600, owned by the running user). A stale socket file left by
 * a dead daemon is replaced; -EADDRINUSE when another daemon answers on it; -EEXIST when
 * the path is something other than a socket; -ENAMETOOLONG for a too-long path. The
 * parent directory is created (0755) when it is missing.
 */
int dk_ctl_server_create(const struct dk_ctl_server_params *p, struct dk_ctl_server **out);
/* Closes every client, unlinks the socket file if it is still ours. */
void dk_ctl_server_destroy(struct dk_ctl_server *srv);
/*
 * A descriptor that becomes readable whenever dk_ctl_server_poll() has work (new client,
 * request data, room to write a pending reply). Put it in the control loop's poll set.
 */
int dk_ctl_server_fd(const struct dk_ctl_server *srv);
/* Does all work possible without blocking; returns the number of requests executed. */
int dk_ctl_server_poll(struct dk_ctl_server *srv);
unsigned dk_ctl_server_nclients(const struct dk_ctl_server *srv);

/* Client side (blocking, for dpkeep-cli and tests) -------------------------------------- */

struct dk_ctl_reply {
	int status;  /* 0 or -errno reported by the daemon */
	char *body;  /* NUL-terminated, malloc'ed; output or reason */
	size_t len;
};

/* Returns a connected fd in *fd, or -errno (-ECONNREFUSED/-ENOENT: no daemon there). */
int dk_ctl_connect(const char *path, int *fd);
/*
 * Sends one command line (no LF inside) and waits for its reply. Returns 0 when a reply
 * was received (look at r->status), -errno for transport failures or a malformed reply.
 */
int dk_ctl_request(int fd, bool json, const char *line, struct dk_ctl_reply *r);
void dk_ctl_reply_free(struct dk_ctl_reply *r);

#endif
