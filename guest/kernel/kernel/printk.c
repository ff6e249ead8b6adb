/*
 * printk.c - the kernel log.
 *
 * Every message goes into log_buf, a ring of bytes, prefixed with a
 * timestamp ("[    0.123456] ").  Before any console is registered that is
 * all that happens: messages are kept.  register_console() replays the whole
 * buffer to the new console (so the banner printed first thing in
 * start_kernel still appears), and from then on every message is also
 * written to all consoles whose loglevel allows it.
 */
#include "../include/kernel.h"
#include "../include/asm.h"

#define LOG_BUF_LEN (1 << 15)
static char log_buf[LOG_BUF_LEN];
static u64 log_next;		/* total bytes ever logged; index = log_next % LEN */
static struct console *console_drivers;
int console_loglevel = 7;	/* print messages with level < this; "loglevel=" */
static bool line_start = true;

static void log_store(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		log_buf[(log_next++) % LOG_BUF_LEN] = s[i];
}

void console_write_all(const char *s, size_t n)
{
	for (struct console *c = console_drivers; c; c = c->next)
		c->write(c, s, n);
}

int vprintk(const char *fmt, va_list ap)
{
	char text[512], line[560];
	int level = 4, len, n;		/* default: KERN_WARNING, as Linux */
	u64 flags;

	if (fmt[0] == KERN_SOH[0] && fmt[1] >= '0' && fmt[1] <= '7') {
		level = fmt[1] - '0';
		fmt += 2;
	}
	len = vsnprintf(text, sizeof(text), fmt, ap);
	if (len >= (int)sizeof(text))
		len = sizeof(text) - 1;

	flags = local_irq_save();
	n = 0;
	if (line_start) {
		u64 ns = ktime_get_ns();
		n = snprintf(line, sizeof(line), "[%5lu.%06lu] ", ns / 1000000000, (ns / 1000) % 1000000);
	}
	memcpy(line + n, text, len);
	n += len;
	line_start = len > 0 && text[len - 1] == '\n';
	log_store(line, n);
	if (level < console_loglevel)
		console_write_all(line, n);
	local_irq_restore(flags);
	return len;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

/*
 * Replay what is still in the ring to the new console, then link it in.
 * (The replay ignores loglevels: simpler, and the early messages are the
 * ones a reader of the boot wants to see.)
 */
void register_console(struct console *con)
{
	u64 flags = local_irq_save();
	u64 start = log_next > LOG_BUF_LEN ? log_next - LOG_BUF_LEN : 0;
	for (u64 i = start; i < log_next; i++)
		con->write(con, &log_buf[i % LOG_BUF_LEN], 1);
	con->next = console_drivers;
	console_drivers = con;
	local_irq_restore(flags);
	pr_info("printk: console [%s] enabled, replayed %lu bytes of log_buf\n", con->name, log_next - start);
}

/* For panic(): if no console is registered yet, dump log_buf raw to COM1. */
void emergency_flush_log(void)
{
	if (console_drivers)
		return;
	for (u64 i = 0; i < log_next && i < LOG_BUF_LEN; i++) {
		int t = 100000;
		while (!(inb(0x3f8 + 5) & 0x20) && --t)
			;
		outb(log_buf[i], 0x3f8);
	}
}

static int __attribute__((section(".init.text"))) loglevel_setup(char *val)
{
	console_loglevel = (int)simple_strtoul(val, NULL, 0);
	return 0;
}
#include "../include/init.h"
early_param("loglevel", loglevel_setup);

/* the dmesg text for /proc/kmsg-like readers */
size_t log_buf_copy(char *dst, size_t size)
{
	u64 start = log_next > LOG_BUF_LEN ? log_next - LOG_BUF_LEN : 0;
	size_t n = 0;
	for (u64 i = start; i < log_next && n + 1 < size; i++)
		dst[n++] = log_buf[i % LOG_BUF_LEN];
	return n;
}
