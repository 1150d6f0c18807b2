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
CC         ?= cc
PKG_CONFIG ?= pkg-config
# NetworkManager's zones over D-Bus need sd-bus (libsystemd): built in when
# it is there, NM=0 leaves it out (OpenWrt has neither).  Compiled against
# its headers; the program loads it (dlopen) only where NetworkManager runs
# and is not linked against it.  The unit tests and fuzz targets that build
# sd-bus messages are.
NM         ?= $(shell $(PKG_CONFIG) --exists libsystemd 2>/dev/null && echo 1 || echo 0)
ifeq ($(NM),1)
NM_DEFS    := -DPW_HAVE_SDBUS
SDBUS_CFLAGS := $(shell $(PKG_CONFIG) --cflags libsystemd 2>/dev/null)
SDBUS_LIBS := $(shell $(PKG_CONFIG) --libs libsystemd 2>/dev/null)
endif
CFLAGS     ?= -O2 -g
CPPFLAGS   ?=
LDFLAGS    ?=

SANITIZE   ?= 0
BUILD      := build
ifeq ($(SANITIZE),1)
BUILD      := build/san
SANFLAGS   := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

# WERROR=0 for distribution builds: a newer compiler's new warning must not
# break a package build; our own builds and CI keep -Werror.
WERROR     ?= 1
PW_CFLAGS  := -std=gnu11 -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror) -Wshadow -Wformat=2 -Wstrict-prototypes \
              -D_GNU_SOURCE -D_FORTIFY_SOURCE=2 -fstack-protector-strong -Iinclude -MMD -MP \
              -DPW_DATADIR='"$(DATADIR)"' -DPW_SYSCONFDIR='"$(SYSCONFDIR)/portwarden"' \
              -DPW_VERSION='"$(VERSION)"' $(NM_DEFS) \
              $(SANFLAGS) $(SDBUS_CFLAGS) $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PW_LDLIBS  := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

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

.PHONY: all check unit integration valgrind valgrind-run install uninstall clean fuzz deps demo deb rpm bench vmcheck kb-coverage \
	crosscheck cross-sysroot crossdeb fuzz-corpus dist static muslcheck
all: $(BUILD)/portwarden

$(BUILD)/obj/%.o: plugin/%.c
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(PW_CFLAGS) -c -o $@ $<

$(LIB): $(filter-out $(BUILD)/obj/cmd/main.o,$(OBJS))
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/portwarden: $(BUILD)/obj/cmd/main.o $(LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) -o $@ $^ $(PW_LDLIBS)

# A test that defines __wrap_foo gets -Wl,--wrap=foo.
$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(PW_CFLAGS) -Wno-unused-parameter -DSRCDIR='"$(CURDIR)"' $(LDFLAGS) -o $@ $< $(LIB) \
		$(shell grep -o '__wrap_[a-z_0-9]*' $< | sort -u | sed 's/__wrap_/-Wl,--wrap=/') \
		$(PW_LDLIBS) $(SDBUS_LIBS) $(CMOCKA_LIBS)

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
# A release named RELEASE-s390x (bookworm-s390x) boots that release's s390x
# build under qemu-system-s390x (TCG), with the package cross-built.
VM_FOREIGN := $(filter %-s390x,$(VM_RELEASES))
vmcheck:
	@packaging/debian-deps.sh qemu-system-x86 mmdebstrap debhelper dpkg-dev fakeroot lintian \
		$(if $(VM_FOREIGN),qemu-system-misc qemu-user-static arch-test)
	@mkdir -p build && $(MAKE) --no-print-directory deb >build/vmcheck-deb.log 2>&1 || { cat build/vmcheck-deb.log; exit 1; }
	$(if $(VM_FOREIGN),@$(MAKE) --no-print-directory CROSS_ARCH=s390x crossdeb >build/vmcheck-crossdeb.log 2>&1 || \
		{ cat build/vmcheck-crossdeb.log; exit 1; })
	@tests/vm/run.sh build/deb/portwarden_$(VERSION)_$$(dpkg --print-architecture).deb $(VM_RELEASES)

