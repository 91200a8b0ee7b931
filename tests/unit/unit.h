/*
 * unit: a tiny table-friendly test harness. CHECK records a pass or a failure with file
 * and line; main prints "N passed, N failed".
 */
#ifndef PB_UNIT_H
#define PB_UNIT_H

#include <stdio.h>

extern int unit_passed, unit_failed;

#define CHECK(cond)                                                                            \
    do {                                                                                       \
        if (cond) {                                                                            \
            unit_passed++;                                                                     \
        } else {                                                                               \
            unit_failed++;                                                                     \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                    \
        }                                                                                      \
    } while (0)

void test_tally(void);
void test_tally_proportional(void);
void test_equal_shares_add1(void);
void test_equal_shares_price(void);
void test_equal_shares_near_window(void);
void test_tally_progress(void);
void test_ballot_rules(void);
void test_jsonv(void);
void test_pbfile(void);
void test_pbfile_findings(void);
void test_pbfile_round_trip(void);
void test_crypto(void);
void test_totp(void);
void test_votertoken(void);
void test_votecode(void);
void test_voterkeys(void);
void test_idtoken(void);
void test_outmsg(void);
void test_vocab(void);
void test_import(void);
void test_imagehdr(void);
void test_imagestrip(void);

#endif
