#!/bin/sh
# qemu_run.sh IMAGE [TIMEOUT_SECONDS] - runs a bare-metal system-test ROM image
# on QEMU TCG and prints what kvm_run and bootscope_run print: the bytes the
# guest wrote to port 0xE9, then exit=<v> (isa-debug-exit), shutdown (triple
# fault: -no-reboot makes QEMU exit with status 0) or timeout. QEMU never
# stops on HLT, so a halted guest shows as a timeout.
#
# -cpu max: QEMU's default qemu64 model lacks 1 GiB pages; max offers every
# feature TCG implements (none is enabled before the guest turns it on).
# Exits 77 (CTest skip) when qemu-system-x86_64 is not installed.
set -u
IMG="$1"
LIMIT="${2:-20}"
QEMU=$(command -v qemu-system-x86_64) || { echo "SKIP: qemu-system-x86_64 not installed"; exit 77; }
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
timeout "$LIMIT" "$QEMU" -accel tcg -cpu max -bios "$IMG" -display none -m 32 -no-reboot \
	-debugcon "file:$OUT" -device isa-debug-exit,iobase=0xf4,iosize=1 \
	-serial none -monitor none </dev/null >/dev/null
STATUS=$?
cat "$OUT"
[ -s "$OUT" ] && [ -n "$(tail -c1 "$OUT")" ] && echo
if [ "$STATUS" = 0 ]; then
	echo "shutdown"
elif [ "$STATUS" = 124 ]; then
	echo "timeout"
elif [ $((STATUS % 2)) = 1 ]; then
	echo "exit=$(((STATUS - 1) / 2))"
else
	echo "qemu-status=$STATUS"
fi
