# Bulkhead: `make run` boots the demo, `make test` runs every test.
# Generated files go to build/, downloads and guest artefacts to $(CACHE).

SHELL := /bin/bash
O ?= build
CACHE ?= $(HOME)/.cache/bulkhead
PY := /usr/bin/python3
CROSS ?= aarch64-linux-gnu-
CC_T := $(CROSS)gcc
OBJCOPY := $(CROSS)objcopy
HOSTCC ?= gcc
QEMU ?= qemu-system-aarch64
DTC ?= dtc

.DEFAULT_GOAL := all
SETUP_STAMP := $(O)/.setup-done
# The build configuration; another one can sit beside another O=, e.g.
# make O=build/prod CONFIG=build/prod/.config qemu_virt_production_defconfig all
CONFIG ?= .config
export KCONFIG_CONFIG := $(CONFIG)
AUTOCONF := $(O)/include/generated/autoconf.h

-include $(CONFIG)
# Before .config exists (the first pass of a fresh tree) the default board.
BOARD := $(or $(patsubst "%",%,$(CONFIG_PLATFORM)),qemu_virt)
PLATFORM_DIR := platform/$(BOARD)

WARN := -Wall -Wextra -Werror
INC := -Iinclude -Iarch/arm64/include -I$(O)/include -I$(PLATFORM_DIR)

# ---- the hypervisor (aarch64, EL2, picolibc, libfdt.a) ----
HV_CFLAGS := -std=c11 -O2 -g -fomit-frame-pointer $(WARN) $(INC) --specs=picolibc.specs -ffreestanding -march=armv8-a+crc+crypto \
	-fno-stack-protector -mbranch-protection=none -mno-outline-atomics \
	-fno-pic -fno-pie -ffunction-sections -fdata-sections -MMD -MP -DHV_TARGET -mgeneral-regs-only -DHAVE_SHA256_CE
HV_LDFLAGS := --specs=picolibc.specs -nostartfiles -static -Wl,--gc-sections \
	-Wl,-z,max-page-size=4096 -Wl,--no-warn-rwx-segments
HV_LIBS := /usr/lib/aarch64-linux-gnu/libfdt.a

