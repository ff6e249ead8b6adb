/*
 * i8042.c - the PC keyboard: the 8042 controller (ports 0x60/0x64) and the
 * AT keyboard behind it, in one small driver (Linux splits it into i8042,
 * serio and atkbd).
 *
 * The probe puts the controller in a known state (IBM PS/2 Technical
 * Reference, "Keyboard/Auxiliary Device Controller": self-test 0xAA, keyboard
 * interface test 0xAB, command byte 0x20/0x60), resets the keyboard (0xFF:
 * ACK then BAT 0xAA), and takes IRQ 1.  The controller translates the
 * keyboard's scancode set 2 to set 1 (command byte bit 6, the PC default), so
 * the interrupt handler sees set 1: make codes 0x01-0x58, break = make | 0x80,
 * 0xE0 before the extended keys.  Keys become characters with the US layout
 * (Shift, Ctrl, Caps Lock; arrows as the Linux console's escape sequences)
 * and go to the tty layer, which hands them to readers of /dev/console.
 *
 * Not done: the AUX (mouse) port (disabled), LEDs, other layouts, Alt/Meta,
 * the keypad's digits when Num Lock is on (the keypad is always cursor keys).
 */
#include "../include/kernel.h"
#include "../include/asm.h"
#include "../include/init.h"
#include "../include/device.h"
#include "../arch/x86/kernel/irq.h"

#define I8042_DATA    0x60
#define I8042_STATUS  0x64	/* read */
#define I8042_COMMAND 0x64	/* write */

#define STR_OBF     0x01	/* output buffer full: a byte waits at 0x60 */
#define STR_IBF     0x02	/* input buffer full: the controller is busy */
#define STR_AUXDATA 0x20	/* the waiting byte came from the AUX port */

#define CMD_CTL_RCTR  0x20	/* read the command byte */
#define CMD_CTL_WCTR  0x60	/* write the command byte */
#define CMD_AUX_DISABLE 0xa7
#define CMD_CTL_TEST  0xaa	/* self-test: 0x55 */
#define CMD_KBD_TEST  0xab	/* keyboard interface test: 0x00 */
#define CMD_KBD_DISABLE 0xad
#define CMD_KBD_ENABLE  0xae

#define CTR_KBDINT  0x01	/* IRQ 1 when keyboard data arrives */
#define CTR_AUXINT  0x02
#define CTR_SYS     0x04	/* POST passed */
#define CTR_KBDDIS  0x10	/* keyboard clock off */
#define CTR_AUXDIS  0x20
#define CTR_XLATE   0x40	/* set 2 -> set 1 translation */

#define KBD_RESET   0xff	/* answers ACK, then BAT_OK */
#define KBD_ACK     0xfa
#define KBD_BAT_OK  0xaa

#define I8042_TIMEOUT 100000	/* polls of the status register */

static int i8042_wait_write(void)
{
	for (int i = 0; i < I8042_TIMEOUT; i++)
		if (!(inb(I8042_STATUS) & STR_IBF))
			return 0;
	return -ETIMEDOUT;
}

static int i8042_wait_read(void)
{
	for (int i = 0; i < I8042_TIMEOUT; i++)
		if (inb(I8042_STATUS) & STR_OBF)
			return 0;
	return -ETIMEDOUT;
}

/* A controller command, its parameter byte (param >= 0), and its reply (reply != NULL). */
static int i8042_command(u8 cmd, int param, u8 *reply)
{
	if (i8042_wait_write())
		return -ETIMEDOUT;
	outb(cmd, I8042_COMMAND);
	if (param >= 0) {
		if (i8042_wait_write())
			return -ETIMEDOUT;
		outb((u8)param, I8042_DATA);
	}
	if (reply) {
		if (i8042_wait_read())
			return -ETIMEDOUT;
		*reply = inb(I8042_DATA);
	}
	return 0;
}

/* A byte to the keyboard itself (through the data port) and its first reply. */
static int kbd_command(u8 cmd, u8 *reply)
{
	if (i8042_wait_write())
		return -ETIMEDOUT;
	outb(cmd, I8042_DATA);
	if (i8042_wait_read())
		return -ETIMEDOUT;
	*reply = inb(I8042_DATA);
	return 0;
}

static void i8042_flush(void)
{
	for (int i = 0; i < 16 && (inb(I8042_STATUS) & STR_OBF); i++)
		inb(I8042_DATA);
}

/* --- set 1 scancodes to characters (US layout) ---------------------------- */

#define SC_LCTRL  0x1d
#define SC_LSHIFT 0x2a
#define SC_RSHIFT 0x36
#define SC_CAPS   0x3a
#define SC_E0     0xe0
#define SC_BREAK  0x80

static const char keymap[0x3a] = {
	0, 27, '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '=', '\b', '\t',
	'q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p', '[', ']', '\n', 0, 'a', 's',
	'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\'', '`', 0, '\\', 'z', 'x', 'c', 'v',
	'b', 'n', 'm', ',', '.', '/', 0, '*', 0, ' ',
};
static const char keymap_shift[0x3a] = {
	0, 27, '!', '@', '#', '$', '%', '^', '&', '*', '(', ')', '_', '+', '\b', '\t',
	'Q', 'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', '{', '}', '\n', 0, 'A', 'S',
	'D', 'F', 'G', 'H', 'J', 'K', 'L', ':', '"', '~', 0, '|', 'Z', 'X', 'C', 'V',
	'B', 'N', 'M', '<', '>', '?', 0, '*', 0, ' ',
};

