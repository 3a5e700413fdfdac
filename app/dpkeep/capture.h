/*
 * The control lcore's half of packet capture: takes the copies the taps hand over
 * (lib/dp/dk_dp_capture.h), filters them with a BPF program compiled by libpcap and
 * writes a pcap file, until stopped or until the wanted count was written.
 */
#ifndef DK_APP_CAPTURE_H
#define DK_APP_CAPTURE_H

#include <stdint.h>

struct dk_app;
struct dk_out;
struct dk_capture;

int dk_capture_create(struct dk_app *app, struct dk_capture **out);
void dk_capture_destroy(struct dk_capture *c);
/* Writes what arrived; returns the number of copies taken off the ring. */
unsigned dk_capture_poll(struct dk_capture *c);
/* "capture start" arguments (after the two words); the reason goes to out. */
int dk_capture_start(struct dk_capture *c, int argc, const char *const *argv,
		     struct dk_out *out);
int dk_capture_stop(struct dk_capture *c, struct dk_out *out);
void dk_capture_show(struct dk_capture *c, struct dk_out *out);

#endif
