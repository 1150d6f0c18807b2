# SPDX-License-Identifier: GPL-2.0-or-later
# portwarden build.  `make`, `make check`, `make install DESTDIR=...`.

PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
DATADIR    ?= $(PREFIX)/share/portwarden
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
# a package's units live under /lib, an admin's own under /etc
UNITDIR    ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,/etc/systemd/system)
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
DESTDIR    ?=
VERSION    := 0.1.0

PKGS       := libnftnl libmnl libnetfilter_queue zlib
# NetworkManager's zones over D-Bus need sd-bus (libsystemd): built in when
# it is there, NM=0 leaves it out (OpenWrt has neither).
NM         ?= $(shell pkg-config --exists libsystemd 2>/dev/null && echo 1 || echo 0)
ifeq ($(NM),1)
PKGS       += libsystemd
NM_DEFS    := -DPW_HAVE_SDBUS
endif
CC         ?= cc
CFLAGS     ?= -O2 -g
CPPFLAGS   ?=
LDFLAGS    ?=

SANITIZE   ?= 0
BUILD      := build
ifeq ($(SANITIZE),1)
BUILD      := build/san
SANFLAGS   := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

PW_CFLAGS  := -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
              -D_GNU_SOURCE -D_FORTIFY_SOURCE=2 -fstack-protector-strong -Iinclude -MMD -MP \
              -DPW_DATADIR='"$(DATADIR)"' -DPW_SYSCONFDIR='"$(SYSCONFDIR)/portwarden"' \
              -DPW_VERSION='"$(VERSION)"' $(NM_DEFS) \
              $(SANFLAGS) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PW_LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

