#!/bin/sh
# The console pane's commands that run the machine run without holding the
# window (frontend/debug/commands.h), and the timeline's scrubber
# (timeline.h), driven headless through the window-driving script commands:
# `console LINE` types a line into the console pane, `wait` draws frames
# until nothing runs, `pause` is the Pause button, `scrub ICOUNT` is
# releasing the scrubber. 77: no window could be made (as debug_screenshot).
set -u
BOOTSCOPE=$1
OUT=$2
mkdir -p "$OUT"
cd "$OUT" || exit 1
export SDL_VIDEODRIVER=${SDL_VIDEODRIVER:-offscreen}

fail() {
  echo "debug_console: $*"
  exit 1
}
# run NAME: NAME.dbg with the window must succeed.
run() {
  "$BOOTSCOPE" debug --script "$1.dbg" > "$1.out" 2> "$1.err"
  st=$?
  if [ "$st" = 22 ]; then
    echo "debug_console: skipped, no display: $(cat "$1.err")"
    exit 77
  fi
  [ "$st" = 0 ] || { cat "$1.out" "$1.err"; fail "$1.dbg: status $st"; }
}
# fails NAME MESSAGE: NAME.dbg must exit with status 20 and say MESSAGE.
fails() {
  "$BOOTSCOPE" debug --script "$1.dbg" > "$1.out" 2> "$1.err"
  st=$?
  [ "$st" = 20 ] || { cat "$1.out" "$1.err"; fail "$1.dbg: expected status 20, got $st"; }
  grep -qF "$2" "$1.err" || { cat "$1.err"; fail "$1.dbg: expected '$2'"; }
}
# results FILE: the lines that say where a command left the machine.
results() {
  grep -E ' after [0-9]+ instructions$' "$1"
}

# ---- a running command goes on between frames, and ends as a script's ----
# The same commands, once as a script runs them and once typed into the
# console pane, each followed by `wait`: the same results, word for word.
COMMANDS='continue
next-interrupt
finish
next 3
step 2000000
next-phase
next-initcall
continue 1000000
next-mode 500000'
{ echo 'break kernel_init'; echo "$COMMANDS"; } > sync.dbg
{
  echo 'break kernel_init'
  echo 'console continue'
  echo 'expect-running            # one frame later: still running'
  echo 'console where             # the machine between two frames'
  echo 'console next-phase        # refused: one runs'
  echo 'wait'
  echo 'expect-paused'
  echo 'expect-symbol kernel_init'
  echo "$COMMANDS" | sed 1d | while read -r c; do
    echo "console $c"
    echo 'wait'
  done
} > async.dbg
run sync
run async
results sync.out > sync.results
# (Not the mid-run `where`'s answer: it depends on the host's speed.)
awk '/^> where$/ { skip = 1; next } skip { skip = 0; next } { print }' async.out > async.nowhere
results async.nowhere > async.results
grep -A1 '^> where$' async.out | grep -q ' long64 cpl 0 after [0-9]* instructions$' ||
  fail "where did not answer while continue ran"
[ "$(wc -l < sync.results)" = 9 ] || { cat sync.out; fail "sync.dbg: expected 9 results"; }
diff sync.results async.results || fail "the console's results differ from the script's"
grep -q '^breakpoint 1 (kernel_init): at kernel_init; rip .* after 42917640 instructions$' async.out ||
  fail "the console's continue did not stop at kernel_init"
# Running after its first frame, with the status line saying what runs;
# the frames went on while it ran.
grep -q "^ok: running: continue -- Pause (or Escape) stops it (frame 1)$" async.out ||
  { cat async.out; fail "continue was not running after a frame"; }
grep -q "^error: 'continue' is running: stop it first (Pause or Escape) to next-phase$" async.out ||
  fail "a second running command was not refused"
# continue (50 M instructions) and step 2000000 outlast their first frame.
[ "$(grep -Ec '^ok: nothing runs after ([2-9]|[1-9][0-9]+) frames$' async.out)" -ge 2 ] ||
  { cat async.out; fail "no frames were drawn while continue and step ran"; }

# ---- Pause stops a running command; the machine goes on as if it had not ----
cat > pause.dbg <<'SCRIPT'
console continue
expect-running
pause                             # prints where the command stopped
expect-paused
expect-stop paused
console step 100000000
expect-running
pause
expect-paused
continue                          # the rest of the boot
save-serial paused.log
SCRIPT
run pause
grep -q '^paused; rip 0x[0-9a-f]* (.*) .* after [0-9]* instructions$' pause.out ||
  { cat pause.out; fail "pause did not print where continue stopped"; }
grep -q '^paused after [0-9]* of 100000000 steps; rip ' pause.out ||
  { cat pause.out; fail "pause did not print where step stopped"; }
"$BOOTSCOPE" run --serial file:run.log > /dev/null
cmp run.log paused.log || fail "a paused boot printed something else than bootscope run"

# A script's own command that moves the machine waits for the console's.
printf 'console continue\ngoto 100\n' > busy.dbg
fails busy "'continue' is running in the console: stop it first (Pause or Escape) to goto"
# wait gives up after MAX_FRAMES.
printf 'console continue\nwait 1\n' > slow.dbg
fails slow "'continue' is running in the console after 1 frames"
# console and wait drive the window from a script; the pane refuses them.
printf 'console wait\nconsole console where\n' > nested.dbg
run nested
grep -q '^error: wait is for scripts' nested.out || { cat nested.out; fail "the console ran wait"; }
grep -q '^error: console is for scripts' nested.out || { cat nested.out; fail "the console ran console"; }

# ---- the scrubber ----
cat > scrub.dbg <<'SCRIPT'
break kernel_init
continue
scrub 20000000                    # back
expect icount==20000000
scrub 30000000                    # forwards
expect icount==30000000
scrub 999999999999                # clamped to the furthest instruction reached
expect-symbol kernel_init
scrub 0                           # the oldest checkpoint: power-on
expect icount==0
expect-mode real
delete all
console continue
expect-running
scrub 25000000                    # while running: pauses first
expect-paused
expect icount==25000000
SCRIPT
run scrub
grep -q '^at instruction 20000000; rip ' scrub.out || { cat scrub.out; fail "scrub did not say where it went"; }
grep -q '^paused; rip ' scrub.out || { cat scrub.out; fail "scrub did not pause the running continue"; }
echo "debug_console: ok"
