#!/bin/sh
# The debugger window on SDL's offscreen driver, stopped at start_kernel and
# written to a PNG (see CMakeLists.txt). 77: no window could be made.
set -u
BOOTSCOPE=$1
OUT=$2
PYTHON=$3
CHECK=$4
mkdir -p "$OUT"
cd "$OUT" || exit 1
rm -f start_kernel.png
cat > shot.dbg <<'SCRIPT'
break start_kernel
continue
expect-symbol start_kernel
screenshot start_kernel.png
SCRIPT
SDL_VIDEODRIVER=${SDL_VIDEODRIVER:-offscreen} "$BOOTSCOPE" debug --script shot.dbg > shot.out 2> shot.err
st=$?
if [ "$st" = 22 ]; then
  echo "debug_screenshot: skipped, no display: $(cat shot.err)"
  exit 77
fi
cat shot.out shot.err
[ "$st" = 0 ] || { echo "debug_screenshot: status $st"; exit 1; }
grep -q '^ok: at start_kernel' shot.out || exit 1
"$PYTHON" "$CHECK" start_kernel.png

# The window's frame loop with the guest running between frames: frame-rate
# runs on to the power-off and reports what it measured (host time, so only
# its form is checked; the figure is in the README).
printf 'frame-rate 30\nexpect-stop power-off\nview devices\nview page walk\nview gdt\nscreenshot devices.png\n' > frames.dbg
SDL_VIDEODRIVER=${SDL_VIDEODRIVER:-offscreen} "$BOOTSCOPE" debug --script frames.dbg > frames.out 2> frames.err ||
  { cat frames.out frames.err; echo "debug_screenshot: frame-rate failed"; exit 1; }
grep -Eq '^[0-9]+ frames in [0-9.]+ s: [0-9.]+ frames a second' frames.out ||
  { cat frames.out; echo "debug_screenshot: no frame-rate report"; exit 1; }
[ -s devices.png ] || { echo "debug_screenshot: no devices.png"; exit 1; }
