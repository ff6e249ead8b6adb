/*
 * sched.c - a preemptive round-robin scheduler for one CPU.
 *
 * Runnable tasks wait on one FIFO runqueue; the running task is not on it.
 * init_task (pid 0, "swapper") is the idle task: it runs only when the
 * runqueue is empty and then executes HLT with interrupts on.
 * The timer tick (scheduler_tick) takes a tick off the current task's time
 * slice and sets need_resched when it is used up; the interrupt return path
 * (do_interrupt) then calls schedule() unless preempt_count says not now.
 * Sleeping is: mark yourself not running, schedule(); waking is
 * wake_up_process(), which puts the task back on the runqueue.
 * On one CPU "interrupts disabled" is the lock that protects all of this.
 */
#include "../include/kernel.h"
#include "../include/asm.h"
#include "../include/init.h"
#include "../include/sched.h"

#define TIMESLICE_TICKS 5

extern char init_stack[];
static struct signal_struct init_signals;
struct task_struct init_task = {
	.state = TASK_RUNNING,
	.stack = init_stack,
	.flags = PF_KTHREAD,
	.pid = 0,
	.comm = "swapper/0",
	.preempt_depth = 1,	/* no preemption until the scheduler is up: see rest_init */
	.time_slice = TIMESLICE_TICKS,
	.signal = &init_signals,
};
struct task_struct *current = &init_task;
LIST_HEAD(task_list);
static LIST_HEAD(runqueue);
volatile int need_resched;
u64 nr_context_switches;

/* The canary at the lowest word of a kernel stack: overwritten = overflowed. */
void set_task_stack_end_magic(struct task_struct *tsk)
{
	*end_of_stack(tsk) = STACK_END_MAGIC;
}

void __init sched_init(void)
{
	INIT_LIST_HEAD(&init_task.run_list);
	INIT_LIST_HEAD(&init_task.children);
	INIT_LIST_HEAD(&init_task.sibling);
	init_waitqueue_head(&init_task.wait_chldexit);
	list_add_tail(&init_task.tasks, &task_list);
	pr_info("sched_init: round-robin runqueue, %d-tick time slices at HZ=%d; init_task (pid 0, %s) becomes the idle task\n",
		TIMESLICE_TICKS, HZ, init_task.comm);
}

void wake_up_process(struct task_struct *t)
{
	u64 flags = local_irq_save();
	if (t->state != TASK_RUNNING && t->state != EXIT_ZOMBIE && t->state != TASK_DEAD) {
		t->state = TASK_RUNNING;
		if (t != current && list_empty(&t->run_list))
			list_add_tail(&t->run_list, &runqueue);
		if (current == &init_task)
			need_resched = 1;	/* get the idle loop out of HLT's way */
	}
	local_irq_restore(flags);
}

void switch_mm(struct mm_struct *mm);

void schedule(void)
{
	u64 flags = local_irq_save();
	struct task_struct *prev = current, *next;

	if (*end_of_stack(prev) != STACK_END_MAGIC)
		panic("corrupted stack end detected inside scheduler (task %s, pid %d)", prev->comm, prev->pid);
	need_resched = 0;
	if (prev->state == TASK_RUNNING && prev != &init_task && list_empty(&prev->run_list))
		list_add_tail(&prev->run_list, &runqueue);
	if (list_empty(&runqueue)) {
		next = &init_task;
	} else {
		next = list_first_entry(&runqueue, struct task_struct, run_list);
		list_del(&next->run_list);
	}
	next->time_slice = TIMESLICE_TICKS;
	if (next != prev) {
		if (prev->state == TASK_RUNNING)
			prev->nivcsw++;
		else
			prev->nvcsw++;
		nr_context_switches++;
		current = next;
		update_tss_rsp0((u64)next->stack + THREAD_SIZE);
		switch_mm(next->mm);
		__switch_to_asm(&prev->thread.sp, next->thread.sp);
		/* ... and some time later prev is switched back in and continues here. */
	}
	local_irq_restore(flags);
}

