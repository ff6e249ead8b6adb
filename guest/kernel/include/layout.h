/*
 * The virtual memory map, usable from C and assembly.
 *
 *   0x0000000000000000 - 0x00007fffffffffff  user space (per process)
 *       page 0 is never mapped, so a NULL dereference faults
 *   0xffff888000000000 - ...                 direct map of all RAM (PAGE_OFFSET)
 *   0xffffffff80000000 - +1 GiB              the kernel image (__START_KERNEL_map)
 *
 * Physical memory while booting:
 *   0x00000 - 0x9ffff  conventional RAM (IVT, BDA, setup code at 0x10000)
 *   0xa0000 - 0xfffff  VGA memory, option ROMs, BIOS
 *   0x100000           the kernel (LOAD_PHYSICAL_ADDR): _text .. _end
 *   (top of RAM)       the initrd, placed by the boot loader
 */
#ifndef LAYOUT_H
#define LAYOUT_H

#define __START_KERNEL_map  0xffffffff80000000
#define PAGE_OFFSET         0xffff888000000000
#define LOAD_PHYSICAL_ADDR  0x100000

#define PAGE_SHIFT 12
#define PAGE_SIZE  4096

#define THREAD_SIZE (4 * PAGE_SIZE)	/* kernel stack of every task */

/* GDT selectors (Linux's numbering, which SYSCALL/SYSRET's STAR layout needs) */
#define __KERNEL32_CS 0x08
#define __KERNEL_CS   0x10
#define __KERNEL_DS   0x18
#define __USER32_CS   0x23
#define __USER_DS     0x2b
#define __USER_CS     0x33
#define GDT_ENTRY_TSS 8
#define __TSS_SEL     (GDT_ENTRY_TSS * 8)

#define STACK_END_MAGIC 0x57AC6E9D

#endif
