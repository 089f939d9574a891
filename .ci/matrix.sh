#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# One target of the portability matrix: configure, build and run the
# library's tests for it, from Debian packages only (.ci/run installs
# them). Prints meson's test summary; the caller counts it.
#
#   i386     i686-linux-gnu-gcc (32-bit long and pointers), cmocka from
#            multiarch: the default test set (unit, conformance on every
#            scheme, checks, the 80 GiB cases). Natively where the kernel
#            executes 32-bit x86 binaries, under qemu-i386 where it cannot
#            (Exec format error); the first line says which.
#   musl     musl-gcc: the tools, the stress test, the example client and
#            the leak reproducer linked statically against libdmtok.a and
#            musl (-Dlink_static); the default test set (unit, conformance
#            on every scheme, checks) with cmocka built for musl from
#            Debian's source package (no musl build of it is packaged);
#            the programs that load scheme libraries (dmtok-conform, the
#            registry test) stay dynamic, as dlopen needs. musl has no
#            <sys/queue.h> and Debian no musl libbsd: the target takes
#            glibc's header-only <sys/queue.h> (the BSD macros) from
#            libc6-dev, nothing else.
#   aarch64  aarch64-linux-gnu-gcc under qemu-user (weakly ordered): the
#            default test set; .ci/run then runs the stress suite in the
#            same build (real threads, every scheme). qemu
#            on an x86 host does not reorder memory: this checks the build
#            and the logic on the target, not the orderings (TSan and the
#            interleaving harness do that).
#   s390x    s390x-linux-gnu-gcc under qemu-user (big-endian): the default
#            test set (UAPI layouts, cmsg parsing, payload checks).
#
# usage: matrix.sh TARGET BUILDDIR
set -u
target=$1
case $2 in /*) dir=$2 ;; *) dir=$PWD/$2 ;; esac	# absolute: compiler checks run elsewhere
src=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$dir"
case $target in
  i386)
    # can this kernel execute a 32-bit x86 program? (IA32_EMULATION)
    probe=$(mktemp -d)
    echo 'int main(void) { return 0; }' > "$probe/p.c"
    wrap=()
    if ! i686-linux-gnu-gcc -o "$probe/p" "$probe/p.c" 2>/dev/null; then
      echo "matrix: i386: the cross compiler cannot build a program"; rm -rf "$probe"; exit 1
    elif "$probe/p" 2>/dev/null; then
      echo "matrix: i386 runs natively"
    elif qemu-i386 "$probe/p"; then
      echo "matrix: i386 runs under qemu-i386 (this kernel cannot execute 32-bit x86 binaries)"
      wrap=(--cross-file "$src/.ci/cross/i386-qemu.ini")
    else
      echo "matrix: i386: neither the kernel nor qemu-i386 runs a 32-bit program"; rm -rf "$probe"; exit 1
    fi
    rm -rf "$probe"
    setup=(meson setup "$dir" "$src" --cross-file "$src/.ci/cross/i386.ini" "${wrap[@]}"
           -Dkernel_source=none)
    ;;
  aarch64|s390x)
    setup=(meson setup "$dir" "$src" --cross-file "$src/.ci/cross/$target.ini" -Dkernel_source=none)
    ;;
  musl)
    inc="$dir-queue-h"
    mkdir -p "$inc/sys"
    cp /usr/include/x86_64-linux-gnu/sys/queue.h "$inc/sys/" || exit 1
    # cmocka for musl: Debian's own source package (apt-get source),
    # built with musl-gcc as a static library
    cm="$dir-cmocka"; rm -rf "$cm"; mkdir -p "$cm"
    (cd "$cm" && apt-get source -qq --download-only cmocka >/dev/null 2>&1 &&
     tar xf cmocka_*.orig.tar.xz && mkdir b && cd b &&
     cmake ../cmocka-*/ -DCMAKE_C_COMPILER=musl-gcc -DWITH_STATIC_LIB=ON -DWITH_EXAMPLES=OFF \
       -DUNIT_TESTING=OFF -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$cm/prefix" \
       -DCMAKE_INSTALL_LIBDIR=lib >/dev/null && make -j2 install >/dev/null) ||
      { echo "matrix.sh: cmocka for musl: apt-get source or its build failed"; exit 1; }
    rm -f "$cm"/prefix/lib/libcmocka.so*
    ln -sf libcmocka-static.a "$cm/prefix/lib/libcmocka.a"
    setup=(env CC=musl-gcc PKG_CONFIG_LIBDIR="$cm/prefix/lib/pkgconfig"
           meson setup "$dir" "$src" -Dkernel_source=none
           -Dlink_static=true "-Dc_args=-idirafter$inc")
    ;;
  *) echo "matrix.sh: unknown target $target" >&2; exit 2 ;;
esac
"${setup[@]}" > "$dir.setup.log" 2>&1 || { tail -20 "$dir.setup.log"; exit 1; }
ninja -C "$dir" > "$dir.build.log" 2>&1 || { grep -E 'error|FAILED' "$dir.build.log" | head -20; exit 1; }
meson test -C "$dir" --timeout-multiplier 4 --print-errorlogs
