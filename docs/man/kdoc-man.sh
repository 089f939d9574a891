#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# One man(3) page from a header's kernel-doc comment, with the kernel's
# own scripts/kernel-doc: its section-9 title made dmtok's section 3.
# usage: kdoc-man.sh KERNEL-DOC HEADER NAME > NAME.3
kd=$1; header=$2; name=$3
perl "$kd" -man -function "$name" "$header" |
  sed -E '1s/^\.TH "Kernel API" 9 "([^"]*)" "([^"]*)" "API Manual" LINUX$/.TH "'"$name"'" 3 "\2" "dmtok" "dmtok Manual"/'
