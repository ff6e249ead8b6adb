/* stdio.c - printf on top of write(2); formats like the kernel's vsnprintf. */
#include "ulibc.h"

static void put(char *b, size_t sz, size_t *pos, char c) { if (*pos + 1 < sz) b[*pos] = c; (*pos)++; }

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	size_t pos = 0;
	for (; *fmt; fmt++) {
		int width = 0, lng = 0, zero = 0, left = 0;
		if (*fmt != '%') { put(buf, size, &pos, *fmt); continue; }
		fmt++;
		if (*fmt == '-') { left = 1; fmt++; }
		if (*fmt == '0') { zero = 1; fmt++; }
		while (*fmt >= '0' && *fmt <= '9') width = width * 10 + *fmt++ - '0';
		while (*fmt == 'l') { lng = 1; fmt++; }
		if (*fmt == 's') {
			const char *s = va_arg(ap, const char *);
			int len;
			if (!s) s = "(null)";
			len = (int)strlen(s);
			if (!left) while (width-- > len) put(buf, size, &pos, ' ');
			while (*s) put(buf, size, &pos, *s++);
			if (left) while (width-- > len) put(buf, size, &pos, ' ');
		} else if (*fmt == 'c') {
			put(buf, size, &pos, (char)va_arg(ap, int));
		} else if (*fmt == 'd' || *fmt == 'u' || *fmt == 'x') {
			unsigned long v;
			int neg = 0, n = 0, base = *fmt == 'x' ? 16 : 10;
			char tmp[24];
			if (*fmt == 'd') {
				long s = lng ? va_arg(ap, long) : va_arg(ap, int);
				if (s < 0) { neg = 1; v = -(unsigned long)s; } else v = s;
			} else
				v = lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
			do { tmp[n++] = "0123456789abcdef"[v % base]; v /= base; } while (v);
			if (neg) tmp[n++] = '-';
			while (width-- > n) put(buf, size, &pos, zero ? '0' : ' ');
			while (n) put(buf, size, &pos, tmp[--n]);
		} else
			put(buf, size, &pos, *fmt);
	}
	if (size) buf[pos < size ? pos : size - 1] = 0;
	return (int)pos;
}
int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap; int n;
	va_start(ap, fmt); n = vsnprintf(buf, size, fmt, ap); va_end(ap);
	return n;
}
int dprintf(int fd, const char *fmt, ...)
{
	char buf[512]; va_list ap; int n;
	va_start(ap, fmt); n = vsnprintf(buf, sizeof(buf), fmt, ap); va_end(ap);
	if (n > (int)sizeof(buf) - 1) n = sizeof(buf) - 1;
	write(fd, buf, n);
	return n;
}
int printf(const char *fmt, ...)
{
	char buf[512]; va_list ap; int n;
	va_start(ap, fmt); n = vsnprintf(buf, sizeof(buf), fmt, ap); va_end(ap);
	if (n > (int)sizeof(buf) - 1) n = sizeof(buf) - 1;
	write(1, buf, n);
	return n;
}
