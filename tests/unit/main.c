#include "unit.h"

int unit_passed, unit_failed;

int main(void)
{
    test_tally();
    test_tally_proportional();
    test_equal_shares_add1();
    test_equal_shares_price();
    test_equal_shares_near_window();
    test_tally_progress();
    test_ballot_rules();
    test_jsonv();
    test_pbfile();
    test_pbfile_findings();
    test_pbfile_round_trip();
    test_crypto();
    test_totp();
    test_votertoken();
    test_votecode();
    test_voterkeys();
    test_idtoken();
    test_outmsg();
    test_vocab();
    test_import();
    test_imagehdr();
    test_imagestrip();
    printf("%d passed, %d failed\n", unit_passed, unit_failed);
    return unit_failed ? 1 : 0;
}
