#!/bin/sh
# The boot timeline's script commands (frontend/debug/commands.h):
# bookmark / goto-bookmark (forwards and back, through the bookmarks file)
# and fault-chain after a triple fault; each refuses what it cannot do.
# Also: user-program symbols in `where` (guest_tasks.h).
set -eu
BOOTSCOPE=$1
OUT=$2
TRIPLE_FAULT_ROM=$3
mkdir -p "$OUT"
cd "$OUT"
rm -f marks.txt

fails() {  # fails NAME: NAME.dbg must exit with status 20
  set +e
  "$BOOTSCOPE" debug --no-window --bookmarks marks.txt --script "$1.dbg" > "$1.out" 2> "$1.err"
  st=$?
  set -e
  [ "$st" = 20 ] || { cat "$1.out" "$1.err"; echo "$1.dbg: expected status 20, got $st"; exit 1; }
}

cat > marks.dbg <<'SCRIPT'
break start_kernel
continue
bookmark at start_kernel
break kernel_init
continue
expect-symbol kernel_init
goto-bookmark at start_kernel       # back in time
expect-symbol start_kernel
goto-bookmark kernel                # no such bookmark: fails the script
SCRIPT
fails marks
grep -q "no bookmark 'kernel'" marks.err
grep -q '^ok: at start_kernel' marks.out
grep -q ' at start_kernel$' marks.txt

# The bookmarks file is read back by the next session.
printf 'goto-bookmark at start_kernel\nexpect-symbol start_kernel\n' > again.dbg
"$BOOTSCOPE" debug --no-window --bookmarks marks.txt --script again.dbg > again.out

# fault-chain: refused while nothing went wrong, explained after a triple fault.
printf 'fault-chain\n' > early.dbg
fails early
grep -q 'did not stop on a triple fault or a panic' early.err
printf 'continue\nexpect-stop shutdown\nfault-chain\n' > triple.dbg
"$BOOTSCOPE" debug --no-window --bookmarks marks.txt --firmware "$TRIPLE_FAULT_ROM" --script triple.dbg > triple.out
grep -q 'In short: #UD -> #GP -> #DF -> triple fault.' triple.out

# User code is named after the program the current task runs (init's
# write() wrapper makes the SYSCALL).
printf 'break syscall write\ncontinue\nback 1\nwhere\n' > user.dbg
"$BOOTSCOPE" debug --no-window --bookmarks marks.txt --script user.dbg > user.out
grep -q '^rip 0x[0-9a-f]* (init:write+0x[0-9a-f]*) long64 cpl 3 ' user.out || { cat user.out; echo "no init: symbol"; exit 1; }

# view needs the window.
printf 'view stack\n' > view.dbg
fails view
grep -q 'view needs the window' view.err
echo "debug_timeline_commands: ok"
