#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Devmem TCP receive on a real Linux 6.12 kernel, without a NIC, compared
# with dmtok. Boots Debian's own 6.12 kernel (the linux-image package the
# installed linux-headers-6.12.*-amd64 belong to) under
# qemu-system-x86_64 -accel tcg with an initramfs made here: dmtoksim.ko
# (two paired netdevs whose RX queue takes a devmem memory provider, built
# out of tree against those headers), a udmabuf, a netlink bind, and a
# static /init (init.c) that plays the op sequences of tests/guest/seq/
# against the kernel. The same sequences are played against dmtok by
# dmtok-guest-replay (replay.c: the xarray scheme, the 6.12 profile) and
# the two transcripts are compared line by line: returns, errnos, every
# cmsg (niov, offset in it, size, token, binding id), the page pools'
# inflight counts. Then a second boot, with two CPUs, runs
# tests/guest/race/: the stale-token race of examples/xarray-leak, whose
# leak shows as niovs still inflight after close and unbind.
#
# With --kernel-build DIR, also builds a small x86_64 kernel from Debian's
# linux-source-6.12 (tinyconfig + kernel.config: lockdep,
# DEBUG_ATOMIC_SLEEP) twice -- as it is, and with
# examples/xarray-leak/patches/6.12 applied -- and runs the race on both:
# the leak must show on the first and not on the second; and with failslab
# failing the XArray's GFP_NOWAIT node allocations (tests/guest/nomem), the
# first must report the atomic sleep of the second finding, the second not.
#
# usage: tests/guest/run.sh DMTOK_GUEST_REPLAY [--kernel-build DIR]
# env:   DMTOK_GUEST_DIR (work directory; default: a temporary one),
#        DMTOK_GUEST_RACE_SECONDS (default 10)
# exit:  0 all matched and the leak showed (and not with the fix);
#        1 a difference, a kernel warning, or the leak not as expected;
#        77 a piece is missing here (said which)
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
replay=${1:?usage: run.sh DMTOK_GUEST_REPLAY [--kernel-build DIR]}
kbuild=""
[ "${2:-}" = --kernel-build ] && kbuild=${3:?--kernel-build DIR}
race_secs=${DMTOK_GUEST_RACE_SECONDS:-10}

skip() { echo "guest: SKIP: $*"; exit 77; }
fail() { echo "guest: $*"; echo "guest: FAIL"; exit 1; }

for t in qemu-system-x86_64 cpio gzip make gcc; do
	command -v $t >/dev/null 2>&1 || skip "$t is not installed (.ci/run installs qemu-system-x86, cpio, gcc, make)"
