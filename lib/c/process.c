/*
 * The process calls. A Pith program is one process of one thread, whose
 * tasks are not processes: exit ends it (from its own flow, on core 0),
 * kill can only signal itself, and what would make or wait for another
 * process (fork, execve, wait...) or needs a directory tree (link, mkdir)
 * fails with the errno POSIX gives for a call the system does not
 * support, ENOSYS; nothing here crashes.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <pith/console.h>
#include <pith/program.h>
#include <pith/smp.h>
#include "libc.h"

#define PROGRAM_PID	1
#define EXIT_SIGNAL_BASE	128	/* a shell's exit code for "killed by signal N" */

void __call_exitprocs(int code, void *dso);	/* newlib's atexit list runner */

static void say(const char *s)
{
	b_output(s, strlen(s));
}

/* Stops the calling task: it cannot end the program (b_exit ignores a
 * task). The fault is reported by the kernel, which then runs the next
 * task; the program goes on. */
static void __attribute__((noreturn)) stop_task(const char *what)
{
	say(what);
	say(" called from a task: stopping that task only\n");
	__builtin_trap();
}

/* newlib's exit, checking first that it runs in the program's own flow:
 * a task on another core must not run the atexit handlers and static
 * destructors under the program's feet. (A task that core 0 runs inside
 * b_smp_wait cannot be told apart from here; b_exit then refuses.) */
void exit(int code)
{
	if (b_smp_id() != 0)
		stop_task("exit()");
	__call_exitprocs(code, NULL);
	if (_GLOBAL_REENT->__cleanup)
		_GLOBAL_REENT->__cleanup(_GLOBAL_REENT);
	_exit(code);
}

void _exit(int code)
{
	b_exit(code);		/* from the program's own flow: never returns */
	stop_task("_exit()");
}

int getpid(void)
{
	return PROGRAM_PID;
}

/* Signals reach only the program itself; raise() runs handlers, so this
 * is the default action: stop with the shell's code for the signal. */
int kill(int pid, int sig)
{
	char num[4] = { '0' + sig / 10 % 10, '0' + sig % 10, '\n', 0 };

	if (pid != PROGRAM_PID && pid != 0 && pid != -1)
		return libc_errno(ESRCH);
	if (sig < 0 || sig >= NSIG)
		return libc_errno(EINVAL);
	if (sig == 0 || sig == SIGCHLD || sig == SIGCONT)
		return 0;	/* no-op or ignored by default */
	say("program: stopped by signal ");
	say(sig < 10 ? num + 1 : num);
	_exit(EXIT_SIGNAL_BASE + sig);
}

/* No other signal can arrive asynchronously: nothing to block. */
int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	(void)how;
	(void)set;
	if (old)
		sigemptyset(old);
	return 0;
}

int fork(void)
{
	return libc_errno(ENOSYS);
}

int execve(const char *path, char *const argv[], char *const envp[])
{
	(void)path;
	(void)argv;
	(void)envp;
	return libc_errno(ENOSYS);
}

int wait(int *status)
{
	(void)status;
	return libc_errno(ECHILD);	/* there are never children */
}

int waitpid(int pid, int *status, int options)
{
	(void)pid;
	(void)status;
	(void)options;
	return libc_errno(ECHILD);
}

int link(const char *old, const char *new)
{
	(void)old;
	(void)new;
	return libc_errno(ENOSYS);
}

int mkdir(const char *path, mode_t mode)
{
	(void)path;
	(void)mode;
	return libc_errno(ENOSYS);
}
