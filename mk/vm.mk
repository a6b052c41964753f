# VM runner: the distro kernel, the VM test and boot timing.
#   make distro-kernel   fetch Debian's cloud kernel as variant `distro`
#   make test-vm         boot it under the probed accelerator (part of make test)
#   make vm-timing       hyperfine: boot to first sample per kernel present
#                        [RUNS=3] [VM_TIMING_OUT=dir, default build/timing/<date>]
# The run side's faults (stop signals at each phase, a hostile guest, early
# failures, a 72-vCPU guest whose point locks up: t_vm72_*.sh) are
# tests/faults/t_vm_*.sh, t_vm72_*.sh and t_run_*.sh under make test-faults:
# they boot nothing, tests/vm/fake-qemu stands in for qemu (QEMU=, KVM_PROBE=).
# A real 72-vCPU boot is make test-72 (mk/scale.mk), outside make test.
# VM_BOOT_TIMEOUT and VM_POINT_TIMEOUT (seconds) replace runners/vm-run's
# boot and per-point timeouts (make run passes them through).

VM_CHECK := $(BUILD)/tests/vm/check-records
TESTS    += test-vm

.PHONY: distro-kernel test-vm vm-timing

distro-kernel:
	runners/fetch-distro-kernel

$(VM_CHECK): tests/vm/check-records.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< -ljansson

test-vm: $(BUILD)/allocbench $(VM_CHECK)
	BUILD=$(BUILD) tests/vm/run-tests

vm-timing: $(BUILD)/allocbench
	BUILD=$(BUILD) RUNS=$(or $(RUNS),3) tests/vm/vm-timing \
		$(if $(VM_TIMING_OUT),--out $(VM_TIMING_OUT))
