/*
 * time.c - the tick, the TSC, and the wall clock.
 *
 * PIT (Intel 8254): channel 0 drives IRQ 0 at HZ; channel 2, whose gate
 * and output are visible in port 0x61, times the TSC calibration.
 * CMOS RTC (Motorola MC146818): read once at boot for the wall clock.
 */
#include "../../../include/kernel.h"
#include "../../../include/asm.h"
#include "../../../include/init.h"
#include "../../../include/sched.h"
#include "irq.h"

#define PIT_TICK_RATE 1193182			/* Hz, the 8254's input clock */
#define PIT_CH0   0x40
#define PIT_CH2   0x42
#define PIT_MODE  0x43
#define PIT_LATCH ((PIT_TICK_RATE + HZ / 2) / HZ)
#define PORT_B    0x61				/* bit 0: ch2 gate, bit 1: speaker, bit 5: ch2 output */

volatile u64 jiffies;
u64 tsc_khz;
static u64 tsc_at_calibration, ns_at_calibration;	/* keep the clock continuous */
u64 boot_time_sec;

u64 ktime_get_ns(void)
{
	if (!tsc_khz)
		return jiffies * (1000000000 / HZ);
	u64 d = rdtsc() - tsc_at_calibration;
	return ns_at_calibration + (d / tsc_khz) * 1000000 + (d % tsc_khz) * 1000000 / tsc_khz;
}

static void timer_interrupt(int irq, void *dev)
{
	jiffies++;
	scheduler_tick();
}

/*
 * Calibrate the TSC against PIT channel 2: gate it on, count 10 ms down in
 * mode 0 ("interrupt on terminal count": OUT goes high at zero) and see how
 * far the TSC moved meanwhile.  10 ms is Linux's first try too
 * (pit_calibrate_tsc with CAL_MS); the window costs the boot its length.
 */
#define CAL_MS 10
#define CAL_LATCH (PIT_TICK_RATE / (1000 / CAL_MS))
void __init tsc_init(void)
{
	u64 t1, t2, loops = 0;

	outb((inb(PORT_B) & ~0x02) | 0x01, PORT_B);	/* gate high, speaker off */
	outb(0xb0, PIT_MODE);				/* ch2, lo/hi byte, mode 0, binary */
	outb(CAL_LATCH & 0xff, PIT_CH2);
	outb(CAL_LATCH >> 8, PIT_CH2);
	t1 = rdtsc();
	while (!(inb(PORT_B) & 0x20) && ++loops < 100000000)
		;
	t2 = rdtsc();
	ns_at_calibration = jiffies * (1000000000 / HZ);
	tsc_at_calibration = t2;
	if (loops >= 100000000 || t2 <= t1) {
		tsc_khz = 1000000;
		pr_warn("tsc: PIT channel 2 never reached terminal count; ASSUMING 1000 MHz\n");
	} else {
		tsc_khz = (t2 - t1) / CAL_MS;
		pr_info("tsc: Detected %lu.%03lu MHz processor (PIT channel 2 calibration, %lu polls)\n",
			tsc_khz / 1000, tsc_khz % 1000, loops);
	}
}

void __init time_init(void)
{
	/* channel 0, lo/hi byte, mode 2 (rate generator), binary */
	outb(0x34, PIT_MODE);
	outb(PIT_LATCH & 0xff, PIT_CH0);
	outb(PIT_LATCH >> 8, PIT_CH0);
	if (request_irq(0, timer_interrupt, "timer", NULL))
		panic("time_init: IRQ 0 is taken");
	pr_info("clocksource: PIT channel 0 at %d Hz (latch %d) on IRQ 0\n", HZ, PIT_LATCH);
	tsc_init();
}

/* --- the CMOS real-time clock --- */
#define RTC_INDEX 0x70
#define RTC_DATA  0x71
#define RTC_SECONDS 0x00
#define RTC_MINUTES 0x02
#define RTC_HOURS   0x04
#define RTC_DAY     0x07
#define RTC_MONTH   0x08
#define RTC_YEAR    0x09
#define RTC_REG_A   0x0a	/* bit 7: update in progress */
#define RTC_REG_B   0x0b	/* bit 2: binary (else BCD); bit 1: 24-hour */
#define RTC_CENTURY 0x32

u8 cmos_read(u8 reg) { outb(reg, RTC_INDEX); return inb(RTC_DATA); }
static unsigned bcd2bin(u8 v) { return (v & 15) + (v >> 4) * 10; }

/* Days since 1970-01-01 for a Gregorian date (March-based year trick). */
u64 mktime64(unsigned year, unsigned mon, unsigned day, unsigned hour, unsigned min, unsigned sec)
{
	if ((int)(mon -= 2) <= 0) {
		mon += 12;
		year -= 1;
	}
	u64 days = (u64)(year / 4 - year / 100 + year / 400 + 367 * mon / 12 + day) + year * 365 - 719499;
	return ((days * 24 + hour) * 60 + min) * 60 + sec;
}

struct rtc_time { unsigned sec, min, hour, day, mon, year; };
void cmos_read_time(struct rtc_time *t)
{
	u8 b, century;
	int i = 0;
	u64 flags = local_irq_save();
	while ((cmos_read(RTC_REG_A) & 0x80) && ++i < 1000000)
		;	/* wait out an update cycle so the fields agree */
	t->sec = cmos_read(RTC_SECONDS);
	t->min = cmos_read(RTC_MINUTES);
	t->hour = cmos_read(RTC_HOURS);
	t->day = cmos_read(RTC_DAY);
	t->mon = cmos_read(RTC_MONTH);
	t->year = cmos_read(RTC_YEAR);
	century = cmos_read(RTC_CENTURY);
	b = cmos_read(RTC_REG_B);
	local_irq_restore(flags);
	if (!(b & 0x04)) {
		t->sec = bcd2bin(t->sec); t->min = bcd2bin(t->min); t->hour = bcd2bin(t->hour & 0x7f);
		t->day = bcd2bin(t->day); t->mon = bcd2bin(t->mon); t->year = bcd2bin(t->year);
		century = bcd2bin(century);
	}
	t->year += (century >= 19 && century <= 21) ? century * 100 : 2000;
}

/* The wall clock at boot: "read_persistent_clock" in Linux's timekeeping_init. */
void __init timekeeping_init(void)
{
	struct rtc_time t;
	cmos_read_time(&t);
	boot_time_sec = mktime64(t.year, t.mon, t.day, t.hour, t.min, t.sec) - jiffies / HZ;
	pr_info("rtc: CMOS clock reads %04u-%02u-%02u %02u:%02u:%02u UTC, system time set (%lu s since 1970)\n",
		t.year, t.mon, t.day, t.hour, t.min, t.sec, boot_time_sec);
}