CORE_SRC := $(wildcard core/*.c) $(wildcard vdev/*.c)
HV_SRC := $(CORE_SRC) $(wildcard arch/arm64/*.c) $(wildcard drivers/*.c)
HV_ASM := $(wildcard arch/arm64/*.S)
HV_OBJ := $(patsubst %,$(O)/hv/%.o,$(HV_SRC) $(HV_ASM))

# ---- host builds: tools and unit tests share core/ with the hypervisor ----
HOST_CFLAGS := -std=c11 -O1 -g $(WARN) $(INC) -D_DEFAULT_SOURCE -MMD -MP
HOST_LIBFDT := /usr/lib/x86_64-linux-gnu/libfdt.so.1
# The tools run the hypervisor's own parser, layout, device types and guest
# device-tree builder: they link core/ and vdev/ with a host arch layer.
TOOL_CORE := $(filter-out core/boot.c,$(CORE_SRC)) tools/host_arch.c
TOOLS := $(O)/tools/hvcheck $(O)/tools/hvpack

# ---- unit tests: cmocka, host, core/ and vdev/ with tests/fake/ ----
UNIT_SRC := $(filter-out core/boot.c,$(CORE_SRC)) $(wildcard tests/fake/*.c) tools/toolutil.c
UNIT_TESTS := $(patsubst tests/unit/%.c,$(O)/unit/%,$(wildcard tests/unit/test_*.c))
$(O)/unit/%: tests/unit/%.c $(UNIT_SRC) $(wildcard tests/fake/*.h) $(AUTOCONF)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) -pthread -Itests/fake -Itools $< $(UNIT_SRC) $(HOST_LIBFDT) -lcmocka -o $@
# The SHA-256/DRBG test again for aarch64, run under qemu-aarch64 by
# tests/lib/run.sh: the Armv8 SHA-256 instructions (arch/arm64/sha256_ce.S)
# against the same known answers as the C version.
UNIT_ARM64 := $(O)/unit-arm64/test_drbg
$(UNIT_ARM64): tests/unit/test_drbg.c core/sha256.c core/drbg.c arch/arm64/sha256_ce.S include/hv/drbg.h $(AUTOCONF)
	@mkdir -p $(dir $@)
	$(CC_T) -std=c11 -O1 -g $(WARN) $(INC) -D_DEFAULT_SOURCE -DHAVE_SHA256_CE $(filter %.c %.S,$^) -lcmocka -o $@
unit: $(UNIT_TESTS) $(UNIT_ARM64)

# ---- fuzz: libFuzzer harnesses (tests/fuzz/fuzz_<name>.c) ----
# Built with clang and ASan/UBSan; each runs for its bounded time on a
# working copy of its seed corpus tests/fuzz/corpus/<name> under
# $(O)/fuzz/corpus-<name> (the repository's corpus is never written);
# crash inputs go to $(O)/fuzz/artifacts/<name>-*. `make fuzz` is what
# make test runs (tests/host/test_fuzz.sh); `make fuzz-long T=seconds`
# runs every one for T seconds and prints executions and coverage.
FUZZ_CC ?= clang
FUZZERS := virtqueue iommu_req scmi gpu config blk net
FUZZ_CFLAGS := -std=c11 -O1 -g $(WARN) $(INC) -D_DEFAULT_SOURCE -Itests/fake -Itools \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# Per harness: sources (default: the unit tests' and libfdt, compiled once
# for all the harnesses that share them), flags, seconds in make test,
# longest input.
FUZZ_OBJS := $(patsubst %.c,$(O)/fuzz/obj/%.o,$(UNIT_SRC))
$(O)/fuzz/obj/%.o: %.c $(AUTOCONF)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@
FUZZ_SRC_DEFAULT := $(FUZZ_OBJS) $(HOST_LIBFDT)
# The transport and ring engine with virtio-rng and virtio-console: the
# --wrap options bound the DRBG and console work one input can ask for and
# check every vq_pop/vq_push against a reference (tests/fuzz/fuzz_virtqueue.c).
FUZZ_FLAGS_virtqueue := -Wl,--wrap=drbg_generate -Wl,--wrap=console_port_putc \
	-Wl,--wrap=vq_pop -Wl,--wrap=vq_push
FUZZ_TIME_virtqueue ?= 45
FUZZ_LEN_virtqueue := 2048
# The virtio-iommu request decoder alone: 64 mappings a domain (the state
# is compared whole after each request).
FUZZ_SRC_iommu_req := core/iommu_req.c core/iommu.c core/iommu_domain.c
FUZZ_FLAGS_iommu_req := -DIOMMU_MAX_MAPPINGS=64
FUZZ_TIME_iommu_req ?= 30
FUZZ_LEN_iommu_req := 1024
# The SCMI platform's decoder: core/scmi.c alone.
FUZZ_SRC_scmi := core/scmi.c
FUZZ_TIME_scmi ?= 20
FUZZ_LEN_scmi := 1024
# virtio-gpu 2D's decoder with the compositor.
FUZZ_TIME_gpu ?= 20
FUZZ_LEN_gpu := 16384
# The partition-file parser against a board with PCIe and an SMMU.
FUZZ_TIME_config ?= 20
FUZZ_LEN_config := 8192
FUZZ_ENV_config := FUZZ_BOARD=$(O)/fuzz/virt-smmu.dtb
# virtio-blk's request decoder on a RAM disk, against a reference.
FUZZ_TIME_blk ?= 20
FUZZ_LEN_blk := 4096
# virtio-net's TX, RX and control queue with the switch.
FUZZ_TIME_net ?= 20
FUZZ_LEN_net := 4096

define fuzz_rule
$(O)/fuzz/fuzz_$(1): tests/fuzz/fuzz_$(1).c $$(or $$(FUZZ_SRC_$(1)),$$(FUZZ_SRC_DEFAULT)) $(wildcard tests/fake/*.h tests/fuzz/*.h) $(AUTOCONF)
	@mkdir -p $$(dir $$@)
	$$(FUZZ_CC) $$(FUZZ_CFLAGS) $$< $$(or $$(FUZZ_SRC_$(1)),$$(FUZZ_SRC_DEFAULT)) $$(FUZZ_FLAGS_$(1)) -o $$@
endef
$(foreach f,$(FUZZERS),$(eval $(call fuzz_rule,$(f))))
$(O)/fuzz/virt-smmu.dtb: tests/configs/boards/virt-smmu.dts
	@mkdir -p $(dir $@)
	$(DTC) -q -I dts -O dtb -o $@ $<
# One harness for $(2) seconds (recipe lines of fuzz and fuzz-long).
define fuzz_run
	@mkdir -p $(O)/fuzz/corpus-$(1) $(O)/fuzz/artifacts
	@cp tests/fuzz/corpus/$(1)/* $(O)/fuzz/corpus-$(1)/
	$(FUZZ_ENV_$(1)) $(O)/fuzz/fuzz_$(1) -max_total_time=$(2) -timeout=5 -rss_limit_mb=1024 \
		-max_len=$(FUZZ_LEN_$(1)) -print_final_stats=1 -artifact_prefix=$(O)/fuzz/artifacts/$(1)- \
		$(O)/fuzz/corpus-$(1)

endef
FUZZ_BINS := $(foreach f,$(FUZZERS),$(O)/fuzz/fuzz_$(f)) $(O)/fuzz/virt-smmu.dtb
fuzz-bins: $(FUZZ_BINS)
fuzz: $(FUZZ_BINS)
	$(foreach f,$(FUZZERS),$(call fuzz_run,$(f),$(FUZZ_TIME_$(f))))
fuzz-long: $(FUZZ_BINS)
	@[ -n "$(T)" ] || { echo "make fuzz-long T=seconds (each harness)"; exit 2; }
	$(foreach f,$(FUZZERS),$(call fuzz_run,$(f),$(T)))
# ---- end of fuzz ----

# ---- static analysis: make lint (in make test: tests/host/test_lint.sh) ----
# cppcheck over arch/ core/ vdev/ drivers/ tools/ in its defect classes
# (warning, performance, portability; not its style opinions), and
# clang-tidy file by file: the hypervisor's sources as built for aarch64
# with picolibc, the host tools for the host. Both clean; a suppression is
# written on the line it silences, with its reason (// NOLINT(check): why,
# // cppcheck-suppress id after a comment). clang-tidy's checks: the
# static analyzer and bugprone, without
#  - security.insecureAPI: asks for C11 Annex K functions (memcpy_s),
#    which neither picolibc nor glibc has;
#  - bugprone-easily-swappable-parameters: a judgement on API shape;
#  - bugprone-reserved-identifier: the names it flags are the toolchain's
#    (linker-script symbols _text, _end; __stack_chk_guard);
#  - bugprone-implicit-widening-of-multiplication-result: 40 sites where
#    small bounded operands (entry sizes times indices) are multiplied in
#    32 bits before widening; none can wrap, but each would need a cast to
#    say so (left for later, see the closing note of issue 17).
# A file is checked again when it or any header changes ($(O)/lint stamps).
LINT_SRC := $(wildcard arch/arm64/*.c core/*.c vdev/*.c drivers/*.c tools/*.c)
LINT_HDRS := $(wildcard include/*/*.h arch/arm64/include/*/*.h platform/*/*.h tools/*.h)
TIDY_CHECKS := -*,clang-analyzer-*,-clang-analyzer-security.insecureAPI.*,bugprone-*,$\
-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier,$\
-bugprone-implicit-widening-of-multiplication-result
TIDY_HV_FLAGS := --target=aarch64-linux-gnu -std=c11 -ffreestanding $(INC) -DHV_TARGET \
	-isystem /usr/lib/picolibc/aarch64-linux-gnu/include
TIDY_HOST_FLAGS := -std=c11 $(INC) -D_DEFAULT_SOURCE -Itools
CPPCHECK_FLAGS := --quiet --error-exitcode=1 --inline-suppr --enable=warning,performance,portability \
	--std=c11 $(INC) -Itools
# A clean result is also kept in $(CACHE)/lint under a hash of everything
# it depends on (the file, every header, the configuration, the checks, the
# flags, clang-tidy's version): a fresh clone of an unchanged tree does not
# analyse again. A file with findings is never kept.
tidy_flags = $(if $(filter tools/%,$(1)),$(TIDY_HOST_FLAGS),$(TIDY_HV_FLAGS))
$(O)/lint/%.tidy: %.c $(LINT_HDRS) $(AUTOCONF)
	@mkdir -p $(dir $@) $(CACHE)/lint
	@key=$$( { echo '$(TIDY_CHECKS) $(call tidy_flags,$<)'; clang-tidy --version; \
		cat $< $(LINT_HDRS) $(AUTOCONF); } | sha256sum | cut -c1-40); \
	if [ -f $(CACHE)/lint/$$key ]; then touch $@; else \
		echo "  TIDY    $<"; \
		clang-tidy --quiet --warnings-as-errors='*' -checks='$(TIDY_CHECKS)' $< -- $(call tidy_flags,$<) \
			>$@.log 2>&1 && touch $(CACHE)/lint/$$key $@ || \
			{ grep -v 'warnings generated' $@.log; exit 1; }; fi
LINT_DIRS := arch core vdev drivers tools
$(O)/lint/cppcheck.ok: $(LINT_SRC) $(LINT_HDRS) $(AUTOCONF)
	@mkdir -p $(dir $@)
	@echo "  CPPCHECK $(LINT_DIRS)"
	@cppcheck $(CPPCHECK_FLAGS) $(LINT_DIRS) && touch $@
lint: $(O)/lint/cppcheck.ok $(patsubst %.c,$(O)/lint/%.tidy,$(LINT_SRC))


# ---- the benchmarks' QEMU plugin (host, tests/lib/vcpu_paths.c) ----
# Per-vCPU instruction counts between markers (tests/lib/bench.sh). Built
# against the plugin header of the installed QEMU's Debian source package:
# tools/qemu-plugin-api.sh fetches it once per version into $(CACHE) and
# refreshes $(O)/plugin/include/qemu-plugin.h only when it differs.
# pc_profile.so: how often each instruction of a range runs
# (docs/performance.md, tools/pc_profile.py).
PLUGIN := $(O)/plugin/vcpu_paths.so $(O)/plugin/pc_profile.so
$(O)/plugin/include/qemu-plugin.h: FORCE | $(SETUP_STAMP)
	@CACHE=$(CACHE) tools/qemu-plugin-api.sh $@
$(O)/plugin/%.so: tests/lib/%.c $(O)/plugin/include/qemu-plugin.h
	$(HOSTCC) -std=gnu11 -O2 -g $(WARN) -shared -fPIC -I$(O)/plugin/include \
		$$(pkg-config --cflags glib-2.0) $< $$(pkg-config --libs glib-2.0) -o $@
plugin: $(PLUGIN)
FORCE:

# ---- test guests (aarch64, EL1, position independent) ----
GUEST_CFLAGS := -std=c11 -O2 $(WARN) -ffreestanding -nostdlib -fpie -mgeneral-regs-only \
	-mbranch-protection=none -fno-stack-protector -static -no-pie -Wl,--no-warn-rwx-segments -Wl,--build-id=none
GUESTS := hello attack bench hostile blkattack netattack iommuattack scmiattack gpuattack gpu3dattack pciattack
GUEST_BINS := $(patsubst %,$(O)/guests/%.bin,$(GUESTS))

LINUX_FILES := $(CACHE)/linux/Image $(CACHE)/linux/initrd.cpio.gz
# Debian 12's 6.12 kernel, for the virtio-iommu tests (6.1 has no driver).
LINUX612_FILES := $(CACHE)/linux-6.12/Image $(CACHE)/linux-6.12/initrd.cpio.gz
# QEMU_FLAGS is exported, so this is expanded for every recipe, also the
# ones that make .config itself: no arithmetic before CONFIG_RAM_SIZE exists.
RAM_MB = $(if $(CONFIG_RAM_SIZE),$(shell echo $$(( $(CONFIG_RAM_SIZE) >> 20 ))))
# The board's part: IMAGE, BOARD_DTB (its firmware's device tree, which
# hvcheck and hvpack check the partition file against), QEMU_FLAGS, the
# demo (DEMO, DEMO_DEVICES).
include platform/$(BOARD)/platform.mk

.SECONDARY:
.PHONY: map lint fuzz-bins fuzz-long soak report demo-devices all setup run picture test bench clean distclean menuconfig savedefconfig hypervisor tools guests image unit linux fuzz plugin FORCE
all: image tools $(BOARD_DTB)

setup: $(SETUP_STAMP)
$(SETUP_STAMP): tools/setup.sh
	@./tools/setup.sh
	@mkdir -p $(O) $(CACHE) && touch $@

# ---- Kconfig ----
%_defconfig: $(SETUP_STAMP)
	@mkdir -p $(dir $(CONFIG))
	$(PY) -m defconfig --kconfig Kconfig configs/$@
menuconfig: $(SETUP_STAMP)
	$(PY) -m menuconfig Kconfig
savedefconfig: $(CONFIG)
	$(PY) -m savedefconfig --kconfig Kconfig --out defconfig
	@echo "wrote ./defconfig (copy it to configs/ to keep it)"
$(CONFIG): | $(SETUP_STAMP)
	@mkdir -p $(dir $(CONFIG))
	$(PY) -m defconfig --kconfig Kconfig configs/qemu_virt_defconfig
$(AUTOCONF): $(CONFIG) Kconfig $(wildcard platform/*/Kconfig) | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	$(PY) -m genconfig --header-path $@ Kconfig

