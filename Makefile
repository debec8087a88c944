# SPDX-License-Identifier: GPL-2.0
# xen-numa-hints: see README.  The two commands a newcomer needs:
#   make run      boot the default host and show what dom0 and Xen see
#   make check    every test: unit, builds, style, selftests in a real dom0
include rig/pins

# The host the VM emulates: a preset from rig/topologies or a spec string.
TOPOLOGY ?= 2node
# make check's boots are listed in rig/check-boots; CHECK_BOOTS (names from
# there, space-separated) runs a subset.
export TOPOLOGY CHECK_BOOTS
export XNH_CACHE XEN_CMDLINE_EXTRA DOM0_CMDLINE_EXTRA DOM0_MEM DOM0_MEM_MAX DOM0_VCPUS_PIN \
	BOOT_TIMEOUT XSM FLASK_POLICY

OUT := $(CURDIR)/out
KERNEL_CACHE = $(shell cat $(OUT)/kernel-dir)
KVER = $(shell cat $(KERNEL_CACHE)/kver)
KDIR = $(KERNEL_CACHE)/root/usr/src/linux-headers-$(KVER)
KSFT_DIR = $(KERNEL_CACHE)/src/tools/testing/selftests

all: xen xen-stock modules backends selftests tools

setup:
	rig/setup-host

kernel: setup
	rig/fetch-kernel >/dev/null

xen: setup
	rig/build-xen patched

xen-stock: setup
	rig/build-xen stock

# The series on Debian's patch queue, in Debian's release configuration:
# compiled, never booted.
xen-release: setup
	rig/build-xen release

# The FLASK policy a boot with XSM=flask loads: Xen's example policy from
# the patched tree with the rig's changes (rig/build-flask-policy; its
# FLASK_POLICY variant, default rig).
flask-policy: setup
	rig/build-flask-policy $(or $(FLASK_POLICY),rig) >/dev/null

# The series' form: From: against Signed-off-by:, subjects, bodies, and
# xen-patches/series against the patch files.
series-form:
	rig/series-form.py

modules: kernel
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# xen-netback and xen-blkback with linux/patches/backends (docs/backends.md)
backends: kernel
	rig/build-backends

selftests: kernel
	@set -e; for d in selftests/*/; do \
		[ -f $$d/Makefile ] || continue; \
		$(MAKE) -C $$d KSFT_DIR=$(KSFT_DIR) KERNEL_SRC=$(KERNEL_CACHE)/src \
			KDIR=$(KDIR) OUTPUT=$(OUT)/selftests/$$(basename $$d); \
	done

tools: kernel
	@set -e; for d in tools/*/; do \
		[ -f $$d/Makefile ] || continue; \
		$(MAKE) -C $$d OUTPUT=$(OUT)/tools; \
	done

rootfs: setup modules backends selftests tools
	rig/build-rootfs
	rig/build-initrd

run: xen rootfs flask-policy
	rig/boot run patched '$(TOPOLOGY)'

check:
	rig/check

# Benchmarks: a report from one dom0 run, not a test (see README).
bench: xen rootfs
	rig/boot bench patched '$(TOPOLOGY)' bench
	@sed -n '/XNH-BENCH-BEGIN/,/XNH-BENCH-END/p' out/logs/bench.log | grep -v '^(XEN)'

unit: kernel
	$(MAKE) -C unit run

checkpatch: kernel
	rig/checkpatch

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C unit clean
	rm -rf $(OUT)

.PHONY: all setup kernel xen xen-stock xen-release flask-policy series-form modules backends \
	selftests tools rootfs run check unit checkpatch bench clean
