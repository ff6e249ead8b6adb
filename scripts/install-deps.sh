#!/bin/sh
# Installs the Debian packages Bootscope builds and tests with, if any are
# missing. Runs apt-get only when something is missing; needs root for that.
set -e
PKGS="cmake ninja-build pkg-config g++ make binutils
libcapstone-dev libsdl2-dev libspdlog-dev libcli11-dev doctest-dev libimgui-dev
libzydis-dev libxbyak-dev qemu-system-x86 cpio
zlib1g-dev libstb-dev console-setup-linux"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "bootscope: missing Debian packages:$missing" >&2
  echo "bootscope: run 'sudo apt-get install$missing' or run make as root" >&2
  exit 1
fi
echo "bootscope: installing$missing"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
