# SPDX-License-Identifier: MIT
# Husk: the monitor, the guest library, husk-cc, tests and benchmarks.
#
#   make demo    set up a bare Debian 12 machine, build, boot the demo
#   make check   set up, build, run every test ("N passed, N failed")
#   make         build only (build/husk, build/husk-cc, build/lib)
#
# Everything goes to $(BUILD); nothing outside it is written, except the
# Debian packages and the deb-src entry that scripts/setup-host.sh adds.

BUILD ?= build
CC := gcc
# V=1 shows every command; by default one short line per file.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-8s %s\n' $(1) $(2)
endif
WERROR ?= -Werror

WARN := -Wall -Wextra $(WERROR) -Wformat=2 -Wmissing-prototypes \
	-Wstrict-prototypes -Wundef -Wwrite-strings -Wold-style-definition \
	-Wredundant-decls -Wshadow -Wpointer-arith -Wimplicit-fallthrough
# The same warnings for both halves; only the environment differs.
BASE_CFLAGS := -std=gnu11 -O2 -g $(WARN) -MMD -MP

# ---- set-up: packages and musl ---------------------------------------

SETUP_STAMP := $(BUILD)/.setup-done
MUSL := $(BUILD)/musl
LIBC := $(MUSL)/lib/libc.a

$(SETUP_STAMP): scripts/setup-host.sh
	@mkdir -p $(BUILD)
	bash scripts/setup-host.sh
	@touch $@

# What the tests need beyond the build (tests/packages.txt): installed by
# make check, not by make.
TEST_SETUP_STAMP := $(BUILD)/.setup-test-done
$(TEST_SETUP_STAMP): scripts/setup-host.sh tests/packages.txt | $(SETUP_STAMP)
	bash scripts/setup-host.sh --src-only $$(sed 's/#.*//' tests/packages.txt)
	@touch $@

$(LIBC): guest/musl/build.sh guest/musl/syscalls-as-calls.patch \
         guest/musl/memcpy.s guest/musl/memmove.s guest/musl/memset.s | $(SETUP_STAMP)
	bash guest/musl/build.sh $(abspath $(BUILD))

# ---- the monitor -----------------------------------------------------