# Entries and coverage of the shipped database against nmap's open-frequency
# list and the system's services file (both read at run time, never shipped).
kb-coverage:
	@tests/kb/coverage.sh rules/ports.db

FUZZ_SECONDS ?= 10
FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS  := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRCS))
FUZZ_LIBSRC := $(filter-out plugin/cmd/main.c,$(SRCS))

FUZZ_OBJS  := $(patsubst %.c,build/fuzz/obj/%.o,$(FUZZ_LIBSRC))
FUZZ_LIB   := build/fuzz/libportwarden-fuzz.a
FUZZ_CFLAGS = -g -O1 -std=gnu11 -D_GNU_SOURCE -Iinclude $(NM_DEFS) $(SDBUS_CFLAGS) $(shell $(PKG_CONFIG) --cflags $(PKGS))

# The sources are compiled once for every target (instrumented for the
# fuzzer, without its main), each target links what it calls.
build/fuzz/obj/%.o: %.c
	$(call msg,CLANG,$<)
	@mkdir -p $(@D)
	$(Q)clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -MMD -MP -c -o $@ $<

$(FUZZ_LIB): $(FUZZ_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

build/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB)
	$(call msg,CLANG,$<)
	@mkdir -p $(@D)
	$(Q)clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -MMD -MP \
		-o $@ $< $(FUZZ_LIB) $(PW_LDLIBS) $(SDBUS_LIBS)

fuzz: deps $(FUZZ_BINS)
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

# The same targets without libFuzzer (a cross compiler or musl has no
# runtime for it): tests/fuzz/standalone.c feeds each corpus file once.
CORPUS_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/corpus/%,$(FUZZ_SRCS))
$(BUILD)/corpus/%: tests/fuzz/%.c tests/fuzz/standalone.c $(LIB)
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(PW_CFLAGS) $(LDFLAGS) -o $@ $< tests/fuzz/standalone.c $(LIB) $(PW_LDLIBS) $(SDBUS_LIBS)

fuzz-corpus: $(CORPUS_BINS)

# Big-endian: the daemon, every unit test and every fuzz target built with
# Debian's s390x cross compiler against Debian's own s390x builds of the
# libraries (tests/cross/sysroot.sh), then the unit tests and every fuzz
# corpus run under qemu-s390x-static.
CROSS_ARCH ?= s390x
CROSS      := $(CROSS_ARCH)-linux-gnu
CROSS_ROOT := $(CURDIR)/build/cross/sysroot
CROSS_LIBS := $(CROSS_ROOT)/usr/lib/$(CROSS):$(CROSS_ROOT)/lib/$(CROSS)
CROSS_MAKE = PKG_CONFIG_LIBDIR=$(CROSS_ROOT)/usr/lib/$(CROSS)/pkgconfig:$(CROSS_ROOT)/usr/share/pkgconfig \
	PKG_CONFIG_SYSROOT_DIR=$(CROSS_ROOT) $(MAKE) --no-print-directory SANITIZE=0 \
	CC=$(CROSS)-gcc AR=$(CROSS)-ar CPPFLAGS="-isystem $(CROSS_ROOT)/usr/include" \
	LDFLAGS="-Wl,-rpath-link=$(CROSS_LIBS)"
cross-sysroot:
	@packaging/debian-deps.sh gcc-$(CROSS) qemu-user-static
	@tests/cross/sysroot.sh $(CROSS_ARCH) $(CROSS_ROOT) >/dev/null

crosscheck: cross-sysroot all
	@$(CROSS_MAKE) BUILD=build/cross/$(CROSS_ARCH) build/cross/$(CROSS_ARCH)/portwarden fuzz-corpus \
		$(patsubst tests/unit/%.c,build/cross/$(CROSS_ARCH)/tests/%,$(UNIT_SRCS))
	@tests/cross/run.sh $(CROSS_ARCH) build/cross/$(CROSS_ARCH) $(CROSS_LIBS)

