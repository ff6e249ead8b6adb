/*
 * The Linux/x86 boot protocol, in miniature (see Documentation/x86/boot.rst
 * in Linux for the full field list).  Shared by the 16-bit setup code (built
 * with -m16) and the 64-bit kernel, so it uses only fixed-size types.
 *
 * The "zero page" (struct boot_params) is 4 KiB: the setup header sits at
 * offset 0x1f1 inside it, exactly where it sits in the bzImage file, and the
 * E820 memory map the setup code collects through INT 15h sits at 0x2d0.
 */
#ifndef BOOTPARAM_H
#define BOOTPARAM_H

typedef unsigned char bp_u8;
typedef unsigned short bp_u16;
typedef unsigned int bp_u32;
#ifdef __x86_64__
typedef unsigned long bp_u64;
#else
typedef unsigned long long bp_u64;
#endif

struct setup_header {
	bp_u8  setup_sects;      /* 0x1f1: sectors of setup code after the boot sector */
	bp_u16 root_flags;
	bp_u32 syssize;          /* 0x1f4: protected-mode code size in 16-byte paras */
	bp_u16 ram_size;
	bp_u16 vid_mode;
	bp_u16 root_dev;
	bp_u16 boot_flag;        /* 0x1fe: 0xAA55 */
	bp_u16 jump;             /* 0x200: short jump over the header */
	bp_u32 header;           /* 0x202: "HdrS" */
	bp_u16 version;          /* 0x206: protocol version we speak */
	bp_u32 realmode_swtch;
	bp_u16 start_sys_seg;
	bp_u16 kernel_version;
	bp_u8  type_of_loader;   /* 0x210: set by the boot loader */
	bp_u8  loadflags;        /* 0x211: LOADED_HIGH, CAN_USE_HEAP */
	bp_u16 setup_move_size;
	bp_u32 code32_start;     /* 0x214: where the 32-bit entry is (0x100000) */
	bp_u32 ramdisk_image;    /* 0x218: physical address of the initrd */
	bp_u32 ramdisk_size;     /* 0x21c: its size in bytes */
	bp_u32 bootsect_kludge;
	bp_u16 heap_end_ptr;
	bp_u8  ext_loader_ver;
	bp_u8  ext_loader_type;
	bp_u32 cmd_line_ptr;     /* 0x228: physical address of the command line */
	bp_u32 initrd_addr_max;
	bp_u32 kernel_alignment;
	bp_u8  relocatable_kernel;
	bp_u8  min_alignment;
	bp_u16 xloadflags;
	bp_u32 cmdline_size;
	bp_u32 hardware_subarch;
	bp_u64 hardware_subarch_data;
	bp_u32 payload_offset;
	bp_u32 payload_length;
	bp_u64 setup_data;
	bp_u64 pref_address;
	bp_u32 init_size;        /* 0x260: memory the kernel needs from code32_start */
	bp_u32 handover_offset;
	bp_u32 kernel_info_offset;
} __attribute__((packed));

#define LOADED_HIGH   0x01
#define CAN_USE_HEAP  0x80

/* One E820 entry: what INT 15h AX=E820h returns in ES:DI. */
struct boot_e820_entry {
	bp_u64 addr;
	bp_u64 size;
	bp_u32 type;
} __attribute__((packed));

#define E820_RAM       1
#define E820_RESERVED  2
#define E820_ACPI      3
#define E820_NVS       4
#define E820_UNUSABLE  5
#define E820_MAX_ENTRIES_ZEROPAGE 128

struct boot_params {
	bp_u8  _pad0[0x1e8];
	bp_u8  e820_entries;                       /* 0x1e8 */
	bp_u8  _pad1[0x1f1 - 0x1e9];
	struct setup_header hdr;                   /* 0x1f1 */
	bp_u8  _pad2[0x290 - 0x1f1 - sizeof(struct setup_header)];
	bp_u32 alt_mem_k;                          /* 0x290: E801/88h fallback, KiB above 1 MiB (our own use of a pad) */
	bp_u8  _pad3[0x2d0 - 0x294];
	struct boot_e820_entry e820_table[E820_MAX_ENTRIES_ZEROPAGE]; /* 0x2d0 */
	bp_u8  _pad4[0x1000 - 0x2d0 - 20 * E820_MAX_ENTRIES_ZEROPAGE];
} __attribute__((packed));

#endif
