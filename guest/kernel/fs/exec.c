/*
 * exec.c - execve(): replace the calling task's program with an ELF file.
 *
 *  1. read the file (from the rootfs) and check the ELF header: 64-bit,
 *     x86-64, executable, statically linked (no PT_INTERP);
 *  2. copy argv and envp into the kernel (the old address space, where
 *     they live, is about to go);
 *  3. build a fresh mm: map each PT_LOAD segment and copy its bytes, set
 *     brk after the highest one, map a stack;
 *  4. lay out the initial stack: strings, auxv, envp, argv, argc;
 *  5. switch to the new mm and point the saved user registers at the
 *     entry point: the return to user space starts the new program.
 */
#include "../include/kernel.h"
#include "../include/asm.h"
#include "../include/sched.h"
#include "../include/fs.h"

#define EI_NIDENT 16
struct elf64_ehdr {
	u8 e_ident[EI_NIDENT];
	u16 e_type, e_machine;
	u32 e_version;
	u64 e_entry, e_phoff, e_shoff;
	u32 e_flags;
	u16 e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};
struct elf64_phdr { u32 p_type, p_flags; u64 p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align; };
#define ET_EXEC 2
#define EM_X86_64 62
#define PT_LOAD 1
#define PT_INTERP 3
#define PF_X 1
#define PF_W 2
#define AT_NULL 0
#define AT_PHDR 3
#define AT_PHENT 4
#define AT_PHNUM 5
#define AT_PAGESZ 6
#define AT_ENTRY 9
#define AT_RANDOM 25

#define STACK_TOP   0x00007ffffffff000UL
#define STACK_PAGES 16
#define MAX_ARGS 32
#define ARG_BYTES 2048

struct arg_copy { int argc, envc; char *argv[MAX_ARGS], *envp[MAX_ARGS]; char buf[ARG_BYTES]; size_t used; };

static int copy_strings(struct arg_copy *a, char *const *vec, bool from_user, char **out, int *count)
{
	*count = 0;
	if (!vec)
		return 0;
	for (int i = 0;; i++) {
		char *s;
		long n;
		if (from_user) {
			if (copy_from_user(&s, &vec[i], sizeof(s)))
				return -EFAULT;
		} else
			s = vec[i];
		if (!s)
			return 0;
		if (i == MAX_ARGS - 1)
			return -E2BIG;
		if (from_user) {
			n = strncpy_from_user(a->buf + a->used, s, ARG_BYTES - a->used);
			if (n < 0)
				return n == -ENAMETOOLONG ? -E2BIG : (int)n;
		} else {
			n = strlen(s);
			if (a->used + n + 1 > ARG_BYTES)
				return -E2BIG;
			strcpy(a->buf + a->used, s);
		}
		out[i] = a->buf + a->used;
		a->used += n + 1;
		(*count)++;
	}
}

