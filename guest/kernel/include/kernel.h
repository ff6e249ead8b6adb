/* kernel.h - the things every kernel file uses: printk, panic, strings. */
#ifndef KERNEL_H
#define KERNEL_H
#include "types.h"
#include "layout.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((u64)(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((u64)(a) - 1))
#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))
#define container_of(p, type, member) ((type *)((char *)(p) - __builtin_offsetof(type, member)))
#define noreturn __attribute__((noreturn))
#define unlikely(x) __builtin_expect(!!(x), 0)

/* Log levels: a printk format may start with one (KERN_xxx "text"). */
#define KERN_SOH "\001"
#define KERN_EMERG   KERN_SOH "0"
#define KERN_ALERT   KERN_SOH "1"
#define KERN_CRIT    KERN_SOH "2"
#define KERN_ERR     KERN_SOH "3"
#define KERN_WARNING KERN_SOH "4"
#define KERN_NOTICE  KERN_SOH "5"
#define KERN_INFO    KERN_SOH "6"
#define KERN_DEBUG   KERN_SOH "7"
int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintk(const char *fmt, va_list ap);
#define pr_emerg(...)  printk(KERN_EMERG __VA_ARGS__)
#define pr_err(...)    printk(KERN_ERR __VA_ARGS__)
#define pr_warn(...)   printk(KERN_WARNING __VA_ARGS__)
#define pr_notice(...) printk(KERN_NOTICE __VA_ARGS__)
#define pr_info(...)   printk(KERN_INFO __VA_ARGS__)
#define pr_debug(...)  printk(KERN_DEBUG __VA_ARGS__)
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
extern int console_loglevel;

/* A console: something printk output can be written to (kernel/printk.c). */
struct console {
	const char *name;
	void (*write)(struct console *, const char *, size_t);
	struct console *next;
};
void register_console(struct console *con);
void console_write_all(const char *s, size_t n);	/* straight to consoles */
/* Characters typed on a keyboard, for readers of /dev/console (drivers/tty.c). */
void tty_queue_input(const char *s, size_t n);

noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void dump_stack(void);
extern int panic_timeout;
#define BUG_ON(c) do { if (unlikely(c)) panic("BUG at %s:%d: %s", __FILE__, __LINE__, #c); } while (0)

/* lib/string.c */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t n);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strcpy(char *d, const char *s);
size_t strlcpy(char *d, const char *s, size_t n);
char *strchr(const char *s, int c);
char *strstr(const char *h, const char *n);
unsigned long simple_strtoul(const char *s, char **end, unsigned base);
long simple_strtol(const char *s, char **end, unsigned base);

/* kernel/kallsyms.c */
const char *kallsyms_lookup(u64 addr, u64 *offset);

/* kernel/params.c */
struct kernel_param_handler { const char *name; int (*fn)(char *val); int early; };
char *parse_args(const char *doing, char *args, int (*unknown)(char *param, char *val));

/* Time (kernel/time.c) */
#define HZ 1000			/* the tick rate of x86_64_defconfig (CONFIG_HZ_1000) */
extern volatile u64 jiffies;
extern u64 tsc_khz;
u64 ktime_get_ns(void);		/* monotonic, from the TSC */
extern u64 boot_time_sec;	/* wall clock at boot, from the CMOS RTC */

enum system_states { SYSTEM_BOOTING, SYSTEM_SCHEDULING, SYSTEM_RUNNING, SYSTEM_HALT, SYSTEM_POWER_OFF };
extern enum system_states system_state;

/* Memory: addresses */
#define __va(pa) ((void *)((u64)(pa) + PAGE_OFFSET))
#define __pa(va) ((u64)(va) >= __START_KERNEL_map ? (u64)(va) - __START_KERNEL_map : (u64)(va) - PAGE_OFFSET)
#define __pa_symbol(x) ((u64)(x) - __START_KERNEL_map)

/* Linker-script symbols */
extern char _text[], _etext[], __start_rodata[], __end_rodata[], _sdata[], _edata[];
extern char __init_begin[], __init_end[], _sinittext[], _einittext[], __bss_start[], __bss_stop[], _end[];

/* errno values (Linux's) */
#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define E2BIG 7
#define ENOEXEC 8
#define EBADF 9
#define ECHILD 10
#define EAGAIN 11
#define ENOMEM 12
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define EMFILE 24
#define ENOTTY 25
#define ENOSPC 28
#define ENAMETOOLONG 36
#define ENOSYS 38
#define ENOTEMPTY 39
#define ETIMEDOUT 110
#endif
