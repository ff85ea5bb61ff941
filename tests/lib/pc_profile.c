/* A QEMU TCG plugin that counts how often each instruction of an address
 * range runs (the hypervisor's text, say), on every CPU: where a path's
 * instructions go, at full speed, over a whole Linux run
 * (docs/performance.md; tools/pc_profile.py turns the counts into
 * instructions per function).
 *
 *   -plugin pc_profile.so,lo=HEX,hi=HEX,out=PATH[,trigger=HEX,every=N]
 *
 * At exit PATH gets one "pc count" line (hex, decimal) per instruction of
 * [lo, hi) that ran. With trigger and every, PATH.snap also gets the
 * counts so far each time the instruction at trigger has run another N
 * times (a "## total" line, then "pc count" lines), and the instructions
 * run outside the range so far as the pc 1: a snapshot every N requests
 * of a device, with trigger an instruction of its completion. Built by
 * `make plugin` like vcpu_paths.c. */
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static uint64_t lo, hi, trigger, every, triggered, outside;
static const char *out_path;
static FILE *snap;
static GHashTable *counts; /* pc -> uint64_t * */

static void write_count(gpointer pc, gpointer n, gpointer f)
{
	if (*(uint64_t *)n)
		fprintf(f, "%" PRIx64 " %" PRIu64 "\n", (uint64_t)(uintptr_t)pc, *(uint64_t *)n);
}

static void on_trigger(unsigned int vcpu, void *udata)
{
	(void)vcpu;
	(void)udata;
	if (++triggered % every)
		return;
	fprintf(snap, "## %" PRIu64 "\n1 %" PRIu64 "\n", triggered, outside);
	g_hash_table_foreach(counts, write_count, snap);
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);
	(void)id;

	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		uint64_t pc = qemu_plugin_insn_vaddr(insn);
		uint64_t *c;

		if (pc < lo || pc >= hi) {
			qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
								   &outside, 1);
			continue;
		}
		c = g_hash_table_lookup(counts, (gpointer)(uintptr_t)pc);
		if (!c) { /* translated again (a flush): the same counter */
			c = g_new0(uint64_t, 1);
			g_hash_table_insert(counts, (gpointer)(uintptr_t)pc, c);
		}
		qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, c, 1);
		if (snap && pc == trigger)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_trigger, QEMU_PLUGIN_CB_NO_REGS,
							       NULL);
	}
}

static void report(qemu_plugin_id_t id, void *p)
{
	FILE *f = fopen(out_path, "w");
	(void)id;
	(void)p;
	if (f) {
		g_hash_table_foreach(counts, write_count, f);
		fclose(f);
	}
	if (snap)
		fclose(snap);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
					   char **argv)
{
	(void)info;
	for (int i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "lo=", 3))
			lo = strtoull(argv[i] + 3, NULL, 16);
		else if (!strncmp(argv[i], "hi=", 3))
			hi = strtoull(argv[i] + 3, NULL, 16);
		else if (!strncmp(argv[i], "trigger=", 8))
			trigger = strtoull(argv[i] + 8, NULL, 16);
		else if (!strncmp(argv[i], "every=", 6))
			every = strtoull(argv[i] + 6, NULL, 10);
		else if (!strncmp(argv[i], "out=", 4))
			out_path = argv[i] + 4;
	}
	if (!out_path || lo >= hi) {
		fprintf(stderr, "pc_profile: lo=HEX hi=HEX out=PATH are required\n");
		return -1;
	}
	if (every) {
		char *name = g_strdup_printf("%s.snap", out_path);
		snap = fopen(name, "w");
		g_free(name);
		if (!snap)
			return -1;
	}
	counts = g_hash_table_new(g_direct_hash, g_direct_equal);
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, report, NULL);
	return 0;
}
