/*
 * The work queue: one shared ring of tasks that every core polls. A task
 * runs to completion on whichever core takes it; nothing preempts it. See
 * docs/API.md for the program-facing calls (include/pith/smp.h).
 */
#ifndef PITH_WQ_H
#define PITH_WQ_H

#include <stdbool.h>
#include <stdint.h>

void wq_init(void);
/* 0, B_EINVAL for a NULL fn, B_EAGAIN when the ring is full (nothing queued). */
int wq_enqueue(void (*fn)(void *), void *arg);
/* Takes and runs one task on the calling core; false if there was none. */
bool wq_run_one(void);
/* Runs tasks until every task queued so far has finished; returns how many
 * faulted since the last wq_wait, or B_EDEADLK when called from a task. */
int wq_wait(void);
/* BareMetal's RESET: drops every queued task unrun, then waits for the
 * running ones. How many it dropped; B_EDEADLK from inside a task. */
int wq_reset(void);
/* True while any task is queued or running. */
bool wq_busy(void);
/* SMP_SET: core runs fn(arg) next, before the shared queue. B_ENODEV for a
 * core not online, B_EAGAIN if its slot is taken, B_EINVAL for NULL fn. */
int wq_set(unsigned core, void (*fn)(void *), void *arg);
/* SMP_GET: the task waiting in the calling core's slot, or NULL. */
void (*wq_get(void))(void *);
/* Every application processor ends here: poll, run, sleep when idle. */
void wq_core_loop(void) __attribute__((noreturn));
/* From trap(): the wake-up IPI needs nothing but its EOI. */
void wq_wake_interrupt(void);

#endif
