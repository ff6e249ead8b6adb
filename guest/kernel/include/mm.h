/* mm.h - physical memory (memblock, buddy pages, slab) and page tables. */
#ifndef MM_H
#define MM_H
#include "kernel.h"
#include "list.h"

/* --- memblock: the boot-time allocator (mm/memblock.c) --- */
struct memblock_region { u64 base, size; };
struct memblock_type { int cnt; const char *name; struct memblock_region regions[64]; };
struct memblock { u64 current_limit; struct memblock_type memory, reserved; };
extern struct memblock memblock;
void memblock_add(u64 base, u64 size);
void memblock_reserve(u64 base, u64 size);
u64 memblock_phys_alloc(u64 size, u64 align);	/* panics on failure */
void *memblock_alloc(u64 size, u64 align);	/* zeroed, direct-mapped */
void memblock_dump_all(void);
u64 memblock_end_of_DRAM(void);
u64 memblock_free_all(void);			/* hand free memory to the buddy allocator */

/* --- the page allocator (mm/page_alloc.c) --- */
#define MAX_ORDER 11
struct kmem_cache;
struct page {
	u32 flags;
	s32 order;		/* of a free block (head page) or a compound allocation */
	s32 refcount;
	struct list_head lru;	/* buddy free list, or the slab's list in its cache */
	struct kmem_cache *slab_cache;
	void *freelist;		/* slab: first free object */
	u32 inuse;		/* slab: objects handed out */
};
#define PG_reserved 0x1
#define PG_buddy    0x2	/* head of a free block on a buddy list */
#define PG_slab     0x4
#define PG_large    0x8	/* kmalloc > one page, order in ->order */
extern struct page *mem_map;
extern u64 max_pfn;
extern u64 totalram_pages;
#define pfn_to_page(pfn) (&mem_map[(pfn)])
#define page_to_pfn(p) ((u64)((p) - mem_map))
#define page_address(p) __va(page_to_pfn(p) << PAGE_SHIFT)
#define virt_to_page(va) pfn_to_page(__pa(va) >> PAGE_SHIFT)
struct page *alloc_pages(int order);
void __free_pages(struct page *page, int order);
void *__get_free_pages(int order);	/* zeroed */
void *get_zeroed_page(void);
void free_pages(void *addr, int order);
void free_page(void *addr);
u64 nr_free_pages(void);
void free_reserved_area(void *start, void *end, const char *what);
void build_all_zonelists(void);
void show_free_areas(char *buf, size_t size);

/* --- slab (mm/slab.c) --- */
struct kmem_cache {
	const char *name;
	u32 size, align, objs_per_slab;
	u64 active_objs, total_objs;
	struct list_head partial, full;
	struct list_head list;
	void (*ctor)(void *);
};
struct kmem_cache *kmem_cache_create(const char *name, u32 size, u32 align, void (*ctor)(void *));
void *kmem_cache_alloc(struct kmem_cache *c);	/* zeroed unless ctor */
void kmem_cache_free(struct kmem_cache *c, void *obj);
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(const void *p);
char *kstrdup(const char *s);
void kmem_cache_init(void);
int slabinfo_show(char *buf, size_t size);

/* --- page tables (arch/x86/mm/init_64.c, mm/memory.c) --- */
#define _PAGE_PRESENT 0x001
#define _PAGE_RW      0x002
#define _PAGE_USER    0x004
#define _PAGE_PWT     0x008
#define _PAGE_PCD     0x010
#define _PAGE_ACCESSED 0x020
#define _PAGE_DIRTY   0x040
#define _PAGE_PSE     0x080
#define _PAGE_GLOBAL  0x100
#define _PAGE_NX      (1UL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000UL
#define PAGE_KERNEL      (_PAGE_PRESENT | _PAGE_RW | _PAGE_NX | _PAGE_GLOBAL)
#define PAGE_KERNEL_EXEC (_PAGE_PRESENT | _PAGE_RW | _PAGE_GLOBAL)
#define PAGE_KERNEL_RO   (_PAGE_PRESENT | _PAGE_NX | _PAGE_GLOBAL)
#define PAGE_KERNEL_RX   (_PAGE_PRESENT | _PAGE_GLOBAL)
#define PAGE_KERNEL_NOCACHE (PAGE_KERNEL | _PAGE_PCD | _PAGE_PWT)

typedef u64 pte_t;
extern pte_t *init_pgd;		/* init_mm's top-level table (PML4) */
pte_t *lookup_pte(pte_t *pgd, u64 va, bool create);	/* 4 KiB leaf, or NULL */
void set_pte_at(pte_t *pgd, u64 va, u64 pa, u64 flags);
void paging_init(void);
void *ioremap(u64 phys, u64 size);
void mem_init(void);
void free_initmem(void);
void mark_rodata_ro(void);

/* --- address spaces of user processes (mm/mmap.c) --- */
struct vm_area_struct {
	u64 vm_start, vm_end;	/* [start, end), page aligned */
	u64 vm_flags;
	struct vm_area_struct *vm_next;
};
#define VM_READ  1
#define VM_WRITE 2
#define VM_EXEC  4
#define VM_STACK 8
#define VM_BRK   16
struct mm_struct {
	pte_t *pgd;
	struct vm_area_struct *mmap;	/* sorted by address */
	u64 start_brk, brk;
	u64 mmap_base;			/* next anonymous mmap goes here */
	u64 start_stack;
	int users;
};
struct mm_struct *mm_alloc(void);
int mm_map_anon(struct mm_struct *mm, u64 start, u64 len, u64 vm_flags);
struct mm_struct *dup_mm(struct mm_struct *old);
void mmput(struct mm_struct *mm);
void switch_mm(struct mm_struct *mm);
int copy_to_user(void *dst, const void *src, size_t n);
int copy_from_user(void *dst, const void *src, size_t n);
long strncpy_from_user(char *dst, const char *src, long n);
extern struct kmem_cache *mm_cachep, *vm_area_cachep;
#endif
