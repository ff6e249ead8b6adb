/*
 * page_alloc.c - the buddy allocator.
 *
 * Free memory is kept in blocks of 2^order pages, naturally aligned, on
 * free_area[order].  Allocating splits a larger block in halves ("buddies")
 * until the size fits; freeing merges a block with its buddy (the block
 * whose pfn differs only in bit `order`) for as long as the buddy is free
 * too.  struct page (mem_map, one per page frame) records the state.
 */
#include "../include/kernel.h"
#include "../include/asm.h"
#include "../include/init.h"
#include "../include/mm.h"

struct free_area { struct list_head free_list; u64 nr_free; };
static struct free_area free_area[MAX_ORDER];
struct page *mem_map;
u64 max_pfn;
u64 totalram_pages;

void __init build_all_zonelists(void)
{
	/* One node, one zone: the "zonelist" is just the free lists. */
	for (int o = 0; o < MAX_ORDER; o++)
		INIT_LIST_HEAD(&free_area[o].free_list);
	mem_map = memblock_alloc(max_pfn * sizeof(struct page), PAGE_SIZE);
	for (u64 pfn = 0; pfn < max_pfn; pfn++) {
		mem_map[pfn].flags = PG_reserved;
		INIT_LIST_HEAD(&mem_map[pfn].lru);
	}
	pr_info("Built 1 zonelists, mobility grouping off.  Total pages: %lu (mem_map %lu KiB)\n",
		max_pfn, (max_pfn * sizeof(struct page)) >> 10);
}

struct page *alloc_pages(int order)
{
	u64 flags = local_irq_save();
	for (int o = order; o < MAX_ORDER; o++) {
		struct page *page;
		if (list_empty(&free_area[o].free_list))
			continue;
		page = list_first_entry(&free_area[o].free_list, struct page, lru);
		list_del(&page->lru);
		free_area[o].nr_free--;
		page->flags &= ~PG_buddy;
		while (o > order) {		/* give back the upper halves */
			o--;
			struct page *buddy = page + (1UL << o);
			buddy->order = o;
			buddy->flags |= PG_buddy;
			list_add(&buddy->lru, &free_area[o].free_list);
			free_area[o].nr_free++;
		}
		page->order = order;
		page->refcount = 1;
		local_irq_restore(flags);
		return page;
	}
	local_irq_restore(flags);
	return NULL;
}

void __free_pages(struct page *page, int order)
{
	u64 flags = local_irq_save();
	u64 pfn = page_to_pfn(page);

	BUG_ON(page->flags & (PG_buddy | PG_reserved));
	page->flags = 0;
	while (order < MAX_ORDER - 1) {
		u64 buddy_pfn = pfn ^ (1UL << order);
		struct page *buddy = pfn_to_page(buddy_pfn);
		if (buddy_pfn >= max_pfn || !(buddy->flags & PG_buddy) || buddy->order != order)
			break;
		list_del(&buddy->lru);
		buddy->flags &= ~PG_buddy;
		free_area[order].nr_free--;
		pfn &= ~(1UL << order);
		order++;
	}
	page = pfn_to_page(pfn);
	page->order = order;
	page->flags |= PG_buddy;
	list_add(&page->lru, &free_area[order].free_list);
	free_area[order].nr_free++;
	local_irq_restore(flags);
}

void *__get_free_pages(int order)
{
	struct page *p = alloc_pages(order);
	if (!p)
		return NULL;
	memset(page_address(p), 0, PAGE_SIZE << order);
	return page_address(p);
}
void *get_zeroed_page(void) { return __get_free_pages(0); }
void free_pages(void *addr, int order) { __free_pages(virt_to_page(addr), order); }
void free_page(void *addr) { free_pages(addr, 0); }

u64 nr_free_pages(void)
{
	u64 n = 0;
	for (int o = 0; o < MAX_ORDER; o++)
		n += free_area[o].nr_free << o;
	return n;
}

/* Hand a range that was reserved (the kernel's .init) to the allocator. */
void free_reserved_area(void *start, void *end, const char *what)
{
	u64 n = 0;
	for (u64 va = (u64)start; va < (u64)end; va += PAGE_SIZE, n++) {
		virt_to_page(va)->flags &= ~PG_reserved;
		__free_pages(virt_to_page(va), 0);
	}
	totalram_pages += n;
	pr_info("Freeing %s memory: %luK\n", what, n << (PAGE_SHIFT - 10));
}

void show_free_areas(char *buf, size_t size)
{
	size_t n = 0;
	for (int o = 0; o < MAX_ORDER; o++)
		n += snprintf(buf + n, size - n, "%lu*%luk ", free_area[o].nr_free, 4UL << o);
}

void mm_after_bootmem(void);

/* The end of memblock: every free page goes to the buddy allocator. */
void __init mem_init(void)
{
	u64 code = _etext - _text, rodata = __end_rodata - __start_rodata, rw = _edata - _sdata;
	u64 init = __init_end - __init_begin, bss = __bss_stop - __bss_start;

	totalram_pages = memblock_free_all();
	mm_after_bootmem();
	pr_info("Memory: %luK/%luK available (%luK kernel code, %luK rwdata, %luK rodata, %luK init, %luK bss, %luK reserved)\n",
		nr_free_pages() << 2, max_pfn << 2, code >> 10, rw >> 10, rodata >> 10, init >> 10, bss >> 10,
		(max_pfn - totalram_pages) << 2);
}
