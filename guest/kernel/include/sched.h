/* sched.h - tasks, the scheduler, wait queues and completions. */
#ifndef SCHED_H
#define SCHED_H
#include "kernel.h"
#include "list.h"
#include "mm.h"

/* The registers an interrupt, exception or system call saved (entry_64.S). */
struct pt_regs {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error_code;		/* orig_ax for system calls: -1 */
	u64 rip, cs, rflags, rsp, ss;	/* pushed by the CPU (or by our SYSCALL entry) */
};
#define user_mode(r) (((r)->cs & 3) == 3)

struct thread_struct { u64 sp; };	/* kernel rsp saved by switch_to */

enum { TASK_RUNNING = 0, TASK_INTERRUPTIBLE = 1, TASK_UNINTERRUPTIBLE = 2, TASK_DEAD = 64, EXIT_ZOMBIE = 32 };
#define PF_KTHREAD 0x00200000

#define RLIMIT_NPROC 6
#define RLIMIT_SIGPENDING 11
#define RLIM_NLIMITS 16
struct rlimit { u64 rlim_cur, rlim_max; };

struct signal_struct { int nr_threads; struct rlimit rlim[RLIM_NLIMITS]; };
struct sighand_struct { int count; void *action[64]; };
struct files_struct;
struct fs_struct;

struct wait_queue_head { struct list_head head; };

struct task_struct {
	volatile long state;
	void *stack;			/* THREAD_SIZE bytes; STACK_END_MAGIC at the bottom */
	struct thread_struct thread;
	u32 flags;
	int pid;
	char comm[16];
	int preempt_depth;		/* >0: do not preempt (per task) */
	int time_slice;			/* ticks left before preemption */
	u64 nvcsw, nivcsw;		/* voluntary / involuntary context switches */
	u64 wakeup_jiffies;		/* schedule_timeout() */
	struct list_head run_list;	/* on the runqueue */
	struct list_head tasks;		/* all tasks */
	struct task_struct *parent;
	struct list_head children, sibling;
	struct wait_queue_head wait_chldexit;
	int exit_code;
	struct mm_struct *mm;
	struct files_struct *files;
	struct fs_struct *fs;
	struct signal_struct *signal;
	struct sighand_struct *sighand;
	int (*threadfn)(void *);	/* for a new kernel thread */
	void *thread_arg;
};

extern struct task_struct init_task;
extern struct task_struct *current;
extern struct list_head task_list;
extern int nr_threads, max_threads;
extern volatile int need_resched;
#define preempt_count (current->preempt_depth)
static inline void preempt_disable(void) { preempt_count++; asm volatile("" ::: "memory"); }
static inline void preempt_enable_no_resched(void) { asm volatile("" ::: "memory"); preempt_count--; }
void preempt_enable(void);

static inline unsigned long *end_of_stack(struct task_struct *t) { return (unsigned long *)t->stack; }
void set_task_stack_end_magic(struct task_struct *tsk);

void sched_init(void);
void schedule(void);
void schedule_preempt_disabled(void);
void preempt_schedule_irq(void);
long schedule_timeout(long ticks);
void scheduler_tick(void);
void wake_up_process(struct task_struct *t);
void cpu_startup_entry(void) noreturn;
extern u64 nr_context_switches;

/* wait queues and completions */
void init_waitqueue_head(struct wait_queue_head *q);
void wake_up(struct wait_queue_head *q);
/* sleep until cond is true: re-checked after every wake-up */
#define wait_event(wq, cond)                                   \
	do {                                                   \
		while (!(cond)) {                              \
			u64 __f = local_irq_save();            \
			if (!(cond)) sleep_on(&(wq));          \
			local_irq_restore(__f);                \
		}                                              \
	} while (0)
void sleep_on(struct wait_queue_head *q);	/* irqs off on entry */

struct completion { unsigned done; struct wait_queue_head wait; };
#define COMPLETION_INITIALIZER(x) { 0, { LIST_HEAD_INIT((x).wait.head) } }
#define DECLARE_COMPLETION(x) struct completion x = COMPLETION_INITIALIZER(x)
void init_completion(struct completion *c);
void complete(struct completion *c);
void wait_for_completion(struct completion *c);

/* fork.c / exit.c */
void fork_init(void);
void proc_caches_init(void);
int kernel_thread(int (*fn)(void *), void *arg, const char *name);
long do_fork(struct pt_regs *regs);
noreturn void do_exit(int code);
long do_wait4(int pid, int *status_user, int options);
struct task_struct *find_task_by_pid(int pid);
extern struct kmem_cache *task_struct_cachep;

/* arch: context switch and the way back to user space */
void __switch_to_asm(u64 *prev_sp, u64 next_sp);
void ret_from_fork(void);
noreturn void start_thread_user(struct pt_regs *regs);	/* iretq to user with regs */
void update_tss_rsp0(u64 rsp0);
extern u64 cpu_current_top_of_stack;
#endif
