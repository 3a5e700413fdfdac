/* A small command table shared by the test daemons (ctl_testd, console_demo). */
#ifndef DEMO_CMDS_H
#define DEMO_CMDS_H

struct dk_cmd_table;

int demo_table_create(struct dk_cmd_table **out);

#endif