done
[ "$(uname -m)" = x86_64 ] || skip "the guest is an x86_64 kernel; this is $(uname -m)"
headers=$(ls -d /usr/src/linux-headers-6.12*-amd64 2>/dev/null | sort -V | tail -1)
[ -n "$headers" ] || skip "no /usr/src/linux-headers-6.12*-amd64 (Debian's linux-headers-6.12.*-amd64)"
kver=${headers#/usr/src/linux-headers-}
[ -x "$replay" ] || fail "$replay: not built"

# the logs stay in DMTOK_GUEST_DIR; a temporary directory goes at the end
if [ -n "${DMTOK_GUEST_DIR:-}" ]; then
	work=$DMTOK_GUEST_DIR
else
	work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
work=$(cd "$work" && pwd)

# Debian's kernel image for those headers: /boot has it where the package is
# installed; otherwise the package is fetched (no root needed) and unpacked.
image=/boot/vmlinuz-$kver
if [ ! -r "$image" ]; then
	image=$work/image/boot/vmlinuz-$kver
	if [ ! -r "$image" ]; then
		(cd "$work" && apt-get download "linux-image-$kver" >/dev/null 2>&1) ||
			skip "/boot/vmlinuz-$kver is not readable and apt-get download linux-image-$kver failed"
		dpkg-deb -x "$work"/linux-image-"$kver"_*.deb "$work/image" || fail "unpacking linux-image-$kver"
	fi
fi
[ -r "$image" ] || skip "$image is not readable"

# build_module KERNEL_BUILD_DIR OUT_DIR: dmtoksim.ko, W=1, stripped
build_module() {
	rm -rf "$2" && mkdir -p "$2" && cp "$here/dmtoksim.c" "$2/" &&
		echo 'obj-m := dmtoksim.o' > "$2/Kbuild" &&
		make -s -C "$1" M="$2" W=1 modules > "$2/build.log" 2>&1 &&
		! grep -E 'warning:|error:' "$2/build.log" &&
		strip --strip-debug "$2/dmtoksim.ko" ||
		{ cat "$2/build.log"; return 1; }
}

# initramfs SEQ_DIR MODULE OUT
initramfs() {
	rm -rf "$work/root" && mkdir -p "$work/root/proc" "$work/root/sys" "$work/root/dev" "$work/root/seq" &&
		cp "$work/init" "$work/root/init" && cp "$work/devmem-race" "$work/root/" &&
		cp "$2" "$work/root/dmtoksim.ko" &&
		cp "$1"/*.seq "$work/root/seq/" &&
		(cd "$work/root" && find . | cpio -o -H newc --quiet | gzip -1) > "$3"
}

# boot KERNEL INITRD SMP NAME [expect-warning]: $work/NAME.console (ttyS0)
# and $work/NAME.out (the guest's transcript, ttyS1). Fails on a kernel
# warning (unless one is expected: the caller checks it) or a missing end.
boot() {
	local t0=$(date +%s) rc=0
	timeout 900 qemu-system-x86_64 -accel tcg -m 1024 -smp "$3" -nographic -no-reboot \
		-kernel "$1" -initrd "$2" \
		-append "console=ttyS0 panic=-1 oops=panic loglevel=5" \
		-serial "file:$work/$4.console" -serial "file:$work/$4.raw" \
		-monitor none -display none > "$work/$4.qemu" 2>&1 || rc=$?
	tr -d '\r' < "$work/$4.raw" > "$work/$4.out"
	echo "guest: $4: boot and run took $(( $(date +%s) - t0 )) s (qemu TCG, $3 CPU)"
	if [ "${5:-}" != expect-warning ] &&
		grep -nE 'WARNING:|BUG:|Oops|INFO: (possible|inconsistent)|stalled pool shutdown' \
		"$work/$4.console" | head -20 | grep .; then
		echo "guest: $4: the kernel warned (above; $work/$4.console)"
		return 1
	fi
	if grep '^error' "$work/$4.out"; then
		return 1
	fi
	grep -q '^guest done' "$work/$4.out" || {
		echo "guest: $4: the guest did not finish (qemu exit $rc); last console lines:"
		tail -15 "$work/$4.console"
		return 1
	}
}

# race NAME KERNEL MODULE: prints the race line, sets $leaked and $secs
race() {
	initramfs "$work/race-seq" "$3" "$work/race.gz" || return 1
	boot "$2" "$work/race.gz" 2 "$1" || return 1
	grep '^guest kernel' "$work/$1.out" | sed "s/^/guest: $1: /"
	line=$(grep '^race ' "$work/$1.out")
	echo "guest: $1: $line"
	leaked=$(echo "$line" | sed -n 's/.*leaked=\([0-9-]*\).*/\1/p')
	aliased=$(echo "$line" | sed -n 's/.*aliased=\([0-9]*\).*/\1/p')
	secs=$(echo "$line" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')
	[ -n "$leaked" ]
}

echo "guest: kernel $image; headers $headers"
build_module "$headers" "$work/mod" || fail "dmtoksim.ko did not build cleanly against $headers"
gcc -static -O2 -Wall -Wextra -Werror -I"$top/include" -I"$here" -I"$top/examples/xarray-leak" \
	-o "$work/init" "$here/init.c" -lpthread ||
	fail "init did not build (a static glibc: libc6-dev)"
# the race is the hardware reproducer itself, unchanged
gcc -static -O2 -Wall -Wextra -Werror -I"$top/include" -I"$top/examples/xarray-leak" \
	-o "$work/devmem-race" "$top/examples/xarray-leak/devmem-race.c" -lpthread ||
	fail "devmem-race did not build"
mkdir -p "$work/race-seq" && rm -f "$work/race-seq"/*.seq &&
	sed "s/^race [0-9]*/race $race_secs/" "$here/race/01-stale-token.seq" > "$work/race-seq/01-stale-token.seq"

# The sequences: tests/guest/seq/, and one per input of the fuzz_dontneed
# corpus (its raw optval against a socket holding 40 frags, as the fuzzer
# plays it against dmtok).
rm -rf "$work/seq-all" && mkdir -p "$work/seq-all" && cp "$here"/seq/*.seq "$work/seq-all/" || fail "copying the sequences"
n=0
for f in "$top"/tests/fuzz/corpus/dontneed/*; do
	[ -f "$f" ] && [ -s "$f" ] || continue
	n=$((n + 1))
	{
		echo "name fuzz-dontneed-$(basename "$f" | cut -c1-16)"
		echo "bind 1048576"; echo connect; echo "send $((40 * 1448))"; echo "recv 64"
		echo "dontneed-raw $(od -An -v -tx1 "$f" | tr -d ' \n')"
		echo "dontneed held"; echo close; echo unbind; echo pools
	} > "$work/seq-all/50-fuzz-dontneed-$n.seq"
done

# 1. the sequences, one CPU: with one CPU skb_attempt_defer_free() frees at
# once, so which niov each frag lands in does not depend on scheduling
initramfs "$work/seq-all" "$work/mod/dmtoksim.ko" "$work/seq.gz" || fail "initramfs"
boot "$image" "$work/seq.gz" 1 seq || fail "the sequences did not run cleanly"
grep -v '^#' "$work/seq.out" | grep -v '^guest ' > "$work/seq.kernel"
"$replay" "$work"/seq-all/*.seq > "$work/seq.dmtok.raw" || fail "dmtok-guest-replay failed"
grep -v '^#' "$work/seq.dmtok.raw" > "$work/seq.dmtok"
nseq=$(grep -c '^seq ' "$work/seq.kernel")
nlines=$(wc -l < "$work/seq.kernel")
ncmsg=$(grep -c '^ cmsg' "$work/seq.kernel")
if ! diff -u --label "kernel $kver" --label dmtok "$work/seq.kernel" "$work/seq.dmtok" > "$work/seq.diff"; then
	cat "$work/seq.diff"
	ndiff=$(grep -c '^[-+][^-+]' "$work/seq.diff")
	fail "$nseq sequences, $nlines lines compared: $ndiff differ between kernel $kver and dmtok (above)"
fi
echo "guest: $nseq sequences ($n from the fuzz_dontneed corpus) against kernel $kver and dmtok:" \
	"$nlines lines ($ncmsg cmsgs) compared, 0 differences"

# 2. the race on Debian's kernel: the leak must show
race race "$image" "$work/mod/dmtoksim.ko" || fail "the race did not run"
[ "$leaked" -gt 0 ] 2>/dev/null ||
	fail "the stale-token race leaked nothing in $secs s on kernel $kver: not reproduced"
echo "guest: the upstream leak reproduced on kernel $kver: $leaked niovs in $secs s" \
	"($(awk -v l="$leaked" -v s="$secs" 'BEGIN { printf "%.1f", l / s }') a second);" \
	"$aliased tokens seen twice within one recvmsg (ids erased mid-call and reissued)"

# 3. --kernel-build: the same race on a small kernel, unpatched and patched
if [ -n "$kbuild" ]; then
	mkdir -p "$kbuild" && kbuild=$(cd "$kbuild" && pwd)
	src=$kbuild/linux-source-6.12
	if [ ! -d "$src" ]; then
		[ -r /usr/src/linux-source-6.12.tar.xz ] || skip "no /usr/src/linux-source-6.12.tar.xz (linux-source-6.12)"
		tar -xJf /usr/src/linux-source-6.12.tar.xz -C "$kbuild" || fail "extracting linux-source-6.12"
	fi
	(cd "$src" && git apply -R --check "$top"/examples/xarray-leak/patches/6.12/*.patch 2>/dev/null &&
		git apply -R "$top"/examples/xarray-leak/patches/6.12/*.patch)	# a rerun starts unpatched
	kb() {	# kb OUT: build bzImage in $kbuild/build, copy it to OUT
		local t0=$(date +%s)
		make -s -C "$src" O="$kbuild/build" -j"$(nproc)" bzImage modules \
			> "$kbuild/build.log" 2>&1 || { tail -30 "$kbuild/build.log"; return 1; }
		cp "$kbuild/build/arch/x86/boot/bzImage" "$1"
		echo "guest: kernel built in $(( $(date +%s) - t0 )) s ($(nproc) CPUs)"
	}
	if [ ! -f "$kbuild/build/.config" ] || ! cmp -s "$here/kernel.config" "$kbuild/kernel.config"; then
		mkdir -p "$kbuild/build"
		make -s -C "$src" O="$kbuild/build" tinyconfig > /dev/null &&
			"$src/scripts/kconfig/merge_config.sh" -m -O "$kbuild/build" "$kbuild/build/.config" \
				"$here/kernel.config" > /dev/null &&
			make -s -C "$src" O="$kbuild/build" olddefconfig > /dev/null || fail "configuring the small kernel"
		for o in NET_DEVMEM UDMABUF PROVE_LOCKING DEBUG_ATOMIC_SLEEP NET_NS; do
			grep -q "^CONFIG_$o=y" "$kbuild/build/.config" || fail "the small kernel's config lost CONFIG_$o"
		done
		cp "$here/kernel.config" "$kbuild/kernel.config"
	fi
	kb "$kbuild/bzImage.plain" || fail "the small kernel did not build"
	build_module "$kbuild/build" "$work/mod-small" || fail "dmtoksim.ko did not build against the small kernel"
	race race-small "$kbuild/bzImage.plain" "$work/mod-small/dmtoksim.ko" || fail "the race did not run on the small kernel"
	plain_leaked=$leaked
	[ "$leaked" -gt 0 ] || fail "the small unpatched kernel leaked nothing in $secs s: not reproduced"
	(cd "$src" && git apply "$top"/examples/xarray-leak/patches/6.12/*.patch) || fail "the patches do not apply"
	kb "$kbuild/bzImage.fixed"
	rc=$?
	(cd "$src" && git apply -R "$top"/examples/xarray-leak/patches/6.12/*.patch)
	[ $rc -eq 0 ] || fail "the patched kernel did not build"
	race race-fixed "$kbuild/bzImage.fixed" "$work/mod-small/dmtoksim.ko" || fail "the race did not run on the patched kernel"
	[ "$leaked" -eq 0 ] || fail "the patched kernel still leaked $leaked niovs"
	echo "guest: small 6.12 kernel: $plain_leaked niovs leaked unpatched, 0 with examples/xarray-leak/patches/6.12"

	# the second finding: GFP_KERNEL with BH disabled in __xas_nomem()
	initramfs "$here/nomem" "$work/mod-small/dmtoksim.ko" "$work/nomem.gz" || fail "initramfs"
	boot "$kbuild/bzImage.plain" "$work/nomem.gz" 1 nomem-small expect-warning ||
		fail "the failing node allocation did not run to its end unpatched"
	grep '^nomem off' "$work/nomem-small.out" | sed 's/^/guest: nomem-small: /'
	sleeping='BUG: sleeping function called from invalid context'
	grep -q "$sleeping" "$work/nomem-small.console" &&
		grep -A40 "$sleeping" "$work/nomem-small.console" | grep -q '__xas_nomem' ||
		fail "unpatched, the failing node allocation did not report an atomic sleep in __xas_nomem()"
	grep -A40 "$sleeping" "$work/nomem-small.console" |
		grep -E "$sleeping|in_atomic|__xas_nomem|__xa_alloc|tcp_recvmsg" | head -8 | sed 's/^/guest: nomem-small: /'
	boot "$kbuild/bzImage.fixed" "$work/nomem.gz" 1 nomem-fixed ||
		fail "with the patches, the failing node allocation still warned"
	grep '^nomem off' "$work/nomem-fixed.out" | sed 's/^/guest: nomem-fixed: /'
	grep -q '^nomem off injected=[1-9]' "$work/nomem-fixed.out" ||
		fail "with the patches, failslab injected no failure: the path was not taken"
	echo "guest: small 6.12 kernel: the atomic sleep in __xas_nomem() reported unpatched, none with the patches"
fi
echo "guest: PASS"
