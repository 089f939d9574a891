#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# Are the patches in PATCH_DIR ready for netdev? With the kernel's own
# tools, in a kernel source tree:
#   1. scripts/checkpatch.pl --strict: no error, warning or check (the
#      Fixes: ids are checked against git history only in a kernel git
#      tree: UNKNOWN_COMMIT_ID is ignored here);
#   2. git apply --check: they apply, in order;
#   3. the objects they touch build: the tree configured with Debian's own
#      6.12 config (NET_DEVMEM=y), then `make <each touched .o>`; the
#      patches are reverted afterwards, so the tree can be reused.
# usage: check-patches.sh PATCH_DIR WORK_DIR [KERNEL_SOURCE]
#   KERNEL_SOURCE: a tarball or an extracted tree (default: Debian's
#   /usr/src/linux-source-6.12.tar.xz, apt-get install linux-source-6.12);
#   a tarball is extracted once into WORK_DIR and reused.
# Exit: 0 ready, 1 a check failed, 77 no kernel source (install hint).
set -u
pdir=$1; work=$2; ksrc=${3:-/usr/src/linux-source-6.12.tar.xz}
cfg=/usr/src/linux-config-6.12/config.amd64_none_amd64.xz
[ -e "$ksrc" ] || { echo "SKIP: no kernel source $ksrc (apt-get install linux-source-6.12)"; exit 77; }
set -- "$pdir"/*.patch
[ -f "$1" ] || { echo "check-patches.sh: no patch in $pdir"; exit 1; }
pdir=$(cd "$pdir" && pwd)
mkdir -p "$work"
if [ -d "$ksrc" ]; then
  tree=$ksrc
else
  tree=$work/$(basename "$ksrc" .tar.xz)
  if [ ! -f "$tree/Makefile" ]; then
    t0=$(date +%s)
    tar -C "$work" -xf "$ksrc" || exit 1
    echo "extracted $ksrc in $(( $(date +%s) - t0 )) s"
  fi
fi
cd "$tree" || exit 1
bad=0
# 1. style
for p in "$pdir"/*.patch; do
  out=$(perl scripts/checkpatch.pl --strict --no-tree --ignore UNKNOWN_COMMIT_ID "$p" 2>&1)
  if printf '%s\n' "$out" | grep -q '^total: 0 errors, 0 warnings, 0 checks'; then
    echo "ok - checkpatch --strict: $(basename "$p")"
  else
    printf '%s\n' "$out" | head -30; echo "not ok - checkpatch --strict: $(basename "$p")"; bad=1
  fi
done
# 2. they apply, in order
if git apply --check "$pdir"/*.patch; then
  echo "ok - the patches apply to $(cat include/config/kernel.release 2>/dev/null || basename "$tree")"
else
  echo "not ok - git apply --check"; exit 1
fi
# 3. the touched objects build
objs=$(sed -n 's|^+++ b/\(.*\)\.c$|\1.o|p' "$pdir"/*.patch | sort -u | tr '\n' ' ')
[ -f .config ] || { xz -dc "$cfg" > .config && make -s olddefconfig >/dev/null 2>&1; } ||
  { echo "not ok - cannot configure the tree (Debian's config: apt-get install linux-config-6.12)"; exit 1; }
git apply "$pdir"/*.patch || exit 1
t0=$(date +%s)
if make -s -j"$(nproc)" $objs > "$work/build.log" 2>&1; then
  echo "ok - built $objs with the patches in $(( $(date +%s) - t0 )) s"
else
  tail -30 "$work/build.log"; echo "not ok - $objs do not build with the patches"; bad=1
fi
git apply -R "$pdir"/*.patch || { echo "not ok - the patches do not revert"; bad=1; }
exit $bad
