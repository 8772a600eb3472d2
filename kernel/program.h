/* Loaded programs (program.c): the program area and running one. */
#ifndef PITH_PROGRAM_H
#define PITH_PROGRAM_H

/* Maps all RAM left after boot at B_PROGRAM_BASE; after the devices. */
void program_init(void);
void program_print(void);

#endif
