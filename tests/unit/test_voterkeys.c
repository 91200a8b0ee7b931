/* The keyed values that stand for voters: known answers computed independently (Python's
 * hmac module over the same messages), so a change to a key label or a message layout,
 * which would orphan every stored code, register row and ballot link, fails here. */
#include "lib/keys.h"
#include "lib/voterkeys.h"
#include "unit.h"

#include <string.h>

void test_voterkeys(void)
{
    unsigned char secret[KEY_LEN];
    memset(secret, 7, sizeof secret);
    struct server_keys k;
    keys_derive(secret, &k);
    char out[VOTERKEY_HEX];

    voterkey_code(&k, 12, "ABCDEFGHJKMNPQRS", out);
    CHECK(strcmp(out, "e488ddc8aa951d9e8af43984af37476a1a0a46c9998b49eecd1c8a3a2749fd16") == 0);
    voterkey_tag(&k, 12, 345, out);
    CHECK(strcmp(out, "eb68ee915081e8bed76b3f1a27d0254fc29ca28f3d2d42b4be057f9ad21cdc12") == 0);

    /* register: the identifier is normalised (case, spaces, dashes), the date checked */
    CHECK(voterkey_register(&k, 12, "010190-1234", "1990-01-01", "4300", out));
    CHECK(strcmp(out, "daebd8dc723d583cd7c207beaa31e7f45ae8b69ed905309e7d746f72a8d4be43") == 0);
    char again[VOTERKEY_HEX];
    CHECK(voterkey_register(&k, 12, " 0101 90 1234 ", "1990-01-01", "43 00", again) && strcmp(out, again) == 0);
    CHECK(voterkey_register(&k, 13, "0101901234", "1990-01-01", "4300", again) && strcmp(out, again) != 0);
    CHECK(!voterkey_register(&k, 12, "0101901234", "1990-13-01", "4300", again));
    CHECK(!voterkey_register(&k, 12, "0101901234", "1990-1-01", "4300", again));
    CHECK(!voterkey_register(&k, 12, "", "1990-01-01", "4300", again));
    CHECK(!voterkey_register(&k, 12, "01\x01", "1990-01-01", NULL, again));

    /* contacts: e-mail lowercased without spaces; phone digits with a leading + */
    CHECK(voterkey_contact(&k, 12, " Anna@Example.DK ", out));
    CHECK(strcmp(out, "399653ab4cf33a9c1fdae64a9819e34274d175f54553f337821ea3b787056ba1") == 0);
    CHECK(voterkey_contact(&k, 12, "+45 12 34 56 78", out));
    CHECK(strcmp(out, "2bf98ebaece374040db5796668d5aa214cdd17988485d4c33875e0366fd398cc") == 0);
    CHECK(!voterkey_contact(&k, 12, "12", out));

    /* OIDC claims: normalised like a register's personal_id, so "010190-1234" on the
     * register matches a provider's "0101901234" */
    CHECK(voterkey_oidc(&k, 12, "010190-1234", out));
    CHECK(strcmp(out, "a134f9da2ff0fe6bcc109cd663710b86eabfcc6691e2c9bfb8c910befcb7de42") == 0);
    CHECK(voterkey_oidc(&k, 12, " 0101901234", again) && strcmp(out, again) == 0);
    CHECK(voterkey_oidc(&k, 13, "0101901234", again) && strcmp(out, again) != 0);
    CHECK(voterkey_oidc(&k, 12, "abc-sub", out));
    CHECK(strcmp(out, "a97552d7137ec4c02ce7c1b489b4f2c8e9f2359a89800021a544b0066f631f63") == 0);
    CHECK(!voterkey_oidc(&k, 12, "", out) && !voterkey_oidc(&k, 12, " - ", out) && !voterkey_oidc(&k, 12, "a\nb", out));

    voterkey_otp(&k, "0f0e-abc", "12345678", out);
    CHECK(strcmp(out, "145b00bfc02e0c4d1578f4dfc1fa7e4c832c4a44aa303cb9048e76db1db54256") == 0);

    CHECK(voterkey_date_valid("2024-02-29"));
    CHECK(!voterkey_date_valid("2024-00-10") && !voterkey_date_valid("2024-10-00") && !voterkey_date_valid("20x4-10-10"));
}
