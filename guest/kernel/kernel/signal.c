/*
 * signal.c - signals_init: the sigqueue cache, sized by RLIMIT_SIGPENDING.
 * Signal delivery itself is NOT IMPLEMENTED in this kernel: faults kill the
 * faulting process directly (see do_exception) and there is no kill(2).
 */
#include "../include/kernel.h"
#include "../include/init.h"
#include "../include/sched.h"

struct sigqueue { struct list_head list; int signo; int pid; };
struct kmem_cache *sigqueue_cachep;

void __init signals_init(void)
{
	sigqueue_cachep = kmem_cache_create("sigqueue", sizeof(struct sigqueue), 8, NULL);
	pr_info("signals_init: sigqueue cache, up to %lu pending per user; delivery NOT IMPLEMENTED (faults kill directly)\n",
		init_task.signal->rlim[RLIMIT_SIGPENDING].rlim_cur);
}
