#!/bin/sh
# boot_bootscope.sh CASE GUEST_DIR TEST_DIR - boot guest/firmware on Bootscope
# itself (TEST_DIR/boot_bootscope, see boot_bootscope.cpp) and check COM1.
#
# Cases (the same firmware as boot_qemu.sh's firmware* cases, other machine):
#   firmware           firmware banner and load line, the setup code's E820
#                      map, /sbin/init, power-off
#   firmware_nokernel  no kernel: the firmware says so and halts with
#                      interrupts off (the run loop reports "halted")
#   firmware_services  TEST_DIR/fw_services.bzImage probes the BIOS services
# Bootscope's virtual clock makes each run identical, so these need no timeout.
set -u
CASE="$1"
G="$2"
T="$3"
RUN="$T/boot_bootscope"
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT

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

[ -f "$G/firmware.bin" ] || fail "$G/firmware.bin is missing: build the 'guest' target"

case "$CASE" in
firmware)
	"$RUN" "$G/firmware.bin" "$G/bzImage" "$G/initramfs.cpio" "console=ttyS0 extra-arg" >"$LOG" 2>&1
	STATUS=$?
	[ "$STATUS" = 0 ] || fail "exit status $STATUS, expected 0 (power-off)"
	expect_in_order \
		'^Bootscope firmware [0-9.]+: 128 MiB RAM \(E820 from fw_cfg\)' \
		'^firmware: Linux setup [0-9]+ bytes at 0x00010000, kernel [0-9]+ bytes at 0x00100000, initrd [0-9]+ bytes at 0x[0-9a-f]{8}, cmdline [0-9]+ bytes at 0x00020000' \
		'^Bootscope setup: boot protocol 2\.15, loader type 0xb0' \
		'^setup: 07 E820 entries' \
		'BIOS-e820: \[mem 0x0000000000000000-0x000000000009fbff\] usable' \
		'BIOS-e820: \[mem 0x000000000009fc00-0x000000000009ffff\] reserved' \
		'BIOS-e820: \[mem 0x00000000000f0000-0x00000000000fffff\] reserved' \
		'BIOS-e820: \[mem 0x0000000000100000-0x0000000007ffffff\] usable' \
		'BIOS-e820: \[mem 0x00000000fec00000-0x00000000fec00fff\] reserved' \
		'BIOS-e820: \[mem 0x00000000fee00000-0x00000000fee00fff\] reserved' \
		'BIOS-e820: \[mem 0x00000000ffff0000-0x00000000ffffffff\] reserved' \
		'RAMDISK: \[mem ' \
		'Kernel command line: console=ttyS0 extra-arg' \
		'Run /sbin/init as init process' \
		'^init: argv\[1\] = "extra-arg"' \
		'^init: all done, powering off' \
		'reboot: Power down' \
		'^boot_bootscope: stop: power-off'
	grep -q '^firmware: unimplemented' "$LOG" && fail "the kernel called a firmware service that is missing"
	;;
firmware_nokernel)
	"$RUN" "$G/firmware.bin" >"$LOG" 2>&1
	STATUS=$?
	[ "$STATUS" = 10 ] || fail "exit status $STATUS, expected 10 (halted for good)"
	expect_in_order '^Bootscope firmware [0-9.]+: 128 MiB RAM' \
		'^firmware: no kernel in fw_cfg \(use --kernel\)' \
		'^boot_bootscope: stop: halted'
	;;
firmware_services)
	"$RUN" "$G/firmware.bin" "$T/fw_services.bzImage" >"$LOG" 2>&1
	STATUS=$?
	[ "$STATUS" = 0 ] || fail "exit status $STATUS, expected 0 (power-off)"
	# Bootscope's RTC starts at 2024-01-01T00:00:00 unless told otherwise.
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
		'^fwtest: rtc 2024-01-01 00:00:0[0-9]' \
		'^fwtest: ticks advance=1' \
		'^fwtest: int16 1e61 1e61 3042 zf=01 flags=00' \
		'^fwtest: done' \
		'^boot_bootscope: stop: power-off'
	;;
*)
	echo "unknown case $CASE"; exit 2 ;;
esac
echo "PASS: $CASE ($(wc -l <"$LOG") log lines)"
