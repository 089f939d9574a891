#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# The model's files call each other without a loop: read from the objects
# themselves (nm: what each defines, what each leaves undefined), an edge
# A -> B for every function A calls that B defines, and tsort(1) -- which
# says "input contains a loop" and names it -- over the edges. The order
# printed is the model's layering, top first.
# usage: check-model-acyclic.sh OBJECT...  or  check-model-acyclic.sh BUILD_DIR/src
if [ $# -eq 1 ] && [ -d "$1" ]; then	# the model's objects meson made there, once each
	set -- $(find "$1" -name 'model_*.c.o' | awk -F/ '!seen[$NF]++' | sort)
fi
[ $# -gt 1 ] || { echo "not ok - fewer than two model objects given or found: $*"; exit 1; }
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
# a cross build's objects the host's nm cannot read: the native build checks them
nm "$1" >/dev/null 2>&1 || { echo "SKIP: nm cannot read $1 (a cross build?)"; exit 77; }
for o in "$@"; do
	f=$(basename "$o" .c.o); f=${f#model_}
	nm --defined-only "$o" | awk '$2 ~ /^[TW]$/ { print $3 }' |
		sed "s/\$/ $f/" >>"$work/defs"
	nm --undefined-only "$o" | awk '{ print $NF }' | sed "s/^/$f /" >>"$work/uses"
done
sort -u "$work/defs" -o "$work/defs"
# each use of a symbol another model file defines: "caller callee"
awk 'NR == FNR { def[$1] = $2; next }
     ($2 in def) && def[$2] != $1 { print $1, def[$2] }' "$work/defs" "$work/uses" |
	sort -u >"$work/edges"
# every file is a node even with no edge
for o in "$@"; do f=$(basename "$o" .c.o); f=${f#model_}; echo "$f $f"; done >>"$work/edges"
if ! tsort "$work/edges" >"$work/order" 2>"$work/err"; then
	echo "not ok - the model's files call each other in a loop:"
	cat "$work/err"
	echo "edges (caller callee):"
	grep -v '^\(.*\) \1$' "$work/edges"
	exit 1
fi
echo "ok - $# files, $(grep -vc '^\(.*\) \1$' "$work/edges") file-to-file call edges, no loop; top first: $(tr '\n' ' ' <"$work/order")"
