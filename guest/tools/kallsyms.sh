#!/bin/sh
# kallsyms.sh NM VMLINUX OUT.S - the kernel's own symbol table, for backtraces.
# Lists the text symbols of a first link, sorted by address, as a table the
# kernel links in on the second link (section .kallsyms, placed after
# everything it describes, so no listed address moves).
set -e
NM="$1"; IN="$2"; OUT="$3"
"$NM" -n "$IN" | awk '
$2 ~ /^[tTW]$/ && $3 !~ /^(\.|__kallsyms)/ { addr[n] = $1; name[n] = $3; n++ }
END {
	print "\t.section .kallsyms, \"a\""
	print "\t.balign 8"
	print "\t.globl kallsyms_num, kallsyms_addresses, kallsyms_names"
	print "kallsyms_num:\t.quad " n
	print "kallsyms_addresses:"
	for (i = 0; i < n; i++) print "\t.quad 0x" addr[i]
	print "kallsyms_names:"
	for (i = 0; i < n; i++) print "\t.quad .Lname" i
	for (i = 0; i < n; i++) print ".Lname" i ":\t.asciz \"" name[i] "\""
}' > "$OUT"
