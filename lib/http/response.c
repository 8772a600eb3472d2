/*
 * Pieces of a response that do not depend on the connection: reason
 * phrases (RFC 9110 §15), the short bodies sent with errors, the Date
 * field's format (§5.6.7) and If-None-Match's comparison (§13.1.2).
 */
#include "http_impl.h"

static const struct {
	int status;
	const char *reason;
	const char *body;	/* sent with the status when it is an error */
} statuses[] = {
	{ 200, "OK", "" },
	{ 304, "Not Modified", "" },
	{ 400, "Bad Request", "400 Bad Request\n" },
	{ 404, "Not Found", "404 Not Found\n" },
	{ 405, "Method Not Allowed", "405 Method Not Allowed\n" },
	{ 408, "Request Timeout", "408 Request Timeout\n" },
	{ 414, "URI Too Long", "414 URI Too Long\n" },
	{ 431, "Request Header Fields Too Large", "431 Request Header Fields Too Large\n" },
	{ 500, "Internal Server Error", "500 Internal Server Error\n" },
	{ 501, "Not Implemented", "501 Not Implemented\n" },
	{ 505, "HTTP Version Not Supported", "505 HTTP Version Not Supported\n" },
};

static size_t status_index(int status)
{
	size_t n = sizeof(statuses) / sizeof(statuses[0]);

	for (size_t i = 0; i < n; i++)
		if (statuses[i].status == status)
			return i;
	return 8;	/* 500: a status we never meant to send */
}

const char *http_reason(int status)
{
	return statuses[status_index(status)].reason;
}

const char *http_error_body(int status)
{
	return statuses[status_index(status)].body;
}

/* ---- Date: IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT" ---- */

static void put2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
}

/* Days since 1970-01-01 to a proleptic Gregorian date: count whole
 * 400-year eras (146097 days), then years in the era from a March-based
 * year, so February's leap day falls at the end. */
static void civil(uint64_t days, unsigned *y, unsigned *m, unsigned *d)
{
	uint64_t z = days + 719468;		/* days since 0000-03-01 */
	uint64_t era = z / 146097;
	uint64_t doe = z - era * 146097;	/* [0, 146096] */
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	uint64_t mp = (5 * doy + 2) / 153;	/* March = 0 */

	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = (unsigned)(yoe + era * 400 + (*m <= 2));
}

void http_format_date(uint64_t unix_s, char *out)
{
	static const char wday[] = "ThuFriSatSunMonTueWed";	/* 1970-01-01: Thu */
	static const char mon[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	uint64_t days = unix_s / 86400, secs = unix_s % 86400;
	unsigned y, m, d;

	if (days > 2932896)	/* past 9999-12-31: four digits is the format */
		days = 2932896;
	civil(days, &y, &m, &d);
	copy_mem(out, wday + days % 7 * 3, 3);
	copy_mem(out + 3, ", ", 2);
	put2(out + 5, d);
	out[7] = ' ';
	copy_mem(out + 8, mon + (m - 1) * 3, 3);
	out[11] = ' ';
	put2(out + 12, y / 100);
	put2(out + 14, y % 100);
	out[16] = ' ';
	put2(out + 17, (unsigned)(secs / 3600));
	out[19] = ':';
	put2(out + 20, (unsigned)(secs / 60 % 60));
	out[22] = ':';
	put2(out + 23, (unsigned)(secs % 60));
	copy_mem(out + 25, " GMT", 5);	/* and the NUL */
}

/* ---- If-None-Match (RFC 9110 §13.1.2): "*" or #entity-tag ---- */

static bool is_ows(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* Skips a "W/" weakness prefix: If-None-Match compares weakly. */
static const char *opaque(const char *tag)
{
	return tag[0] == 'W' && tag[1] == '/' ? tag + 2 : tag;
}

bool http_inm_match(const char *inm, size_t len, const char *etag)
{
	const char *ours = opaque(etag);
	/* An app's tag may be longer than http_etag's; past the kept
	 * If-None-Match it cannot match. */
	size_t ours_len = http_str_len(ours, HTTP_INM_MAX + 1);
	size_t i = 0;

	if (len == 1 && inm[0] == '*')
		return true;
	while (i < len) {
		while (i < len && (is_ows(inm[i]) || inm[i] == ','))
			i++;
		if (i + 1 < len && inm[i] == 'W' && inm[i + 1] == '/')
			i += 2;
		if (i >= len || inm[i] != '"')
			return false;	/* not an entity-tag: no match */
		size_t start = i++;
		while (i < len && inm[i] != '"')
			i++;
		if (i >= len)
			return false;
		i++;
		if (i - start == ours_len && same_mem(inm + start, ours, ours_len))
			return true;
	}
	return false;
}
