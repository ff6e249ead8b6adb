/*
 * calibrate.c - calibrate_delay: how many turns of a busy loop fit in one
 * timer tick (loops_per_jiffy), for udelay-style waits; printed as the
 * famous BogoMIPS.  Needs the tick running, so it comes after
 * local_irq_enable().  Coarse doubling, then eight bits of binary refining,
 * as Linux has always done it.
 */
#include "../include/kernel.h"
#include "../include/asm.h"
#include "../include/init.h"

u64 loops_per_jiffy = 4096;

static void __attribute__((noinline)) __delay(u64 loops)
{
	asm volatile("1: dec %0; jnz 1b" : "+r"(loops) : : "cc");
}

/* Run `loops` and report whether the tick that started us had ended. */
static bool delay_exceeds_tick(u64 loops)
{
	u64 t = jiffies;
	while (t == jiffies)		/* start at a tick edge */
		cpu_relax();
	t = jiffies;
	__delay(loops);
	return jiffies != t;
}

void __init calibrate_delay(void)
{
	u64 lpj = 4096, step;
	while (!delay_exceeds_tick(lpj << 1) && lpj < (1UL << 40))
		lpj <<= 1;
	step = lpj;
	for (int i = 0; i < 8 && step > 1; i++) {
		step >>= 1;
		if (!delay_exceeds_tick(lpj + step))
			lpj += step;
	}
	loops_per_jiffy = lpj;
	pr_info("Calibrating delay loop... %lu.%02lu BogoMIPS (lpj=%lu)\n",
		lpj / (500000 / HZ), (lpj / (5000 / HZ)) % 100, lpj);
}
