#!/bin/sh
# The debugger's engine through `bootscope debug --no-window --script`:
# breakpoint kinds evaluated inside the emulator, conditions and hit
# counts, breakpoint files, watchpoints, stepping over and out, running to
# the next phase/initcall/interrupt/mode switch, and time travel (see
# CMakeLists.txt). Every check is an expect-* command, so a wrong stop
# fails the script with status 20.
set -eu
BOOTSCOPE=$1
OUT=$2
mkdir -p "$OUT"
cd "$OUT"

# run NAME: runs NAME.dbg, shows its output on failure.
run() {
  if ! "$BOOTSCOPE" debug --no-window --script "$1.dbg" > "$1.out" 2> "$1.err"; then
    cat "$1.out" "$1.err"
    echo "debug_engine: $1.dbg failed"
    exit 1
  fi
}
# fails NAME STATUS MESSAGE: NAME.dbg must exit with STATUS and say MESSAGE.
fails() {
  set +e
  "$BOOTSCOPE" debug --no-window --script "$1.dbg" > "$1.out" 2> "$1.err"
  st=$?
  set -e
  [ "$st" = "$2" ] || { cat "$1.out" "$1.err"; echo "debug_engine: $1.dbg: expected status $2, got $st"; exit 1; }
  grep -q "$3" "$1.err" || { cat "$1.err"; echo "debug_engine: $1.dbg: expected '$3'"; exit 1; }
}

# ---- the boot's milestones as breakpoint kinds, in boot order ----
cat > kinds.dbg <<'SCRIPT'
break cr0.pe                      # the firmware enters protected mode
continue
expect-stop CR0 0x60000010 -> 0x60000011 at bios:pm_enter
expect-mode protected16
delete $
break mmio 0xfee00000-0xfee00fff r   # its first local APIC read
continue
expect-stop mmio 0xfee00030 read
delete $
break lidt                        # setup's null IDT before protected mode
continue
expect-stop LIDT base 0x0 limit 0x0 at setup:main
expect-mode real
delete $
break phys 0x100000               # the kernel's 32-bit entry, before paging
continue
expect-mode protected32
expect cr0&0x1 && cpl==0
delete $
break efer.lme
continue
expect-stop EFER
expect efer&0x100
delete $
break cr0.pg                      # paging on: compatibility mode until the far jump
continue
expect-stop CR0 0x60000011 -> 0xe0010011
expect-mode compat32
delete $
break start_kernel
continue
expect-symbol start_kernel
expect-mode long64
expect cpl==0 && cr0&0x80000001 && efer&0x400 && cs==0x10
break ltr
continue
expect-stop LTR 0x40
break io 0x3f8 w                  # the first byte written to COM1's data port
continue
expect-stop port 0x3f8 write 0x1
ignore $ 2                        # the next two writes do not stop
continue
expect-stop port 0x3f8 write 0x20
condition $ al==0x69              # an 'i'
continue
expect-stop port 0x3f8 write 0x69
expect al==0x69
disable $
break vector 0x20                 # the first timer interrupt
continue
expect-stop vector 0x20 (external)
expect-symbol stub_32
delete $
break console init:               # COM1 printed "init:"
continue
expect-stop COM1 printed "init:"
expect-serial init:
disable $
break syscall write               # the first write(2) of /sbin/init
continue
expect-stop syscall 1 (write)
expect-symbol entry_SYSCALL_64
expect rax==1
info breakpoints
save-breakpoints saved.bps
SCRIPT
run kinds
grep -q '^ *[0-9]* io .* off  *io 0x3f8 w if al==0x69, hit 5 times' kinds.out || { cat kinds.out; exit 1; }

# A breakpoint file read back gives the same breakpoints (written again: the same file).
cat > load.dbg <<'SCRIPT'
load-breakpoints saved.bps
info breakpoints
save-breakpoints saved2.bps
SCRIPT
run load
grep -q 'io  *off io 0x3f8 w if al==0x69, hit 0 times' load.out
grep -q 'console  *off console init:' load.out
cmp saved.bps saved2.bps

