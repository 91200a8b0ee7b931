/*
 * upload: what the CSV uploads (the voter register, proposals in bulk) share: the body
 * must be UTF-8 text, and ?dry_run=true asks for the check alone, with every problem
 * listed and nothing stored. Implemented in import.c.
 */
#ifndef PB_UPLOAD_H
#define PB_UPLOAD_H

#include "core/req.h"

/* True for ?dry_run=true or ?dry_run=1. */
bool upload_dry_run(const struct req *r);
/* True when the body is non-empty UTF-8; otherwise answers 422 naming what (such as "the
 * register") should have been sent. */
bool upload_text_ok(struct req *r, const char *what) PB_WUR;

#endif
