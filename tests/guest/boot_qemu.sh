#!/bin/sh
# boot_qemu.sh CASE GUEST_DIR [TEST_DIR] - boot the guest on QEMU and check the serial log.
#
# Cases on QEMU's own firmware (SeaBIOS):
#   full      the normal boot: every start_kernel step, every initcall level,
#             /sbin/init and its child, power-off with exit status 0
#   init      init=/bin/nonexistent falls back to /sbin/init
#   noinit    an initramfs without any init: "No working init found" panic
#   rdinit    rdinit=/bin/hello runs that program as pid 1
# Cases on our firmware, GUEST_DIR/firmware.bin (-bios):
#   firmware           the full boot, plus the firmware's banner, its load
#                      line and its E820 map as the kernel prints it
#   firmware_nokernel  no -kernel: the firmware says so and halts (QEMU is
#                      killed by a timeout)
#   firmware_services  TEST_DIR/fw_services.bzImage (fw_services.S) calls
#                      the BIOS services and prints what they return
# Exits 77 (CTest SKIP_RETURN_CODE) when qemu-system-x86_64 is missing.
#
# With BOOTSCOPE=/path/to/bootscope in the environment, the cases full, init,
# noinit and rdinit boot on Bootscope instead (`bootscope run` with the
# bundled firmware), held to the same expectations: the guest must tell the
# same story on both machines.
set -u
CASE="$1"
G="$2"
T="${3:-}"
BOOTSCOPE="${BOOTSCOPE:-}"
if [ -z "$BOOTSCOPE" ]; then
	QEMU=$(command -v qemu-system-x86_64) || { echo "SKIP: qemu-system-x86_64 not installed"; exit 77; }
fi
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT

QEMU_ARGS="-m 128M -serial stdio -display none -monitor none -no-reboot -nodefaults"

boot() {	# boot INITRD APPEND [QEMU ARGS...] -> $LOG, $STATUS
	initrd="$1"; append="$2"; shift 2
	if [ -n "$BOOTSCOPE" ]; then
		# Virtual time: no wall-clock timeout is needed, --max-time bounds a runaway guest.
		"$BOOTSCOPE" run --firmware "$G/firmware.bin" --kernel "$G/bzImage" --initrd "$initrd" \
			--append "$append" --memory 128M --no-reboot --max-time 60s >"$LOG" 2>&1 </dev/null
		STATUS=$?
		return
	fi
	# shellcheck disable=SC2086
	timeout 30 "$QEMU" -kernel "$G/bzImage" -initrd "$initrd" -append "$append" $QEMU_ARGS "$@" \
		>"$LOG" 2>&1 </dev/null
	STATUS=$?
}

fail() { echo "FAIL: $*"; echo "----- serial log -----"; cat "$LOG"; exit 1; }

# expect_in_order PATTERN... : each extended regexp must match a line after the previous match
expect_in_order() {
	line=0
	for pat in "$@"; do
		n=$(tail -n +$((line + 1)) "$LOG" | grep -n -E -m1 -- "$pat" | cut -d: -f1)
		[ -n "$n" ] || fail "expected, in order after line $line: /$pat/"
		line=$((line + n))
	done
}

need_firmware() {
	[ -f "$G/firmware.bin" ] || fail "$G/firmware.bin is missing: build the 'guest' target"
}

FULL_APPEND="console=ttyS0 initcall_debug loglevel=8 greeting=hello-env extra-arg"

