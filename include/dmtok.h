/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * dmtok: a user-memory model of Linux devmem TCP receive-token management.
 * The umbrella header; the pieces live in <dmtok/...>.
 */
#ifndef DMTOK_H
#define DMTOK_H

#include "dmtok/uapi.h"
#include "dmtok/alloc.h"
#include "dmtok/model.h"
#include "dmtok/socket.h"

#endif /* DMTOK_H */
