/*
 * setup.c - setup_arch(): everything about this PC the generic kernel needs
 * before it can allocate memory: the E820 map becomes memblock, the kernel
 * image and initrd are reserved in it, the page tables are rebuilt, and the
 * APIC registers are mapped.
 */
#include "../../../include/kernel.h"
#include "../../../include/asm.h"
#include "../../../include/init.h"
#include "../../../include/mm.h"
#include "../../../include/bootparam.h"
#include "irq.h"

struct boot_params boot_params;		/* our copy of the zero page */
extern u64 boot_params_phys;		/* head_64.S saved %esi here */
#define COMMAND_LINE_SIZE 2048
char boot_command_line[COMMAND_LINE_SIZE];
static char command_line[COMMAND_LINE_SIZE];
u64 initrd_start, initrd_end;		/* direct-mapped virtual addresses */
void start_kernel(void);
void parse_early_param(void);

/*
 * The C entry from head_64.S.  Copy the zero page and the command line out
 * of low memory while the early identity map still covers them: after
 * paging_init() physical addresses are only reachable through __va().
 */
void __init x86_64_start_kernel(void)
{
	memcpy(&boot_params, __va(boot_params_phys), sizeof(boot_params));
	if (boot_params.hdr.cmd_line_ptr)
		strlcpy(boot_command_line, __va((u64)boot_params.hdr.cmd_line_ptr), COMMAND_LINE_SIZE);
	start_kernel();
}

static const char *e820_type_name(u32 t)
{
	switch (t) {
	case E820_RAM: return "usable";
	case E820_RESERVED: return "reserved";
	case E820_ACPI: return "ACPI data";
	case E820_NVS: return "ACPI NVS";
	case E820_UNUSABLE: return "unusable";
	default: return "type ?";
	}
}

/* Print the firmware's map and feed its RAM to memblock. */
static void __init e820__memory_setup(void)
{
	struct boot_e820_entry *e = boot_params.e820_table;
	int n = boot_params.e820_entries;

	if (!n) {
		/* The setup code fell back to E801/88h: RAM = 640K + alt_mem_k above 1M. */
		pr_info("e820: no E820 map; using E801/88h: %u KiB above 1 MiB\n", boot_params.alt_mem_k);
		e[0] = (struct boot_e820_entry){ 0, 0x9fc00, E820_RAM };
		e[1] = (struct boot_e820_entry){ 0x100000, (u64)boot_params.alt_mem_k << 10, E820_RAM };
		n = boot_params.e820_entries = 2;
	}
	pr_info("BIOS-provided physical RAM map:\n");
	for (int i = 0; i < n; i++) {
		pr_info("BIOS-e820: [mem 0x%016lx-0x%016lx] %s\n", e[i].addr, e[i].addr + e[i].size - 1,
			e820_type_name(e[i].type));
		if (e[i].type == E820_RAM)
			memblock_add(e[i].addr, e[i].size);
	}
}

/* The boot loader put the initrd somewhere in RAM; keep memblock off it. */
static void __init early_reserve_initrd(void)
{
	u64 image = boot_params.hdr.ramdisk_image, size = boot_params.hdr.ramdisk_size;
	if (!image || !size) {
		pr_info("initrd: none given by the boot loader\n");
		return;
	}
	memblock_reserve(image, ALIGN_UP(size, PAGE_SIZE));
	initrd_start = (u64)__va(image);
	initrd_end = initrd_start + size;
	pr_info("RAMDISK: [mem 0x%08lx-0x%08lx] reserved\n", image, image + size - 1);
}

void __init setup_arch(char **cmdline_p)
{
	strlcpy(command_line, boot_command_line, COMMAND_LINE_SIZE);
	*cmdline_p = command_line;

	e820__memory_setup();
	parse_early_param();

	/*
	 * Reserve what must never be handed out: the real-mode IVT and BIOS
	 * data (page 0), the EBDA..BIOS ROM hole below 1 MiB, the kernel image
	 * itself, and the initrd.
	 */
	memblock_reserve(0, PAGE_SIZE);
	memblock_reserve(0x9f000, 0x100000 - 0x9f000);
	memblock_reserve(__pa_symbol(_text), __pa_symbol(_end) - __pa_symbol(_text));
	pr_info("memblock_reserve: kernel image [mem 0x%08lx-0x%08lx]\n", __pa_symbol(_text), __pa_symbol(_end) - 1);
	early_reserve_initrd();

	max_pfn = memblock_end_of_DRAM() >> PAGE_SHIFT;
	pr_info("last_pfn = 0x%lx max_arch_pfn = 0x400000000\n", max_pfn);
	memblock.current_limit = max_pfn << PAGE_SHIFT;
	if (memblock.current_limit > (1UL << 30))
		memblock.current_limit = 1UL << 30;	/* the early map covers 1 GiB */
	memblock_dump_all();

	paging_init();
	init_apic_mappings();
}