/* Called by ret_from_fork: the first thing a new task does. */
void schedule_tail(void) { }

void preempt_schedule_irq(void) { schedule(); }

void preempt_enable(void)
{
	preempt_enable_no_resched();
	if (need_resched && preempt_count == 0 && !irqs_disabled())
		schedule();
}

void schedule_preempt_disabled(void)
{
	preempt_enable_no_resched();
	schedule();
	preempt_disable();
}

long schedule_timeout(long ticks)
{
	u64 flags = local_irq_save();
	current->wakeup_jiffies = jiffies + ticks;
	current->state = TASK_INTERRUPTIBLE;
	schedule();
	current->wakeup_jiffies = 0;
	local_irq_restore(flags);
	return 0;
}

/* From the timer interrupt, HZ times a second. */
void scheduler_tick(void)
{
	struct list_head *l;
	list_for_each(l, &task_list) {
		struct task_struct *t = list_entry(l, struct task_struct, tasks);
		if (t->state == TASK_INTERRUPTIBLE && t->wakeup_jiffies && jiffies >= t->wakeup_jiffies)
			wake_up_process(t);
	}
	if (current == &init_task) {
		if (!list_empty(&runqueue))
			need_resched = 1;
	} else if (--current->time_slice <= 0)
		need_resched = 1;
}

/* The idle loop: what CPU 0 does when nothing else can run. */
void cpu_startup_entry(void)
{
	for (;;) {
		local_irq_disable();
		if (need_resched || !list_empty(&runqueue)) {
			local_irq_enable();
			schedule();
		} else {
			safe_halt();	/* "sti; hlt": an interrupt cannot slip in between */
		}
	}
}

/* --- wait queues and completions --- */
struct waiter { struct list_head link; struct task_struct *task; };

void init_waitqueue_head(struct wait_queue_head *q) { INIT_LIST_HEAD(&q->head); }

/* Interrupts are off: nothing can wake us between queueing and sleeping. */
void sleep_on(struct wait_queue_head *q)
{
	struct waiter w = { .task = current };
	list_add_tail(&w.link, &q->head);
	current->state = TASK_UNINTERRUPTIBLE;
	schedule();
	list_del(&w.link);
}

void wake_up(struct wait_queue_head *q)
{
	u64 flags = local_irq_save();
	struct list_head *l;
	list_for_each(l, &q->head)
		wake_up_process(list_entry(l, struct waiter, link)->task);
	local_irq_restore(flags);
}

void init_completion(struct completion *c) { c->done = 0; init_waitqueue_head(&c->wait); }
void complete(struct completion *c)
{
	u64 flags = local_irq_save();
	c->done++;
	wake_up(&c->wait);
	local_irq_restore(flags);
}
void wait_for_completion(struct completion *c)
{
	wait_event(c->wait, c->done > 0);
	u64 flags = local_irq_save();
	c->done--;
	local_irq_restore(flags);
}

/*
 * late_initcall: show that preemption works.  Two kernel threads each
 * busy-loop for 5 ticks without ever sleeping or yielding; only the timer
 * tick can take the CPU from them.  Their involuntary switch counts say
 * how often it did.
 */
static DECLARE_COMPLETION(spin_done);
static u64 spin_preempted[2];
static int spinner(void *arg)
{
	long id = (long)arg;
	u64 end = jiffies + 5;
	while (jiffies < end)
		cpu_relax();
	spin_preempted[id] = current->nivcsw;
	complete(&spin_done);
	return 0;
}
static int __init sched_preempt_selftest(void)
{
	kernel_thread(spinner, (void *)0, "spinner/0");
	kernel_thread(spinner, (void *)1, "spinner/1");
	wait_for_completion(&spin_done);
	wait_for_completion(&spin_done);
	pr_info("sched: preemption selftest: two busy threads were preempted %lu and %lu times by the tick\n",
		spin_preempted[0], spin_preempted[1]);
	return 0;
}
late_initcall(sched_preempt_selftest);
