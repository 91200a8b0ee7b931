/* pabulib reading and writing: quoting, BOM, CRLF, section case, round trip. */
#include "lib/pbfile/pbfile.h"
#include "unit.h"

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
