/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_REPORTFMT_H
#define PORTWARDEN_REPORTFMT_H

#include <stdio.h>

#include "report.h"

/* Pieces the report's page and text share.  Text from the log or from a
 * process name is untrusted: it is shown with controls and invalid UTF-8
 * escaped, and in HTML with & < > " ' as entities. */

void report_html_text(FILE *out, const char *s);
void report_plain_text(FILE *out, const char *s);
/* "143/tcp imap", or "31 other ports" */
void report_port_text(FILE *out, const struct report_series *s, int html);
const char *report_colour(const struct report *r, unsigned i);

#endif
