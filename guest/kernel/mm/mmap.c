/*
 * mmap.c - user address spaces.
 *
 * An mm_struct is a PML4 whose upper half (entries 256-511) is shared with
 * the kernel's init_pgd, and whose lower half maps the process: its ELF
 * segments, the brk heap, anonymous mmaps and the stack, each one VMA.
 * Pages are allocated when mapped (no demand paging) and copied on fork
 * (no copy-on-write): simple, and enough for a handful of small programs.
 */
#include "../include/kernel.h"
#include "../include/asm.h"
#include "../include/sched.h"

#define USER_PGD_ENTRIES 256
#define TASK_SIZE 0x00007ffffffff000UL

struct mm_struct *mm_alloc(void)
{
	struct mm_struct *mm = kmem_cache_alloc(mm_cachep);
	if (!mm)
		return NULL;
	mm->pgd = get_zeroed_page();
	memcpy(mm->pgd + USER_PGD_ENTRIES, init_pgd + USER_PGD_ENTRIES, USER_PGD_ENTRIES * sizeof(pte_t));
	mm->users = 1;
	mm->mmap_base = 0x7f0000000000UL;
	return mm;
}

/* Map [start, start+len) with fresh zeroed pages and record the VMA. */
int mm_map_anon(struct mm_struct *mm, u64 start, u64 len, u64 vm_flags)
{
	struct vm_area_struct *vma, **pp;
	u64 end = ALIGN_UP(start + len, PAGE_SIZE);
	start = ALIGN_DOWN(start, PAGE_SIZE);
	if (end > TASK_SIZE || start < PAGE_SIZE)
		return -ENOMEM;
	for (u64 va = start; va < end; va += PAGE_SIZE) {
		pte_t *pte = lookup_pte(mm->pgd, va, true);
		if (*pte & _PAGE_PRESENT)
			continue;	/* overlapping segments share the page */
		void *page = get_zeroed_page();
		if (!page)
			return -ENOMEM;
		*pte = __pa(page) | _PAGE_PRESENT | _PAGE_USER |
		       (vm_flags & VM_WRITE ? _PAGE_RW : 0) | (vm_flags & VM_EXEC ? 0 : _PAGE_NX);
	}
	vma = kmem_cache_alloc(vm_area_cachep);
	vma->vm_start = start;
	vma->vm_end = end;
	vma->vm_flags = vm_flags;
	for (pp = &mm->mmap; *pp && (*pp)->vm_start < start; pp = &(*pp)->vm_next)
		;
	vma->vm_next = *pp;
	*pp = vma;
	return 0;
}

struct mm_struct *dup_mm(struct mm_struct *old)
{
	struct mm_struct *mm = mm_alloc();
	if (!mm)
		return NULL;
	mm->start_brk = old->start_brk;
	mm->brk = old->brk;
	mm->mmap_base = old->mmap_base;
	mm->start_stack = old->start_stack;
	for (struct vm_area_struct *v = old->mmap; v; v = v->vm_next) {
		if (mm_map_anon(mm, v->vm_start, v->vm_end - v->vm_start, v->vm_flags))
			return NULL;
		for (u64 va = v->vm_start; va < v->vm_end; va += PAGE_SIZE) {
			pte_t *src = lookup_pte(old->pgd, va, false), *dst = lookup_pte(mm->pgd, va, false);
			memcpy(__va(*dst & PTE_ADDR_MASK), __va(*src & PTE_ADDR_MASK), PAGE_SIZE);
		}
	}
	return mm;
}

/* Free the pages, then the page-table pages of the lower half, then the PML4. */
static void free_pgtables(pte_t *table, int level)
{
	for (int i = 0; i < (level == 3 ? USER_PGD_ENTRIES : 512); i++) {
		if (!(table[i] & _PAGE_PRESENT))
			continue;
		if (level > 0)
			free_pgtables(__va(table[i] & PTE_ADDR_MASK), level - 1);
		else
			free_page(__va(table[i] & PTE_ADDR_MASK));
	}
	free_page(table);
}

void mmput(struct mm_struct *mm)
{
	if (--mm->users)
		return;
	for (struct vm_area_struct *v = mm->mmap, *n; v; v = n) {
		n = v->vm_next;
		kmem_cache_free(vm_area_cachep, v);
	}
	free_pgtables(mm->pgd, 3);
	kmem_cache_free(mm_cachep, mm);
}

void switch_mm(struct mm_struct *mm)
{
	u64 cr3 = __pa(mm ? mm->pgd : init_pgd);
	if (read_cr3() != cr3)
		write_cr3(cr3);
}

/*
 * User memory is accessed directly (the user half is mapped while a process
 * runs), after checking the range lies in user space and is mapped.
 */
static bool user_range_ok(const void *p, size_t n, bool write)
{
	u64 a = (u64)p;
	if (!current->mm || a + n < a || a + n > TASK_SIZE)
		return false;
	for (u64 va = ALIGN_DOWN(a, PAGE_SIZE); va < a + n; va += PAGE_SIZE) {
		pte_t *pte = lookup_pte(current->mm->pgd, va, false);
		if (!pte || !(*pte & _PAGE_PRESENT) || (write && !(*pte & _PAGE_RW)))
			return false;
	}
	return true;
}
int copy_to_user(void *dst, const void *src, size_t n)
{
	if (!user_range_ok(dst, n, true))
		return -EFAULT;
	memcpy(dst, src, n);
	return 0;
}
int copy_from_user(void *dst, const void *src, size_t n)
{
	if (!user_range_ok(src, n, false))
		return -EFAULT;
	memcpy(dst, src, n);
	return 0;
}
long strncpy_from_user(char *dst, const char *src, long n)
{
	for (long i = 0; i < n; i++) {
		if (!user_range_ok(src + i, 1, false))
			return -EFAULT;
		if (!(dst[i] = src[i]))
			return i;
	}
	return -ENAMETOOLONG;
}

long sys_brk(u64 addr)
{
	struct mm_struct *mm = current->mm;
	if (addr <= mm->brk)
		return (long)mm->brk;	/* shrinking is allowed but keeps the pages */
	if (mm_map_anon(mm, ALIGN_UP(mm->brk, PAGE_SIZE), ALIGN_UP(addr, PAGE_SIZE) - ALIGN_UP(mm->brk, PAGE_SIZE), VM_READ | VM_WRITE | VM_BRK))
		return (long)mm->brk;
	mm->brk = addr;
	return (long)addr;
}

#define MAP_ANONYMOUS 0x20
#define MAP_FIXED 0x10
long sys_mmap(u64 addr, u64 len, u64 prot, u64 flags, u64 fd, u64 off)
{
	struct mm_struct *mm = current->mm;
	if (!(flags & MAP_ANONYMOUS)) {
		pr_info("mmap: only anonymous mappings are implemented (pid %d asked for a file mapping)\n", current->pid);
		return -ENOSYS;
	}
	if (!len)
		return -EINVAL;
	if (!(flags & MAP_FIXED)) {
		addr = mm->mmap_base;
		mm->mmap_base += ALIGN_UP(len, PAGE_SIZE);
	}
	if (mm_map_anon(mm, addr, len, VM_READ | ((prot & 2) ? VM_WRITE : 0) | ((prot & 4) ? VM_EXEC : 0)))
		return -ENOMEM;
	return (long)addr;
}
