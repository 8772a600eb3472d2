/*
 * virtio-net (virtio_net.c): the NICs, numbered in the order found. The
 * calls take a valid NIC number and arguments already checked by the API
 * layer (kernel/api_net.c); each serialises on the NIC's own locks.
 */
#ifndef PITH_VIRTIO_NET_H
#define PITH_VIRTIO_NET_H

#include <stdbool.h>
#include <stdint.h>
#include <pith/net.h>

struct virtio_dev;
void virtio_net_attach(struct virtio_dev *d);
unsigned vnet_count(void);
/* Queues n frames (lengths checked) with one notification; how many went. */
unsigned vnet_tx(unsigned nic, const void *const *frames, const uint16_t *lens, unsigned n);
/* The next received frame in place, its length; 0 if none. */
long vnet_rx_take(unsigned nic, void **frame);
/* Hands a taken frame's buffer back to the device; false if it was not taken. */
bool vnet_rx_give(unsigned nic, void *frame);
void vnet_info(unsigned nic, struct b_net_info *out);
void vnet_stats(unsigned nic, struct b_net_stats *out);
void vnet_count_tx_error(unsigned nic);
/* The program's CALLBACK_NETWORK; false if no NIC can interrupt. */
bool vnet_set_callback(void (*fn)(void));
/* When a program ends: every buffer it took with b_net_rx_zc goes back. */
void vnet_reclaim_all(void);
void vnet_print(void);

#endif
