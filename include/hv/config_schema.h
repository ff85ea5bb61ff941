/* The partition-file parser's toolkit, shared by the parts of core/config*
 * and by the device types (vdev/), which decode their own nodes. Every
 * helper reports a problem as "<node path>: <property>: <what>" and leaves
 * the output untouched; nothing here trusts the blob. */
#ifndef HV_CONFIG_SCHEMA_H
#define HV_CONFIG_SCHEMA_H

#include <hv/cfdt.h>
#include <hv/config.h>

struct cfg_parser {
	const void *fdt;
	const struct platform_desc *plat;
	struct cfg_errors *errs;
	struct hv_config *cfg;
	blob_size_fn blob_size;
	void *blob_ctx;
	bool board_checked, board_bad; /* plat->board: checked (cfg_board()), not a valid tree */
	int part_node[CONFIG_MAX_PARTITIONS];
	char part_path_[CONFIG_MAX_PARTITIONS][CFG_PATH_MAX]; /* part_path()'s: "" until asked for */
};

/* Partition q's node path, for messages: found the first time it is asked
 * for (libfdt walks the tree from its root to find a path). */
const char *part_path(struct cfg_parser *p, unsigned q);

/* The board's device tree once checked, or NULL (absent or invalid). */
const void *cfg_board(struct cfg_parser *p);
void perr(struct cfg_parser *p, int node, const char *prop, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Allowed, but it costs isolation: the same form, kept apart. */
void pwarn(struct cfg_parser *p, int node, const char *prop, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The node's path; when it does not fit, ".../" and the node's name. */
void node_path(const void *fdt, int node, char path[CFG_PATH_MAX]);

/* Every property and subnode must be one the schema knows. A list entry
 * ending in '*' matches every name it begins. nodes == NULL allows no
 * subnode; CFG_ANY_NODE leaves subnodes to the caller. */
extern const char *const CFG_ANY_NODE[];
void check_known(struct cfg_parser *p, int node, const char *const props[],
		 const char *const nodes[]);
bool name_is(const char *name, const char *const list[]);

/* A string property: present, NUL-terminated, one string, within max. */
const char *get_string(struct cfg_parser *p, int node, const char *prop, size_t max,
		       bool required);
/* A boolean property: present and empty. */
bool cfg_flag(struct cfg_parser *p, int node, const char *prop);
/* A property of exactly one cell; false (and *v untouched) when absent or
 * malformed (reported, with what it should be). */
bool cfg_u32(struct cfg_parser *p, int node, const char *prop, uint32_t *v, const char *what);
/* One of the strings in choices (NULL-terminated); its index, or -1 when
 * absent (dflt returned) or not one of them (reported). */
int cfg_choice(struct cfg_parser *p, int node, const char *prop, const char *const choices[],
	       int dflt);
uint64_t be_cells(const void *cells, int n);
/* A guest image named by a property; sets *b and its size. */
void parse_blob(struct cfg_parser *p, int node, const char *prop, struct blob_ref *b,
		bool required);
/* A node's name as the name of a partition, backend or segment: at most
 * CFG_NAME_MAX - 1 characters, no unit address. */
bool take_name(struct cfg_parser *p, int node, const char *what, char out[CFG_NAME_MAX]);

/* A top-level node that may appear once (/hypervisor, /display): its
 * offset, or -1 when absent; a second one is reported. */
int cfg_root_node(struct cfg_parser *p, const char *name);

/* The named children of a root node (partitions, /storage, /network):
 * the root node itself at most once and without a unit address, each child
 * named as take_name() says, no name twice, at most max children. fn is
 * called for each good child with its index; the count is returned. A
 * missing root node: 0 (and an error when required). */
typedef void (*named_child_fn)(struct cfg_parser *p, int node, unsigned idx);
unsigned cfg_named_children(struct cfg_parser *p, const char *root, const char *what,
			    unsigned max, bool required, named_child_fn fn);

/* The parts of the parser, one file each. */
void parse_hypervisor(struct cfg_parser *p);
void parse_storage(struct cfg_parser *p);
void parse_network(struct cfg_parser *p);
void parse_sensors(struct cfg_parser *p);
void parse_display(struct cfg_parser *p);
/* After the partitions: no sensor register in a partition's memory or the
 * hypervisor's. */
void check_sensors(struct cfg_parser *p);
void parse_partitions(struct cfg_parser *p);
/* A partition's passthrough node (core/config_passthrough.c), and its
 * windows and SPIs in the guest's map (before the virtio-mmio slots). */
void parse_passthrough(struct cfg_parser *p, int node, unsigned idx, struct part_config *pc);
void layout_passthrough(struct cfg_parser *p, struct part_config *pc);
/* A partition's pci node (core/config_pci.c), and the virtual host
 * bridge's windows and INTx lines in the guest's map (node: the pci node,
 * for messages). */
void parse_pci(struct cfg_parser *p, int node, unsigned idx, struct part_config *pc);
void layout_pci(struct cfg_parser *p, struct part_config *pc, int node);
/* A partition's guest device tree built as boot builds it, and refused if
 * it does not fit (once the whole file parsed without an error). */
void finish_partition(struct cfg_parser *p, unsigned idx);
/* A string property naming a child of a root node (a disk's backend, a
 * port's segment): its index by find(), or -1 (missing or unknown,
 * reported). */
int cfg_ref(struct cfg_parser *p, int node, const char *prop, const char *root,
	    int (*find)(const struct hv_config *cfg, const char *name));
/* Backend / segment index by name, or -1. */
void check_ram_images(struct cfg_parser *p);
int cfg_backend(const struct hv_config *cfg, const char *name);
int cfg_segment(const struct hv_config *cfg, const char *name);
int cfg_sensor(const struct hv_config *cfg, const char *name);

#endif
