/*
 * fork.c - making tasks (kernel threads and fork()), ending them (exit)
 * and collecting them (wait4).
 */
#include "../include/kernel.h"
#include "../include/asm.h"
#include "../include/init.h"
#include "../include/sched.h"
#include "../include/fs.h"

struct kmem_cache *task_struct_cachep, *signal_cachep, *sighand_cachep, *mm_cachep, *vm_area_cachep;
int nr_threads = 1, max_threads;
static int last_pid;

/*
 * fork_init: the task_struct cache, and the most tasks we allow: the
 * kernel stacks may use at most 1/8 of RAM.  init_task's process limits
 * derive from that, and every task inherits them.
 */
void __init fork_init(void)
{
	task_struct_cachep = kmem_cache_create("task_struct", sizeof(struct task_struct), 64, NULL);
	max_threads = (int)(totalram_pages / (8 * THREAD_SIZE / PAGE_SIZE));
	if (max_threads < 20)
		max_threads = 20;
	init_task.signal->rlim[RLIMIT_NPROC] = (struct rlimit){ max_threads / 2, max_threads / 2 };
	init_task.signal->rlim[RLIMIT_SIGPENDING] = (struct rlimit){ max_threads / 2, max_threads / 2 };
	pr_info("fork_init: task_struct is %lu bytes, max_threads = %d, RLIMIT_NPROC = RLIMIT_SIGPENDING = %d\n",
		sizeof(struct task_struct), max_threads, max_threads / 2);
}

void __init proc_caches_init(void)
{
	sighand_cachep = kmem_cache_create("sighand_cache", sizeof(struct sighand_struct), 64, NULL);
	signal_cachep = kmem_cache_create("signal_cache", sizeof(struct signal_struct), 64, NULL);
	files_cachep = kmem_cache_create("files_cache", sizeof(struct files_struct), 64, NULL);
	fs_cachep = kmem_cache_create("fs_cache", sizeof(struct fs_struct), 64, NULL);
	mm_cachep = kmem_cache_create("mm_struct", sizeof(struct mm_struct), 64, NULL);
	vm_area_cachep = kmem_cache_create("vm_area_struct", sizeof(struct vm_area_struct), 8, NULL);
	pr_info("proc_caches_init: sighand_cache, signal_cache, files_cache, fs_cache, mm_struct, vm_area_struct caches created\n");
}

struct task_struct *find_task_by_pid(int pid)
{
	struct list_head *l;
	list_for_each(l, &task_list) {
		struct task_struct *t = list_entry(l, struct task_struct, tasks);
		if (t->pid == pid)
			return t;
	}
	return NULL;
}

/* A new task_struct with its own kernel stack; not yet runnable. */
static struct task_struct *dup_task_struct(const char *name)
{
	struct task_struct *p;
	if (nr_threads >= max_threads ||
	    (u64)nr_threads >= init_task.signal->rlim[RLIMIT_NPROC].rlim_cur)
		return NULL;
	p = kmem_cache_alloc(task_struct_cachep);
	if (!p)
		return NULL;
	p->stack = __get_free_pages(2);		/* THREAD_SIZE = 4 pages, naturally aligned */
	if (!p->stack) {
		kmem_cache_free(task_struct_cachep, p);
		return NULL;
	}
	set_task_stack_end_magic(p);
	p->pid = ++last_pid;
	strlcpy(p->comm, name, sizeof(p->comm));
	p->state = TASK_UNINTERRUPTIBLE;	/* until wake_up_process */
	p->signal = kmem_cache_alloc(signal_cachep);
	*p->signal = *current->signal;		/* inherit the limits */
	p->signal->nr_threads = 1;
	p->sighand = kmem_cache_alloc(sighand_cachep);
	p->sighand->count = 1;
	INIT_LIST_HEAD(&p->run_list);
	INIT_LIST_HEAD(&p->children);
	INIT_LIST_HEAD(&p->sibling);
	init_waitqueue_head(&p->wait_chldexit);
	list_add_tail(&p->tasks, &task_list);
	nr_threads++;
	return p;
}

/*
 * Lay out the new kernel stack so that the first switch_to() into the task
 * "returns" into ret_from_fork: a pt_regs at the top (for user tasks, the
 * registers to return to user space with), and under it the frame
 * __switch_to_asm pops: r15 r14 r13 r12 rbx rbp, return address.
 */