long do_execve(const char *filename, char *const *argv, char *const *envp, bool from_user, struct pt_regs *regs)
{
	struct dentry *d = lookup_path(filename, NULL, NULL);
	struct inode *ino;
	struct elf64_ehdr *eh;
	struct elf64_phdr *ph;
	struct mm_struct *mm, *old;
	struct arg_copy *a;
	u64 brk = 0, sp, ptrs[2 * MAX_ARGS + 20];
	int np = 0, err;

	if (!d)
		return -ENOENT;
	ino = d->d_inode;
	if (!S_ISREG(ino->i_mode))
		return -13 /* EACCES */;
	eh = (struct elf64_ehdr *)ino->i_data;
	if (ino->i_size < sizeof(*eh) || memcmp(eh->e_ident, "\177ELF", 4) || eh->e_ident[4] != 2 ||
	    eh->e_type != ET_EXEC || eh->e_machine != EM_X86_64 ||
	    eh->e_phoff + (u64)eh->e_phnum * sizeof(*ph) > ino->i_size)
		return -ENOEXEC;
	ph = (struct elf64_phdr *)(ino->i_data + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_INTERP) {
			pr_info("execve: %s wants a dynamic loader: NOT SUPPORTED\n", filename);
			return -ENOEXEC;
		}

	a = kzalloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	if ((err = copy_strings(a, argv, from_user, a->argv, &a->argc)) ||
	    (err = copy_strings(a, envp, from_user, a->envp, &a->envc))) {
		kfree(a);
		return err;
	}

	/* Point of no return (for a real kernel; we simply build before we drop). */
	mm = mm_alloc();
	for (int i = 0; i < eh->e_phnum; i++) {
		struct elf64_phdr *p = &ph[i];
		if (p->p_type != PT_LOAD)
			continue;
		if (p->p_offset + p->p_filesz > ino->i_size ||
		    mm_map_anon(mm, p->p_vaddr, p->p_memsz, VM_READ | (p->p_flags & PF_W ? VM_WRITE : 0) | (p->p_flags & PF_X ? VM_EXEC : 0))) {
			mmput(mm);
			kfree(a);
			return -ENOEXEC;
		}
		/* copy the file bytes page by page through the direct map */
		for (u64 off = 0; off < p->p_filesz;) {
			u64 va = p->p_vaddr + off, in_page = PAGE_SIZE - (va & (PAGE_SIZE - 1));
			u64 c = min(in_page, p->p_filesz - off);
			pte_t *pte = lookup_pte(mm->pgd, va, false);
			memcpy((char *)__va(*pte & PTE_ADDR_MASK) + (va & (PAGE_SIZE - 1)), ino->i_data + p->p_offset + off, c);
			off += c;
		}
		brk = max(brk, p->p_vaddr + p->p_memsz);
	}
	mm->start_brk = mm->brk = ALIGN_UP(brk, PAGE_SIZE);
	mm_map_anon(mm, STACK_TOP - STACK_PAGES * PAGE_SIZE, STACK_PAGES * PAGE_SIZE, VM_READ | VM_WRITE | VM_STACK);
	mm->start_stack = STACK_TOP;

	/* Switch address spaces, then build the stack with plain stores. */
	old = current->mm;
	current->mm = mm;
	switch_mm(mm);
	if (old)
		mmput(old);

	sp = STACK_TOP;
	for (int i = a->envc - 1; i >= 0; i--) {
		sp -= strlen(a->envp[i]) + 1;
		strcpy((char *)sp, a->envp[i]);
		a->envp[i] = (char *)sp;
	}
	for (int i = a->argc - 1; i >= 0; i--) {
		sp -= strlen(a->argv[i]) + 1;
		strcpy((char *)sp, a->argv[i]);
		a->argv[i] = (char *)sp;
	}
	sp -= 16;				/* AT_RANDOM's 16 bytes: fixed, we are deterministic */
	memcpy((void *)sp, "BootscopeGuest!!", 16);
	u64 random = sp;
	ptrs[np++] = a->argc;
	for (int i = 0; i < a->argc; i++) ptrs[np++] = (u64)a->argv[i];
	ptrs[np++] = 0;
	for (int i = 0; i < a->envc; i++) ptrs[np++] = (u64)a->envp[i];
	ptrs[np++] = 0;
	u64 auxv[][2] = { { AT_PHDR, eh->e_phoff + 0x400000 }, { AT_PHENT, sizeof(*ph) }, { AT_PHNUM, eh->e_phnum },
			  { AT_PAGESZ, PAGE_SIZE }, { AT_ENTRY, eh->e_entry }, { AT_RANDOM, random }, { AT_NULL, 0 } };
	for (u64 i = 0; i < ARRAY_SIZE(auxv); i++) {
		ptrs[np++] = auxv[i][0];
		ptrs[np++] = auxv[i][1];
	}
	sp = ALIGN_DOWN(sp - np * 8, 16);
	memcpy((void *)sp, ptrs, np * 8);

	/* The name a process goes by is its file's basename. */
	const char *base = filename;
	for (const char *p = filename; *p; p++)
		if (*p == '/' && p[1])
			base = p + 1;
	strlcpy(current->comm, base, sizeof(current->comm));

	memset(regs, 0, sizeof(*regs));
	regs->rip = eh->e_entry;
	regs->cs = __USER_CS;
	regs->ss = __USER_DS;
	regs->rsp = sp;
	regs->rflags = X86_EFLAGS_IF | 0x2;	/* bit 1 is always set */
	current->flags &= ~PF_KTHREAD;
	kfree(a);
	return 0;
}

/*
 * From a kernel thread (kernel_init): on success the thread becomes a user
 * process and never comes back here.  The user registers go at the top of
 * its kernel stack, where an interrupt from user mode would put them.
 */
int kernel_execve(const char *filename, char *const argv[], char *const envp[])
{
	struct pt_regs *regs = (struct pt_regs *)((char *)current->stack + THREAD_SIZE) - 1;
	long err = do_execve(filename, argv, envp, false, regs);
	if (err)
		return (int)err;
	start_thread_user(regs);
}