# The Debian package for CROSS_ARCH, for its guest in `make vmcheck`: the
# program built as debian/rules builds it, in place of the native one in
# the package `make deb` built (everything else in it is the same).
CROSS_DEB  := build/deb/portwarden_$(VERSION)_$(CROSS_ARCH).deb
crossdeb: cross-sysroot
	@$(CROSS_MAKE) BUILD=build/cross/$(CROSS_ARCH)-usr PREFIX=/usr SYSCONFDIR=/etc \
		build/cross/$(CROSS_ARCH)-usr/portwarden
	@tests/vm/crossdeb.sh build/deb/portwarden_$(VERSION)_$$(dpkg --print-architecture).deb \
		build/cross/$(CROSS_ARCH)-usr/portwarden $(CROSS_ARCH) $(CROSS_DEB)

# Configuration files are installed only where none exists yet: a second
# `make install` never overwrites what the admin changed.
CONFFILES  := rules/portwarden.conf:portwarden/portwarden.conf rules/local.rules:portwarden/local.rules \
              packaging/logrotate/portwarden:logrotate.d/portwarden
# For a fleet's Prometheus, Grafana and log pipeline (packaging/monitoring/README.md)
MONITORING := README.md portwarden.rules.yml portwarden.rules.test.yml grafana-dashboard.json \
              blocked-log.schema.json log-pipeline/vector.toml log-pipeline/rsyslog.conf

install: all
	install -D -m 0755 $(BUILD)/portwarden $(DESTDIR)$(SBINDIR)/portwarden
	install -D -m 0644 rules/ports.db $(DESTDIR)$(DATADIR)/ports.db
	install -D -m 0644 rules/local.rules $(DESTDIR)$(DATADIR)/local.rules
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
	sed 's,/usr/sbin/portwarden,$(SBINDIR)/portwarden,g' packaging/systemd/portwarden-adopt.service \
		> $(DESTDIR)$(UNITDIR)/portwarden-adopt.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/portwarden-adopt.service
	install -m 0644 packaging/systemd/portwarden-adopt.timer $(DESTDIR)$(UNITDIR)/portwarden-adopt.timer
	install -D -m 0644 packaging/bash-completion/portwarden $(DESTDIR)$(COMPLETIONDIR)/portwarden
	install -D -m 0644 packaging/systemd/portwarden.sysusers $(DESTDIR)$(SYSUSERSDIR)/portwarden.conf
	@for f in $(MONITORING); do \
		install -D -m 0644 packaging/monitoring/$$f $(DESTDIR)$(DATADIR)/monitoring/$$f || exit 1; \
	done

# Leaves /etc/portwarden (the admin's configuration) and the log in place.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/portwarden $(DESTDIR)$(DATADIR)/ports.db $(DESTDIR)$(DATADIR)/local.rules \
		$(DESTDIR)$(MANDIR)/man8/portwarden.8 $(DESTDIR)$(MANDIR)/man5/portwarden.conf.5 \
		$(DESTDIR)$(MANDIR)/man5/portwarden.rules.5 $(DESTDIR)$(UNITDIR)/portwarden.service \
		$(DESTDIR)$(UNITDIR)/portwarden-adopt.service $(DESTDIR)$(UNITDIR)/portwarden-adopt.timer \
		$(DESTDIR)$(COMPLETIONDIR)/portwarden $(DESTDIR)$(SYSUSERSDIR)/portwarden.conf \
		$(addprefix $(DESTDIR)$(DATADIR)/monitoring/,$(MONITORING))
	-rmdir $(DESTDIR)$(DATADIR)/monitoring/log-pipeline $(DESTDIR)$(DATADIR)/monitoring \
		$(DESTDIR)$(DATADIR) 2>/dev/null
	@echo "kept $(DESTDIR)$(SYSCONFDIR)/portwarden and $(DESTDIR)$(SYSCONFDIR)/logrotate.d/portwarden (remove by hand)"

