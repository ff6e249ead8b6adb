/*
 * rtc_cmos.c - the MC146818 CMOS RTC as a device: probe it (the status
 * registers must read back sane values), report its date and the CMOS
 * memory-size bytes the BIOS left there.
 */
#include "../include/kernel.h"
#include "../include/init.h"
#include "../include/device.h"

u8 cmos_read(u8 reg);
struct rtc_time { unsigned sec, min, hour, day, mon, year; };
void cmos_read_time(struct rtc_time *t);

#define CMOS_REG_D 0x0d		/* bit 7: valid RAM and time (battery good) */
#define CMOS_EXT_MEM_LO 0x30	/* KiB above 1 MiB, as the BIOS counted it */
#define CMOS_EXT_MEM_HI 0x31

static int rtc_cmos_probe(struct platform_device *dev)
{
	struct rtc_time t;
	if (!(cmos_read(CMOS_REG_D) & 0x80)) {
		pr_info("rtc_cmos: battery bad or no RTC at 0x%lx\n", dev->io_base);
		return -19;
	}
	cmos_read_time(&t);
	pr_info("rtc_cmos rtc_cmos: registered as rtc0, %04u-%02u-%02u %02u:%02u:%02u, CMOS says %u KiB extended memory\n",
		t.year, t.mon, t.day, t.hour, t.min, t.sec, cmos_read(CMOS_EXT_MEM_LO) | (cmos_read(CMOS_EXT_MEM_HI) << 8));
	return 0;
}
static struct platform_driver rtc_cmos_driver = { .name = "rtc_cmos", .probe = rtc_cmos_probe };

static int __init cmos_init(void) { return platform_driver_register(&rtc_cmos_driver); }
device_initcall(cmos_init);
