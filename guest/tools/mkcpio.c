/*
 * mkcpio - write an initramfs in the cpio "newc" format, deterministically
 * (uid/gid 0, mtime 0, inode numbers in list order).
 *
 *   mkcpio out.cpio  dir PATH MODE | file PATH MODE HOSTFILE | nod PATH MODE c MAJ MIN ...
 *
 * (the same verbs as Linux's usr/gen_init_cpio, given on the command line).
 * Each entry is a 110-byte ASCII header "070701" + 13 8-digit hex fields,
 * the name (NUL-terminated, padded to 4 bytes), then the data padded to 4;
 * the archive ends with an entry named "TRAILER!!!".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *out;
static unsigned long offset, ino = 721;

static void pad4(void) { while (offset & 3) { fputc(0, out); offset++; } }

static void entry(const char *name, unsigned mode, const unsigned char *data, unsigned long size,
		  unsigned maj, unsigned min)
{
	char hdr[111];
	unsigned long namesize = strlen(name) + 1;
	snprintf(hdr, sizeof(hdr), "070701%08lX%08X%08X%08X%08X%08X%08lX%08X%08X%08X%08X%08lX%08X",
		 ino++, mode, 0, 0, 1, 0, size, 0, 0, maj, min, namesize, 0);
	fwrite(hdr, 1, 110, out);
	fwrite(name, 1, namesize, out);
	offset += 110 + namesize;
	pad4();
	if (size) fwrite(data, 1, size, out);
	offset += size;
	pad4();
}

int main(int argc, char **argv)
{
	int i = 2;
	if (argc < 2) { fprintf(stderr, "usage: mkcpio out.cpio entries...\n"); return 1; }
	out = fopen(argv[1], "wb");
	if (!out) { perror(argv[1]); return 1; }
	while (i < argc) {
		const char *verb = argv[i];
		if (!strcmp(verb, "dir") && i + 2 < argc) {
			entry(argv[i + 1], 040000 | strtoul(argv[i + 2], NULL, 8), NULL, 0, 0, 0);
			i += 3;
		} else if (!strcmp(verb, "nod") && i + 5 < argc) {
			entry(argv[i + 1], 020000 | strtoul(argv[i + 2], NULL, 8), NULL, 0,
			      atoi(argv[i + 4]), atoi(argv[i + 5]));
			i += 6;
		} else if (!strcmp(verb, "file") && i + 3 < argc) {
			FILE *f = fopen(argv[i + 3], "rb");
			unsigned char *buf;
			long len;
			if (!f) { perror(argv[i + 3]); return 1; }
			fseek(f, 0, SEEK_END); len = ftell(f); fseek(f, 0, SEEK_SET);
			buf = malloc(len + 1);
			if (fread(buf, 1, len, f) != (size_t)len) { perror(argv[i + 3]); return 1; }
			fclose(f);
			entry(argv[i + 1], 0100000 | strtoul(argv[i + 2], NULL, 8), buf, len, 0, 0);
			free(buf);
			i += 4;
		} else {
			fprintf(stderr, "mkcpio: bad entry at '%s'\n", verb);
			return 1;
		}
	}
	entry("TRAILER!!!", 0, NULL, 0, 0, 0);
	while (offset & 511) { fputc(0, out); offset++; }
	fclose(out);
	return 0;
}
