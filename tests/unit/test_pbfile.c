/* pabulib reading and writing: quoting, BOM, CRLF, section case, round trip. */
#include "lib/pbfile/pbelection.h"
#include "lib/pbfile/pbfile.h"
#include "lib/tally/tally.h"
#include "unit.h"

#include <stdio.h>

#include <stdlib.h>
#include <string.h>

void test_pbfile(void)
{
    const char *text = "\xEF\xBB\xBFmeta\r\nkey;value\r\nbudget;1000\r\ndescription;\"a; b \"\"q\"\"\"\r\n"
                       "PROJECTS\r\nproject_id;cost;name\r\n1;500;\"Park; north\"\r\nBO.D1.3/24;250;x\r\n"
                       "VOTES\r\nvoter_id;vote\r\nv1;1,BO.D1.3/24\r\nv2;\r\n";
    struct pbfile f;
    char err[128];
    CHECK(pbfile_read(text, strlen(text), &f, err, sizeof err));
    CHECK(strcmp(pbfile_meta(&f, "budget"), "1000") == 0);
    CHECK(strcmp(pbfile_meta(&f, "description"), "a; b \"q\"") == 0);
    CHECK(f.projects.nrows == 2 && strcmp(f.projects.rows[0][2], "Park; north") == 0);
    CHECK(strcmp(f.projects.rows[1][0], "BO.D1.3/24") == 0);
    CHECK(f.votes.nrows == 2 && strcmp(f.votes.rows[1][1], "") == 0);

    struct buf out;
    buf_init(&out);
    pbfile_write(&f, &out);
    struct pbfile g;
    CHECK(pbfile_read(out.data, out.len, &g, err, sizeof err));
    CHECK(g.projects.nrows == 2 && strcmp(g.projects.rows[0][2], "Park; north") == 0);
    CHECK(strcmp(pbfile_meta(&g, "description"), "a; b \"q\"") == 0);
    pbfile_free(&g);
    buf_free(&out);
    pbfile_free(&f);

    const char *no_meta = "PROJECTS\nproject_id\n1\n";
    CHECK(!pbfile_read(no_meta, strlen(no_meta), &f, err, sizeof err));
    const char *too_many = "META\nkey;value\nx;1\nPROJECTS\nproject_id;cost\n1;2;3\n";
    CHECK(!pbfile_read(too_many, strlen(too_many), &f, err, sizeof err));
}

static bool build(const char *text, struct pbfile *f, struct pb_election *e, char *err, size_t errlen)
{
    if (!pbfile_read(text, strlen(text), f, err, errlen))
        return false;
    if (!pb_election_build(f, e, err, errlen)) {
        pbfile_free(f);
        return false;
    }
    return true;
}

/* What an outside check (pabutools on the same files) found the reader doing wrong. */
void test_pbfile_findings(void)
{
    struct pbfile f;
    struct pb_election e;
    char err[256];
    struct tally_result res;
    struct tally_options greedy = {.rule = RULE_GREEDY};

    /* a project named twice in one approval ballot counts once: A 1 vote, B 2 */
    const char *dup = "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\nA;10\nB;10\n"
                      "VOTES\nvoter_id;vote\n1;A,A\n2;B\n3;B\n";
    CHECK(build(dup, &f, &e, err, sizeof err));
    CHECK(tally_run(&e.in, &greedy, &res) == 0 && res.score[0] == 1 && res.score[1] == 2 && res.selected[1]);
    tally_result_free(&res);
    pb_election_free(&e);
    pbfile_free(&f);
    /* ... and is refused, with its line, where it cannot mean anything (ranks, points) */
    const char *dup_rank = "META\nkey;value\nbudget;10\nvote_type;ordinal\nPROJECTS\nproject_id;cost\nA;10\nB;10\n"
                           "VOTES\nvoter_id;vote\n1;A,B\n2;B,A,B\n";
    CHECK(!build(dup_rank, &f, &e, err, sizeof err) && strstr(err, "line 12") && strstr(err, "twice"));

    /* a cost of 999999999 is a cost: with a budget that large the project is funded */
    const char *big = "META\nkey;value\nbudget;1000000000\nPROJECTS\nproject_id;cost\nA;999999999\n"
                      "VOTES\nvoter_id;vote\n1;A\n";
    CHECK(build(big, &f, &e, err, sizeof err));
    CHECK(tally_run(&e.in, &greedy, &res) == 0 && res.selected[0]);
    tally_result_free(&res);
    pb_election_free(&e);
    pbfile_free(&f);

    /* three decimals and a decimal comma are read exactly, in the scale they need */
    const char *dec = "META\nkey;value\nbudget;10,5\nPROJECTS\nproject_id;cost\nA;10.125\nB;0,375\n"
                      "VOTES\nvoter_id;vote\n1;A,B\n2;None\n";
    CHECK(build(dec, &f, &e, err, sizeof err));
    CHECK(e.scale == 1000 && e.in.budget == 10500 && e.cost[0] == 10125 && e.cost[1] == 375);
    CHECK(e.in.nballots == 2 && e.in.start[2] == 2); /* None: an empty ballot, still a voter */
    pb_election_free(&e);
    pbfile_free(&f);

    /* what the format does not allow is refused with its line */
    const char *bad_cost = "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\nA;1\nB;1.2.3\n";
    CHECK(!build(bad_cost, &f, &e, err, sizeof err) && strstr(err, "line 7") && strstr(err, "B"));
    const char *seven = "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\nA;1.0000001\n";
    CHECK(!build(seven, &f, &e, err, sizeof err) && strstr(err, "line 6"));
    const char *unknown = "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\nA;1\nVOTES\nvoter_id;vote\n1;A\n2;Z\n";
    CHECK(!build(unknown, &f, &e, err, sizeof err) && strstr(err, "line 10") && strstr(err, "Z"));
}

