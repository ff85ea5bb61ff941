# Xilinx ZynqMP ZCU102 on QEMU 7.2's xlnx-zcu102 machine (included by the
# Makefile for CONFIG_PLATFORM="zynqmp_zcu102"). Build and run it beside
# the default board with its own O and .config:
#   make O=build/zcu102 CONFIG=build/zcu102/.config zynqmp_zcu102_defconfig
#   make O=build/zcu102 CONFIG=build/zcu102/.config run
# virtualization=on gives the A53s EL2 and the GIC-400 its virtualization
# extensions; QEMU answers PSCI by SMC. Its GIC gets the GIC-400's 32
# priority levels (QEMU's default is 256). 2 GiB: QEMU describes RAM as one
# range from 0, which is right only up to DDR low's 2 GiB.
IMAGE := $(O)/bulkhead.img
DEMO ?= configs/zcu102.dts
# QEMU builds no device tree for this machine: the board's firmware tree
# is Debian's (linux-image-*-arm64: xilinx/zynqmp-zcu102-rev1.0.dtb, put
# in the cache by tools/guest-linux.sh), which QEMU edits at boot (memory,
# PSCI). BOARD_DTB is that edited tree, as the hypervisor receives it.
FIRMWARE_DTB := $(CACHE)/linux/zynqmp-zcu102-rev1.0.dtb
BOARD_DTB := $(O)/board-zynqmp_zcu102.dtb
QEMU_FLAGS = -M xlnx-zcu102,virtualization=on -m $(RAM_MB) -smp $(CONFIG_NR_CPUS_PLATFORM) \
	-global arm_gic.num-priority-bits=5 -dtb $(FIRMWARE_DTB) -nographic -audiodev none,id=snd0 -serial mon:stdio -no-reboot
$(BOARD_DTB): $(AUTOCONF) $(FIRMWARE_DTB) | $(SETUP_STAMP)
	$(QEMU) $(QEMU_FLAGS) -machine dumpdtb=$@ >/dev/null
$(FIRMWARE_DTB): $(LINUX_FILES)
	CACHE=$(CACHE) tools/guest-linux.sh
# No physical devices for the partitions' virtio backends on this board:
# the demo's disk is a RAM disk in the image, its network a switch.
DEMO_DEVICES =
demo-devices:
