/*
 * outmsg: the message formats of the outbox.
 */
#include "lib/outmsg.h"
#include "lib/crypto.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *outmsg_channel(const char *contact, char norm[256])
{
    size_t len = strlen(contact);
    if (len == 0 || len > 254)
        return NULL;
    const char *at = strchr(contact, '@');
    if (at) {
        if (strchr(at + 1, '@') || at == contact || !at[1] || !strchr(at + 1, '.'))
            return NULL;
        for (const char *p = contact; *p; p++)
            if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '<' || *p == '>' || *p == ',' || *p == ';')
                return NULL;
        memcpy(norm, contact, len + 1);
        return "email";
    }
    size_t n = 0, digits = 0;
    for (const char *p = contact; *p; p++) {
        if (*p == '+' && n == 0)
            norm[n++] = '+';
        else if (isdigit((unsigned char)*p))
            norm[n++] = *p, digits++;
        else if (*p != ' ')
            return NULL;
    }
    norm[n] = '\0';
    return digits >= 8 && digits <= 15 ? "sms" : NULL;
}

void outmsg_hint(const char *contact, char out[64])
{
    const char *at = strchr(contact, '@');
    if (at) {
        snprintf(out, 64, "%c***%.58s", contact[0], at);
        return;
    }
    size_t n = strlen(contact);
    if (n <= 4) {
        snprintf(out, 64, "****");
        return;
    }
    size_t head = contact[0] == '+' ? 3 : 0;
    if (head + 4 > n)
        head = 0;
    snprintf(out, 64, "%.*s****%s", (int)head, contact, contact + n - 4);
}

void outmsg_render(const char *tmpl, const cJSON *params, struct buf *out)
{
    for (const char *p = tmpl; *p;) {
        const char *open = strstr(p, "{{");
        const char *close = open ? strstr(open + 2, "}}") : NULL;
        if (!open || !close) {
            buf_puts(out, p);
            return;
        }
        buf_append(out, p, (size_t)(open - p));
        char name[64];
        size_t len = (size_t)(close - open - 2);
        if (len < sizeof name) {
            memcpy(name, open + 2, len);
            name[len] = '\0';
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(params, name);
            if (cJSON_IsString(v))
                buf_puts(out, v->valuestring);
            else if (cJSON_IsNumber(v))
                buf_printf(out, "%lld", (long long)v->valuedouble);
        }
        p = close + 2;
    }
}

static bool header_safe(const char *s)
{
    for (; *s; s++)
        if (*s == '\r' || *s == '\n' || (unsigned char)*s < 0x20)
            return false;
    return true;
}

static bool ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return false;
    return true;
}

/* A header's value: as it is when ASCII, else RFC 2047 encoded-words of UTF-8 in base64,
 * each under 75 characters and never splitting a character. */
static void header_value(struct buf *out, const char *s)
{
    if (ascii(s)) {
        buf_puts(out, s);
        return;
    }
    size_t len = strlen(s), i = 0;
    bool first = true;
    while (i < len) {
        size_t take = 0;
        while (i + take < len && take < 45) {
            size_t ch = 1;
            unsigned char c = (unsigned char)s[i + take];
            if (c >= 0xf0)
                ch = 4;
            else if (c >= 0xe0)
                ch = 3;
            else if (c >= 0xc0)
                ch = 2;
            if (take + ch > 45 || i + take + ch > len)
                break;
            take += ch;
        }
        if (take == 0)
            take = len - i; /* malformed tail: encode what is left */
        char *b64 = crypto_base64((const unsigned char *)s + i, take);
        buf_printf(out, "%s=?UTF-8?B?%s?=", first ? "" : "\r\n ", b64);
        free(b64);
        first = false;
        i += take;
    }
}

static const char *domain_of(const char *addr)
{
    const char *at = strrchr(addr, '@');
    return at && at[1] ? at + 1 : "localhost";
}