/* Awkward titles survive writer -> reader in every ballot type, and what is written is
 * what pabutools can read: no line-break character of any kind inside a field, and an
 * abstention in a points ballot written as None. */
void test_pbfile_round_trip(void)
{
    static const char *const titles[] = {"Park; north \"old\"", "line\nbreak\r\nhere", "sep\xE2\x80\xA8" "arator",
                                         "next\xC2\x85line", "para\xE2\x80\xA9graph", "tab\there \xC3\xA6\xC3\xB8\xC3\xA5",
                                         "vt\vff\f", ""};
    static const char *const expect[] = {"Park; north \"old\"", "line break  here", "sep arator", "next line",
                                         "para graph", "tab\there \xC3\xA6\xC3\xB8\xC3\xA5", "vt ff", ""};
    static const char *const types[] = {"approval", "cumulative", "ordinal"};
    size_t nt = sizeof titles / sizeof *titles;
    for (size_t t = 0; t < 3; t++) {
        struct pbfile f;
        pbfile_init(&f);
        pbfile_meta_set(&f, "description", titles[2]);
        pbfile_meta_set(&f, "budget", "100");
        pbfile_meta_set(&f, "vote_type", types[t]);
        static const char *const pcols[] = {"project_id", "cost", "name"};
        pb_table_set_cols(&f.projects, 3, pcols);
        for (size_t i = 0; i < nt; i++) {
            char id[8];
            snprintf(id, sizeof id, "%zu", i + 1);
            const char *row[3] = {id, "10", titles[i]};
            pb_table_add_row(&f.projects, row);
        }
        bool points = t == 1;
        static const char *const vcols[] = {"voter_id", "vote", "points"};
        pb_table_set_cols(&f.votes, points ? 3 : 2, vcols);
        const char *v1[3] = {"1", "1,3", "2,5"}, *v2[3] = {"2", "", ""};
        pb_table_add_row(&f.votes, v1);
        pb_table_add_row(&f.votes, v2);
        struct buf out;
        buf_init(&out);
        pbfile_write(&f, &out);
        /* no line-break character inside the text but the row ends */
        size_t lines = 0;
        for (size_t i = 0; i < out.len; i++)
            lines += out.data[i] == '\n';
        CHECK(lines == 5 + 2 + nt + 2 + 2);
        CHECK(!memchr(out.data, '\r', out.len) && !strstr(out.data, "\xE2\x80\xA8") && !strstr(out.data, "\xC2\x85") &&
              !strstr(out.data, "\xE2\x80\xA9") && !memchr(out.data, '\v', out.len));
        CHECK(!points || strstr(out.data, "\n2;None;None\n"));
        struct pbfile g;
        struct pb_election e;
        char err[256];
        CHECK(pbfile_read(out.data, out.len, &g, err, sizeof err));
        for (size_t i = 0; i < nt && g.projects.nrows == nt; i++)
            CHECK(strcmp(g.projects.rows[i][2], expect[i]) == 0);
        CHECK(pb_election_build(&g, &e, err, sizeof err));
        CHECK(e.in.nballots == 2 && e.in.start[1] == 2 && e.in.start[2] == 2 && e.in.items[0] == 0 && e.in.items[1] == 2);
        CHECK(!points || (e.in.points[0] == 2 && e.in.points[1] == 5));
        pb_election_free(&e);
        pbfile_free(&g);
        buf_free(&out);
        pbfile_free(&f);
    }
}
