// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: what is read from /proc of another user's process
 * (command line, fdinfo, fd link targets) and the option parser. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listenpolicy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_owner o;
	char *text = malloc(size + 1);
	uint16_t port;

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	procfd_fdinfo_inode(text, 8);
	procfd_socket_inode(text);

	/* the command line through procfd.c's own reader */
	memset(&o, 0, sizeof(o));
	o.pid = 1;
	snprintf(o.exe, sizeof(o.exe), "/usr/bin/node");
	procfd_take_args(&o, (const char *)data, size);
	if (o.args_len > sizeof(o.args) || o.args[o.args_len - (o.args_len > 0)] != '\0')
		abort();
	port = listenpolicy_option_port("--inspect --inspect-brk --inspect-port", &o, 9229);
	if (port && !memmem(data, size, "--inspect", 9))
		abort();	/* a port named without the option */
	listenpolicy_is_program("node jupyter-* [a-", &o);
	free(text);
	return 0;
}
