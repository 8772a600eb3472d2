/*
 * Console calls (BareMetal names and signatures, libBareMetal.h).
 * Output from different cores never interleaves within one call.
 */
#ifndef PITH_CONSOLE_API_H
#define PITH_CONSOLE_API_H

/* Writes nbr bytes of str; "\n" is sent as "\r\n". */
void b_output(const char *str, unsigned long nbr);
/* The next byte typed, or 0 when none is waiting (never blocks). */
unsigned char b_input(void);

#endif
