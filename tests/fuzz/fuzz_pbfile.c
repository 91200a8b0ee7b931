/* libFuzzer target: the pabulib reader, the conversion to tally input, and every rule. */
#include "lib/pbfile/pbelection.h"
#include "lib/pbfile/pbfile.h"
#include "lib/tally/tally.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pbfile f;
    char err[256];
    if (!pbfile_read((const char *)data, size, &f, err, sizeof err))
        return 0;
    struct buf out;
    buf_init(&out);
    pbfile_write(&f, &out);
    buf_free(&out);
    struct pb_election e;
    if (pb_election_build(&f, &e, err, sizeof err) && e.in.nballots < 2000 && e.nprojects < 200 &&
        e.in.budget < 1000000000LL) {
        static const enum tally_rule rules[] = {RULE_GREEDY, RULE_EQUAL_SHARES, RULE_PHRAGMEN};
        for (size_t i = 0; i < 3; i++) {
            struct tally_options opt = {.rule = rules[i], .unit = 100000, .completion = COMPLETION_ADD1};
            if (rules[i] != RULE_GREEDY && e.in.kind != TALLY_APPROVAL)
                continue;
            struct tally_result res;
            if (tally_run(&e.in, &opt, &res) == 0 && res.spent > e.in.budget && rules[i] != RULE_EQUAL_SHARES)
                abort(); /* greedy and Phragmén never overspend */
            tally_result_free(&res);
        }
        pb_election_free(&e);
    }
    pbfile_free(&f);
    return 0;
}
