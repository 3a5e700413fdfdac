/* Reload: SIGHUP or the "reload" command re-read keepalived.conf and apply the difference. */
#ifndef DK_APP_RELOAD_H
#define DK_APP_RELOAD_H

struct dk_app;
struct dk_out;

/*
 * Parses the configuration file again; a configuration with errors is refused whole
 * (the reasons, FILE:LINE: message, go to the log and to out) and the running one stays.
 * Otherwise the load balancer applies the difference (unchanged real servers keep their
 * flows), and VRRP instances and health checkers whose configuration did not change keep
 * their state. out may be NULL (SIGHUP).
 */
int dk_app_reload_config(struct dk_app *app, struct dk_out *out);
int dk_cmd_reload_register(struct dk_app *app);

#endif
