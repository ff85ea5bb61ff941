/* Guest calls over HVC (and trapped SMC): PSCI 1.1 and SMCCC discovery.
 * Decode and check first; every unknown function returns NOT_SUPPORTED in
 * x0 and nothing else changes. A vCPU can only name vCPUs of its own
 * partition: MPIDR Aff0 = vCPU index, every other affinity field 0. */
#include <hv/log.h>
#include <hv/partition.h>

#define SMCCC_VERSION 0x80000000u
#define SMCCC_ARCH_FEATURES 0x80000001u
#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_SUSPEND 0xc4000001u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON 0xc4000003u
#define PSCI_AFFINITY_INFO 0xc4000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000au
#define SMCCC_TRNG_VERSION 0x84000050u
#define SMCCC_VENDOR_HYP_UID 0x8600ff01u

#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED ((uint64_t)-1)
#define PSCI_INVALID_PARAMETERS ((uint64_t)-2)
#define PSCI_DENIED ((uint64_t)-3)
#define PSCI_ALREADY_ON ((uint64_t)-4)
#define PSCI_ON_PENDING ((uint64_t)-5)
#define PSCI_INVALID_ADDRESS ((uint64_t)-9)

/* Functions offered (PSCI_FEATURES says SUCCESS for these). */
static bool offered(uint32_t fid)
{
	switch (fid) {
	case SMCCC_VERSION:
	case PSCI_VERSION:
	case PSCI_CPU_OFF:
	case PSCI_CPU_ON:
	case PSCI_AFFINITY_INFO:
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
	case PSCI_FEATURES:
		return true;
	}
	return false;
}

/* Known, answered NOT_SUPPORTED without a log line: Linux asks for them at
 * every boot. */
static bool known_absent(uint32_t fid)
{
	return fid == SMCCC_ARCH_FEATURES || fid == SMCCC_TRNG_VERSION || fid == PSCI_CPU_SUSPEND ||
	       fid == PSCI_MIGRATE_INFO_TYPE || fid == SMCCC_VENDOR_HYP_UID;
}

static struct vcpu *vcpu_by_mpidr(struct partition *p, uint64_t mpidr)
{
	if ((mpidr & ~0xffULL & ~BIT(31)) || (mpidr & 0xff) >= p->nvcpus)
		return NULL;
	return &p->vcpu[mpidr & 0xff];
}

static bool in_partition_ram(const struct partition *p, ipa_t a)
{
	for (unsigned i = 0; i < p->cfg->nmem; i++)
		if (a >= p->cfg->mem[i].base && a - p->cfg->mem[i].base < p->cfg->mem[i].size)
			return true;
	return false;
}

static uint64_t cpu_on(struct vcpu *v, uint64_t mpidr, ipa_t entry, uint64_t ctx)
{
	struct partition *p = v->part;
	struct vcpu *t = vcpu_by_mpidr(p, mpidr);
	uint32_t off = VCPU_OFF;
	uint64_t r = PSCI_SUCCESS;

	if (!t) {
		partition_fault(p, FAULT_PSCI, "CPU_ON of MPIDR 0x%llx, not in the partition",
				(unsigned long long)mpidr);
		return PSCI_INVALID_PARAMETERS;
	}
	if (!in_partition_ram(p, entry) || (entry & 3)) {
		partition_fault(p, FAULT_PSCI, "CPU_ON entry 0x%llx outside the partition's RAM",
				(unsigned long long)entry);
		return PSCI_INVALID_ADDRESS;
	}
	spin_lock(&p->lock);
	if (p->state != PART_RUNNING) {
		r = PSCI_DENIED;
	} else if (!__atomic_compare_exchange_n(&t->state, &off, VCPU_PREPARING, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		r = off == VCPU_RUNNING ? PSCI_ALREADY_ON : PSCI_ON_PENDING;
	} else {
		/* Nobody can claim it while PREPARING: entry and x0 are in place
		 * before its CPU can see STARTING. */
		t->entry = entry;
		t->ctx = ctx;
		__atomic_add_fetch(&p->vcpus_on, 1, __ATOMIC_ACQ_REL);
		__atomic_store_n(&t->state, VCPU_STARTING, __ATOMIC_RELEASE);
	}
	spin_unlock(&p->lock);
	if (r == PSCI_SUCCESS)
		arch_kick_cpu(t->pcpu);
	return r;
}

void vcall_handle(struct vcpu *v, uint64_t regs[4])
{
	uint64_t fid = regs[0];
	struct vcpu *t;

	if (fid >> 32 || !(offered((uint32_t)fid) || known_absent((uint32_t)fid))) {
		partition_fault(v->part, FAULT_CALL, "function 0x%llx", (unsigned long long)fid);
		regs[0] = PSCI_NOT_SUPPORTED;
		return;
	}
	switch ((uint32_t)fid) {
	case SMCCC_VERSION: // NOLINT(bugprone-branch-clone): two versions that happen to be equal
		regs[0] = 0x10001; /* SMCCC 1.1 */
		break;
	case PSCI_VERSION:
		regs[0] = 0x10001; /* PSCI 1.1 */
		break;
	case PSCI_FEATURES:
		regs[0] = regs[1] >> 32 == 0 && offered((uint32_t)regs[1]) ? PSCI_SUCCESS
									  : PSCI_NOT_SUPPORTED;
		break;
	case PSCI_CPU_ON:
		regs[0] = cpu_on(v, regs[1], regs[2], regs[3]);
		break;
	case PSCI_AFFINITY_INFO:
		t = vcpu_by_mpidr(v->part, regs[1]);
		if (!t || regs[2] != 0) {
			regs[0] = PSCI_INVALID_PARAMETERS;
			break;
		}
		switch (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE)) {
		case VCPU_RUNNING:
			regs[0] = 0;
			break;
		case VCPU_STARTING:
		case VCPU_PREPARING:
			regs[0] = 2;
			break;
		default:
			regs[0] = 1;
		}
		break;
	case PSCI_CPU_OFF:
		vcpu_stop(v);
	case PSCI_SYSTEM_OFF:
		partition_shutdown(v, false);
	case PSCI_SYSTEM_RESET:
		partition_shutdown(v, true);
	default:
		regs[0] = PSCI_NOT_SUPPORTED;
	}
}
