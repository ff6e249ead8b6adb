/*
 * vsprintf.c - printf formatting: %d %i %u %x %X %o %s %c %p %% with the
 * flags '-', '0', a width, a precision for strings, and the l/ll/z
 * length modifiers.
 */
#include "../include/kernel.h"

struct out { char *buf; size_t size, pos; };
static void put(struct out *o, char c) { if (o->pos + 1 < o->size) o->buf[o->pos] = c; o->pos++; }

static void number(struct out *o, u64 v, int base, bool neg, int width, bool zero, bool left, bool upper)
{
	char tmp[24];
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0, len;
	do { tmp[n++] = digits[v % base]; v /= base; } while (v);
	len = n + neg;
	if (!left && !zero) while (width-- > len) put(o, ' ');
	if (neg) put(o, '-');
	if (!left && zero) while (width-- > len) put(o, '0');
	while (n) put(o, tmp[--n]);
	if (left) while (width-- > len) put(o, ' ');
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	for (; *fmt; fmt++) {
		bool left = false, zero = false, upper = false;
		int width = 0, prec = -1, lng = 0;
		if (*fmt != '%') { put(&o, *fmt); continue; }
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-') left = true;
			else if (*fmt == '0') zero = true;
			else break;
		}
		if (*fmt == '*') { width = va_arg(ap, int); fmt++; }
		while (*fmt >= '0' && *fmt <= '9') width = width * 10 + *fmt++ - '0';
		if (*fmt == '.') {
			prec = 0;
			fmt++;
			if (*fmt == '*') { prec = va_arg(ap, int); fmt++; }
			while (*fmt >= '0' && *fmt <= '9') prec = prec * 10 + *fmt++ - '0';
		}
		while (*fmt == 'l' || *fmt == 'z') { lng++; fmt++; }
		switch (*fmt) {
		case 'd': case 'i': {
			s64 v = lng ? va_arg(ap, s64) : va_arg(ap, int);
			number(&o, v < 0 ? -(u64)v : (u64)v, 10, v < 0, width, zero, left, false);
			break;
		}
		case 'u': case 'x': case 'X': case 'o': {
			u64 v = lng ? va_arg(ap, u64) : va_arg(ap, unsigned);
			int base = *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16;
			upper = *fmt == 'X';
			number(&o, v, base, false, width, zero, left, upper);
			break;
		}
		case 'p':
			put(&o, '0'); put(&o, 'x');
			number(&o, (u64)va_arg(ap, void *), 16, false, 16, true, false, false);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			int len;
			if (!s) s = "(null)";
			len = prec >= 0 ? (int)strnlen(s, prec) : (int)strlen(s);
			if (!left) while (width-- > len) put(&o, ' ');
			for (int i = 0; i < len; i++) put(&o, s[i]);
			if (left) while (width-- > len) put(&o, ' ');
			break;
		}
		case 'c': put(&o, (char)va_arg(ap, int)); break;
		case '%': put(&o, '%'); break;
		default: put(&o, '%'); put(&o, *fmt); break;
		}
	}
	if (size) buf[o.pos < size ? o.pos : size - 1] = 0;
	return (int)o.pos;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
