#!/bin/sh
# qemu_mb.sh KERNEL APPEND EXPECTED [STATUS] - boots the Multiboot test kernel
# on QEMU, the reference machine, and holds it to the expectations Bootscope
# is held to: exit status STATUS (default 67, isa-debug-exit 0x21) and the
# lines of the file EXPECTED (one extended regular expression per line, each
# matching a whole serial line, in this order; other lines may come between).
# QEMU's RTC starts at 2024-01-01 00:00:00 as Bootscope's does by default.
# Exits 77 (CTest SKIP_RETURN_CODE) when qemu-system-x86_64 is missing.
set -u
KERNEL="$1"
APPEND="$2"
EXPECTED="$3"
WANT="${4:-67}"
QEMU=$(command -v qemu-system-x86_64) || { echo "SKIP: qemu-system-x86_64 not installed"; exit 77; }
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
timeout 60 "$QEMU" -accel tcg -kernel "$KERNEL" -append "$APPEND" -m 128 \
	-rtc base=2024-01-01T00:00:00 -serial stdio -display none -monitor none \
	-device isa-debug-exit,iobase=0xf4,iosize=1 -no-reboot </dev/null >"$OUT"
STATUS=$?
cat "$OUT"
if [ "$STATUS" != "$WANT" ]; then
	echo "FAIL: QEMU exit status $STATUS, expected $WANT"
	exit 1
fi
awk 'BEGIN { n = 0; i = 0 }
     NR == FNR { want[n++] = $0; next }
     i < n && $0 ~ ("^" want[i] "$") { i++ }
     END { if (i < n) { print "FAIL: no line matching: " want[i] " (in order)"; exit 1 } }' "$EXPECTED" "$OUT"
