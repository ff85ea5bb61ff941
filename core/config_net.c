/* /network: the static segments of the hypervisor's L2 switch
 * ([REQUIREMENTS] NET-5), each with at most one physical NIC as uplink.
 * A partition's virtio-net (vdev/virtio_net.c) is a port on one. */
#include <hv/config_schema.h>
#include <libfdt.h>
#include <string.h>

static void parse_segment(struct cfg_parser *p, int child, unsigned idx)
{
	static const char *const props[] = { "uplink", NULL };
	struct hv_config *cfg = p->cfg;
	struct segment_config *sg = &cfg->segment[idx];

	check_known(p, child, props, NULL);
	strcpy(sg->name, cfdt_get_name(p->fdt, child, NULL));
	sg->uplink = CFG_NO_UPLINK;
	if (!cfdt_getprop(p->fdt, child, "uplink", NULL))
		return;
	if (!cfg_u32(p, child, "uplink", &sg->uplink, " (the physical virtio-net number)")) {
		sg->uplink = CFG_NO_UPLINK;
		return;
	}
	if (sg->uplink >= CFG_MAX_UPLINKS) {
		perr(p, child, "uplink", "%u: at most %d physical NICs are driven", sg->uplink,
		     CFG_MAX_UPLINKS);
		sg->uplink = CFG_NO_UPLINK;
		return;
	}
	for (unsigned i = 0; i < idx; i++)
		if (cfg->segment[i].uplink == sg->uplink)
			perr(p, child, "uplink", "physical virtio-net %u is already the uplink of %s",
			     sg->uplink, cfg->segment[i].name);
}

void parse_network(struct cfg_parser *p)
{
	p->cfg->nsegments = cfg_named_children(p, "network", "segment", CFG_MAX_SEGMENTS, false,
					       parse_segment);
}

int cfg_segment(const struct hv_config *cfg, const char *name)
{
	for (unsigned i = 0; i < cfg->nsegments; i++)
		if (strcmp(cfg->segment[i].name, name) == 0)
			return (int)i;
	return -1;
}
