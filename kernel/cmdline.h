/*
 * The kernel command line: words separated by spaces, each "key" or
 * "key=value". Pure string code, unit-tested on the host.
 */
#ifndef PITH_CMDLINE_H
#define PITH_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/* True if the word key or key=... is present. */
bool cmdline_has(const char *cmdline, const char *key);
/* Copies the value of key=value into buf (cut to size-1); true if present. */
bool cmdline_get(const char *cmdline, const char *key, char *buf, size_t size);
/* Calls unknown(word, len) for each word whose key is not in known[] (NULL-ended). */
void cmdline_check(const char *cmdline, const char *const known[],
		   void (*unknown)(const char *word, size_t len));

#endif
