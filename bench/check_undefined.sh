#!/bin/sh
# check_undefined.sh NM OBJECT ALLOWED... - fails when the workload object
# OBJECT refers to a symbol it does not define other than ALLOWED (the
# runtime's services): a workload must not call the C library, or the native
# build would run different code (glibc's) from the bare-metal one. The
# compiler emits memcpy/memset for some loops and copies; the workload flags
# (-fno-builtin -fno-tree-loop-distribute-patterns) keep them out.
set -eu
NM="$1"
OBJECT="$2"
shift 2
status=0
for symbol in $("$NM" -u "$OBJECT" | awk '{ print $NF }'); do
	allowed=no
	for a in "$@"; do
		[ "$symbol" = "$a" ] && allowed=yes
	done
	if [ "$allowed" = no ]; then
		echo "$OBJECT: refers to '$symbol', which no runtime provides (allowed: $*)" >&2
		status=1
	fi
done
exit $status
