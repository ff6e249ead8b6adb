/*
 * slab.c - object caches on top of the page allocator.
 *
 * A cache hands out objects of one size.  It owns slabs: blocks of 1-4
 * pages cut into objects, with the free ones chained through their first
 * word.  Slabs with free objects sit on ->partial, full ones on ->full.
 * The owning cache of any object is found through its page's slab_cache
 * (a slab is naturally aligned, so its first page is found by rounding
 * down).  kmalloc() is a set of caches of sizes 16..4096 bytes; larger
 * requests take whole pages.
 */
#include "../include/kernel.h"
#include "../include/asm.h"
#include "../include/init.h"
#include "../include/mm.h"

static struct kmem_cache kmem_cache_boot = { .name = "kmem_cache", .size = sizeof(struct kmem_cache), .align = 8 };
static LIST_HEAD(slab_caches);
static struct kmem_cache *kmalloc_caches[10];	/* 16 << i bytes */
static const char *const kmalloc_names[10] = {
	"kmalloc-16", "kmalloc-32", "kmalloc-64", "kmalloc-128", "kmalloc-256",
	"kmalloc-512", "kmalloc-1k", "kmalloc-2k", "kmalloc-4k", "kmalloc-8k",
};

static int slab_order(u32 size) { return size <= 512 ? 0 : size <= 1024 ? 1 : 2; }

static void cache_setup(struct kmem_cache *c, const char *name, u32 size, u32 align, void (*ctor)(void *))
{
	c->name = name;
	c->align = align < 8 ? 8 : align;
	c->size = ALIGN_UP(size < 8 ? 8 : size, c->align);
	c->objs_per_slab = (PAGE_SIZE << slab_order(c->size)) / c->size;
	c->ctor = ctor;
	INIT_LIST_HEAD(&c->partial);
	INIT_LIST_HEAD(&c->full);
	list_add_tail(&c->list, &slab_caches);
}

struct kmem_cache *kmem_cache_create(const char *name, u32 size, u32 align, void (*ctor)(void *))
{
	struct kmem_cache *c = kmem_cache_alloc(&kmem_cache_boot);
	if (!c)
		panic("kmem_cache_create: no memory for cache %s", name);
	cache_setup(c, name, size, align, ctor);
	return c;
}

static struct page *new_slab(struct kmem_cache *c)
{
	int order = slab_order(c->size);
	struct page *page = alloc_pages(order);
	char *base;
	if (!page)
		return NULL;
	base = page_address(page);
	for (int i = 0; i < (1 << order); i++) {
		page[i].flags |= PG_slab;
		page[i].slab_cache = c;
	}
	page->freelist = NULL;
	for (int i = c->objs_per_slab - 1; i >= 0; i--) {	/* chain objects, lowest first */
		void **obj = (void **)(base + i * c->size);
		*obj = page->freelist;
		page->freelist = obj;
	}
	page->inuse = 0;
	c->total_objs += c->objs_per_slab;
	list_add(&page->lru, &c->partial);
	return page;
}

void *kmem_cache_alloc(struct kmem_cache *c)
{
	u64 flags = local_irq_save();
	struct page *page;
	void **obj;

	if (list_empty(&c->partial) && !new_slab(c)) {
		local_irq_restore(flags);
		return NULL;
	}
	page = list_first_entry(&c->partial, struct page, lru);
	obj = page->freelist;
	page->freelist = *obj;
	page->inuse++;
	c->active_objs++;
	if (!page->freelist) {
		list_del(&page->lru);
		list_add(&page->lru, &c->full);
	}
	local_irq_restore(flags);
	if (c->ctor)
		c->ctor(obj);
	else
		memset(obj, 0, c->size);
	return obj;
}

static struct page *slab_head(struct kmem_cache *c, const void *obj)
{
	return virt_to_page(ALIGN_DOWN((u64)obj, PAGE_SIZE << slab_order(c->size)));
}

void kmem_cache_free(struct kmem_cache *c, void *obj)
{
	u64 flags = local_irq_save();
	struct page *page = slab_head(c, obj);
	BUG_ON(!(page->flags & PG_slab) || page->slab_cache != c);
	if (!page->freelist) {		/* was full: back to partial */
		list_del(&page->lru);
		list_add(&page->lru, &c->partial);
	}
	*(void **)obj = page->freelist;
	page->freelist = obj;
	page->inuse--;
	c->active_objs--;
	local_irq_restore(flags);
}

void *kmalloc(size_t size)
{
	for (int i = 0; i < 9; i++)
		if (size <= (16UL << i))
			return kmem_cache_alloc(kmalloc_caches[i]);
	int order = 0;
	while ((PAGE_SIZE << order) < size)
		order++;
	struct page *p = alloc_pages(order);
	if (!p)
		return NULL;
	p->flags |= PG_large;
	p->order = order;
	return page_address(p);
}
void *kzalloc(size_t size) { void *p = kmalloc(size); if (p) memset(p, 0, size); return p; }

void kfree(const void *p)
{
	struct page *page;
	if (!p)
		return;
	page = virt_to_page(p);
	if (page->flags & PG_large) {
		page->flags &= ~PG_large;
		__free_pages(page, page->order);
		return;
	}
	kmem_cache_free(page->slab_cache, (void *)p);
}

char *kstrdup(const char *s)
{
	char *d = kmalloc(strlen(s) + 1);
	if (d)
		strcpy(d, s);
	return d;
}

void __init kmem_cache_init(void)
{
	cache_setup(&kmem_cache_boot, "kmem_cache", sizeof(struct kmem_cache), 8, NULL);
	for (int i = 0; i < 9; i++)
		kmalloc_caches[i] = kmem_cache_create(kmalloc_names[i], 16U << i, 16U << i > 64 ? 64 : 16U << i, NULL);
	pr_info("kmem_cache_init: slab allocator up: kmem_cache + %d kmalloc caches (16 B - 4 KiB), larger from the buddy allocator\n", 9);
}

int slabinfo_show(char *buf, size_t size)
{
	size_t n = snprintf(buf, size, "# name            <active_objs> <num_objs> <objsize> <objperslab>\n");
	struct list_head *l;
	list_for_each(l, &slab_caches) {
		struct kmem_cache *c = list_entry(l, struct kmem_cache, list);
		n += snprintf(buf + n, size - n, "%-18s %6lu %6lu %6u %4u\n", c->name, c->active_objs, c->total_objs, c->size, c->objs_per_slab);
	}
	return (int)n;
}
