/*
 * mkbzimage - glue the real-mode setup and the kernel into a bzImage.
 *
 *   mkbzimage setup.bin vmlinux.bin init_size bzImage
 *
 * The setup code is padded to whole 512-byte sectors (at least 4 after the
 * boot sector, as old loaders assume); the header fields only the finished
 * image knows are patched in: setup_sects (0x1f1), syssize (0x1f4, in 16-byte
 * units) and init_size (0x260).  Our kernel is not compressed: the payload
 * is vmlinux's loadable bytes, which the loader copies to 0x100000.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char *slurp(const char *path, long *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	if (!f) { perror(path); exit(1); }
	fseek(f, 0, SEEK_END);
	*len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, *len + 4096);
	if (fread(buf, 1, *len, f) != (size_t)*len) { perror(path); exit(1); }
	fclose(f);
	return buf;
}

static void put32(unsigned char *p, unsigned v) { p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24; }

int main(int argc, char **argv)
{
	long slen, klen, sects;
	unsigned char *setup, *kernel;
	FILE *out;

	if (argc != 5) { fprintf(stderr, "usage: mkbzimage setup.bin vmlinux.bin init_size bzImage\n"); return 1; }
	setup = slurp(argv[1], &slen);
	kernel = slurp(argv[2], &klen);
	if (slen < 0x264 || memcmp(setup + 0x202, "HdrS", 4)) { fprintf(stderr, "mkbzimage: %s has no setup header\n", argv[1]); return 1; }
	sects = (slen + 511) / 512;
	if (sects < 5) sects = 5;
	setup[0x1f1] = (unsigned char)(sects - 1);
	put32(setup + 0x1f4, (unsigned)((klen + 15) / 16));
	put32(setup + 0x260, (unsigned)strtoul(argv[3], NULL, 0));

	out = fopen(argv[4], "wb");
	if (!out) { perror(argv[4]); return 1; }
	fwrite(setup, 1, sects * 512, out);	/* calloc'd padding is zero */
	fwrite(kernel, 1, klen, out);
	fclose(out);
	printf("bzImage: setup %ld sectors, kernel %ld bytes\n", sects, klen);
	return 0;
}