# plugin/<part>/: kernel (netlink and nf_tables), policy (the decision),
# daemon, log, cmd (main and the sub-commands), lib (small shared helpers)
SRCS       := $(wildcard plugin/*/*.c)
OBJS       := $(patsubst plugin/%.c,$(BUILD)/obj/%.o,$(SRCS))
LIB        := $(BUILD)/libportwarden.a
UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
TOOL_SRCS  := $(wildcard tests/integration/tools/*.c)
TOOL_BINS  := $(patsubst tests/integration/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRCS))

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-6s %s\n' $(1) $(2)
endif

.PHONY: all check unit integration valgrind valgrind-run install uninstall clean fuzz deps demo deb rpm bench vmcheck kb-coverage
all: $(BUILD)/portwarden

$(BUILD)/obj/%.o: plugin/%.c
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(PW_CFLAGS) -c -o $@ $<

$(LIB): $(filter-out $(BUILD)/obj/cmd/main.o,$(OBJS))
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/portwarden: $(BUILD)/obj/cmd/main.o $(LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) -o $@ $^ $(PW_LDLIBS)

# A test that defines __wrap_foo gets -Wl,--wrap=foo.
$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(PW_CFLAGS) -Wno-unused-parameter -DSRCDIR='"$(CURDIR)"' $(LDFLAGS) -o $@ $< $(LIB) \
		$(shell grep -o '__wrap_[a-z_0-9]*' $< | sort -u | sed 's/__wrap_/-Wl,--wrap=/') \
		$(PW_LDLIBS) $(CMOCKA_LIBS)

$(BUILD)/tools/%: tests/integration/tools/%.c
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(PW_CFLAGS) $(LDFLAGS) -o $@ $< $(PW_LDLIBS)

deps:
	@packaging/debian-deps.sh

unit: $(UNIT_BINS)
	@tests/unit/run.sh $(UNIT_BINS)

integration: $(BUILD)/portwarden $(TOOL_BINS)
	@BUILD=$(BUILD) tests/integration/run.sh

check: deps
	@$(MAKE) --no-print-directory all unit
	@$(MAKE) --no-print-directory integration

# Every unit test binary under memcheck, then the daemon's whole life under
# it (test_valgrind.sh, also part of `make check`).  Always the plain
# build: memcheck and the sanitizers do not mix.
valgrind: deps
	@$(MAKE) --no-print-directory SANITIZE=0 valgrind-run

valgrind-run: all $(UNIT_BINS) $(TOOL_BINS)
	@VALGRIND=1 tests/unit/run.sh $(UNIT_BINS)
	@BUILD=$(BUILD) TESTS=tests/integration/test_valgrind.sh tests/integration/run.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) tests/integration/demo.sh

# Benchmarks: never part of `make check`; figures against baselines measured
# in the same run.
$(BUILD)/bench/naive_queue: tests/bench/naive_queue.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(PW_CFLAGS) $(LDFLAGS) -o $@ $< $(PW_LDLIBS)

bench: deps
	@$(MAKE) --no-print-directory all $(TOOL_BINS) $(BUILD)/bench/naive_queue
	@BUILD=$(BUILD) tests/bench/run.sh

# Boots Debian releases in QEMU (images cached under build/vm), installs the
# package there and runs tests/vm/guest.sh under systemd; never part of
# `make check`.  PW_VM_SCENARIOS picks a subset (see tests/vm/run.sh).
VM_RELEASES ?= bookworm trixie
vmcheck:
	@packaging/debian-deps.sh qemu-system-x86 mmdebstrap debhelper dpkg-dev fakeroot lintian
	@mkdir -p build && $(MAKE) --no-print-directory deb >build/vmcheck-deb.log 2>&1 || { cat build/vmcheck-deb.log; exit 1; }
	@tests/vm/run.sh build/deb/portwarden_$(VERSION)_$$(dpkg --print-architecture).deb $(VM_RELEASES)

# Entries and coverage of the shipped database against nmap's open-frequency
# list and the system's services file (both read at run time, never shipped).
kb-coverage:
	@tests/kb/coverage.sh rules/ports.db

FUZZ_SECONDS ?= 10
FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS  := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRCS))
FUZZ_LIBSRC := $(filter-out plugin/cmd/main.c,$(SRCS))

build/fuzz/%: tests/fuzz/%.c $(FUZZ_LIBSRC)
	$(call msg,CLANG,$<)
	@mkdir -p $(@D)
	$(Q)clang -g -O1 -std=gnu11 -D_GNU_SOURCE -Iinclude $(NM_DEFS) -fsanitize=fuzzer,address,undefined \
		$(shell pkg-config --cflags $(PKGS)) -o $@ $< $(FUZZ_LIBSRC) $(PW_LDLIBS)

fuzz: deps $(FUZZ_BINS)
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

# Configuration files are installed only where none exists yet: a second
# `make install` never overwrites what the admin changed.
CONFFILES  := rules/portwarden.conf:portwarden/portwarden.conf rules/local.rules:portwarden/local.rules \
              packaging/logrotate/portwarden:logrotate.d/portwarden
install: all
	install -D -m 0755 $(BUILD)/portwarden $(DESTDIR)$(SBINDIR)/portwarden
	install -D -m 0644 rules/ports.db $(DESTDIR)$(DATADIR)/ports.db
	@for f in $(CONFFILES); do \
		src=$${f%%:*}; dst=$(DESTDIR)$(SYSCONFDIR)/$${f#*:}; \
		if [ -e "$$dst" ]; then echo "keeping $$dst"; \
		else install -D -m 0644 "$$src" "$$dst" && echo "installed $$dst"; fi; \
	done
	install -D -m 0644 packaging/man/portwarden.8 $(DESTDIR)$(MANDIR)/man8/portwarden.8
	install -D -m 0644 packaging/man/portwarden.conf.5 $(DESTDIR)$(MANDIR)/man5/portwarden.conf.5
	install -D -m 0644 packaging/man/portwarden.rules.5 $(DESTDIR)$(MANDIR)/man5/portwarden.rules.5
	@mkdir -p $(DESTDIR)$(UNITDIR)
	sed 's,/usr/sbin/portwarden,$(SBINDIR)/portwarden,g' packaging/systemd/portwarden.service \
		> $(DESTDIR)$(UNITDIR)/portwarden.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/portwarden.service
	install -D -m 0644 packaging/bash-completion/portwarden $(DESTDIR)$(COMPLETIONDIR)/portwarden
	install -D -m 0644 packaging/systemd/portwarden.sysusers $(DESTDIR)$(SYSUSERSDIR)/portwarden.conf

# Leaves /etc/portwarden (the admin's configuration) and the log in place.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/portwarden $(DESTDIR)$(DATADIR)/ports.db \
		$(DESTDIR)$(MANDIR)/man8/portwarden.8 $(DESTDIR)$(MANDIR)/man5/portwarden.conf.5 \
		$(DESTDIR)$(MANDIR)/man5/portwarden.rules.5 $(DESTDIR)$(UNITDIR)/portwarden.service \
		$(DESTDIR)$(COMPLETIONDIR)/portwarden $(DESTDIR)$(SYSUSERSDIR)/portwarden.conf
	-rmdir $(DESTDIR)$(DATADIR) 2>/dev/null
	@echo "kept $(DESTDIR)$(SYSCONFDIR)/portwarden and $(DESTDIR)$(SYSCONFDIR)/logrotate.d/portwarden (remove by hand)"

# Packages are built from a copy of the tree, so the work tree stays clean.
SOURCES    := Makefile COPYING README.md plugin include rules packaging tests
DEB_TOOLS  := debhelper lintian dpkg-dev fakeroot
deb:
	@packaging/debian-deps.sh $(DEB_TOOLS)
	rm -rf build/deb && mkdir -p build/deb/portwarden-$(VERSION)
	cp -r $(SOURCES) build/deb/portwarden-$(VERSION)/
	cp -r packaging/debian build/deb/portwarden-$(VERSION)/debian
	cd build/deb/portwarden-$(VERSION) && dpkg-buildpackage -us -uc -b
	lintian --fail-on error,warning --info build/deb/portwarden_$(VERSION)_*.deb

rpm:
	@packaging/debian-deps.sh rpm
	rm -rf build/rpm && mkdir -p build/rpm/SOURCES build/rpm/portwarden-$(VERSION)
	cp -r $(SOURCES) build/rpm/portwarden-$(VERSION)/
	tar -C build/rpm -czf build/rpm/SOURCES/portwarden-$(VERSION).tar.gz portwarden-$(VERSION)
	rpmbuild -bb --nodeps --define "_topdir $(CURDIR)/build/rpm" packaging/rpm/portwarden.spec

clean:
	rm -rf build

-include $(OBJS:.o=.d) $(UNIT_BINS:=.d)
