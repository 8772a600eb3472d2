// bmhello.c -- a BareMetal-style C program: written only against
// libBareMetal.h, the way BareMetal's own samples are (BareMetal-Demo's
// helloc.c), so it would build for BareMetal too. On Pith it builds as a
// loadable ELF (bmhello.app) and as a flat binary (bmhello.bin, entered at
// its first byte at 0xFFFF800000000000, as BareMetal runs programs).
// It prints what b_system says about the machine and whether drive 0
// holds a BMFS, and returns 0.

#include "libBareMetal.h"

static u8 sector[4096];			// one storage sector

static u64 length(const char *s)
{
	u64 n = 0;
	while (s[n] != 0)
		n++;
	return n;
}

static void print(const char *s)
{
	b_output(s, length(s));
}

static void print_dec(u64 v)
{
	char buf[20];
	int i = 20;
	do {
		buf[--i] = '0' + v % 10;
		v /= 10;
	} while (v != 0);
	b_output(buf + i, 20 - i);
}

static void print_hex(u64 v, int digits)
{
	static const char hex[] = "0123456789abcdef";
	char buf[16];
	for (int i = digits - 1; i >= 0; i--) {
		buf[i] = hex[v & 0xf];
		v >>= 4;
	}
	b_output(buf, digits);
}

int main(void)
{
	print("Hello from a BareMetal C program!\n");

	u64 t0 = b_system(TIMECOUNTER, 0, 0);
	b_system(DELAY, 1000, 0);		// 1 ms
	u64 t1 = b_system(TIMECOUNTER, 0, 0);
	print("timecounter: ");
	print_dec(t1 - t0);
	print(" across a 1000 us delay\n");

	print("cores: ");
	print_dec(b_system(SMP_NUMCORES, 0, 0));
	print(", this is core ");
	print_dec(b_system(SMP_ID, 0, 0));
	print("\nfree memory: ");
	print_dec(b_system(FREE_MEMORY, 0, 0));
	print(" MiB\n");

	u64 mac = b_system(MAC_GET, 0, 0);
	print("mac: ");
	if (mac == 0) {
		print("none");
	} else {
		for (int i = 5; i >= 0; i--) {
			print_hex(mac >> (i * 8), 2);
			if (i != 0)
				print(":");
		}
	}

	print("\ndisk 0: ");
	if (b_storage_read(sector, 0, 1, 0) != 1)
		print("none");
	else if (sector[1024] == 'B' && sector[1025] == 'M' && sector[1026] == 'F' &&
		 sector[1027] == 'S')
		print("BMFS");
	else
		print("no BMFS tag");
	print("\n");
	return 0;
}