# ---- hypervisor ----
$(O)/hv/%.c.o: %.c $(AUTOCONF)
	@mkdir -p $(dir $@)
	$(CC_T) $(HV_CFLAGS) -c $< -o $@
$(O)/hv/%.S.o: %.S $(AUTOCONF)
	@mkdir -p $(dir $@)
	$(CC_T) $(HV_CFLAGS) -D__ASSEMBLER__ -c $< -o $@
$(O)/hv.ld: arch/arm64/hv.ld $(AUTOCONF)
	$(CC_T) -E -P -x c $(INC) -include $(AUTOCONF) $< -o $@
$(O)/bulkhead.elf: $(HV_OBJ) $(O)/hv.ld
	$(CC_T) $(HV_LDFLAGS) -T $(O)/hv.ld $(HV_OBJ) $(HV_LIBS) -o $@
$(O)/bulkhead.bin: $(O)/bulkhead.elf
	$(OBJCOPY) -O binary $< $@
hypervisor: $(O)/bulkhead.bin

# ---- host tools ----
# What the tools share: image lookup and board loading (toolutil.c), the
# partition map's JSON (partmap_json.c, hvcheck --map).
TOOL_LIB := tools/toolutil.c tools/partmap_json.c
$(O)/tools/%: tools/%.c $(TOOL_LIB) $(TOOL_CORE) $(wildcard include/*/*.h tools/*.h) $(AUTOCONF)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) -Itools $< $(TOOL_LIB) $(TOOL_CORE) $(HOST_LIBFDT) -o $@
tools: $(TOOLS)

# ---- guests and images ----
$(O)/guests/%.elf: tests/guests/%/*.c tests/guests/common/* tests/guests/guest.ld | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	$(CC_T) $(GUEST_CFLAGS) -T tests/guests/guest.ld tests/guests/common/start.S $(filter tests/guests/$*/%.c,$^) -o $@
# gpu3dattack is gpuattack's driver built for 3D (it includes its source).
$(O)/guests/gpu3dattack.elf: tests/guests/gpuattack/gpuattack.c
$(O)/guests/%.bin: $(O)/guests/%.elf
	$(OBJCOPY) -O binary $< $@
