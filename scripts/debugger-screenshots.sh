#!/bin/sh
# Retakes the debugger screenshots in docs/ (README, "Debugger") with the
# window on SDL's offscreen driver: paused at the reset vector, stopped at
# start_kernel, and after /sbin/init at machine_power_off.
#   scripts/debugger-screenshots.sh [BUILD_DIR]
set -eu
BUILD=${1:-build}
DOCS=$(cd "$(dirname "$0")/../docs" && pwd)
SCRIPT=$(mktemp)
trap 'rm -f "$SCRIPT"' EXIT
cat > "$SCRIPT" <<SCRIPT
screenshot $DOCS/debugger-reset.png
break start_kernel
continue
view stack
screenshot $DOCS/debugger-start_kernel.png
delete all
continue
view devices
screenshot $DOCS/debugger-init.png
SCRIPT
SDL_VIDEODRIVER=offscreen "$BUILD/frontend/bootscope" debug --script "$SCRIPT"
