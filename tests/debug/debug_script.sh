#!/bin/sh
# bootscope debug --script without a window (see CMakeLists.txt).
set -eu
BOOTSCOPE=$1
OUT=$2
mkdir -p "$OUT"
cd "$OUT"

cat > milestones.dbg <<'SCRIPT'
expect-mode real
step 3
expect-symbol 0xf0002            # the firmware's first instructions
break start_kernel
continue
expect-symbol start_kernel       # stopped exactly on the call's target
expect-mode long64
break 0xffffffff80000000         # never reached: stays a precise breakpoint
delete 0xffffffff80000000
step 2
break kernel_init
continue
expect-symbol kernel_init
expect-serial rest_init: kernel_init is pid 1
SCRIPT
"$BOOTSCOPE" debug --no-window --script milestones.dbg > milestones.out
grep -q '^ok: at start_kernel' milestones.out
grep -q '^ok: at kernel_init' milestones.out

# A breakpoint that is not a symbol's start: single-stepped, exact.
printf 'break start_kernel+0x1\ncontinue\nexpect-symbol start_kernel+0x1\nwhere\n' > precise.dbg
"$BOOTSCOPE" debug --no-window --script precise.dbg > precise.out
grep -q 'start_kernel+0x1' precise.out

# A failed expectation is status 20.
printf 'expect-symbol start_kernel\n' > fail.dbg
set +e
"$BOOTSCOPE" debug --no-window --script fail.dbg > /dev/null 2>&1
st=$?
set -e
[ "$st" = 20 ] || { echo "expected status 20, got $st"; exit 1; }

# Determinism: a boot the debugger only continues prints `bootscope run`'s
# serial log; a boot with stops and steps (interrupts stepped over) powers
# off, and gives the same log every time.
printf 'continue\nsave-serial continued.log\n' > cont.dbg
"$BOOTSCOPE" debug --no-window --script cont.dbg > cont.out
grep -q 'the machine stopped: power-off' cont.out
"$BOOTSCOPE" run --serial file:run.log
cmp run.log continued.log
cat > boot.dbg <<'SCRIPT'
break start_kernel
continue
step 1000
break do_initcalls
continue
step-interrupts off
step 200
delete start_kernel
delete do_initcalls
continue
save-serial debugged.log
SCRIPT
"$BOOTSCOPE" debug --no-window --script boot.dbg > boot.out
grep -q 'the machine stopped: power-off' boot.out
mv debugged.log debugged1.log
"$BOOTSCOPE" debug --no-window --script boot.dbg > boot2.out
cmp debugged1.log debugged.log
grep -q 'init: all done, powering off' debugged.log
echo "debug_script: ok"
