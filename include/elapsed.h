/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_ELAPSED_H
#define PORTWARDEN_ELAPSED_H

#include <time.h>

/* Time from a to b, both read from the same clock (CLOCK_MONOTONIC for
 * every interval: a step of the wall clock moves no window). */
long elapsed_usec(const struct timespec *a, const struct timespec *b);
long elapsed_ms(const struct timespec *a, const struct timespec *b);

#endif