# ---- code breakpoints, however the instruction is reached ----
# common_entry is reached only by JMP (from each vector's stub), ret_to_regs
# by JMP and by falling through; the BSS clear's REP STOSQ (9216 iterations)
# runs as several chunks but is one arrival; x86_64_start_kernel by CALL;
# a breakpoint in the middle of a function (with an ignore count) and a
# physical one after paging.
cat > code.dbg <<'SCRIPT'
break startup_64+0x44             # rep stosq: clears the BSS
break x86_64_start_kernel
continue
expect-symbol startup_64+0x44
expect rcx==0x2400
continue                          # the rest of the REP is no new arrival
expect-symbol x86_64_start_kernel
expect rcx==0
delete all
break common_entry                # only JMPs lead here
continue
expect-symbol common_entry
expect-stop breakpoint 3 (common_entry): at common_entry
continue
expect-symbol common_entry
delete all
break ret_to_regs
continue
expect-symbol ret_to_regs
delete all
break do_one_initcall+0x9         # mid-function: no single-stepping
ignore $ 2
continue
expect-symbol do_one_initcall+0x9
expect r13==0
info breakpoints
delete all
break phys 0x115295               # do_one_initcall's physical address, after paging
continue
expect-symbol do_one_initcall
expect-stop at physical 0x115295 (do_one_initcall)
info breakpoints
SCRIPT
run code
grep -q 'code  *on  *ret_to_regs' code.out && { cat code.out; exit 1; }
grep -q 'phys  *on  *phys 0x115295, hit 1 time' code.out || { cat code.out; exit 1; }
grep -q 'do_one_initcall+0x9 at 0xffffffff8011529e, hit 3 times' code.out || { cat code.out; exit 1; }

