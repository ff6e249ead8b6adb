/*
 * poweroff_fw.S - the empty workload of bench_boot: a 64 KiB firmware image
 * whose reset vector powers the machine off at once, through the same ACPI
 * PM1a_CNT register (604h <- SLP_EN = 2000h) that ends the guest's boot.
 *
 * bench_boot runs both emulators with this image in place of firmware.bin
 * and otherwise the boot's own command line (-kernel, -initrd, -m), so the
 * time measured is each emulator's start-up (process, machine, image
 * loading) and tear-down, with about twenty guest instructions between.
 *
 * On QEMU's pc machine the PM registers answer only once the firmware has
 * placed them in the PIIX4 power-management function (PCI 00:01.3): the
 * same three configuration writes as acpi_pm_init in guest/firmware/post.S.
 * Bootscope has no PCI bus (the ID reads as all ones) and its PM block is
 * always at 600h.
 */
	.code16
	.text
start:
	cli
	movw	$0xcf8, %dx
	movl	$0x80000b00, %eax	/* bus 0, device 1, function 3: ID */
	outl	%eax, %dx
	movb	$0xfc, %dl
	inl	%dx, %eax
	cmpl	$0x71138086, %eax	/* Intel 82371AB/EB PIIX4 ACPI */
	jne	1f
	movb	$0xf8, %dl
	movl	$0x80000b40, %eax	/* PMBA = 600h */
	outl	%eax, %dx
	movb	$0xfc, %dl
	movl	$0x601, %eax
	outl	%eax, %dx
	movb	$0xf8, %dl
	movl	$0x80000b80, %eax	/* PMREGMISC: PM I/O space on */
	outl	%eax, %dx
	movb	$0xfc, %dl
	movb	$0x01, %al
	outb	%al, %dx
1:	movw	$0x604, %dx		/* PM1a_CNT */
	movw	$0x2000, %ax		/* SLP_TYP = S5 (0), SLP_EN */
	outw	%ax, %dx
2:	hlt
	jmp	2b

	.org	0xfff0, 0xff		/* reset vector, F000:FFF0 */
	jmp	start
	.org	0x10000, 0xff
