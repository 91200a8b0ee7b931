/* What the outbox sends: channels of contacts, masked hints, templates, e-mails (headers
 * that cannot be injected, UTF-8 subjects, base64 bodies) and SMS gateway bodies. */
#include "lib/crypto.h"
#include "lib/outmsg.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

void test_outmsg(void)
{
    char norm[256], hint[64];
    CHECK(strcmp(outmsg_channel("borger@example.dk", norm), "email") == 0);
    CHECK(strcmp(outmsg_channel("+45 12 34 56 78", norm), "sms") == 0 && strcmp(norm, "+4512345678") == 0);
    CHECK(outmsg_channel("1234", norm) == NULL);
    CHECK(outmsg_channel("a@b@c.dk", norm) == NULL && outmsg_channel("a b@c.dk", norm) == NULL);
    CHECK(outmsg_channel("x@example.dk\r\nBcc: y@example.dk", norm) == NULL);
    CHECK(outmsg_channel("<x@example.dk>", norm) == NULL && outmsg_channel("@example.dk", norm) == NULL);
    CHECK(outmsg_channel("+45-1234-5678", norm) == NULL);

    outmsg_hint("+4512345678", hint);
    CHECK(strcmp(hint, "+45****5678") == 0);
    outmsg_hint("borger@example.dk", hint);
    CHECK(strcmp(hint, "b***@example.dk") == 0);

    cJSON *p = cJSON_Parse("{\"code\":\"12345678\",\"minutes\":10}");
    struct buf b;
    buf_init(&b);
    outmsg_render("Code {{code}} for {{minutes}} min{{unknown}}. {{ open", p, &b);
    CHECK(strcmp(b.data, "Code 12345678 for 10 min. {{ open") == 0);
    buf_free(&b);
    cJSON_Delete(p);

    buf_init(&b);
    CHECK(outmsg_email("noreply@kommune.dk", "borger@example.dk", "Din kvittering: Næstved", "Linje 1\nLinje 2 æøå",
                       "receipt:42", 1800000000, &b));
    CHECK(strstr(b.data, "From: <noreply@kommune.dk>\r\n") != NULL);
    CHECK(strstr(b.data, "Message-ID: <receipt.42@kommune.dk>\r\n") != NULL);
    CHECK(strstr(b.data, "Date: Fri, 15 Jan 2027 08:00:00 +0000\r\n") != NULL);
    CHECK(strstr(b.data, "Subject: =?UTF-8?B?") != NULL && strstr(b.data, "Næstved") == NULL);
    char *body64 = crypto_base64((const unsigned char *)"Linje 1\r\nLinje 2 æøå", strlen("Linje 1\r\nLinje 2 æøå"));
    CHECK(strstr(b.data, body64) != NULL);
    free(body64);
    buf_free(&b);
    buf_init(&b);
    CHECK(!outmsg_email("noreply@kommune.dk", "borger@example.dk", "Hi\r\nBcc: evil@example.com", "x", "k", 0, &b));
    CHECK(!outmsg_email("noreply@kommune.dk", "+4512345678", "Hi", "x", "k", 0, &b));
    CHECK(!outmsg_email("noreply@kommune.dk", "borger@example.dk", "Hi", "x", "k>\r\nX: y", 0, &b));
    buf_free(&b);

    char *j = outmsg_sms_json(NULL, "+4512345678", "Kode \"1\"", "Kommune");
    CHECK(strcmp(j, "{\"recipient\":\"+4512345678\",\"message\":\"Kode \\\"1\\\"\",\"sender\":\"Kommune\"}") == 0);
    free(j);
    cJSON *t = cJSON_Parse("{\"sender\":\"{{sender}}\",\"message\":\"{{message}}\","
                           "\"recipients\":[{\"msisdn\":\"{{to_number}}\"}],\"class\":\"standard\"}");
    j = outmsg_sms_json(t, "+4512345678", "Hej", "BB");
    CHECK(strcmp(j, "{\"sender\":\"BB\",\"message\":\"Hej\",\"recipients\":[{\"msisdn\":4512345678}],"
                    "\"class\":\"standard\"}") == 0);
    free(j);
    cJSON_Delete(t);
}
