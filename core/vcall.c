/* Guest calls over HVC (and trapped SMC): PSCI 1.1 and SMCCC discovery.
 * Decode first; every unknown function returns NOT_SUPPORTED in x0 and
 * nothing else changes. */
#include <hv/log.h>
#include <hv/partition.h>

#define SMCCC_VERSION 0x80000000u
#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_FEATURES 0x8400000au

#define PSCI_RET_SUCCESS 0
#define PSCI_RET_NOT_SUPPORTED ((uint64_t)-1)

static bool implemented(uint32_t fid)
{
	switch (fid) {
	case SMCCC_VERSION:
	case PSCI_VERSION:
	case PSCI_CPU_OFF:
	case PSCI_SYSTEM_OFF:
	case PSCI_FEATURES:
		return true;
	}
	return false;
}

void vcall_handle(struct vcpu *v, uint64_t regs[4])
{
	uint64_t fid = regs[0];

	if (fid >> 32 || !implemented((uint32_t)fid)) {
		partition_fault(v->part, FAULT_CALL, "function 0x%llx", (unsigned long long)fid);
		regs[0] = PSCI_RET_NOT_SUPPORTED;
		return;
	}
	switch ((uint32_t)fid) {
	case SMCCC_VERSION:
		regs[0] = 0x10001; /* SMCCC 1.1 */
		break;
	case PSCI_VERSION:
		regs[0] = 0x10001; /* PSCI 1.1 */
		break;
	case PSCI_FEATURES:
		regs[0] = regs[1] >> 32 == 0 && implemented((uint32_t)regs[1]) ? PSCI_RET_SUCCESS
									       : PSCI_RET_NOT_SUPPORTED;
		break;
	case PSCI_CPU_OFF:
	case PSCI_SYSTEM_OFF:
		/* One vCPU runs at a time per partition until SMP guests arrive
		 * ("Unmodified Linux" issue): both stop the caller. */
		vcpu_stop(v);
	}
}