static void copy_thread(struct task_struct *p, int (*fn)(void *), void *arg, struct pt_regs *regs)
{
	struct pt_regs *child_regs = (struct pt_regs *)((char *)p->stack + THREAD_SIZE) - 1;
	u64 *frame = (u64 *)child_regs - 7;

	if (regs) {
		*child_regs = *regs;
		child_regs->rax = 0;		/* fork() returns 0 in the child */
	} else
		memset(child_regs, 0, sizeof(*child_regs));
	frame[0] = frame[1] = frame[2] = 0;	/* r15 r14 r13 */
	frame[3] = (u64)arg;			/* r12 */
	frame[4] = (u64)fn;			/* rbx: 0 means "return to user" */
	frame[5] = 0;				/* rbp: ends backtraces */
	frame[6] = (u64)ret_from_fork;
	p->thread.sp = (u64)frame;
}

int kernel_thread(int (*fn)(void *), void *arg, const char *name)
{
	struct task_struct *p = dup_task_struct(name);
	if (!p)
		return -EAGAIN;
	p->flags = PF_KTHREAD;
	p->parent = &init_task;
	list_add_tail(&p->sibling, &init_task.children);
	p->files = kmem_cache_alloc(files_cachep);
	p->files->count = 1;
	p->fs = kmem_cache_alloc(fs_cachep);
	p->fs->users = 1;
	p->fs->root = p->fs->pwd = root_dentry;
	copy_thread(p, fn, arg, NULL);
	wake_up_process(p);
	return p->pid;
}

long do_fork(struct pt_regs *regs)
{
	struct task_struct *p = dup_task_struct(current->comm);
	if (!p)
		return -EAGAIN;
	p->mm = dup_mm(current->mm);
	if (!p->mm)
		panic("fork: out of memory copying the address space");	/* miniature: no unwinding */
	p->files = dup_files(current->files);
	p->fs = current->fs;
	p->fs->users++;
	p->parent = current;
	list_add_tail(&p->sibling, &current->children);
	copy_thread(p, NULL, NULL, regs);
	wake_up_process(p);
	return p->pid;
}

/*
 * Exit: drop the address space and files, hand children to init, become a
 * zombie and wake the parent.  The kernel stack and task_struct are freed
 * by the parent's wait4, since we are standing on that stack now.
 */
void do_exit(int code)
{
	struct task_struct *tsk = current, *reaper = find_task_by_pid(1);
	struct list_head *l, *n;

	if (tsk->pid == 1)
		panic("Attempted to kill init! exitcode=0x%08x", code);
	if (tsk->pid == 0)
		panic("Attempted to kill the idle task!");
	if (tsk->files)
		put_files(tsk->files);
	tsk->files = NULL;
	if (tsk->mm) {
		struct mm_struct *mm = tsk->mm;
		tsk->mm = NULL;
		switch_mm(NULL);
		mmput(mm);
	}
	local_irq_disable();
	list_for_each_safe(l, n, &tsk->children) {
		struct task_struct *c = list_entry(l, struct task_struct, sibling);
		list_del(&c->sibling);
		c->parent = reaper;
		list_add_tail(&c->sibling, &reaper->children);
	}
	tsk->exit_code = code;
	tsk->state = EXIT_ZOMBIE;
	wake_up(&tsk->parent->wait_chldexit);
	schedule();
	panic("do_exit: zombie %d was scheduled again", tsk->pid);
}

static void release_task(struct task_struct *p)
{
	list_del(&p->sibling);
	list_del(&p->tasks);
	free_pages(p->stack, 2);
	kmem_cache_free(signal_cachep, p->signal);
	kmem_cache_free(sighand_cachep, p->sighand);
	kmem_cache_free(task_struct_cachep, p);
	nr_threads--;
}

#define WNOHANG 1
long do_wait4(int pid, int *status_user, int options)
{
	for (;;) {
		u64 flags = local_irq_save();
		struct list_head *l;
		bool have_child = false;
		list_for_each(l, &current->children) {
			struct task_struct *c = list_entry(l, struct task_struct, sibling);
			if (pid > 0 && c->pid != pid)
				continue;
			have_child = true;
			if (c->state == EXIT_ZOMBIE) {
				int cpid = c->pid, status = c->exit_code;
				release_task(c);
				local_irq_restore(flags);
				if (status_user && copy_to_user(status_user, &status, sizeof(status)))
					return -EFAULT;
				return cpid;
			}
		}
		if (!have_child) {
			local_irq_restore(flags);
			return -ECHILD;
		}
		if (options & WNOHANG) {
			local_irq_restore(flags);
			return 0;
		}
		sleep_on(&current->wait_chldexit);
		local_irq_restore(flags);
	}
}
