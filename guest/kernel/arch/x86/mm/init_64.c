/*
 * init_64.c - the kernel's page tables.
 *
 * paging_init() replaces head_64.S's early tables (one GiB mapped three
 * times with 2 MiB pages) by init_mm's:
 *   - the direct map: all RAM at PAGE_OFFSET, 2 MiB pages, no-execute;
 *   - the kernel image at __START_KERNEL_map with 4 KiB pages, so that
 *     text can be read-only+executable, data no-execute, and .init freed
 *     page by page later;
 *   - nothing at all in the lower half: user space, and page 0 in
 *     particular, is unmapped, so a kernel NULL dereference faults.
 */
#include "../../../include/kernel.h"
#include "../../../include/asm.h"
#include "../../../include/init.h"
#include "../../../include/mm.h"

pte_t *init_pgd;
static bool after_bootmem;	/* page tables come from the buddy allocator once it exists */

static pte_t *alloc_table(void)
{
	return after_bootmem ? get_zeroed_page() : memblock_alloc(PAGE_SIZE, PAGE_SIZE);
}

#define IDX(va, level) (((va) >> (12 + 9 * (level))) & 511)	/* level 3 = PML4 ... 0 = PT */

/* Walk to the table at `level` for va, allocating missing levels if asked. */
static pte_t *walk(pte_t *pgd, u64 va, int level, bool create)
{
	pte_t *table = pgd;
	u64 user = va < 0x800000000000UL ? _PAGE_USER : 0;
	for (int l = 3; l > level; l--) {
		pte_t *e = &table[IDX(va, l)];
		if (!(*e & _PAGE_PRESENT)) {
			if (!create)
				return NULL;
			*e = __pa(alloc_table()) | _PAGE_PRESENT | _PAGE_RW | user;
		} else if (*e & _PAGE_PSE)
			return NULL;	/* a large page covers it */
		table = __va(*e & PTE_ADDR_MASK);
	}
	return table;
}

pte_t *lookup_pte(pte_t *pgd, u64 va, bool create)
{
	pte_t *pt = walk(pgd, va, 0, create);
	return pt ? &pt[IDX(va, 0)] : NULL;
}

void set_pte_at(pte_t *pgd, u64 va, u64 pa, u64 flags)
{
	pte_t *pte = lookup_pte(pgd, va, true);
	BUG_ON(!pte);
	*pte = (pa & PTE_ADDR_MASK) | flags;
}

static void __init map_2m(u64 va, u64 pa, u64 flags)
{
	pte_t *pd = walk(init_pgd, va, 1, true);
	pd[IDX(va, 1)] = pa | flags | _PAGE_PSE;
}

/* Map device registers uncached into the direct-map range (above RAM). */
void *ioremap(u64 phys, u64 size)
{
	for (u64 off = 0; off < size; off += PAGE_SIZE) {
		pte_t *pte = lookup_pte(init_pgd, (u64)__va(phys + off), true);
		if (!pte)
			panic("ioremap: %lx is inside a large page of RAM", phys);
		*pte = ((phys + off) & PTE_ADDR_MASK) | PAGE_KERNEL_NOCACHE;
		invlpg((u64)__va(phys + off));
	}
	return __va(phys);
}

void __init paging_init(void)
{
	u64 ram_end = ALIGN_UP(max_pfn << PAGE_SHIFT, 1UL << 21);
	u64 text = (u64)_text, etext = ALIGN_UP((u64)_etext, PAGE_SIZE);

	init_pgd = memblock_alloc(PAGE_SIZE, PAGE_SIZE);

	for (u64 pa = 0; pa < ram_end; pa += 1UL << 21)
		map_2m((u64)__va(pa), pa, PAGE_KERNEL);

	for (u64 va = text; va < (u64)_end; va += PAGE_SIZE) {
		u64 flags = va < etext ? PAGE_KERNEL_RX : PAGE_KERNEL;	/* rodata: RW until mark_rodata_ro */
		if (va >= (u64)__init_begin && va < (u64)__init_end)
			flags = PAGE_KERNEL_EXEC;			/* .init.text runs from here */
		set_pte_at(init_pgd, va, __pa_symbol(va), flags);
	}

	write_cr3(__pa(init_pgd));
	pr_info("paging_init: direct map of %lu MiB at %lx (2 MiB pages), kernel at %lx (4 KiB pages), page 0 unmapped\n",
		ram_end >> 20, PAGE_OFFSET, text);
}

static void set_range_flags(u64 start, u64 end, u64 flags, bool unmap)
{
	for (u64 va = start; va < end; va += PAGE_SIZE) {
		pte_t *pte = lookup_pte(init_pgd, va, false);
		if (!pte)
			continue;
		*pte = unmap ? 0 : ((*pte & PTE_ADDR_MASK) | flags);
		invlpg(va);
	}
}

/*
 * Called once kernel_init no longer needs any __init code or data:
 * unmap [__init_begin, __init_end) from the kernel image mapping (a late
 * call into it now faults loudly instead of running freed memory) and give
 * the pages to the page allocator.
 */
void free_initmem(void)
{
	u64 start = (u64)__init_begin, end = (u64)__init_end;
	set_range_flags(start, end, 0, true);
	free_reserved_area(__va(__pa_symbol(start)), __va(__pa_symbol(end)), "unused kernel");
}

void mark_rodata_ro(void)
{
	set_range_flags((u64)__start_rodata, (u64)__end_rodata, PAGE_KERNEL_RO, false);
	pr_info("Write protecting the kernel read-only data: %luk\n",
		((u64)__end_rodata - (u64)__start_rodata) >> 10);
}

void mm_after_bootmem(void) { after_bootmem = true; }
