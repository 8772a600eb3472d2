/* Deliberate faults for testing the fault reporter (fault=... on the command line). */
#ifndef PITH_FAULTINJECT_H
#define PITH_FAULTINJECT_H

/* Raises the named fault (de, ud, gp, pf, stack); returns -1 for an unknown name. */
int fault_inject(const char *name);

#endif
