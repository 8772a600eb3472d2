/*
 * virtio-blk (virtio_blk.c): the drives, numbered in the order found, in
 * 4096-byte sectors. The calls take a valid drive number and arguments
 * already checked by the API layer (kernel/api_nvs.c).
 */
#ifndef PITH_VIRTIO_BLK_H
#define PITH_VIRTIO_BLK_H

#include <stdint.h>
#include <pith/nvs.h>

struct virtio_dev;
void virtio_blk_attach(struct virtio_dev *d);
unsigned vblk_count(void);
void vblk_info(unsigned drive, struct b_nvs_info *out);
void vblk_stats(unsigned drive, struct b_nvs_stats *out);
/* Largest request the device takes, in sectors (<= B_NVS_REQ_MAX). */
uint32_t vblk_req_max(unsigned drive);
/* Starts req (checked); 0 or B_EAGAIN when every request slot is busy. */
int vblk_submit(unsigned drive, struct b_nvs_req *req);
/* Up to max finished asynchronous requests, oldest first. */
int vblk_complete(unsigned drive, struct b_nvs_req **done, unsigned max);
/* Reads or writes count sectors (checked), waiting: sectors done or B_EIO. */
long vblk_rw(unsigned drive, enum b_nvs_op op, void *mem, uint64_t start, uint64_t count);
/* Makes completed writes durable: 0 or B_EIO. */
int vblk_flush(unsigned drive);
/* When a program ends: waits for its asynchronous requests (they live in
 * its memory, which the next program reuses) and drops the uncollected. */
void vblk_forget_async(void);
void vblk_print(void);

#endif
