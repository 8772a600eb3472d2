/*
 * Error codes: every call returns 0 (or a count) on success and one of
 * these, negative, on failure. The numbers are Linux's errno values, so
 * they read familiarly in a debugger.
 */
#ifndef PITH_ERROR_H
#define PITH_ERROR_H

#define B_ENOENT	(-2)	/* no file of that name */
#define B_EIO		(-5)	/* the device reported an error */
#define B_ENOEXEC	(-8)	/* not a program Pith can load */
#define B_EAGAIN	(-11)	/* full or busy now: try again later */
#define B_ENOMEM	(-12)
#define B_EFAULT	(-14)	/* a pointer that cannot be right */
#define B_EBUSY		(-16)	/* in use: e.g. a program already runs */
#define B_EEXIST	(-17)	/* a file of that name exists */
#define B_ENODEV	(-19)	/* no such core, interface or drive */
#define B_EINVAL	(-22)	/* an argument out of range */
#define B_ENOSPC	(-28)	/* no room: disk, directory or the file's reserved space */
#define B_EROFS		(-30)	/* the drive is read-only */
#define B_ERANGE	(-34)	/* past the end */
#define B_EDEADLK	(-35)	/* the call would wait for itself */
#define B_EPIPE		(-32)	/* writing after the stream was shut down (lib/net) */
#define B_ENAMETOOLONG	(-36)	/* a file name longer than the format allows */
#define B_EMSGSIZE	(-90)	/* a datagram too long to send */
#define B_EADDRINUSE	(-98)	/* the port is taken */
#define B_ECONNRESET	(-104)	/* the peer reset the connection */
#define B_ENOTCONN	(-107)	/* the connection is not (or no longer) open */
#define B_ETIMEDOUT	(-110)	/* no answer in time */
#define B_ECONNREFUSED	(-111)	/* the peer refused the connection */
#define B_EHOSTUNREACH	(-113)	/* no address or route to the host */
#define B_ECORRUPT	(-117)	/* data on the disk fails its checks (Linux EUCLEAN) */
#define B_EFAULTED	(-256)	/* the program faulted and was stopped (Pith's own, past Linux's) */

#endif
