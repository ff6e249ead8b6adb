/*
 * workqueue.c - deferred work run by a kernel thread ("kworker/0").
 * queue_work() puts a work item on the list and wakes the worker, which
 * runs items in order in process context (so they may sleep).
 */
#include "../include/kernel.h"
#include "../include/init.h"
#include "../include/asm.h"
#include "../include/sched.h"

struct work_struct { struct list_head entry; void (*func)(struct work_struct *); };
static LIST_HEAD(worklist);
static struct wait_queue_head worker_wait;
static int worker_pid;
u64 works_done;

void queue_work(struct work_struct *w)
{
	u64 flags = local_irq_save();
	list_add_tail(&w->entry, &worklist);
	wake_up(&worker_wait);
	local_irq_restore(flags);
}

static int worker_thread(void *unused)
{
	for (;;) {
		struct work_struct *w;
		wait_event(worker_wait, !list_empty(&worklist));
		u64 flags = local_irq_save();
		w = list_first_entry(&worklist, struct work_struct, entry);
		list_del(&w->entry);
		local_irq_restore(flags);
		w->func(w);
		works_done++;
	}
	return 0;
}

/* A first work item, to show the worker runs: it reports who ran it. */
static void hello_work_fn(struct work_struct *w)
{
	pr_info("workqueue: first work item ran in %s (pid %d)\n", current->comm, current->pid);
}
static struct work_struct hello_work = { .func = hello_work_fn };

void __init init_workqueues(void)
{
	init_waitqueue_head(&worker_wait);
	worker_pid = kernel_thread(worker_thread, NULL, "kworker/0");
	pr_info("init_workqueues: worker thread kworker/0 is pid %d\n", worker_pid);
	queue_work(&hello_work);
}
