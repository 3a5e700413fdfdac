/*
 * TCP connection states as IPVS tracks them, driven by the flags of each packet and
 * the direction it travels. With both directions seen (NAT/FNAT) the closing sequence
 * is followed: the first FIN leaves the side that sent it waiting (FIN_WAIT when the
 * server closed first, CLOSE_WAIT when the client did), the second FIN waits for its
 * ACK (LAST_ACK), and that ACK enters TIME_WAIT. With only the client side seen
 * (DR/TUN), a client FIN means FIN_WAIT until the entry times out.
 */
#include "dk_conn.h"

static enum dk_conn_state
on_fin(enum dk_conn_state s, enum dk_conn_dir dir, bool input_only)
{
	switch (s) {
	case DK_CONN_S_NONE:
	case DK_CONN_S_SYN_RECV:
	case DK_CONN_S_ESTABLISHED:
		if (input_only || dir == DK_CONN_DIR_REPLY)
			return DK_CONN_S_FIN_WAIT;
		return DK_CONN_S_CLOSE_WAIT;
	case DK_CONN_S_FIN_WAIT:
		/* The server closed first; now the client does too. */
		return !input_only && dir == DK_CONN_DIR_ORIG ? DK_CONN_S_LAST_ACK : s;
	case DK_CONN_S_CLOSE_WAIT:
		return dir == DK_CONN_DIR_REPLY ? DK_CONN_S_LAST_ACK : s;
	default:
		return s;
	}
}

enum dk_conn_state
dk_conn_tcp_next(enum dk_conn_state s, enum dk_conn_dir dir, uint8_t tcp_flags,
		 bool input_only)
{
	if (tcp_flags & DK_TCP_RST)
		return DK_CONN_S_CLOSE;
	if (tcp_flags & DK_TCP_SYN) {
		/* A client SYN on a finished connection is a new attempt on the same tuple. */
		if (s == DK_CONN_S_NONE || s == DK_CONN_S_CLOSE || s == DK_CONN_S_TIME_WAIT)
			return dir == DK_CONN_DIR_ORIG ? DK_CONN_S_SYN_RECV : s;
		return s;
	}
	if (tcp_flags & DK_TCP_FIN)
		return on_fin(s, dir, input_only);
	if (tcp_flags & DK_TCP_ACK) {
		switch (s) {
		case DK_CONN_S_NONE:
		case DK_CONN_S_SYN_RECV:
			/* Handshake done, or a flow picked up mid-stream. */
			return DK_CONN_S_ESTABLISHED;
		case DK_CONN_S_LAST_ACK:
			return DK_CONN_S_TIME_WAIT;
		default:
			return s;
		}
	}
	return s;
}

bool
dk_conn_syn_starts_anew(const struct dk_conn *c, enum dk_conn_dir dir, uint8_t tcp_flags)
{
	if (dir != DK_CONN_DIR_ORIG || (c->flags & DK_CONN_F_TMPL) ||
	    c->key[DK_CONN_DIR_ORIG].proto != DK_LB_PROTO_TCP ||
	    (tcp_flags & (DK_TCP_SYN | DK_TCP_ACK | DK_TCP_RST | DK_TCP_FIN)) != DK_TCP_SYN)
		return false;
	switch (c->state) {
	case DK_CONN_S_TIME_WAIT:
	case DK_CONN_S_CLOSE:
		return true;
	case DK_CONN_S_FIN_WAIT:
		return !(c->flags & DK_CONN_F_REPLY);
	default:
		return false;
	}
}
