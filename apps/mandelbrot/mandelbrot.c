/*
 * mandelbrot: draws the Mandelbrot set in ASCII, then times a larger render
 * with 1 core, 2, 4, ... and finally every core, in double precision.
 *
 * The picture (PIC_W x PIC_H characters) is rendered with one task per row
 * on the work queue, all cores taking part. The timed image (BIG_W x BIG_H
 * pixels, never shown) is split into rows too. To run on k cores, k - 1
 * worker tasks go on the queue with b_smp_enqueue and the boot core runs
 * one more worker itself; each worker claims the next row with an atomic
 * counter until none is left. So the boot core and at most k - 1 others
 * compute (which others is the queue's choice), and no core sits spinning
 * in b_smp_wait while others work, which under QEMU would take a host CPU
 * from them. Each row's sum of iteration counts goes to that row's slot; the
 * slots are summed after b_smp_wait into the checksum, which must be the
 * same for every k.
 *
 * Prints the picture, then one line per k:
 *   mandelbrot: cores=K time_ms=T speedup=S.SS checksum=C
 * Exit code: 0 when every checksum agrees, 1 when not.
 */
#include <stdbool.h>
#include <stdint.h>
#include <pith/app.h>
#include <pith/smp.h>
#include <pith/time.h>
#include "../common/out.h"
#include "../common/par.h"

#define MAX_ITER	256
#define PIC_W		78		/* the picture, in characters */
#define PIC_H		32
#define BIG_W		640		/* the timed image, in pixels */
#define BIG_H		480
#define MAX_WORKERS	64		/* kernel/param.h MAX_CPUS */

/* The view: real part X_MIN..X_MAX, imaginary part Y_MIN..Y_MAX. */
#define X_MIN		-2.2
#define X_MAX		1.0
#define Y_MIN		-1.2
#define Y_MAX		1.2

/* Lightest to densest: a point escaping in fewer than limit[i] iterations
 * gets shades[i] (the steps grow, as counts cluster near the set); points
 * that never escape get the densest, '@'. */
static const char shades[] = " .:-=+*#%@";
static const unsigned limit[] = { 3, 5, 7, 10, 15, 25, 45, 90, MAX_ITER, MAX_ITER + 1 };

static char picture[PIC_H][PIC_W + 1];	/* each row ends in '\n' */
static uint64_t row_sum[BIG_H];		/* iterations per row of the big image */
static uint32_t next_row;		/* the next big row to claim; atomic */

/* Iterations of z = z^2 + c from 0 until |z| > 2, at most MAX_ITER. */
static unsigned escape(double cr, double ci)
{
	double zr = 0, zi = 0;
	unsigned i = 0;

	while (i < MAX_ITER && zr * zr + zi * zi <= 4.0) {
		double t = zr * zr - zi * zi + cr;
		zi = 2 * zr * zi + ci;
		zr = t;
		i++;
	}
	return i;
}

static char shade(unsigned it)
{
	unsigned i = 0;

	while (it >= limit[i])
		i++;
	return shades[i];
}

/* Row y of a w x h grid over the view: the sum of its iteration counts;
 * with line non-NULL, also the row as shades. */
static uint64_t render_row(unsigned y, unsigned w, unsigned h, char *line)
{
	double ci = Y_MAX - (Y_MAX - Y_MIN) * y / (h - 1);
	uint64_t sum = 0;

	for (unsigned x = 0; x < w; x++) {
		unsigned it = escape(X_MIN + (X_MAX - X_MIN) * x / (w - 1), ci);
		sum += it;
		if (line)
			line[x] = shade(it);
	}
	return sum;
}

/* A task: one row of the picture (arg is the row number). */
static void picture_row(void *arg)
{
	unsigned y = (unsigned)(uintptr_t)arg;

	render_row(y, PIC_W, PIC_H, picture[y]);
	picture[y][PIC_W] = '\n';
}

/* A worker task: renders rows of the big image until none is left. */
static void big_worker(void *arg)
{
	uint32_t y;

	(void)arg;
	while ((y = __atomic_fetch_add(&next_row, 1, __ATOMIC_RELAXED)) < BIG_H)
		row_sum[y] = render_row(y, BIG_W, BIG_H, 0);
}

/* Renders and prints the picture; false if a row task faulted. */
static bool draw_picture(void)
{
	for (uintptr_t y = 0; y < PIC_H; y++)
		par_enqueue(picture_row, (void *)y);
	if (b_smp_wait() != 0)
		return false;
	for (unsigned y = 0; y < PIC_H; y++)
		b_output(picture[y], PIC_W + 1);
	return true;
}

/* The big image on k cores: its checksum, or 0 when a task faulted. */
static uint64_t render_big(unsigned k)
{
	uint64_t sum = 0;

	next_row = 0;
	for (unsigned y = 0; y < BIG_H; y++)
		row_sum[y] = 0;
	if (par_run(big_worker, k) != 0)
		return 0;
	for (unsigned y = 0; y < BIG_H; y++)
		sum += row_sum[y];
	return sum;
}

static void report(unsigned k, uint64_t ns, uint64_t ns1, uint64_t sum)
{
	out_str("mandelbrot: cores=");
	out_u64(k);
	out_time_speedup(ns, ns1);
	out_str(" checksum=");
	out_u64(sum);
	out_str("\n");
}

int app_main(int argc, char **argv)
{
	unsigned cores = b_smp_numcores();
	uint64_t first = 0, ns1 = 0;
	bool agree;

	(void)argc;
	(void)argv;
	if (cores > MAX_WORKERS)
		cores = MAX_WORKERS;
	agree = draw_picture();
	for (unsigned k = 1; k <= cores; k = par_next_k(k, cores)) {
		uint64_t t0 = b_time_ns();
		uint64_t sum = render_big(k);
		uint64_t ns = b_time_ns() - t0;

		if (k == 1) {
			first = sum;
			ns1 = ns;
		}
		agree &= sum != 0 && sum == first;
		report(k, ns, ns1, sum);
	}
	out_str(agree ? "mandelbrot: all checksums agree\n" :
			"mandelbrot: checksums DISAGREE\n");
	return agree ? 0 : 1;
}
