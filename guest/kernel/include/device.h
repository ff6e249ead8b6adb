/* device.h - a tiny driver model: a bus matches devices to drivers by name. */
#ifndef DEVICE_H
#define DEVICE_H
#include "kernel.h"
#include "list.h"
struct platform_device { const char *name; u64 io_base; int irq; struct list_head node; bool bound; };
struct platform_driver { const char *name; int (*probe)(struct platform_device *); struct list_head node; };
int platform_device_register(struct platform_device *dev);
int platform_driver_register(struct platform_driver *drv);
void driver_init(void);
#endif
