/*
 * money: the text is first reduced to digits, one decimal mark and grouping marks (the
 * style decides which of '.' and ',' is which; a space, no-break space or narrow no-break
 * space always groups), then checked: at most one decimal mark with one or two digits
 * after it, and groups of exactly three digits after the first, all with the same mark.
 */
#include "lib/money.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MINOR 9007199254740991LL /* 2^53 - 1: exact in a JSON number */

enum money_style money_style_for(const char *lang)
{
    return lang && strncmp(lang, "da", 2) == 0 ? MONEY_DA : MONEY_EN;
}

const char *money_problem_text(enum money_problem p)
{
    switch (p) {
    case MONEY_OK:
        return "";
    case MONEY_EMPTY:
        return "is empty";
    case MONEY_CHARACTERS:
        return "holds something else than digits and separators";
    case MONEY_GROUPING:
        return "has thousands separators in the wrong places";
    case MONEY_DECIMALS:
        return "has more than two decimals";
    case MONEY_RANGE:
        return "is not above zero, or too large";
    }
    return "is not an amount";
}

/* The mark at s (advancing *len over it): 'd' decimal, 'g' + kind for grouping, or 0. */
static int mark_at(const char *s, enum money_style style, size_t *len)
{
    *len = 1;
    if (*s == ',')
        return style == MONEY_DA ? 'd' : ',';
    if (*s == '.')
        return style == MONEY_DA ? '.' : 'd';
    if (*s == ' ')
        return ' ';
    if ((unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0) {
        *len = 2;
        return ' ';
    }
    if ((unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0xAF) {
        *len = 3;
        return ' ';
    }
    return 0;
}

enum money_problem money_read(const char *text, enum money_style style, int64_t *minor)
{
    while (*text == ' ' || *text == '\t')
        text++;
    size_t end = strlen(text);
    while (end && (text[end - 1] == ' ' || text[end - 1] == '\t' || text[end - 1] == '\r'))
        end--;
    if (!end)
        return MONEY_EMPTY;
    char digits[64];
    size_t nd = 0, group = 0, decimals = 0;
    int grouping = 0; /* the grouping mark in use */
    bool first_group = true, after_decimal = false, any = false;
    for (size_t i = 0; i < end;) {
        char c = text[i];
        if (c >= '0' && c <= '9') {
            if (nd + 2 >= sizeof digits)
                return MONEY_RANGE;
            digits[nd++] = c;
            any = true;
            if (after_decimal)
                decimals++;
            else
                group++;
            i++;
            continue;
        }
        size_t len;
        int m = mark_at(text + i, style, &len);
        if (!m)
            return MONEY_CHARACTERS;
        if (after_decimal || !group)
            return MONEY_GROUPING; /* a mark after the decimals, or two marks in a row */
        if (m == 'd') {
            if (!first_group && group != 3)
                return MONEY_GROUPING;
            after_decimal = true;
        } else {
            if ((grouping && m != grouping) || (first_group ? group > 3 : group != 3))
                return MONEY_GROUPING;
            grouping = m;
            first_group = false;
        }
        group = 0;
        i += len;
    }
    if (!any)
        return MONEY_CHARACTERS;
    if (after_decimal && decimals == 0)
        return MONEY_GROUPING;
    if (!after_decimal && !first_group && group != 3)
        return MONEY_GROUPING;
    if (decimals > 2)
        return MONEY_DECIMALS;
    /* digits holds the integer part then the decimals: put the point back */
    char norm[72];
    size_t ni = nd - decimals;
    snprintf(norm, sizeof norm, "%.*s%s%.*s", (int)ni, digits, decimals ? "." : "", (int)decimals, digits + ni);
    int64_t v;
    if (!parse_money(norm, 2, &v) || v <= 0 || v > MAX_MINOR)
        return MONEY_RANGE;
    *minor = v;
    return MONEY_OK;
}

void money_write(int64_t minor, enum money_style style, char *out, size_t n)
{
    long long whole = (long long)(minor / 100), cents = llabs((long long)(minor % 100));
    if (cents)
        snprintf(out, n, "%lld%c%02lld", whole, style == MONEY_DA ? ',' : '.', cents);
    else
        snprintf(out, n, "%lld", whole);
}