MONITOR_SRCS := $(wildcard monitor/*.c) drivers/console/host.c drivers/console/escape.c \
	drivers/block/host.c drivers/block/spec.c \
	drivers/net/host.c drivers/net/spec.c drivers/net/vnet.c \
	drivers/net/user.c drivers/net/passt.c drivers/net/passt_cli.c \
	drivers/net/stream.c drivers/net/tcpfix.c drivers/net/arp.c \
	drivers/net/synretry.c drivers/net/open.c
# The process backend's doors between guest and monitor (proc.c).
MONITOR_ASM := monitor/proc_x86_64.S monitor/clone_x86_64.S
MONITOR_OBJS = $(MONITOR_SRCS:%.c=%.o) $(MONITOR_ASM:%.S=%.o)
# The parts with no KVM in them: unit tests and fuzzers link these.
MONITOR_PURE := monitor/args.c monitor/device_kinds.c monitor/elf.c monitor/gpa.c drivers/block/spec.c \
	monitor/symbols.c monitor/core_dump.c monitor/outfile.c monitor/guest_pages.c \
	monitor/allowlist.c monitor/huge_pages.c \
	monitor/snapshot_format.c \
	monitor/hypercall.c monitor/log.c monitor/json.c monitor/core_calls.c monitor/rate.c \
	monitor/stop.c drivers/console/host.c drivers/console/escape.c drivers/net/spec.c drivers/net/host.c drivers/net/vnet.c \
	drivers/net/user.c drivers/net/passt_cli.c drivers/net/stream.c \
	drivers/net/tcpfix.c drivers/net/arp.c drivers/net/synretry.c
HOST_CFLAGS := $(BASE_CFLAGS) -D_GNU_SOURCE
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer

$(BUILD)/obj/%.o: %.c | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(HOST_CFLAGS) -c -o $@ $<

$(BUILD)/asan/obj/%.o: %.c | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC-SAN,$<)
	$(Q)$(CC) $(HOST_CFLAGS) $(SAN_FLAGS) -DHUSK_SANITIZE -c -o $@ $<

$(BUILD)/obj/%.o: %.S | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	$(call say,AS,$<)
	$(Q)$(CC) $(HOST_CFLAGS) -c -o $@ $<

$(BUILD)/asan/obj/%.o: %.S | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	$(call say,AS,$<)
	$(Q)$(CC) $(HOST_CFLAGS) -c -o $@ $<

# The jail supervisor's seccomp program, compiled by libseccomp at build
# time (monitor/supervisor_rules.c): the supervisor loads it with one
# system call and no library (monitor/supervise.c says why).
$(BUILD)/gen/supervisor_filter: monitor/gen/supervisor_filter.c \
	    monitor/supervisor_rules.c monitor/supervisor_rules.h | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $(filter %.c,$^) -lseccomp
$(BUILD)/gen/supervisor_filter.h: $(BUILD)/gen/supervisor_filter
	$(call say,GEN,$@)
	$(Q)$< >$@.tmp && mv $@.tmp $@
$(BUILD)/obj/monitor/supervise.o $(BUILD)/asan/obj/monitor/supervise.o: \
	HOST_CFLAGS += -I$(BUILD)/gen
$(BUILD)/obj/monitor/supervise.o $(BUILD)/asan/obj/monitor/supervise.o: \
	$(BUILD)/gen/supervisor_filter.h

# The monitor's seccomp programs for its usual configurations, compiled
# by libseccomp at build time from the monitor's own rules: a program
# linked with every monitor object but main.o gathers them (allowlist.h).
MONITOR_FILTERS_GEN_OBJS = $(filter-out monitor/main.o,$(MONITOR_OBJS))
$(BUILD)/gen/monitor_filters: monitor/gen/monitor_filters.c \
	    $(addprefix $(BUILD)/obj/,$(MONITOR_FILTERS_GEN_OBJS))
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $^ -lseccomp -lpthread
$(BUILD)/gen/monitor_filters.c: $(BUILD)/gen/monitor_filters
	$(call say,GEN,$@)
	$(Q)$< >$@.tmp && mv $@.tmp $@
$(BUILD)/obj/gen/monitor_filters.o: $(BUILD)/gen/monitor_filters.c monitor/allowlist.h
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(HOST_CFLAGS) -Imonitor -c -o $@ $<
$(BUILD)/asan/obj/gen/monitor_filters.o: $(BUILD)/gen/monitor_filters.c monitor/allowlist.h
	@mkdir -p $(dir $@)
	$(call say,CC-SAN,$<)
	$(Q)$(CC) $(HOST_CFLAGS) $(SAN_FLAGS) -Imonitor -c -o $@ $<

# PIE: the monitor's own mappings then lie far above the guest's, which
# the process backend maps at its guest-physical addresses (proc.c).
# Static: no dynamic loader at start-up (about 30 page faults of ld.so and
# the libraries' relocations, docs/performance.md). Hence no NSS either:
# --user and --group read /etc/passwd and /etc/group (jail.c).
$(BUILD)/husk: $(addprefix $(BUILD)/obj/,$(MONITOR_OBJS)) $(BUILD)/obj/gen/monitor_filters.o
	$(call say,LD,$@)
	$(Q)$(CC) -static-pie -o $@ $^ -lseccomp -lpthread

# The ASan/UBSan monitor: for the test suite only, never installed.
$(BUILD)/asan/husk: $(addprefix $(BUILD)/asan/obj/,$(MONITOR_OBJS)) \
	    $(BUILD)/asan/obj/gen/monitor_filters.o
	$(call say,LD-SAN,$@)
	$(Q)$(CC) $(SAN_FLAGS) -pie -o $@ $^ -lseccomp -lpthread

# A test-only monitor with tests/sandbox/probe.c: with HUSK_PROBE set it
# reports on its jail or makes a forbidden system call once the filter is
# armed (tests/sandbox-suite.sh). Never installed.
PROBE_SRCS := $(MONITOR_SRCS) $(MONITOR_ASM) tests/sandbox/probe.c \
	$(BUILD)/gen/monitor_filters.c
$(BUILD)/test/husk-probe: $(PROBE_SRCS) $(wildcard monitor/*.h abi/*.h drivers/*/*.h) \
	    $(BUILD)/gen/supervisor_filter.h | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	$(call say,LD-TEST,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -I$(BUILD)/gen -Imonitor -DHUSK_TEST_PROBE -o $@ $(PROBE_SRCS) -lseccomp -lpthread

# ---- husk-oci: the OCI runtime for Husk images (oci/) ----------------

# It checks images with the monitor's own parser (elf.c, pure).
OCI_SRCS := $(wildcard oci/*.c) monitor/elf.c monitor/log.c
# The parts unit-tested and fuzzed: no I/O.
OCI_PURE := oci/cli.c oci/config.c oci/plan.c oci/signals.c oci/strv.c
$(BUILD)/husk-oci: $(addprefix $(BUILD)/obj/,$(OCI_SRCS:%.c=%.o))
	$(call say,LD,$@)
	$(Q)$(CC) -o $@ $^ -ljansson

# ---- the guest: libhusk, crt0, husk-cc -------------------------------

GUEST_SRCS := $(wildcard guest/*.c) drivers/console/guest.c drivers/block/guest.c
GUEST_ASM := guest/syscall_entry.S guest/switch_x86_64.S
GCC_INC := $(shell $(CC) -print-file-name=include)
# musl's headers instead of the host's; no PIE (the image is static);
# no stack protector: husk_start runs before TLS (and the canary) exist.
GUEST_CFLAGS := $(BASE_CFLAGS) -D_GNU_SOURCE -nostdinc -isystem $(MUSL)/include \
	-isystem $(GCC_INC) -I$(BUILD)/gen -fno-pie -fno-stack-protector \
	-fno-omit-frame-pointer

$(BUILD)/gen/syscall_names.h: $(LIBC)
	@mkdir -p $(dir $@)
	$(Q){ echo '/* generated from musl bits/syscall.h: syscall names */'; \
	  echo 'static const char *const husk_syscall_names[] = {'; \
	  sed -n 's/^#define __NR_\([a-z0-9_]*\)[[:space:]]*\([0-9]*\)$$/    [\2] = "\1",/p' \
	    $(MUSL)/include/bits/syscall.h; \
	  echo '};'; } >$@

$(BUILD)/guest-obj/%.o: %.c $(LIBC) $(BUILD)/gen/syscall_names.h
	@mkdir -p $(dir $@)
	$(call say,CC-GUEST,$<)
	$(Q)$(CC) $(GUEST_CFLAGS) -c -o $@ $<

$(BUILD)/guest-obj/%.o: %.S $(LIBC)
	@mkdir -p $(dir $@)
	$(call say,CC-GUEST,$<)
	$(Q)$(CC) $(GUEST_CFLAGS) -c -o $@ $<

$(BUILD)/lib/libhusk.a: $(GUEST_SRCS:%.c=$(BUILD)/guest-obj/%.o) \
		$(GUEST_ASM:%.S=$(BUILD)/guest-obj/%.o)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

$(BUILD)/lib/crt0.o: $(BUILD)/guest-obj/guest/crt0.o
	@mkdir -p $(dir $@)
	$(Q)cp $< $@

# The guest sysroot (husk-cc --print-sysroot): guest libraries go into
# its usr/, which husk-cc always searches. Never cleaned by the build.
$(BUILD)/husk-cc: guest/husk-cc
	$(Q)mkdir -p $(BUILD)/sysroot/usr/include $(BUILD)/sysroot/usr/lib/pkgconfig
	$(Q)cp $< $@
	$(Q)chmod +x $@

# ---- the network stack: lwIP and the sockets, linked by husk-cc --net ---

LWIP := $(BUILD)/src/lwip/tree
LWIP_STAMP := $(BUILD)/src/lwip/.stamp
# The raw-API core, IPv4, Ethernet: no threads, no lwIP sockets or netconn.
LWIP_SRCS := $(addprefix $(LWIP)/src/,core/init.c core/def.c \
	core/inet_chksum.c core/ip.c core/mem.c core/memp.c core/netif.c \
	core/pbuf.c core/stats.c core/tcp.c core/tcp_in.c core/tcp_out.c \
	core/timeouts.c \
	core/udp.c core/ipv4/etharp.c core/ipv4/icmp.c core/ipv4/ip4.c \
	core/ipv4/ip4_addr.c core/ipv4/ip4_frag.c netif/ethernet.c)
NET_SRCS := $(wildcard net/*.c) drivers/net/guest.c drivers/net/tso.c drivers/net/txq.c
LWIP_INC := -Inet/include -isystem $(LWIP)/src/include
# lwIP is third-party code: built as it is, without our warning list.
LWIP_CFLAGS := $(filter-out -W% -MMD -MP,$(GUEST_CFLAGS)) -w $(LWIP_INC)

$(LWIP_STAMP): net/fetch-lwip.sh | $(SETUP_STAMP)
	$(Q)bash net/fetch-lwip.sh $(abspath $(BUILD))

$(LWIP_SRCS): $(LWIP_STAMP)
	@true

$(BUILD)/lwip-obj/%.o: $(LWIP)/src/%.c $(LIBC) net/include/lwipopts.h \
		net/include/arch/cc.h
	@mkdir -p $(dir $@)
	$(call say,CC-LWIP,$*.c)
	$(Q)$(CC) $(LWIP_CFLAGS) -c -o $@ $<

# lwipopts.h by name: gcc's .d leaves it out (lwIP's headers, which
# include it, are system headers here), and lwIP's structs change with it.
$(BUILD)/net-obj/%.o: %.c $(LIBC) $(LWIP_STAMP) net/include/lwipopts.h \
		net/include/arch/cc.h
	@mkdir -p $(dir $@)
	$(call say,CC-GUEST,$<)
	$(Q)$(CC) $(GUEST_CFLAGS) $(LWIP_INC) -c -o $@ $<

$(BUILD)/lib/libhusk-net.a: $(NET_SRCS:%.c=$(BUILD)/net-obj/%.o) \
		$(LWIP_SRCS:$(LWIP)/src/%.c=$(BUILD)/lwip-obj/%.o)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

# ---- ext2/ext3/ext4 mounts: libext2fs and guest/ext2, linked by
# husk-cc --mount ------------------------------------------------------

E2FS := $(BUILD)/src/e2fsprogs/tree
E2FS_STAMP := $(BUILD)/src/e2fsprogs/.stamp
EXT2_SRCS := $(wildcard guest/ext2/*.c)
# libext2fs's headers (generated ones among them) are system headers
# here: our warning list is for our code.
EXT2_CFLAGS := $(GUEST_CFLAGS) -isystem $(E2FS)/lib

# guest/ext2/build.sh runs e2fsprogs' configure with husk-cc as the
# compiler, so husk-cc and its libraries come first (order-only: a new
# libhusk needs no new libext2fs).
$(E2FS_STAMP): guest/ext2/build.sh | $(LIBC) $(BUILD)/husk-cc \
		$(BUILD)/lib/libhusk.a $(BUILD)/lib/crt0.o $(BUILD)/lib/libhusk-net.a
	$(Q)bash guest/ext2/build.sh $(abspath $(BUILD))

$(BUILD)/ext2-obj/%.o: %.c $(LIBC) $(E2FS_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC-GUEST,$<)
	$(Q)$(CC) $(EXT2_CFLAGS) -c -o $@ $<

# One archive of our objects, libext2fs's and com_err's (ar's MRI script
# joins archives).
$(BUILD)/lib/libhusk-ext2.a: $(EXT2_SRCS:%.c=$(BUILD)/ext2-obj/%.o) $(E2FS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@
	$(call say,AR,$@)
	$(Q){ echo 'create $@'; for o in $(filter %.o,$^); do echo "addmod $$o"; done; \
	  echo 'addlib $(E2FS)/lib/libext2fs.a'; echo 'addlib $(E2FS)/lib/libcom_err.a'; \
	  echo save; echo end; } | ar -M

GUEST_LIB := $(BUILD)/lib/libhusk.a $(BUILD)/lib/crt0.o $(BUILD)/husk-cc \
	$(BUILD)/lib/libhusk-net.a $(BUILD)/lib/libhusk-ext2.a \
	$(BUILD)/include/husk.h

# The guest's own API (<husk.h>: husk_ready), which husk-cc puts on the
# include path.
$(BUILD)/include/husk.h: guest/include/husk.h
	@mkdir -p $(dir $@)
	$(Q)cp $< $@

# ---- man pages: help2man, from each command's --help --------------------

# docs/man/NAME.h2m adds what --help does not say (name, examples, see
# also), so that a page cannot drift from the command.
HUSK_VERSION := $(shell sed -n 's/^\#define HUSK_VERSION "\(.*\)"$$/\1/p' monitor/husk.h)
MAN_PAGES := $(BUILD)/man/husk.1 $(BUILD)/man/husk-cc.1 $(BUILD)/man/husk-oci.1
$(MAN_PAGES): $(BUILD)/man/%.1: $(BUILD)/% docs/man/%.h2m
	@mkdir -p $(dir $@)
	$(call say,MAN,$@)
	$(Q)help2man --no-info --version-string=$(HUSK_VERSION) \
	    --include=docs/man/$*.h2m --output=$@ $<

# ---- libhusk-host: a host program calls into guests (docs/embedding.md) --

HOST_LIB_OBJS := $(patsubst host/%.c,$(BUILD)/host-obj/%.o,$(wildcard host/*.c))
HOST_LIB := $(BUILD)/host/libhusk-host.a $(BUILD)/host/libhusk-host.so \
	$(BUILD)/host/include/husk-host.h
$(BUILD)/host-obj/%.o: host/%.c host/husk-host.h abi/husk_channel.h abi/husk_abi.h | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(HOST_CFLAGS) -fPIC -c -o $@ $<
$(BUILD)/host/libhusk-host.a: $(HOST_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^
$(BUILD)/host/libhusk-host.so: $(HOST_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) -shared -Wl,-soname,libhusk-host.so.0 -o $@ $^
$(BUILD)/host/include/husk-host.h: host/husk-host.h
	@mkdir -p $(dir $@)
	$(Q)cp $< $@

all: $(BUILD)/husk $(BUILD)/husk-oci $(GUEST_LIB) $(HOST_LIB) $(MAN_PAGES)
.DEFAULT_GOAL := all

# ---- make install, make uninstall ---------------------------------------

# FHS: PREFIX/bin, and the guest's libraries (libhusk, musl's headers and
# libc.a, the default guest sysroot) in PREFIX/lib/husk, where husk-cc
# looks from its own directory (../lib/husk): bin and lib/husk stay
# together, so there is no separate LIBDIR. DESTDIR stages (packaging).
PREFIX ?= /usr/local
DESTDIR ?=
INST_BIN := $(DESTDIR)$(PREFIX)/bin
INST_HUSK := $(DESTDIR)$(PREFIX)/lib/husk
INST_MAN1 := $(DESTDIR)$(PREFIX)/share/man/man1
INST_BASHCOMP := $(DESTDIR)$(PREFIX)/share/bash-completion/completions
INST_PC := $(DESTDIR)$(PREFIX)/share/pkgconfig
SYSROOT_DIRS := sysroot/usr/lib/pkgconfig sysroot/usr/lib sysroot/usr/include \
	sysroot/usr sysroot

install: all
	install -d $(INST_BIN) $(INST_HUSK)/lib $(INST_HUSK)/musl/lib \
	    $(INST_MAN1) $(INST_BASHCOMP) $(INST_PC) \
	    $(addprefix $(INST_HUSK)/,$(SYSROOT_DIRS))
	install -m 755 $(BUILD)/husk $(BUILD)/husk-cc $(BUILD)/husk-oci $(INST_BIN)
	install -m 644 $(filter-out $(BUILD)/husk-cc %.h,$(GUEST_LIB)) $(INST_HUSK)/lib
	install -d $(INST_HUSK)/include
	install -m 644 $(BUILD)/include/husk.h $(INST_HUSK)/include
	install -m 644 $(MUSL)/VERSION $(INST_HUSK)/musl
	install -m 644 $(MUSL)/lib/*.a $(INST_HUSK)/musl/lib
	rm -rf $(INST_HUSK)/musl/include
	cp -R $(MUSL)/include $(INST_HUSK)/musl/include
	chmod -R u=rwX,go=rX $(INST_HUSK)/musl/include
	install -m 644 $(MAN_PAGES) $(INST_MAN1)
	install -m 644 completions/husk.bash $(INST_BASHCOMP)/husk
	ln -sf husk $(INST_BASHCOMP)/husk-cc
	printf '%s\n' 'prefix=$(PREFIX)' 'bindir=$${prefix}/bin' \
	    'husk=$${bindir}/husk' 'huskcc=$${bindir}/husk-cc' \
	    'sysroot=$${prefix}/lib/husk/sysroot' '' 'Name: husk' \
	    'Description: Husk unikernels: husk-cc builds the images, husk runs them' \
	    'Version: $(HUSK_VERSION)' >$(INST_PC)/husk.pc
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib
	install -m 644 $(BUILD)/host/include/husk-host.h $(DESTDIR)$(PREFIX)/include
	install -m 644 $(BUILD)/host/libhusk-host.a $(DESTDIR)$(PREFIX)/lib
	install -m 755 $(BUILD)/host/libhusk-host.so $(DESTDIR)$(PREFIX)/lib/libhusk-host.so.0
	ln -sf libhusk-host.so.0 $(DESTDIR)$(PREFIX)/lib/libhusk-host.so
	printf '%s\n' 'prefix=$(PREFIX)' 'includedir=$${prefix}/include' \
	    'libdir=$${prefix}/lib' 'husk=$${prefix}/bin/husk' '' 'Name: husk-host' \
	    'Description: libhusk-host: call functions inside Husk guests' \
	    'Version: $(HUSK_VERSION)' 'Cflags: -I$${includedir}' \
	    'Libs: -L$${libdir} -lhusk-host' >$(INST_PC)/husk-host.pc

# What install put, and the directories it made under lib/husk if they
# are empty: guest libraries installed into the sysroot stay.
uninstall:
	rm -f $(addprefix $(INST_BIN)/,husk husk-cc husk-oci) \
	    $(addprefix $(INST_MAN1)/,husk.1 husk-cc.1 husk-oci.1) \
	    $(INST_BASHCOMP)/husk $(INST_BASHCOMP)/husk-cc $(INST_PC)/husk.pc \
	    $(INST_PC)/husk-host.pc $(DESTDIR)$(PREFIX)/include/husk-host.h \
	    $(addprefix $(DESTDIR)$(PREFIX)/lib/,libhusk-host.a libhusk-host.so \
	    libhusk-host.so.0)
	rm -rf $(INST_HUSK)/lib $(INST_HUSK)/musl $(INST_HUSK)/include
	@for d in $(addprefix $(INST_HUSK)/,$(SYSROOT_DIRS)) $(INST_HUSK); do \
	    rmdir $$d 2>/dev/null || true; done
	@[ ! -d $(INST_HUSK)/sysroot ] || \
	    echo 'uninstall: kept $(INST_HUSK)/sysroot: guest libraries are installed in it'

# ---- examples and the demo -------------------------------------------

EXAMPLE_HDRS := $(wildcard examples/*.h)
$(BUILD)/examples/%.husk: examples/%.c $(EXAMPLE_HDRS) $(GUEST_LIB)
	@mkdir -p $(dir $@)
	$(call say,HUSK-CC,$<)
	$(Q)$(BUILD)/husk-cc $(HUSK_DEVICES) -O2 -Wall -Wextra -Werror -o $@ $<

# The network examples: each declares one network device, "service".
NET_EXAMPLES := tcp_echo http udp_echo tcp_client
$(NET_EXAMPLES:%=$(BUILD)/examples/%.husk): HUSK_DEVICES := --net=service

# The same sources as native Linux programs: the network suite's
# baseline, and the host side of the unikernel network tests.
NATIVE_CFLAGS := -std=gnu11 -O2 -g $(WARN)
$(BUILD)/examples/native/%: examples/%.c $(EXAMPLE_HDRS) | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(NATIVE_CFLAGS) -o $@ $<
NET_NATIVE := $(NET_EXAMPLES:%=$(BUILD)/examples/native/%)

DEMO := $(BUILD)/husk --stats --mem=32M $(BUILD)/examples/hello.husk -- from Husk
# Where /dev/kvm is missing, husk's default backend (auto) runs the guest
# as a seccomp-confined process: the same image, natively, in milliseconds.
# `make demo-vm` boots it under KVM inside the test VM instead.
demo: all $(BUILD)/examples/hello.husk
	@[ -e /dev/kvm ] || echo 'No /dev/kvm here: husk runs the same image as a seccomp-confined process (--backend=process).'
	@echo '$$ $(DEMO)'
	@$(DEMO)

demo-vm: all $(BUILD)/examples/hello.husk
	@echo 'Booting the demo under KVM inside the test VM (QEMU with nested KVM).'
	@echo '$$ $(DEMO) --backend=kvm'
	@tests/vm/run-in-vm.sh --timeout 300 . -- $(BUILD)/husk --backend=kvm \
	    --stats --mem=32M $(BUILD)/examples/hello.husk -- from Husk

# ---- tests -----------------------------------------------------------

UNIT_SRCS := $(wildcard tests/unit/*.c)
# Headers too: gcc's .d for a multi-source link keeps only the last file's.
UNIT_HDRS := $(wildcard tests/unit/*.h monitor/*.h abi/*.h drivers/*/*.h)
# Sources a unit test includes whole (for their static functions): they
# rebuild the tests but are not compiled on their own.
UNIT_INCLUDED := monitor/iothread.c
# tso.c, txq.c, vfs_path.c, sched.c and drivers.c are the guest's, and
# pure: their tests run here.
$(BUILD)/tests/unit: $(UNIT_SRCS) $(MONITOR_PURE) $(OCI_PURE) oci/oci.h drivers/net/tso.c drivers/net/txq.c guest/vfs_path.c guest/vfs.h guest/sched.c guest/sched.h \
	    guest/drivers.c guest/driver.h \
	    monitor/supervisor_rules.c $(BUILD)/gen/supervisor_filter.h $(BUILD)/gen/monitor_filters.c \
	    $(UNIT_HDRS) $(UNIT_INCLUDED) | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC-SAN,$@)
	$(Q)$(CC) $(HOST_CFLAGS) $(SAN_FLAGS) -Imonitor -I$(BUILD)/gen -o $@ \
	    $(filter-out $(UNIT_INCLUDED),$(filter %.c,$^)) -lseccomp -ljansson

TEST_IMAGES := $(patsubst tests/%.c,$(BUILD)/tests/%.husk,\
	$(wildcard tests/guests/*.c tests/hostile/*.c tests/stdin/*.c))

# The stdin suite's guests (tests/stdin-suite.sh).
$(BUILD)/tests/stdin/%.husk: tests/stdin/%.c $(GUEST_LIB)
	@mkdir -p $(dir $@)
	$(call say,HUSK-CC,$<)
	$(Q)$(BUILD)/husk-cc -O2 -Wall -Wextra -Werror -o $@ $<

$(BUILD)/tests/guests/%.husk: tests/guests/%.c $(GUEST_LIB)
	@mkdir -p $(dir $@)
	$(call say,HUSK-CC,$<)
	$(Q)$(BUILD)/husk-cc -O2 -Wall -Wextra -Werror -o $@ $<

# The guest checks' shared helpers: every guest image may include them.
$(filter $(BUILD)/tests/guests/%,$(TEST_IMAGES)): tests/guests/check.h

# The block test image declares two devices, "data" and "more".
$(BUILD)/tests/guests/blockio.husk: tests/guests/blockio.c $(GUEST_LIB)
	@mkdir -p $(dir $@)
	$(call say,HUSK-CC,$<)
	$(Q)$(BUILD)/husk-cc --block=data --block=more -O2 -Wall -Wextra -Werror \
	    -o $@ $<

# Network test images (net_*.c) declare one network device, "service".
$(BUILD)/tests/guests/net_%.husk: tests/guests/net_%.c $(GUEST_LIB)
	@mkdir -p $(dir $@)
	$(call say,HUSK-CC,$<)
	$(Q)$(BUILD)/husk-cc --net=service -O2 -Wall -Wextra -Werror -o $@ $<

# ext2/ext4 test images (ext_*.c, tests/ext-suite.sh) mount block device
# "data" at /data.
$(BUILD)/tests/guests/ext_%.husk: tests/guests/ext_%.c tests/guests/check.h $(GUEST_LIB)
	@mkdir -p $(dir $@)
	$(call say,HUSK-CC,$<)
	$(Q)$(BUILD)/husk-cc --mount=data:/data -O2 -Wall -Wextra -Werror -o $@ $<
# The same program with a second file system, "more" at /mnt/more (the
# part "two").
$(BUILD)/tests/guests/ext_two.husk: tests/guests/ext_fs.c tests/guests/check.h $(GUEST_LIB)
	@mkdir -p $(dir $@)
	$(call say,HUSK-CC,$<)
	$(Q)$(BUILD)/husk-cc --mount=data:/data --mount=more:/mnt/more -O2 -Wall \
	    -Wextra -Werror -o $@ $<
TEST_IMAGES += $(BUILD)/tests/guests/ext_two.husk

# Snapshots (tests/snapshot-suite.sh): a block device, "disk", whose
# queue a restored instance must hand over again.
$(BUILD)/tests/guests/snapshot.husk: tests/guests/snapshot.c tests/guests/check.h $(GUEST_LIB)
	@mkdir -p $(dir $@)
	$(call say,HUSK-CC,$<)
	$(Q)$(BUILD)/husk-cc --block=disk -O2 -Wall -Wextra -Werror -o $@ $<

# Threads and sockets (tests/threads-suite.sh): one network device too.
$(BUILD)/tests/guests/threads_net.husk: tests/guests/threads_net.c tests/guests/check.h $(GUEST_LIB)
	@mkdir -p $(dir $@)
	$(call say,HUSK-CC,$<)
	$(Q)$(BUILD)/husk-cc --net=service -O2 -Wall -Wextra -Werror -o $@ $<

# The UDP echo example with two network devices (tests/net-suite.sh).
$(BUILD)/tests/guests/net_two_nics.husk: examples/udp_echo.c examples/netutil.h $(GUEST_LIB)
	@mkdir -p $(dir $@)
	$(call say,HUSK-CC,$<)
	$(Q)$(BUILD)/husk-cc --net=service --net=other -O2 -Wall -Wextra -Werror -o $@ $<
TEST_IMAGES += $(BUILD)/tests/guests/net_two_nics.husk

# The packed-root test image: its / is a tree the fixture script makes.
$(BUILD)/tests/guests/packed.husk: tests/guests/packed.c tests/guests/check.h \
		tests/guests/packed-fixture.sh $(GUEST_LIB)
	@mkdir -p $(dir $@)
	$(call say,HUSK-CC,$<)
	$(Q)bash tests/guests/packed-fixture.sh $(BUILD)/tests/guests/packed-root
	$(Q)$(BUILD)/husk-cc --files=$(BUILD)/tests/guests/packed-root -O2 -Wall \
	    -Wextra -Werror -o $@ $<
# The same program without --files: the empty root.
$(BUILD)/tests/guests/packed_none.husk: tests/guests/packed.c tests/guests/check.h $(GUEST_LIB)
	@mkdir -p $(dir $@)
	$(call say,HUSK-CC,$<)
	$(Q)$(BUILD)/husk-cc -O2 -Wall -Wextra -Werror -o $@ $<
TEST_IMAGES += $(BUILD)/tests/guests/packed_none.husk

# Embedding (tests/embed-suite.sh): a guest that exports functions, and a
# host program that calls them through libhusk-host.
$(BUILD)/tests/embed/guest.husk: tests/embed/guest.c $(GUEST_LIB)
	@mkdir -p $(dir $@)
	$(call say,HUSK-CC,$<)
	$(Q)$(BUILD)/husk-cc -O2 -Wall -Wextra -Werror -o $@ $<
# The same with a disk it never reads: a sandbox with a device restores
# by a new monitor, not in place (tests/embed/host.c).
$(BUILD)/tests/embed/guest-disk.husk: tests/embed/guest.c $(GUEST_LIB)
	@mkdir -p $(dir $@)
	$(call say,HUSK-CC,$<)
	$(Q)$(BUILD)/husk-cc -O2 -Wall -Wextra -Werror --block=d -o $@ $<
$(BUILD)/tests/embed/host: tests/embed/host.c $(HOST_LIB)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(HOST_CFLAGS) -I$(BUILD)/host/include -o $@ $< $(BUILD)/host/libhusk-host.a
EMBED_TESTS := $(BUILD)/tests/embed/guest.husk \
	$(BUILD)/tests/embed/guest-disk.husk $(BUILD)/tests/embed/host

# The embedding example (examples/embed/, docs/embedding.md): a guest
# validating JSON with cJSON from Debian's cjson source and its host
# program. The source is fetched when this runs, as the apps suite's are
# (tests/apps/lib.sh), so it is in neither all nor check-build;
# tests/embed-example-suite.sh builds it at test time the same way.
examples-embed: all
	CC="$(CC)" HOST_CFLAGS="$(HOST_CFLAGS)" bash examples/embed/build.sh $(BUILD)

# Hostile guests speak the raw ABI, so they see its header.
$(BUILD)/tests/hostile/%.husk: tests/hostile/%.c $(GUEST_LIB)
	@mkdir -p $(dir $@)
	$(call say,HUSK-CC,$<)
	$(Q)$(BUILD)/husk-cc -O2 -Wall -Wextra -Werror -I. -o $@ $<

# Attacks on the network calls, from an image with one network device.
$(BUILD)/tests/hostile/net_%.husk: tests/hostile/net_%.c $(GUEST_LIB)
	@mkdir -p $(dir $@)
	$(call say,HUSK-CC,$<)
	$(Q)$(BUILD)/husk-cc --net=service -O2 -Wall -Wextra -Werror -I. -o $@ $<

# The same attacks, from an image with one block device ("data").
$(BUILD)/tests/hostile/attack_block.husk: tests/hostile/attack.c $(GUEST_LIB)
	@mkdir -p $(dir $@)
	$(call say,HUSK-CC,$<)
	$(Q)$(BUILD)/husk-cc --block=data -O2 -Wall -Wextra -Werror -I. -o $@ $<
TEST_IMAGES += $(BUILD)/tests/hostile/attack_block.husk

# The process suite's preload library (tests/process-suite.sh).
$(BUILD)/tests/process/occupy.so: tests/process/occupy.c | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(HOST_CFLAGS) -shared -fPIC -o $@ $<

# The host-side network test tools (tests/net/).
NET_TOOLS := $(patsubst tests/net/%.c,$(BUILD)/tests/net/%,$(wildcard tests/net/*.c))
$(BUILD)/tests/net/%: tests/net/%.c tests/net/tool.h $(EXAMPLE_HDRS) | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(NATIVE_CFLAGS) -D_GNU_SOURCE -o $@ $<

# check-build: everything the tests need, without running them.
check-build: all $(BUILD)/asan/husk $(BUILD)/test/husk-probe $(BUILD)/tests/unit $(TEST_IMAGES) \
	$(EMBED_TESTS) \
		$(BUILD)/examples/hello.husk \
		$(BUILD)/tests/process/occupy.so \
		$(NET_NATIVE) $(NET_TOOLS) $(NET_EXAMPLES:%=$(BUILD)/examples/%.husk) \
		$(TEST_SETUP_STAMP)

check: check-build
	BUILD=$(BUILD) bash tests/run

# Fuzz each libFuzzer harness for FUZZ_SECONDS (make check: 20 s each).
FUZZ_SECONDS ?= 600
fuzz: | $(SETUP_STAMP)
	bash tests/fuzz/run.sh $(BUILD) $(FUZZ_SECONDS)

# ---- benchmarks (not tests: `make bench`, see docs/performance.md) ------

# Host-side tools: the timer, the launcher, the KVM floor.
BENCH_TOOLS := $(BUILD)/bench/timeit $(BUILD)/bench/kvm_floor $(BUILD)/bench/launch
$(BENCH_TOOLS): $(BUILD)/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $<

# The same programs as static Linux binaries: native, under bubblewrap,
# and inside the Linux microVM (whose /init is microvm_init, or
# microvm_net_init for bench/net's network initramfs).
BENCH_NATIVE := $(BUILD)/bench/hello-native $(BUILD)/bench/sleeper-native \
	$(BUILD)/bench/blockbench-native $(BUILD)/bench/microvm_init-native \
	$(BUILD)/bench/microvm_net_init-native $(BUILD)/bench/filebench-native \
	$(BUILD)/bench/threadswitch-native
$(BENCH_NATIVE): $(BUILD)/bench/%-native: bench/%.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(HOST_CFLAGS) -O2 -static -o $@ $<

# The HTTP example for the microVM, which has no libraries to load: the
# native build's flags (examples/native/http is dynamic), plus -static.
$(BUILD)/bench/http-native: examples/http.c $(EXAMPLE_HDRS) | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(NATIVE_CFLAGS) -static -o $@ $<

# ... and as unikernels. hcloop speaks the raw ABI, so it sees its header.
BENCH_IMAGES := $(BUILD)/bench/hello.husk $(BUILD)/bench/sleeper.husk \
	$(BUILD)/bench/hcloop.husk $(BUILD)/bench/blockbench.husk \
	$(BUILD)/bench/filebench.husk $(BUILD)/bench/threadswitch.husk
$(BUILD)/bench/%.husk: bench/%.c $(GUEST_LIB)
	@mkdir -p $(dir $@)
	$(call say,HUSK-CC,$<)
	$(Q)$(BUILD)/husk-cc -O2 -Wall -Wextra -Werror -I. -o $@ $<

$(BUILD)/bench/blockbench.husk: bench/blockbench.c $(GUEST_LIB)
	@mkdir -p $(dir $@)
	$(call say,HUSK-CC,$<)
	$(Q)$(BUILD)/husk-cc --block=data -O2 -Wall -Wextra -Werror -o $@ $<

# bench/files' ext4 group: the same program on an image mounted at /data.
$(BUILD)/bench/filebench-ext4.husk: bench/filebench.c $(GUEST_LIB)
	@mkdir -p $(dir $@)
	$(call say,HUSK-CC,$<)
	$(Q)$(BUILD)/husk-cc --mount=data:/data -O2 -Wall -Wextra -Werror -o $@ $<
BENCH_IMAGES += $(BUILD)/bench/filebench-ext4.husk

# bench/snapshot: hello with a husk_ready() call (the generic rule), and
# an embedded Lua whose start-up is snapshotted. The Lua guest links the
# liblua.a that tests/apps-suite.sh builds with husk-cc from Debian's
# lua5.4 source; its native reference links the same source built with
# gcc. Both only once the apps suite has built Lua (make check): until
# then bench/snapshot says so and measures hello alone.
BENCH_IMAGES += $(BUILD)/bench/hello_ready.husk
LUA_SRC := $(BUILD)/apps/lua/tree/src
$(BUILD)/bench/lua_ready.husk: bench/lua_ready.c $(LUA_SRC)/liblua.a $(GUEST_LIB)
	@mkdir -p $(dir $@)
	$(call say,HUSK-CC,$<)
	$(Q)$(BUILD)/husk-cc -O2 -Wall -Wextra -Werror -I$(LUA_SRC) -o $@ $< \
		$(LUA_SRC)/liblua.a -lm
$(BUILD)/bench/lua-native/liblua.a: $(LUA_SRC)/liblua.a
	$(call say,MAKE,$@)
	$(Q)rm -rf $(dir $@) && mkdir -p $(dir $@) && \
		cp $(LUA_SRC)/Makefile $(LUA_SRC)/*.[ch] $(dir $@) && \
		$(MAKE) -s -C $(dir $@) a CC="$(CC) -std=gnu99" \
			SYSCFLAGS=-DLUA_USE_POSIX AR="ar rc" >/dev/null
$(BUILD)/bench/lua_ready-native: bench/lua_ready.c $(BUILD)/bench/lua-native/liblua.a
	$(call say,CC,$<)
	$(Q)$(CC) $(HOST_CFLAGS) -static -I$(BUILD)/bench/lua-native -o $@ $< \
		$(BUILD)/bench/lua-native/liblua.a -lm
ifneq ($(wildcard $(LUA_SRC)/liblua.a),)
BENCH_LUA := $(BUILD)/bench/lua_ready.husk $(BUILD)/bench/lua_ready-native
endif

# bench/embed: libhusk-host's call round trip (embedbench, which links
# the library) into bench/embed_guest.c (the generic image rule).
BENCH_IMAGES += $(BUILD)/bench/embed_guest.husk
BENCH_EMBED := $(BUILD)/bench/embedbench
$(BUILD)/bench/embedbench: bench/embedbench.c $(HOST_LIB)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(HOST_CFLAGS) -I$(BUILD)/host/include -o $@ $< $(BUILD)/host/libhusk-host.a

# bench/net: the HTTP example three ways, and wrk, curl, ping.
bench-build: all $(BENCH_TOOLS) $(BENCH_NATIVE) $(BENCH_IMAGES) $(BENCH_LUA) $(BENCH_EMBED) \
	$(BUILD)/examples/http.husk $(BUILD)/examples/native/http \
	$(BUILD)/bench/http-native $(BUILD)/tests/net/memcache_check \
	$(TEST_SETUP_STAMP)

# `make bench` records bench/results/full.json and the tables and plots in
# docs/performance.md; QUICK=1 is the few-minute version (quick.json).
# `make bench-check` compares a fresh quick run's ratios with the recorded
# ones and fails on a large slowdown. Neither is part of `make check`.
bench: bench-build
	BUILD=$(BUILD) bash bench/run $(if $(QUICK),--quick)

bench-check: bench-build
	BUILD=$(BUILD) bash bench/run --check

clean:
	rm -rf $(BUILD)

.PHONY: all demo demo-vm check check-build fuzz bench bench-build bench-check clean \
	install uninstall examples-embed
.DELETE_ON_ERROR:

-include $(shell find $(BUILD)/obj $(BUILD)/asan $(BUILD)/guest-obj $(BUILD)/net-obj $(BUILD)/ext2-obj -name '*.d' -type f 2>/dev/null)
