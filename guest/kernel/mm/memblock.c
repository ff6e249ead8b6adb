/*
 * memblock.c - the boot-time memory allocator: two lists of physical
 * ranges, "memory" (RAM, from E820) and "reserved" (in use).  An allocation
 * is a search, from the top down, for a hole in reserved inside memory; it
 * is recorded by adding to reserved.  mem_init() later hands every page not
 * reserved to the buddy allocator and memblock retires.
 */
#include "../include/kernel.h"
#include "../include/init.h"
#include "../include/mm.h"

struct memblock memblock = {
	.current_limit = 1UL << 30,
	.memory = { .name = "memory" },
	.reserved = { .name = "reserved" },
};

static void add_region(struct memblock_type *t, u64 base, u64 size)
{
	if (t->cnt == ARRAY_SIZE(t->regions))
		panic("memblock: too many %s regions", t->name);
	t->regions[t->cnt++] = (struct memblock_region){ base, size };
}

void __init memblock_add(u64 base, u64 size) { add_region(&memblock.memory, base, size); }
void __init memblock_reserve(u64 base, u64 size) { add_region(&memblock.reserved, base, size); }

static struct memblock_region *overlaps_reserved(u64 base, u64 size)
{
	for (int i = 0; i < memblock.reserved.cnt; i++) {
		struct memblock_region *r = &memblock.reserved.regions[i];
		if (base < r->base + r->size && r->base < base + size)
			return r;
	}
	return NULL;
}

u64 __init memblock_phys_alloc(u64 size, u64 align)
{
	for (int i = memblock.memory.cnt - 1; i >= 0; i--) {
		struct memblock_region *m = &memblock.memory.regions[i];
		u64 top = min(m->base + m->size, memblock.current_limit);
		if (top < m->base + size)
			continue;
		u64 cand = ALIGN_DOWN(top - size, align);
		while (cand >= m->base) {
			struct memblock_region *r = overlaps_reserved(cand, size);
			if (!r) {
				memblock_reserve(cand, size);
				return cand;
			}
			if (r->base < m->base + size)
				break;
			cand = ALIGN_DOWN(r->base - size, align);
		}
	}
	panic("memblock_phys_alloc: out of memory for %lu bytes", size);
}

void *__init memblock_alloc(u64 size, u64 align)
{
	void *p = __va(memblock_phys_alloc(size, align));
	memset(p, 0, size);
	return p;
}

u64 memblock_end_of_DRAM(void)
{
	u64 end = 0;
	for (int i = 0; i < memblock.memory.cnt; i++)
		end = max(end, memblock.memory.regions[i].base + memblock.memory.regions[i].size);
	return end;
}

void __init memblock_dump_all(void)
{
	struct memblock_type *types[] = { &memblock.memory, &memblock.reserved };
	for (int t = 0; t < 2; t++) {
		pr_info(" %s.cnt  = 0x%x\n", types[t]->name, types[t]->cnt);
		for (int i = 0; i < types[t]->cnt; i++)
			pr_info(" %s[0x%x]\t[0x%016lx-0x%016lx], 0x%lx bytes\n", types[t]->name, i,
				types[t]->regions[i].base, types[t]->regions[i].base + types[t]->regions[i].size - 1,
				types[t]->regions[i].size);
	}
}

/* Release every page of RAM that nothing reserved.  Returns the count. */
u64 __init memblock_free_all(void)
{
	u64 freed = 0;
	for (int i = 0; i < memblock.memory.cnt; i++) {
		struct memblock_region *m = &memblock.memory.regions[i];
		for (u64 pfn = ALIGN_UP(m->base, PAGE_SIZE) >> PAGE_SHIFT;
		     pfn < (m->base + m->size) >> PAGE_SHIFT; pfn++) {
			if (overlaps_reserved(pfn << PAGE_SHIFT, PAGE_SIZE))
				continue;
			pfn_to_page(pfn)->flags &= ~PG_reserved;
			__free_pages(pfn_to_page(pfn), 0);
			freed++;
		}
	}
	return freed;
}
