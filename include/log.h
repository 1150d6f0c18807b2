/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_LOG_H
#define PORTWARDEN_LOG_H

#include <stdarg.h>

/* Diagnostics on stderr; under systemd each stderr line starts with its
 * priority ("<4>") for journald.
 * log_warn appends strerror(errno); log_warnx does not.
 * fatal/fatalx exit(1) and are meant for start-up only. */
void log_init(const char *progname, int verbose);
/* Opens syslog (LOG_DAEMON, with the PID) for the messages sent there. */
void log_open_syslog(void);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