# Packages are built from a copy of the tree, so the work tree stays clean.
# `make deb` installs the packaging tools and the Build-Depends only
# (apt-get build-dep), not the test stack.
SOURCES    := Makefile COPYING README.md plugin include rules packaging tests
DEB_TOOLS  := debhelper lintian dpkg-dev fakeroot
deb:
	rm -rf build/deb && mkdir -p build/deb/portwarden-$(VERSION)
	cp -r $(SOURCES) build/deb/portwarden-$(VERSION)/
	cp -r packaging/debian build/deb/portwarden-$(VERSION)/debian
	@packaging/build-deps.sh $(CURDIR)/build/deb/portwarden-$(VERSION) $(DEB_TOOLS)
	cd build/deb/portwarden-$(VERSION) && dpkg-buildpackage -us -uc -b
	lintian --fail-on error,warning --info build/deb/portwarden_$(VERSION)_*.deb

# musl: the daemon linked statically against musl (Debian's musl-tools) and
# the libraries built from Debian's source packages by packaging/musl-libs.sh
# (or upstream releases in PW_MUSL_SOURCES); the unit tests and every fuzz
# corpus run against it, and the stripped size is printed beside glibc's.
MUSL_DIR   := $(CURDIR)/build/musl
MUSL_BUILD := build/musl/build
static: deps
	@packaging/debian-deps.sh musl-tools dpkg-dev cmake
	@packaging/musl-libs.sh $(MUSL_DIR) >/dev/null
	@PKG_CONFIG_LIBDIR=$(MUSL_DIR)/root/lib/pkgconfig $(MAKE) --no-print-directory SANITIZE=0 \
		BUILD=$(MUSL_BUILD) CC=musl-gcc PKG_CONFIG="pkg-config --static" \
		CPPFLAGS="-isystem $(MUSL_DIR)/kernel-include -isystem $(MUSL_DIR)/root/include" LDFLAGS=-static \
		$(MUSL_BUILD)/portwarden fuzz-corpus $(patsubst tests/unit/%.c,$(MUSL_BUILD)/tests/%,$(UNIT_SRCS))
	@tests/unit/run.sh $(patsubst tests/unit/%.c,$(MUSL_BUILD)/tests/%,$(UNIT_SRCS))
	@for f in $(FUZZ_SRCS); do n=$$(basename $$f .c); \
		out=$$($(MUSL_BUILD)/corpus/$$n tests/fuzz/corpus/$${n#fuzz_}) || exit 1; echo "corpus: $$n: $$out"; done
	@$(MAKE) --no-print-directory all
	@packaging/static-size.sh $(BUILD)/portwarden $(MUSL_BUILD)/portwarden

# Every source, unit test and fuzz target compiled against musl's headers
# with -Werror (no link): a glibc-only function is an implicit declaration
# there.  Needs no library built, so CI runs it where `make static` cannot.
muslcheck:
	@packaging/debian-deps.sh musl-tools
	@tests/musl/headers.sh build/musl/include
	@n=0; for f in $(SRCS) $(UNIT_SRCS) $(FUZZ_SRCS) tests/fuzz/standalone.c; do \
		musl-gcc $(filter-out -MMD -MP $(NM_DEFS),$(PW_CFLAGS)) -Wno-unused-parameter -isystem build/musl/include \
			-DSRCDIR='"$(CURDIR)"' -fsyntax-only $$f || exit 1; n=$$((n + 1)); done; \
		echo "muslcheck: $$n files compile against musl's headers"

# The release tarball (a stable name, the same bytes from the same tree) and
# the OpenWrt feed directory with its hash: build/dist/.
DIST_DIR   ?= build/dist
dist:
	@packaging/dist.sh $(VERSION) $(DIST_DIR) $(SOURCES)

rpm:
	@packaging/debian-deps.sh rpm
	rm -rf build/rpm && mkdir -p build/rpm/SOURCES build/rpm/portwarden-$(VERSION)
	cp -r $(SOURCES) build/rpm/portwarden-$(VERSION)/
	tar -C build/rpm -czf build/rpm/SOURCES/portwarden-$(VERSION).tar.gz portwarden-$(VERSION)
	rpmbuild -bb --nodeps --define "_topdir $(CURDIR)/build/rpm" packaging/rpm/portwarden.spec

clean:
	rm -rf build

-include $(OBJS:.o=.d) $(UNIT_BINS:=.d) $(FUZZ_OBJS:.o=.d) $(FUZZ_BINS:=.d)
