# Injected NMIs in VM guests (nmi_alloc event=nmi, nmi_rate=N).
#   build/qmp-nmi     the injector runners/vm-run starts for such points
#   make test-nmi     boots one variant (NMI_VARIANT, default bpf-ma; build it
#                     first) and checks that injected NMIs are observed as NMI
#                     by nmi_alloc, and that without injection the point fails
# Not part of `make test`: it needs a built kernel (KERNEL_TESTS lists it).

NMI_VARIANT ?= bpf-ma
KERNEL_TESTS += test-nmi
.PHONY: test-nmi

all: $(BUILD)/qmp-nmi

$(BUILD)/qmp-nmi: runners/qmp-nmi.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $<

test-nmi: all $(BUILD)/tests/vm/check-records
	BUILD=$(BUILD) tests/kernels/nmi/test-nmi.sh $(NMI_VARIANT)
