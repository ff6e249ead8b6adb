#!/bin/sh
# check_workload.sh bootscope|qemu EMULATOR KERNEL N REFERENCE
# Runs the benchmark kernel KERNEL at size N on Bootscope (EMULATOR is its
# path) or on QEMU (EMULATOR is the command, looked up on $PATH) and
# requires exit status 67 (isa-debug-exit 0x21: the run ended) and the
# serial line "checksum <REFERENCE>". REFERENCE is a checksum (0x<16 hex
# digits>) or a native build of the workload, whose output at size N gives it.
# Exits 0 when they match, 1 when not, 77 (CTest's skip) when QEMU is missing.
set -u
KIND="$1"
EMULATOR="$2"
KERNEL="$3"
N="$4"
REFERENCE="$5"
MEMORY=512M     # what bench_suite gives every workload

case "$KIND" in
bootscope) ;;
qemu) QEMU=$(command -v "$EMULATOR") || { echo "SKIP: $EMULATOR not installed"; exit 77; } ;;
*)
	echo "usage: check_workload.sh bootscope|qemu EMULATOR KERNEL N REFERENCE" >&2
	exit 2
	;;
esac

case "$REFERENCE" in
0x*) want="checksum $REFERENCE" ;;
*)
	want=$("$REFERENCE" "$N") || { echo "FAIL: the native build $REFERENCE $N failed"; exit 1; }
	;;
esac

OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
case "$KIND" in
bootscope)
	timeout 100 "$EMULATOR" run --kernel "$KERNEL" --append "n=$N" --memory "$MEMORY" \
		--serial stdio </dev/null >"$OUT"
	status=$?
	;;
qemu)
	ICOUNT=""
	case "$KERNEL" in */timer.elf) ICOUNT="-icount shift=0,sleep=off" ;; esac
	# shellcheck disable=SC2086  # ICOUNT is two words or none
	timeout 100 "$QEMU" -accel tcg $ICOUNT -kernel "$KERNEL" -append "n=$N" -m "$MEMORY" \
		-serial stdio -display none -monitor none -nodefaults -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 </dev/null >"$OUT"
	status=$?
	;;
esac
got=$(grep -a '^checksum ' "$OUT" | tail -n 1)
grep -a -v '^portio: line ' "$OUT" | tail -n 20
if [ "$status" != 67 ]; then
	echo "FAIL: $KIND exited with status $status, expected 67 (isa-debug-exit 0x21)"
	exit 1
fi
if [ "$got" != "$want" ]; then
	echo "FAIL: $KIND printed '$got', expected '$want'"
	exit 1
fi
echo "ok: $KIND $(basename "$KERNEL") n=$N: $got"
