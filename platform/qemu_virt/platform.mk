# QEMU aarch64 virt: how the Makefile boots this board (included by the
# Makefile for CONFIG_PLATFORM="qemu_virt").
# GIC=2: the machine with a GICv2 (GIC-400) instead of its GICv3; the same
# hypervisor finds it in the board's tree (tests/linux/test_demo_gicv2.py).
GIC ?= 3
GIC_SUFFIX := $(if $(filter 2,$(GIC)),-gicv2)
IMAGE := $(O)/bulkhead$(GIC_SUFFIX).img
# The board's own device tree, as QEMU gives it to the hypervisor at boot:
# hvcheck and hvpack check passthrough entries against it (--board).
BOARD_DTB := $(O)/board-qemu_virt$(GIC_SUFFIX).dtb
DEMO ?= configs/demo.dts
QEMU_FLAGS = -M virt,virtualization=on,gic-version=$(GIC),dtb-randomness=off \
	-cpu max,pauth-impdef=on,sve=off -smp $(CONFIG_NR_CPUS_PLATFORM) -m $(RAM_MB) \
	-nographic -nic none -serial mon:stdio -no-reboot
$(BOARD_DTB): $(AUTOCONF) | $(SETUP_STAMP)
	$(QEMU) $(QEMU_FLAGS) -machine dumpdtb=$@ >/dev/null
# The demo's physical disk (kept in the cache, so what the partitions
# write survives from one `make run` to the next) and NIC (QEMU's user
# network, the uplink of the partitions' segment), and its display.
DEMO_DISK ?= $(CACHE)/demo-disk.img
DEMO_DEVICES = -global virtio-mmio.force-legacy=false -device ramfb \
	-drive file=$(DEMO_DISK),if=none,id=d0,format=raw,discard=unmap -device virtio-blk-device,drive=d0 \
	-netdev user,id=n0 -device virtio-net-device,netdev=n0
demo-devices:
	@[ -f $(DEMO_DISK) ] || { mkdir -p $(dir $(DEMO_DISK)) && truncate -s 256M $(DEMO_DISK); }
