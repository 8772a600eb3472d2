/* Files on BMFS drives (fs.c): the calls of include/pith/file.h. */
#ifndef PITH_FS_H
#define PITH_FS_H

void fs_init(void);	/* a volume per drive found; after the drives */

#endif
