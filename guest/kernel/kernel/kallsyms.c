/*
 * kallsyms.c - address -> function name, from the table the build links
 * into .kallsyms (tools/kallsyms.sh): sorted addresses, parallel names.
 */
#include "../include/kernel.h"

extern const u64 kallsyms_num;
extern const u64 kallsyms_addresses[];
extern const char *const kallsyms_names[];

const char *kallsyms_lookup(u64 addr, u64 *offset)
{
	u64 lo = 0, hi = kallsyms_num;
	*offset = 0;
	if (!hi || addr < kallsyms_addresses[0] || addr >= (u64)_einittext)
		return NULL;
	while (hi - lo > 1) {		/* last symbol <= addr */
		u64 mid = (lo + hi) / 2;
		if (kallsyms_addresses[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - kallsyms_addresses[lo];
	return kallsyms_names[lo];
}
