/*
 * errno, set in one place. The system calls of lib/c return what the
 * kernel's b_* calls return turned into POSIX's convention: -1 and errno.
 * Pith's B_E* codes have Linux's numbers; newlib's errno values differ
 * (EDEADLK, ENAMETOOLONG...), so each one is mapped by name.
 */
#include <errno.h>
#include <pith/error.h>
#include "libc.h"

/* errno is newlib's macro for its core's _reent->_errno (reent.c). */
int libc_errno(int e)
{
	errno = e;
	return -1;
}

int libc_fail(long b_error)
{
	switch (b_error) {
	case B_ENOENT:		return libc_errno(ENOENT);
	case B_EIO:		return libc_errno(EIO);
	case B_ENOEXEC:		return libc_errno(ENOEXEC);
	case B_EAGAIN:		return libc_errno(EAGAIN);
	case B_ENOMEM:		return libc_errno(ENOMEM);
	case B_EFAULT:		return libc_errno(EFAULT);
	case B_EBUSY:		return libc_errno(EBUSY);
	case B_EEXIST:		return libc_errno(EEXIST);
	case B_ENODEV:		return libc_errno(ENODEV);
	case B_EINVAL:		return libc_errno(EINVAL);
	case B_ENOSPC:		return libc_errno(ENOSPC);
	case B_EROFS:		return libc_errno(EROFS);
	case B_ERANGE:		return libc_errno(ERANGE);
	case B_EDEADLK:		return libc_errno(EDEADLK);
	case B_ENAMETOOLONG:	return libc_errno(ENAMETOOLONG);
	default:		return libc_errno(EIO);	/* B_ECORRUPT and anything new */
	}
}
