# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# file: src/schemes/niov_array.c
# changes: 2
# A user token indexes urefs[] unchecked.
/^\t\t\tif (token >= net_devmem_binding_npages(binding))$/{N;d}