static struct {
	bool e0;		/* the last byte was the 0xE0 prefix */
	bool shift[2], ctrl[2];	/* left/right (right Ctrl is E0 1D) */
	bool caps_lock;
} kbd;

/* Extended keys that type something: the Linux console's sequences. */
static const char *extended_key(u8 code)
{
	switch (code) {
	case 0x1c: return "\n";		/* keypad Enter */
	case 0x35: return "/";		/* keypad / */
	case 0x48: return "\033[A";	/* up */
	case 0x50: return "\033[B";	/* down */
	case 0x4d: return "\033[C";	/* right */
	case 0x4b: return "\033[D";	/* left */
	case 0x47: return "\033[1~";	/* Home */
	case 0x4f: return "\033[4~";	/* End */
	case 0x53: return "\033[3~";	/* Delete */
	default:   return NULL;
	}
}

static void atkbd_receive(u8 byte)
{
	bool extended = kbd.e0, release = byte & SC_BREAK;
	u8 code = byte & ~SC_BREAK;
	const char *seq;
	char c;

	if (byte == SC_E0) {
		kbd.e0 = true;
		return;
	}
	kbd.e0 = false;
	if (code == SC_LSHIFT || code == SC_RSHIFT) {
		if (!extended)	/* E0 2A / E0 AA are fake shifts around some keys */
			kbd.shift[code == SC_RSHIFT] = !release;
		return;
	}
	if (code == SC_LCTRL) {
		kbd.ctrl[extended] = !release;
		return;
	}
	if (release)
		return;
	if (code == SC_CAPS) {
		kbd.caps_lock = !kbd.caps_lock;
		return;
	}
	if (extended) {
		if ((seq = extended_key(code)))
			tty_queue_input(seq, strlen(seq));
		return;
	}
	if (code >= ARRAY_SIZE(keymap) || !keymap[code])
		return;
	bool shift = kbd.shift[0] || kbd.shift[1];
	c = keymap[code];
	if (c >= 'a' && c <= 'z') {
		if (shift != kbd.caps_lock)
			c = keymap_shift[code];
		if (kbd.ctrl[0] || kbd.ctrl[1])
			c &= 0x1f;	/* Ctrl-A = 0x01 ... */
	} else if (shift) {
		c = keymap_shift[code];
	}
	tty_queue_input(&c, 1);
}

/* IRQ 1: every byte waiting in the controller (the AUX port's are dropped). */
static void i8042_interrupt(int irq, void *dev)
{
	u8 status;
	while ((status = inb(I8042_STATUS)) & STR_OBF) {
		u8 data = inb(I8042_DATA);
		if (!(status & STR_AUXDATA))
			atkbd_receive(data);
	}
}

/* --- the platform driver ---------------------------------------------------- */

static int i8042_probe(struct platform_device *dev)
{
	u8 ctr, r;

	/* Quiet first: both ports off, stale bytes gone, before the controller is trusted. */
	if (i8042_command(CMD_KBD_DISABLE, -1, NULL) || i8042_command(CMD_AUX_DISABLE, -1, NULL)) {
		pr_info("i8042: no controller at 0x%lx,0x64\n", dev->io_base);
		return -ENODEV;
	}
	i8042_flush();
	if (i8042_command(CMD_CTL_RCTR, -1, &ctr))
		return -EIO;
	if (i8042_command(CMD_CTL_TEST, -1, &r) || r != 0x55) {
		pr_err("i8042: controller self-test failed (0x%x)\n", r);
		return -EIO;
	}
	if (i8042_command(CMD_KBD_TEST, -1, &r) || r != 0x00) {
		pr_err("i8042: keyboard interface test failed (0x%x)\n", r);
		return -EIO;
	}
	/* Polled while the keyboard talks to us: no interrupts yet, AUX stays off. */
	ctr = (ctr | CTR_SYS | CTR_XLATE | CTR_AUXDIS) & ~(CTR_KBDINT | CTR_AUXINT | CTR_KBDDIS);
	if (i8042_command(CMD_CTL_WCTR, ctr, NULL) || i8042_command(CMD_KBD_ENABLE, -1, NULL))
		return -EIO;
	if (kbd_command(KBD_RESET, &r) || r != KBD_ACK || i8042_wait_read() || inb(I8042_DATA) != KBD_BAT_OK) {
		pr_info("i8042: no keyboard on the KBD port\n");
		return -ENODEV;
	}
	if (request_irq(dev->irq, i8042_interrupt, "i8042", dev))
		return -EBUSY;
	if (i8042_command(CMD_CTL_WCTR, ctr | CTR_KBDINT, NULL))
		return -EIO;
	pr_info("serio: i8042 KBD port at 0x%lx,0x64 irq %d\n", dev->io_base, dev->irq);
	pr_info("input: AT Translated Set 2 keyboard on /dev/console (US layout)\n");
	return 0;
}
static struct platform_driver i8042_driver = { .name = "i8042", .probe = i8042_probe };

static int __init i8042_init(void) { return platform_driver_register(&i8042_driver); }
device_initcall(i8042_init);