# expect_full_boot [PATTERN...]: the given patterns, then the whole story of a full boot, in order
expect_full_boot() {
	expect_in_order "$@" \
		'^Bootscope setup: boot protocol' \
		'E820 entries; enabling A20, entering protected mode' \
		'Linux version 0\.1\.0-bootscope' \
		'BIOS-provided physical RAM map:' \
		'BIOS-e820: \[mem 0x0000000000000000-0x[0-9a-f]+\] usable' \
		'memblock_reserve: kernel image' \
		'RAMDISK: \[mem ' \
		'paging_init: direct map' \
		'mapped APIC to' \
		'Kernel command line: console=ttyS0 initcall_debug' \
		'trap_init: IDT with 256 gates' \
		'Built 1 zonelists' \
		'Memory: [0-9]+K/[0-9]+K available' \
		'kmem_cache_init: slab allocator up' \
		'sched_init: round-robin runqueue' \
		'i8259A: remapped IRQ 0-15' \
		'clocksource: PIT channel 0 at 1000 Hz' \
		'tsc: Detected [0-9.]+ MHz' \
		'printk: console \[ttyS0\] enabled, replayed' \
		'Calibrating delay loop\.\.\. [0-9.]+ BogoMIPS' \
		'rtc: CMOS clock reads' \
		'fork_init: task_struct is' \
		'proc_caches_init:' \
		'buffer_init:' \
		'vfs_caches_init:' \
		'signals_init:' \
		'proc_root_init:' \
		'rest_init: kernel_init is pid 1, kthreadd is pid 2' \
		'smp: Brought up 1 node, 1 CPU' \
		'driver_init:' \
		'init_workqueues:' \
		'initcall level 0: pure' 'calling  init_uts_ns_setup' 'initcall init_uts_ns_setup.* returned 0 after [0-9]+ usecs' \
		'initcall level 1: core' 'calling  platform_bus_init' \
		'initcall level 2: postcore' 'calling  tty_chrdev_init' \
		'initcall level 3: arch' 'calling  add_legacy_pc_devices' \
		'initcall level 4: subsys' 'calling  vga_driver_init' \
		'initcall level 5: fs' 'calling  devtmpfs_init' \
		'initcall level 6: rootfs' 'calling  populate_rootfs' 'Unpacking initramfs\.\.\.' \
		'initcall level 7: device' 'serial8250: ttyS0 at I/O 0x3f8 .* is a 16550A' \
		'initcall level 8: late' 'sched: preemption selftest' \
		'Freeing unused kernel memory: [0-9]+K' \
		'Write protecting the kernel read-only data' \
		'Run /sbin/init as init process' \
		'^init: Hello from /sbin/init! pid 1, ppid 0' \
		'^init: argv\[1\] = "extra-arg"' \
		'^init: envp\[[0-9]\] = "greeting=hello-env"' \
		'^init: uname: Linux bootscope' \
		'^init: /proc/uptime: [0-9]+\.[0-9]+' \
		'^init: /etc/motd: Welcome to the Bootscope guest' \
		'^init: RTC date [0-9]{4}-' \
		'^hello: Hello from /bin/hello!' \
		'^init: child [0-9]+ exited with status 42' \
		'^init: all done, powering off' \
		'reboot: Power down'
	grep -q 'kthreadd: pid 2 running' "$LOG" || fail "kthreadd did not run"
	grep -q 'workqueue: first work item ran in kworker/0' "$LOG" || fail "the workqueue did not run"
	grep -q 'child pid [0-9]* running, exec /bin/hello' "$LOG" || fail "the forked child did not print"
	# After fork the parent's line and the child's come in either order:
	# QEMU's tick is in real time, so which task the tick finds running varies.
	grep -q '^init: forked child pid [0-9]*, waiting' "$LOG" || fail "init did not say it forked"
}

case "$CASE" in
full)
	boot "$G/initramfs.cpio" "$FULL_APPEND"
	[ "$STATUS" = 0 ] || fail "exit status $STATUS, expected 0 (power-off through port 0x604)"
	expect_full_boot
	;;
firmware)
	need_firmware
	boot "$G/initramfs.cpio" "$FULL_APPEND" -bios "$G/firmware.bin"
	[ "$STATUS" = 0 ] || fail "QEMU exit status $STATUS, expected 0 (power-off through port 0x604)"
	expect_full_boot \
		'^Bootscope firmware [0-9.]+: 128 MiB RAM \(E820 from fw_cfg\)' \
		'^firmware: Linux setup [0-9]+ bytes at 0x00010000, kernel [0-9]+ bytes at 0x00100000, initrd [0-9]+ bytes at 0x[0-9a-f]{8}, cmdline [0-9]+ bytes at 0x00020000'
	expect_in_order 'BIOS-provided physical RAM map:' \
		'BIOS-e820: \[mem 0x0000000000000000-0x000000000009fbff\] usable' \
		'BIOS-e820: \[mem 0x000000000009fc00-0x000000000009ffff\] reserved' \
		'BIOS-e820: \[mem 0x00000000000f0000-0x00000000000fffff\] reserved' \
		'BIOS-e820: \[mem 0x0000000000100000-0x0000000007ffffff\] usable' \
		'BIOS-e820: \[mem 0x00000000fec00000-0x00000000fec00fff\] reserved' \
		'BIOS-e820: \[mem 0x00000000fee00000-0x00000000fee00fff\] reserved' \
		'BIOS-e820: \[mem 0x00000000ffff0000-0x00000000ffffffff\] reserved'
	grep -q '^firmware: unimplemented' "$LOG" && fail "the kernel called a firmware service that is missing"
	;;