# ---- watchpoints ----
cat > watch.dbg <<'SCRIPT'
break start_kernel
continue
watch jiffies                     # written by the timer interrupt
continue
expect-stop watchpoint 2 (jiffies 8): 8-byte write of 0x1
expect-stop by 0xffffffff
expect-stop (timer_interrupt+
expect-stop old 0x0, new 0x1
continue
expect-stop old 0x1, new 0x2
break return do_one_initcall      # when FUNC returns: where its caller resumes
disable 2
continue
expect-stop returned to do_initcalls+
SCRIPT
run watch

# Read and access watchpoints: data reads stop, instruction fetches do not.
cat > rwatch.dbg <<'SCRIPT'
break start_kernel
continue
watch -r phys 0x115295 1          # do_one_initcall's first byte: fetched, never read as data
break kernel_init
continue
expect-symbol kernel_init
delete all
watch -r jiffies
continue
expect-stop watchpoint 4 (-r jiffies 8): 8-byte read of 0x
expect-stop by 0xffffffff
delete all
watch -a jiffies if rip>=timer_interrupt && rip<timer_interrupt+0x40
continue                          # the timer's jiffies++: a load, then a store
expect-stop 8-byte read of
expect-stop (timer_interrupt+
continue
expect-stop 8-byte write of
expect-stop (timer_interrupt+
expect-stop , new 0x
info breakpoints
save-breakpoints rw.bps
SCRIPT
run rwatch
grep -q '^watch -a jiffies 8 if rip>=timer_interrupt && rip<timer_interrupt+0x40$' rw.bps || { cat rw.bps; exit 1; }

# ---- stepping ----
cat > steps.dbg <<'SCRIPT'
next-mode
expect-stop mode switch real -> protected16
next-phase
expect-stop phase: long mode
next-phase
expect-stop phase: start_kernel
expect-symbol start_kernel
next-phase
expect-stop phase: start_kernel > set_task_stack_end_magic
finish                            # step out: back in start_kernel
expect-stop finish: returned to start_kernel+
break kernel_init                 # run to kernel_init
continue
expect-symbol kernel_init
delete $
next-initcall
expect-stop initcall level 0 (pure): init_uts_ns_setup
next-initcall
expect-stop initcall level 1 (core)
back 1                            # on the CALL in do_one_initcall
next                              # over it: the initcall runs to its return
expect-stop step over: returned to do_one_initcall+
next-interrupt
expect-stop interrupt: vector
SCRIPT
run steps

# A step that an interrupt arrives before runs the handler to its IRET and
# lands in the interrupted code; the machine can go on (it used to end as
# "the machine stopped: breakpoint").
cat > step_irq.dbg <<'SCRIPT'
break kernel_init
continue
delete all
next-interrupt                    # the keyboard's, once request_irq unmasks it
expect-stop interrupt: vector 0x21 (external)
back 1                            # the instruction before the interrupt
step 2                            # it, the handler run through, the next one
expect-symbol request_irq+0x46
next-interrupt
expect-stop interrupt: vector 0x20 (external)
SCRIPT
run step_irq

# Stepping over a BIOS call: INT 15h from the real-mode setup code.
cat > bios.dbg <<'SCRIPT'
break vector 0x15
continue
expect-symbol bios:int15_handler
delete $
back 1                            # on the INT 15h
expect-mode real
step                              # into the firmware
expect-symbol bios:int15_handler
back 1
next                              # over it
expect-stop step over: returned to setup:main+
expect-mode real
SCRIPT
run bios

# ---- time travel ----
cat > travel.dbg <<'SCRIPT'
break start_kernel
continue
step 100
save-state here
step 1000
back 1000                         # reverse step: exactly the state 1000 instructions ago
compare-state here
goto 20000000                     # forwards...
where
goto 24731                        # ...and back by instruction count
compare-state here
reverse-continue                  # back to the last breakpoint hit
expect-symbol start_kernel
expect icount==24631
delete all
goto 40000000
last-write jiffies                # the timer interrupt that wrote it last
expect-stop last write of
expect-stop (timer_interrupt+
back 1
next                              # the writing instruction again
expect-stop step
delete all
continue                          # the rest of the boot after all that
save-serial travelled.log
SCRIPT
run travel

# Going back forgets what happened after: hit counts, first boot phases.
cat > forget.dbg <<'SCRIPT'
next-phase                        # the first entry to protected mode...
expect-stop phase: protected mode
goto 0
next-phase                        # ...is the first again after going back before it
expect-stop phase: protected mode
break do_one_initcall
continue
continue
info breakpoints                  # hit twice
back 1                            # before the second hit: hit once
info breakpoints
continue
expect-symbol do_one_initcall
info breakpoints
SCRIPT
run forget
[ "$(grep -c 'do_one_initcall at 0x[0-9a-f]*, hit 2 times' forget.out)" = 2 ] || { cat forget.out; exit 1; }
grep -q 'do_one_initcall at 0x[0-9a-f]*, hit 1 time$' forget.out || { cat forget.out; exit 1; }
"$BOOTSCOPE" run --serial file:run.log > /dev/null
cmp run.log travelled.log

# compare-state can fail.
cat > differs.dbg <<'SCRIPT'
break start_kernel
continue
save-state here
step 10
compare-state here
SCRIPT
fails differs 20 "state differs from 'here'"

# ---- bad input: a clear message and status 20 ----
printf 'break no_such_function\n' > bad_symbol.dbg
fails bad_symbol 20 "no symbol or address 'no_such_function'"
printf 'break start_kernel if rax=3\n' > bad_cond.dbg
fails bad_cond 20 "is not REG OP VALUE"
printf 'break start_kernel if rqx==3\n' > bad_reg.dbg
fails bad_reg 20 "unknown register 'rqx'"
printf 'load-breakpoints /nonexistent/file.bps\n' > bad_file.dbg
fails bad_file 20 "cannot read '/nonexistent/file.bps'"
printf 'watch -x jiffies\n' > bad_watch.dbg
fails bad_watch 20 "usage: watch \\[-r|-a|-w\\] \\[phys\\] ADDR \\[LEN\\]"
printf 'break io 0x3f8 x\n' > bad_access.dbg
fails bad_access 20 "access is r, w or rw"
echo "debug_engine: ok"
