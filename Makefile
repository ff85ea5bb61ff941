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

# ---- fuzz: libFuzzer harness for the virtio transport and ring engine ----
# Same sources as the unit tests, built with clang and ASan/UBSan; runs for
# FUZZ_TIME seconds on a working copy of the seed corpus under $(O)/fuzz
# (the repository's corpus is never written). Crash inputs go to
# $(O)/fuzz/artifacts/. The --wrap options let the harness bound the DRBG
# and console work one input can ask for and check every vq_pop/vq_push
# against its reference (see tests/fuzz/fuzz_virtqueue.c).
FUZZ_CC ?= clang
FUZZ_TIME ?= 60
FUZZ_CFLAGS := -std=c11 -O1 -g $(WARN) $(INC) -D_DEFAULT_SOURCE -Itests/fake -Itools \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_LDFLAGS := -Wl,--wrap=drbg_generate -Wl,--wrap=console_port_putc \
	-Wl,--wrap=vq_pop -Wl,--wrap=vq_push
$(O)/fuzz/fuzz_virtqueue: tests/fuzz/fuzz_virtqueue.c $(UNIT_SRC) $(wildcard tests/fake/*.h) $(AUTOCONF)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $< $(UNIT_SRC) $(HOST_LIBFDT) $(FUZZ_LDFLAGS) -o $@
# The virtio-iommu request decoder alone (tests/fuzz/fuzz_iommu_req.c):
# its three files, no wrapping, 64 mappings a domain (the state is
# compared whole after each request); FUZZ_IOMMU_TIME seconds.
FUZZ_IOMMU_TIME ?= 30
IOMMU_SRC := core/iommu_req.c core/iommu.c core/iommu_domain.c
$(O)/fuzz/fuzz_iommu_req: tests/fuzz/fuzz_iommu_req.c $(IOMMU_SRC) $(AUTOCONF)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -DIOMMU_MAX_MAPPINGS=64 $< $(IOMMU_SRC) -o $@
# The SCMI platform's decoder (tests/fuzz/fuzz_scmi.c): core/scmi.c alone.
FUZZ_SCMI_TIME ?= 20
$(O)/fuzz/fuzz_scmi: tests/fuzz/fuzz_scmi.c core/scmi.c $(AUTOCONF)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $< core/scmi.c -o $@
# virtio-gpu 2D's decoder with the compositor (tests/fuzz/fuzz_gpu.c).
FUZZ_GPU_TIME ?= 20
$(O)/fuzz/fuzz_gpu: tests/fuzz/fuzz_gpu.c $(UNIT_SRC) $(wildcard tests/fake/*.h) $(AUTOCONF)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $< $(UNIT_SRC) $(HOST_LIBFDT) -o $@
# The partition-file parser (tests/fuzz/fuzz_config.c) against a board
# with a PCIe host bridge and an SMMU.
FUZZ_CONFIG_TIME ?= 20
$(O)/fuzz/fuzz_config: tests/fuzz/fuzz_config.c $(UNIT_SRC) $(wildcard tests/fake/*.h) $(AUTOCONF)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $< $(UNIT_SRC) $(HOST_LIBFDT) -o $@
$(O)/fuzz/virt-smmu.dtb: tests/configs/boards/virt-smmu.dts
	@mkdir -p $(dir $@)
	$(DTC) -q -I dts -O dtb -o $@ $<
fuzz: $(O)/fuzz/fuzz_virtqueue $(O)/fuzz/fuzz_iommu_req $(O)/fuzz/fuzz_scmi $(O)/fuzz/fuzz_gpu \
	$(O)/fuzz/fuzz_config $(O)/fuzz/virt-smmu.dtb
	@mkdir -p $(O)/fuzz/corpus $(O)/fuzz/corpus-iommu $(O)/fuzz/corpus-scmi $(O)/fuzz/corpus-gpu \
		$(O)/fuzz/corpus-config $(O)/fuzz/artifacts
	@cp tests/fuzz/corpus/config/* $(O)/fuzz/corpus-config/
	@cp tests/fuzz/corpus/scmi/* $(O)/fuzz/corpus-scmi/
	@cp tests/fuzz/corpus/gpu/* $(O)/fuzz/corpus-gpu/
	@cp tests/fuzz/corpus/virtqueue/* $(O)/fuzz/corpus/
	@cp tests/fuzz/corpus/iommu_req/* $(O)/fuzz/corpus-iommu/
	$(O)/fuzz/fuzz_virtqueue -max_total_time=$(FUZZ_TIME) -timeout=5 -rss_limit_mb=1024 \
		-max_len=2048 -print_final_stats=1 -artifact_prefix=$(O)/fuzz/artifacts/ \
		$(O)/fuzz/corpus
	$(O)/fuzz/fuzz_iommu_req -max_total_time=$(FUZZ_IOMMU_TIME) -timeout=5 -rss_limit_mb=1024 \
		-max_len=1024 -print_final_stats=1 -artifact_prefix=$(O)/fuzz/artifacts/iommu- \
		$(O)/fuzz/corpus-iommu
	$(O)/fuzz/fuzz_scmi -max_total_time=$(FUZZ_SCMI_TIME) -timeout=5 -rss_limit_mb=1024 \
		-max_len=1024 -print_final_stats=1 -artifact_prefix=$(O)/fuzz/artifacts/scmi- \
		$(O)/fuzz/corpus-scmi
	$(O)/fuzz/fuzz_gpu -max_total_time=$(FUZZ_GPU_TIME) -timeout=5 -rss_limit_mb=1024 \
		-max_len=16384 -print_final_stats=1 -artifact_prefix=$(O)/fuzz/artifacts/gpu- \
		$(O)/fuzz/corpus-gpu
	FUZZ_BOARD=$(O)/fuzz/virt-smmu.dtb $(O)/fuzz/fuzz_config -max_total_time=$(FUZZ_CONFIG_TIME) -timeout=5 \
		-rss_limit_mb=1024 -max_len=8192 -print_final_stats=1 -artifact_prefix=$(O)/fuzz/artifacts/config- \
		$(O)/fuzz/corpus-config
# ---- end of fuzz ----

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
.PHONY: soak report demo-devices all setup run picture test bench clean distclean menuconfig savedefconfig hypervisor tools guests image unit linux fuzz plugin FORCE
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
$(O)/tools/%: tools/%.c tools/toolutil.c $(TOOL_CORE) $(wildcard include/*/*.h) $(AUTOCONF)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) -Itools $< tools/toolutil.c $(TOOL_CORE) $(HOST_LIBFDT) -o $@
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
report:
	$(PY) tools/report.py --requirements $(REQUIREMENTS) --tests tests --logs $(O)/test-logs --out $(O)/report

bench: all guests plugin $(LINUX612_FILES)
	@tests/lib/bench.sh

# Reliability run, not in make test: N resets of one Linux partition while
# its neighbour streams disk and network traffic (tests/soak/soak.py);
# prints its figures, the whole console in $(O)/soak/console.log.
N ?= 1000
soak: all guests
	@N=$(N) $(PY) tests/soak/soak.py

clean:
	rm -rf $(O)
distclean: clean
	rm -f $(CONFIG) $(CONFIG).old defconfig

-include $(shell find $(O) -name '*.d' 2>/dev/null)
