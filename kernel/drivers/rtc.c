/*
 * The PC's CMOS real-time clock (MC146818A data sheet; ports 0x70/0x71),
 * read once at boot for the wall clock: after that the TSC keeps time.
 * The date is read until two reads agree, outside an update cycle, and
 * converted from BCD or binary, 12- or 24-hour form as status B says.
 */
#include <stdbool.h>
#include "rtc.h"
#include "../arch/x86_64/cpu.h"

#define CMOS_INDEX	0x70
#define CMOS_DATA	0x71
#define NMI_DISABLE	0x80	/* keep NMIs off while the index is set */
#define REG_SECONDS	0x00
#define REG_MINUTES	0x02
#define REG_HOURS	0x04
#define REG_DAY		0x07
#define REG_MONTH	0x08
#define REG_YEAR	0x09
#define REG_STATUS_A	0x0a
#define REG_STATUS_B	0x0b
#define STATUS_A_UIP	0x80	/* update in progress: the registers may be mid-change */
#define STATUS_B_24H	0x02
#define STATUS_B_BINARY	0x04
#define HOUR_PM		0x80
#define READ_TRIES	16

struct rtc_time {
	unsigned sec, min, hour, day, mon, year;
};

static unsigned cmos(unsigned reg)
{
	outb(CMOS_INDEX, (uint8_t)(NMI_DISABLE | reg));
	return inb(CMOS_DATA);
}

static void read_raw(struct rtc_time *t)
{
	for (int i = 0; i < 100000 && (cmos(REG_STATUS_A) & STATUS_A_UIP); i++)
		cpu_relax();
	*t = (struct rtc_time){ cmos(REG_SECONDS), cmos(REG_MINUTES), cmos(REG_HOURS),
				cmos(REG_DAY), cmos(REG_MONTH), cmos(REG_YEAR) };
}

static unsigned from_bcd(unsigned v) { return (v >> 4) * 10 + (v & 15); }

/* Days since 1970-01-01 of a proleptic Gregorian date (y >= 1970). */
static uint64_t days_since_epoch(unsigned y, unsigned m, unsigned d)
{
	static const unsigned before[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
	uint64_t days = (uint64_t)(y - 1970) * 365 + before[m - 1] + d - 1;

	days += (y - 1969) / 4 - (y - 1901) / 100 + (y - 1601) / 400;	/* leap days before y */
	if (m > 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		days++;
	return days;
}

uint64_t rtc_epoch_seconds(void)
{
	struct rtc_time a, b;
	unsigned status, pm;
	int tries = 0;

	do {
		read_raw(&a);
		read_raw(&b);
	} while ((a.sec != b.sec || a.min != b.min || a.hour != b.hour || a.day != b.day ||
		  a.mon != b.mon || a.year != b.year) && ++tries < READ_TRIES);
	status = cmos(REG_STATUS_B);
	pm = a.hour & HOUR_PM;
	a.hour &= ~HOUR_PM;
	if (!(status & STATUS_B_BINARY)) {
		a.sec = from_bcd(a.sec), a.min = from_bcd(a.min), a.hour = from_bcd(a.hour);
		a.day = from_bcd(a.day), a.mon = from_bcd(a.mon), a.year = from_bcd(a.year);
	}
	if (!(status & STATUS_B_24H))
		a.hour = a.hour % 12 + (pm ? 12 : 0);
	a.year += 2000;		/* the century register is not standard; this is the 21st */
	if (a.sec > 59 || a.min > 59 || a.hour > 23 || !a.day || a.day > 31 || !a.mon ||
	    a.mon > 12 || a.year > 2099)
		return 0;	/* no RTC (all ones) or garbage: no wall clock */
	return days_since_epoch(a.year, a.mon, a.day) * 86400 + a.hour * 3600u + a.min * 60u +
	       a.sec;
}