bool outmsg_email(const char *from, const char *to, const char *subject, const char *body, const char *message_id,
                  int64_t date, struct buf *out)
{
    char norm[256];
    if (!outmsg_channel(from, norm) || strcmp(outmsg_channel(from, norm), "email") != 0 ||
        !outmsg_channel(to, norm) || strcmp(outmsg_channel(to, norm), "email") != 0 || !header_safe(subject) ||
        !header_safe(message_id) || strchr(message_id, '>') || strchr(message_id, '@'))
        return false;
    static const char days[][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)date;
    struct tm tm;
    gmtime_r(&t, &tm);
    buf_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday % 7], tm.tm_mday,
               months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    buf_printf(out, "From: <%s>\r\nTo: <%s>\r\nSubject: ", from, to);
    header_value(out, subject);
    /* the id's left part is a dot-atom (RFC 5322, 3.6.4): other characters become dots */
    buf_puts(out, "\r\nMessage-ID: <");
    for (const char *p = message_id; *p; p++)
        buf_putc(out, isalnum((unsigned char)*p) || strchr("!#$%&'*+-/=?^_`{|}~", *p) ? *p : '.');
    buf_printf(out, "@%s>\r\n", domain_of(from));
    buf_puts(out, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                  "Content-Transfer-Encoding: base64\r\nAuto-Submitted: auto-generated\r\n\r\n");
    /* the body with CRLF line ends, then base64 in lines of 76 */
    struct buf crlf;
    buf_init(&crlf);
    for (const char *p = body; *p; p++) {
        if (*p == '\n' && (p == body || p[-1] != '\r'))
            buf_putc(&crlf, '\r');
        buf_putc(&crlf, *p);
    }
    char *b64 = crypto_base64((const unsigned char *)(crlf.data ? crlf.data : ""), crlf.len);
    size_t n = strlen(b64);
    for (size_t i = 0; i < n; i += 76) {
        buf_append(out, b64 + i, n - i < 76 ? n - i : 76);
        buf_puts(out, "\r\n");
    }
    free(b64);
    buf_free(&crlf);
    return true;
}

static void fill_sms(cJSON *node, const char *to, const char *message, const char *sender)
{
    for (cJSON *c = node->child; c; c = c->next) {
        if (cJSON_IsString(c)) {
            const char *v = NULL;
            if (strcmp(c->valuestring, "{{to}}") == 0)
                v = to;
            else if (strcmp(c->valuestring, "{{message}}") == 0)
                v = message;
            else if (strcmp(c->valuestring, "{{sender}}") == 0)
                v = sender ? sender : "";
            if (v) {
                cJSON_SetValuestring(c, v);
            } else if (strcmp(c->valuestring, "{{to_number}}") == 0) {
                char digits[32];
                size_t n = 0;
                for (const char *p = to; *p && n + 1 < sizeof digits; p++)
                    if (isdigit((unsigned char)*p))
                        digits[n++] = *p;
                digits[n] = '\0';
                cJSON *num = cJSON_CreateNumber(strtod(digits, NULL));
                if (c->string) {
                    cJSON_ReplaceItemInObjectCaseSensitive(node, c->string, num);
                } else {
                    cJSON_ReplaceItemViaPointer(node, c, num);
                }
                c = num;
            }
        } else if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
            fill_sms(c, to, message, sender);
        }
    }
}

char *outmsg_sms_json(const cJSON *tmpl, const char *to, const char *message, const char *sender)
{
    cJSON *body = tmpl && cJSON_IsObject(tmpl)
                      ? cJSON_Duplicate(tmpl, true)
                      : cJSON_Parse("{\"recipient\":\"{{to}}\",\"message\":\"{{message}}\",\"sender\":\"{{sender}}\"}");
    fill_sms(body, to, message, sender);
    char *text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    char *out = xstrdup(text ? text : "{}");
    cJSON_free(text);
    return out;
}
