# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# examples/scheme-template/ptrtable.c: a second lock, taken inside the
# table's lock by rx_reserve and outside it by dontneed -- a lock-order
# inversion (ABBA), which lockdep reports as a possible circular locking
# dependency even when no run deadlocks.
s/^\tspinlock_t lock;\t\t\/\* table, free_head, nr_out \*\/$/&\n\tspinlock_t lock2;/
s/^\tspin_lock_init(&s->lock);$/&\n\tspin_lock_init(\&s->lock2);/
/^static int pt_rx_reserve/,/^}/ {
s/^\tspin_lock_bh(&s->lock);$/&\n\tspin_lock_bh(\&s->lock2);/
s/^\tspin_unlock_bh(&s->lock);$/\tspin_unlock_bh(\&s->lock2);\n&/
}
/^static int pt_dontneed/,/^}/ {
s/^\tspin_lock_bh(&s->lock);$/\tspin_lock_bh(\&s->lock2);\n&/
s/^out:$/&\n\tspin_unlock_bh(\&s->lock2);/
}