# A RAM-disk image for the storage tests: 4 MiB, each 512-byte sector
# "RAMDISK-SECTOR-%08d\n" padded with '.'.
$(O)/guests/ramdisk.img:
	@mkdir -p $(dir $@)
	$(PY) -c 'import sys; sys.stdout.buffer.write(b"".join((b"RAMDISK-SECTOR-%08d\n" % i).ljust(512, b".") for i in range(8192)))' >$@
guests: $(GUEST_BINS) $(O)/guests/ramdisk.img

# Debian's kernel and a busybox initramfs, cached outside git.
$(LINUX_FILES) &: tools/guest-linux.sh tests/linux/init $(wildcard tests/lib/linux/*.c) | $(SETUP_STAMP)
	CACHE=$(CACHE) tools/guest-linux.sh
$(LINUX612_FILES) &: tools/guest-linux.sh tests/linux/init $(wildcard tests/lib/linux/*.c) | $(SETUP_STAMP)
	CACHE=$(CACHE) tools/guest-linux.sh 6.12
# ---- guest OpenGL (kmscube on Mesa's virgl driver) ----
# Debian 12's arm64 kmscube and Mesa as an initramfs overlay, appended to
# the initramfs above (tests/linux/init's bulkhead.kmscube=N mode).
MESA_INITRD := $(CACHE)/mesa/initrd-gl.cpio.gz
$(MESA_INITRD): tools/guest-mesa.sh tests/lib/mesa/keepfb.c $(LINUX_FILES) | $(SETUP_STAMP)
	CACHE=$(CACHE) tools/guest-mesa.sh
# ---- end of guest OpenGL ----
# A kernel built from Debian's linux-source-6.12 with tests/linux/kernel-6.12.config
# (the SCMI virtio transport and scmi-hwmon); the script keys its cache on
# the source package's version and the fragment, so it runs every time.
LINUXSRC_IMAGE := $(CACHE)/linux-src-6.12/Image
$(LINUXSRC_IMAGE): FORCE | $(SETUP_STAMP)
	@CACHE=$(CACHE) tools/guest-kernel.sh
linux: $(LINUX_FILES) $(LINUX612_FILES) $(LINUXSRC_IMAGE)

$(IMAGE): $(O)/bulkhead.bin $(DEMO) $(GUEST_BINS) $(O)/guests/ramdisk.img $(LINUX_FILES) $(O)/tools/hvpack $(BOARD_DTB)
	$(O)/tools/hvpack -o $@ --board $(BOARD_DTB) -L $(O) -L $(CACHE) $(O)/bulkhead.bin $(DEMO)
image: $(IMAGE)

# ---- run and test ----
# The display (ramfb, composited by the hypervisor) has no window unless
# SCREEN names QEMU's display: make run SCREEN=gtk (or sdl, vnc=:0).
SCREEN ?=
RUN_FLAGS = $(if $(SCREEN),$(filter-out -nographic,$(QEMU_FLAGS)) -display $(SCREEN),$(QEMU_FLAGS))
RUN_EXTRA ?=
run: $(IMAGE) demo-devices
	$(QEMU) $(RUN_FLAGS) $(DEMO_DEVICES) $(RUN_EXTRA) -kernel $(IMAGE)

# docs/demo-display.png: the demo's display, both kernel consoles on it.
picture: $(IMAGE)
	@$(PY) tests/lib/demo_picture.py docs/demo-display.png

export O CACHE QEMU QEMU_FLAGS PY BOARD_DTB
test: all guests unit $(LINUX612_FILES) $(LINUXSRC_IMAGE) $(MESA_INITRD)
	@tests/lib/run.sh

# The compliance report (PLATFORM-1): every requirement ID with the tests
# that prove it and their last result, from the logs of the last `make test`.
REQUIREMENTS ?= ../shared/REQUIREMENTS.md
# With it: the figures of the last `make bench` ($(O)/bench/results.txt)
# and the partition map of the demo.
report: $(O)/report/partition-map.svg
	$(PY) tools/report.py --requirements $(REQUIREMENTS) --tests tests --logs $(O)/test-logs \
		--bench $(O)/bench/results.txt --map $(O)/report/partition-map.svg --out $(O)/report

# The partition map (tools/partmap.py) of a partition file, from what
# hvcheck's parser made of it; `make map` draws the demo's into docs/.
$(O)/%/partition-map.svg: $(DEMO) $(O)/tools/hvcheck $(BOARD_DTB) tools/partmap.py
	@mkdir -p $(dir $@)
	$(O)/tools/hvcheck --board $(BOARD_DTB) -L $(O) -L $(CACHE) --map $(@:.svg=.json) $(DEMO)
	$(PY) tools/partmap.py $(@:.svg=.json) $@
map: $(O)/docs/partition-map.svg
	cp $< docs/partition-map.svg

bench: all guests plugin $(LINUX612_FILES)
	@mkdir -p $(O)/bench
	@set -o pipefail; tests/lib/bench.sh | tee $(O)/bench/results.txt.new && \
		mv $(O)/bench/results.txt.new $(O)/bench/results.txt

# Reliability run, not in make test: N resets of one Linux partition while
# its neighbour streams disk and network traffic (tests/soak/soak.py);
# prints its figures, the whole console in $(O)/soak/console.log.
N ?= 1000
soak: all guests $(LINUX_FILES)
	@N=$(N) $(PY) tests/soak/soak.py

clean:
	rm -rf $(O)
distclean: clean
	rm -f $(CONFIG) $(CONFIG).old defconfig

-include $(shell find $(O) -name '*.d' 2>/dev/null)
