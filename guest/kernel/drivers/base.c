/*
 * base.c - the driver core in miniature.  driver_init() sets up the device
 * and driver lists; the platform bus (core_initcall) matches a registered
 * device with a registered driver of the same name and calls its probe(),
 * whichever of the two registers first.  arch_initcall announces the
 * legacy PC devices every PC has at fixed addresses.
 */
#include "../include/kernel.h"
#include "../include/init.h"
#include "../include/device.h"

static struct list_head devices, drivers;
static bool platform_bus_ready;

void __init driver_init(void)
{
	INIT_LIST_HEAD(&devices);
	INIT_LIST_HEAD(&drivers);
	pr_info("driver_init: device and driver lists ready\n");
}

static void try_bind(struct platform_device *dev, struct platform_driver *drv)
{
	if (dev->bound || strcmp(dev->name, drv->name))
		return;
	int err = drv->probe(dev);
	dev->bound = !err;
	if (err)
		pr_info("platform %s: probe failed (%d)\n", dev->name, err);
}

int platform_device_register(struct platform_device *dev)
{
	struct list_head *l;
	if (!platform_bus_ready)
		return -EAGAIN;
	list_add_tail(&dev->node, &devices);
	list_for_each(l, &drivers)
		try_bind(dev, list_entry(l, struct platform_driver, node));
	return 0;
}

int platform_driver_register(struct platform_driver *drv)
{
	struct list_head *l;
	if (!platform_bus_ready)
		return -EAGAIN;
	list_add_tail(&drv->node, &drivers);
	list_for_each(l, &devices)
		try_bind(list_entry(l, struct platform_device, node), drv);
	return 0;
}

static int __init platform_bus_init(void)
{
	platform_bus_ready = true;
	pr_info("platform: bus registered\n");
	return 0;
}
core_initcall(platform_bus_init);

/* The legacy devices of a PC, at their traditional addresses. */
static struct platform_device serial_dev = { .name = "serial8250", .io_base = 0x3f8, .irq = 4 };
static struct platform_device rtc_dev = { .name = "rtc_cmos", .io_base = 0x70, .irq = 8 };
static struct platform_device vga_dev = { .name = "vga", .io_base = 0x3d4, .irq = -1 };
static struct platform_device i8042_dev = { .name = "i8042", .io_base = 0x60, .irq = 1 };

static int __init add_legacy_pc_devices(void)
{
	platform_device_register(&serial_dev);
	platform_device_register(&rtc_dev);
	platform_device_register(&vga_dev);
	platform_device_register(&i8042_dev);
	pr_info("platform: legacy PC devices serial8250 (0x3f8), rtc_cmos (0x70), vga (0x3d4), i8042 (0x60) registered\n");
	return 0;
}
arch_initcall(add_legacy_pc_devices);
