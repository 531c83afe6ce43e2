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

$(LIBC): guest/musl/build.sh guest/musl/syscalls-as-calls.patch | $(SETUP_STAMP)
	bash guest/musl/build.sh $(abspath $(BUILD))

# ---- the monitor -----------------------------------------------------

MONITOR_SRCS := $(wildcard monitor/*.c) drivers/console/host.c drivers/block/host.c
# The parts with no KVM in them: unit tests and fuzzers link these.
MONITOR_PURE := monitor/args.c monitor/elf.c monitor/gpa.c \
	monitor/hypercall.c monitor/log.c monitor/core_calls.c monitor/rate.c \
	drivers/console/host.c
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

$(BUILD)/husk: $(MONITOR_SRCS:%.c=$(BUILD)/obj/%.o)
	$(call say,LD,$@)
	$(Q)$(CC) -o $@ $^ -lseccomp

# The ASan/UBSan monitor: for the test suite only, never installed.
$(BUILD)/asan/husk: $(MONITOR_SRCS:%.c=$(BUILD)/asan/obj/%.o)
	$(call say,LD-SAN,$@)
	$(Q)$(CC) $(SAN_FLAGS) -o $@ $^ -lseccomp

# A test-only monitor with tests/sandbox/probe.c: with HUSK_PROBE set it
# reports on its jail or makes a forbidden system call once the filter is
# armed (tests/sandbox-suite.sh). Never installed.
PROBE_SRCS := $(MONITOR_SRCS) tests/sandbox/probe.c
$(BUILD)/test/husk-probe: $(PROBE_SRCS) $(wildcard monitor/*.h abi/*.h drivers/*/*.h) | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	$(call say,LD-TEST,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -DHUSK_TEST_PROBE -o $@ $(PROBE_SRCS) -lseccomp

# ---- the guest: libhusk, crt0, husk-cc -------------------------------

GUEST_SRCS := $(wildcard guest/*.c) drivers/console/guest.c drivers/block/guest.c
GUEST_ASM := guest/syscall_entry.S
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

$(BUILD)/husk-cc: guest/husk-cc
	$(Q)cp $< $@
	$(Q)chmod +x $@

GUEST_LIB := $(BUILD)/lib/libhusk.a $(BUILD)/lib/crt0.o $(BUILD)/husk-cc

all: $(BUILD)/husk $(GUEST_LIB)
.DEFAULT_GOAL := all

# ---- examples and the demo -------------------------------------------

$(BUILD)/examples/%.husk: examples/%.c $(GUEST_LIB)
	@mkdir -p $(dir $@)
	$(call say,HUSK-CC,$<)
	$(Q)$(BUILD)/husk-cc -O2 -Wall -Wextra -Werror -o $@ $<

DEMO := $(BUILD)/husk --mem=32M $(BUILD)/examples/hello.husk -- from Husk
demo: all $(BUILD)/examples/hello.husk
	@if [ -e /dev/kvm ]; then \
	    echo '$$ $(DEMO)'; $(DEMO); \
	else \
	    echo 'No /dev/kvm here: booting the demo inside the test VM (QEMU with nested KVM).'; \
	    echo '$$ $(DEMO)'; \
	    tests/vm/run-in-vm.sh --timeout 300 . -- $(DEMO); \
	fi

# ---- tests -----------------------------------------------------------

UNIT_SRCS := $(wildcard tests/unit/*.c)
# Headers too: gcc's .d for a multi-source link keeps only the last file's.
UNIT_HDRS := $(wildcard tests/unit/*.h monitor/*.h abi/*.h drivers/*/*.h)
$(BUILD)/tests/unit: $(UNIT_SRCS) $(MONITOR_PURE) $(UNIT_HDRS) | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC-SAN,$@)
	$(Q)$(CC) $(HOST_CFLAGS) $(SAN_FLAGS) -Imonitor -o $@ $(filter %.c,$^)

TEST_IMAGES := $(patsubst tests/%.c,$(BUILD)/tests/%.husk,\
	$(wildcard tests/guests/*.c tests/hostile/*.c))

$(BUILD)/tests/guests/%.husk: tests/guests/%.c $(GUEST_LIB)
	@mkdir -p $(dir $@)
	$(call say,HUSK-CC,$<)
	$(Q)$(BUILD)/husk-cc -O2 -Wall -Wextra -Werror -o $@ $<

# The block test image declares two devices, "data" and "more".
$(BUILD)/tests/guests/blockio.husk: tests/guests/blockio.c $(GUEST_LIB)
	@mkdir -p $(dir $@)
	$(call say,HUSK-CC,$<)
	$(Q)$(BUILD)/husk-cc --block=data --block=more -O2 -Wall -Wextra -Werror \
	    -o $@ $<

# Hostile guests speak the raw ABI, so they see its header.
$(BUILD)/tests/hostile/%.husk: tests/hostile/%.c $(GUEST_LIB)
	@mkdir -p $(dir $@)
	$(call say,HUSK-CC,$<)
	$(Q)$(BUILD)/husk-cc -O2 -Wall -Wextra -Werror -I. -o $@ $<

# The same attacks, from an image with one block device ("data").
$(BUILD)/tests/hostile/attack_block.husk: tests/hostile/attack.c $(GUEST_LIB)
	@mkdir -p $(dir $@)
	$(call say,HUSK-CC,$<)
	$(Q)$(BUILD)/husk-cc --block=data -O2 -Wall -Wextra -Werror -I. -o $@ $<
TEST_IMAGES += $(BUILD)/tests/hostile/attack_block.husk

check: all $(BUILD)/asan/husk $(BUILD)/test/husk-probe $(BUILD)/tests/unit $(TEST_IMAGES)
	BUILD=$(BUILD) bash tests/run

# Fuzz each libFuzzer harness for FUZZ_SECONDS (make check: 20 s each).
FUZZ_SECONDS ?= 600
fuzz: | $(SETUP_STAMP)
	bash tests/fuzz/run.sh $(BUILD) $(FUZZ_SECONDS)

# ---- benchmarks (not tests: `make bench` or bench/boot) -----------------

$(BUILD)/bench/timeit $(BUILD)/bench/kvm_floor: $(BUILD)/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $<

$(BUILD)/bench/blockbench.husk: bench/blockbench.c $(GUEST_LIB)
	@mkdir -p $(dir $@)
	$(call say,HUSK-CC,$<)
	$(Q)$(BUILD)/husk-cc --block=data -O2 -o $@ $<

$(BUILD)/bench/blockbench-native: bench/blockbench.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) -O2 -static -o $@ $<

$(BUILD)/bench/hello.husk: bench/hello.c $(GUEST_LIB)
	@mkdir -p $(dir $@)
	$(call say,HUSK-CC,$<)
	$(Q)$(BUILD)/husk-cc -O2 -o $@ $<

$(BUILD)/bench/hello-native: bench/hello.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) -O2 -static -o $@ $<

bench: all
	bash bench/boot
	bash bench/block

clean:
	rm -rf $(BUILD)

.PHONY: all demo check fuzz bench clean
.DELETE_ON_ERROR:

-include $(shell find $(BUILD)/obj $(BUILD)/asan $(BUILD)/guest-obj -name '*.d' -type f 2>/dev/null)
