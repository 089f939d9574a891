# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# file: src/schemes/niov_array.c
# changes: 1
# The posted WARN_ONCE on a user-supplied out-of-range token.
s/^\t\t\tif (token >= net_devmem_binding_npages(binding))$/\t\t\tif (WARN_ON_ONCE(token >= net_devmem_binding_npages(binding)))/
