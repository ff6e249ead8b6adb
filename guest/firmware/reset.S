/*
 * reset.S - the last 16 bytes of the ROM, F000:FFF0-FFFF (IBM PC/AT TR).
 *
 * After reset the CPU fetches its first instruction 16 bytes below 4 GiB
 * (CS selector F000h with base FFFF0000h, IP FFF0h; Intel SDM Vol. 3A
 * 9.1.4); the machine maps this ROM's last 64 KiB both there and at
 * F0000h.  The far jump loads a real real-mode CS (base F0000h), and from
 * then on we run in the copy below 1 MiB.  The bytes after it are the
 * BIOS date and the machine model byte that old software looks for.
 */
#include "bios.h"

	.code16
	.section ".reset", "ax"
	.globl	reset_vector
reset_vector:
	ljmpw	$BIOS_SEG, $post	/* FFF0: EA ip cs, 5 bytes */
	.ascii	"01/01/24"		/* FFF5: BIOS date, MM/DD/YY */
	.byte	0			/* FFFD */
	.byte	0xfc			/* FFFE: model byte, FCh = PC/AT */
	.byte	0			/* FFFF */
