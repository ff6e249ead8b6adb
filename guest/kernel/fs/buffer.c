/*
 * buffer.c - buffer_init: the buffer_head cache for block I/O and the
 * limit on how many buffer heads may exist (10% of RAM's worth, as Linux
 * sizes it).  This kernel has no block devices, so nothing allocates from
 * the cache yet: the rootfs lives in RAM.  Said loudly at boot.
 */
#include "../include/kernel.h"
#include "../include/init.h"
#include "../include/mm.h"

struct buffer_head { u64 b_blocknr; u32 b_size; char *b_data; struct page *b_page; void *b_bdev; };
struct kmem_cache *bh_cachep;
u64 max_buffer_heads;

void __init buffer_init(void)
{
	bh_cachep = kmem_cache_create("buffer_head", sizeof(struct buffer_head), 8, NULL);
	max_buffer_heads = (totalram_pages / 10) * (PAGE_SIZE / sizeof(struct buffer_head));
	pr_info("buffer_init: buffer_head cache created, max_buffer_heads = %lu (no block devices: NOT USED by this kernel)\n",
		max_buffer_heads);
}