firmware_nokernel)
	need_firmware
	# shellcheck disable=SC2086
	timeout 3 "$QEMU" -bios "$G/firmware.bin" $QEMU_ARGS >"$LOG" 2>&1 </dev/null
	STATUS=$?
	[ "$STATUS" = 124 ] || fail "QEMU exit status $STATUS, expected 124 (halted until the timeout killed it)"
	expect_in_order '^Bootscope firmware [0-9.]+: 128 MiB RAM' \
		'^firmware: no kernel in fw_cfg \(use --kernel\)'
	grep -q '^firmware: Linux setup' "$LOG" && fail "the firmware tried to boot without a kernel"
	;;
firmware_services)
	need_firmware
	[ -f "$T/fw_services.bzImage" ] || fail "$T/fw_services.bzImage is missing: build the 'guest_fw_services' target"
	# shellcheck disable=SC2086
	timeout 30 "$QEMU" -bios "$G/firmware.bin" -kernel "$T/fw_services.bzImage" $QEMU_ARGS \
		-rtc base=2024-01-02T03:04:05,clock=vm >"$LOG" 2>&1 </dev/null
	STATUS=$?
	[ "$STATUS" = 0 ] || fail "QEMU exit status $STATUS, expected 0 (power-off through port 0x604)"
	expect_in_order \
		'^fwtest: int10/0f ax=5003 bh=00' \
		'^fwtest: int10/03 dx=050a cx=0d0e' \
		'^fwtest: int11 ax=0222 int12 ax=027f' \
		'^fwtest: e801 ax=3c00 bx=0700 cx=3c00 dx=0700 cf=00' \
		'^fwtest: 88 ax=ffff cf=00' \
		'^fwtest: a20 support=0002 01 00 01' \
		'^firmware: unimplemented INT 15 AX=c000' '^fwtest: cf=01 ah=86' \
		'^fwtest: cf=01 ah=80' \
		'^fwtest: cf=01 ah=01' \
		'^fwtest: cf=01 ah=01' \
		'^firmware: unimplemented INT 13 AX=9900' '^fwtest: cf=01 ah=01' \
		'^firmware: unimplemented INT 60 AX=1234' '^fwtest: cf=01 ah=86' \
		'^fwtest: rtc 2024-01-02 03:04:[0-5][0-9]' \
		'^fwtest: ticks advance=1' \
		'^fwtest: int16 1e61 1e61 3042 zf=01 flags=00' \
		'^fwtest: done'
	;;
init)
	boot "$G/initramfs.cpio" "init=/bin/nonexistent"
	[ "$STATUS" = 0 ] || fail "QEMU exit status $STATUS, expected 0"
	expect_in_order 'Run /bin/nonexistent as init process' \
		'Failed to execute /bin/nonexistent\.  Attempting defaults' \
		'Run /sbin/init as init process' \
		'^init: Hello from /sbin/init! pid 1' \
		'reboot: Power down'
	;;
noinit)
	boot "$G/initramfs-noinit.cpio" "panic=-1"
	# panic=-1 reboots at once; -no-reboot makes QEMU exit instead, and
	# Bootscope stop with its reset status (12).
	[ "$STATUS" = 124 ] && fail "QEMU timed out: the panic did not end the machine"
	[ -n "$BOOTSCOPE" ] && [ "$STATUS" != 12 ] && fail "bootscope exit status $STATUS, expected 12 (reset, --no-reboot)"
	expect_in_order 'Unpacking initramfs' 'Freeing unused kernel memory' \
		'Run /sbin/init as init process' 'Run /etc/init' 'Run /bin/init' 'Run /bin/sh' \
		'Kernel panic - not syncing: No working init found\.  Try passing init= option to kernel\.' \
		'Call Trace:' 'kernel_init\+0x' \
		'end Kernel panic'
	;;
rdinit)
	boot "$G/initramfs.cpio" "rdinit=/bin/hello"
	[ "$STATUS" = 0 ] || fail "QEMU exit status $STATUS, expected 0"
	expect_in_order 'Run /bin/hello as init process' \
		'^hello: Hello from /bin/hello! pid 1, ppid 0' \
		'^hello: argv\[0\] = "/bin/hello"' \
		'^hello: I am pid 1 \(rdinit=\), powering off' \
		'reboot: Power down'
	grep -q '^init: ' "$LOG" && fail "/sbin/init ran although rdinit= named another program"
	;;
*)
	echo "unknown case $CASE"; exit 2 ;;
esac
echo "PASS: $CASE ($(wc -l <"$LOG") log lines)"
