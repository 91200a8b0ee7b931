/*
 * votecode: voting codes, the one-time secrets a municipality prints on letters or cards.
 * 16 symbols from a 31-letter alphabet without 0/O, 1/I/L (79 bits), written in groups of
 * four. Pure: no I/O.
 */
#ifndef PB_VOTECODE_H
#define PB_VOTECODE_H

#include <stdbool.h>

#define VOTECODE_CHARS 16
/* "XXXX-XXXX-XXXX-XXXX" plus NUL */
#define VOTECODE_STRLEN 20

/* A fresh code from the CSPRNG. */
void votecode_new(char out[VOTECODE_STRLEN]);
/* Uppercases and drops dashes and spaces; false when the result is not a well-formed code. */
bool votecode_normalise(const char *in, char out[VOTECODE_CHARS + 1]);

#endif
