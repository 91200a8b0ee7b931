/*
 * upload: what the CSV uploads (the voter register, proposals in bulk) share: the body
 * must be UTF-8 text, and ?dry_run=true asks for the check alone, with every problem
 * listed and nothing stored. Implemented in import.c.
 */
#ifndef PB_UPLOAD_H
#define PB_UPLOAD_H

#include "core/req.h"
#include "lib/rowerrors.h"

/* True for ?dry_run=true or ?dry_run=1. */
bool upload_dry_run(const struct req *r);
/* True when the body is non-empty UTF-8; otherwise answers 422 naming what (such as "the
 * register") should have been sent. */
bool upload_text_ok(struct req *r, const char *what) PB_WUR;

/* What a dry run found: {"dry_run": true, "valid", "rows" (good rows), "error_count",
 * "errors": [{"line", "field", "message"}]}, for the caller to add its own members to. */
cJSON *upload_findings(size_t good_rows, const struct rowerrors *errors);
/* Checks a real upload's findings: true when there is no problem; otherwise answers 422
 * naming how many problems there are and the first ("the register has 3 problems..."). */
bool upload_clean(struct req *r, const char *what, const struct rowerrors *errors) PB_WUR;

#endif
