/*
 * The legacy 8259A pair. Pith uses the LAPIC and IOAPIC instead, but the
 * firmware may leave the 8259s pointing at vectors 8-15, where a spurious
 * IRQ 7 would look like a #DF. So: remap them to VEC_PIC_BASE (ICW1-4,
 * 8259A data sheet) and mask every line.
 */
#include "cpu.h"
#include "lapic.h"
#include "../../param.h"

#define PIC1_CMD	0x20
#define PIC1_DATA	0x21
#define PIC2_CMD	0xa0
#define PIC2_DATA	0xa1
#define ICW1_INIT_ICW4	0x11
#define ICW3_MASTER	0x04	/* slave on IRQ 2 */
#define ICW3_SLAVE	0x02
#define ICW4_8086	0x01

void pic_disable(void)
{
	outb(PIC1_CMD, ICW1_INIT_ICW4);
	outb(PIC2_CMD, ICW1_INIT_ICW4);
	outb(PIC1_DATA, VEC_PIC_BASE);
	outb(PIC2_DATA, VEC_PIC_BASE + 8);
	outb(PIC1_DATA, ICW3_MASTER);
	outb(PIC2_DATA, ICW3_SLAVE);
	outb(PIC1_DATA, ICW4_8086);
	outb(PIC2_DATA, ICW4_8086);
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}
