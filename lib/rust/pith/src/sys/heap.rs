//! The global allocator: size classes over the program's heap (`b_heap`:
//! from the end of its image to the bottom of its stack).
//!
//! Every block is a power of two, 16 bytes to the whole heap: class c holds
//! blocks of 1 << c bytes. A class has a free list threaded through its
//! free blocks (the first word of each is the next one's address); a new
//! block comes off the top of the unused part ("bump"). Blocks up to 4 KiB
//! are aligned to their size, larger ones to 4 KiB, so any block of a class
//! meets every alignment up to min(size, 4096). Freed blocks go back to
//! their class's list and are never split or merged: simple and O(1), at
//! the price of up to half a block wasted and memory that stays with the
//! class it was first used for.
//!
//! One `Mutex` guards it all, so tasks on every core may allocate. The
//! heap is set up on the first allocation: the memory is whatever the last
//! program left there, so `alloc_zeroed` zeroes (GlobalAlloc's default).

use super::ffi;
use super::sync::Mutex;
use core::alloc::{GlobalAlloc, Layout};
use core::ptr;

const MIN_CLASS: u32 = 4; // 16 bytes: two words, and B_NVS_ALIGN
const PAGE_CLASS: u32 = 12; // 4 KiB
const CLASSES: usize = 64;

struct Heap {
    ready: bool,
    start: usize,
    next: usize, // first unused byte
    end: usize,
    free: [usize; CLASSES], // head of each class's free list, 0 = empty
}

pub struct Allocator {
    heap: Mutex<Heap>,
}

impl Allocator {
    pub const fn new() -> Self {
        Allocator {
            heap: Mutex::new(Heap {
                ready: false,
                start: 0,
                next: 0,
                end: 0,
                free: [0; CLASSES],
            }),
        }
    }

    /// A heap over [start, start + bytes), for the host tests.
    #[cfg(test)]
    fn over(start: usize, bytes: usize) -> Self {
        let a = Allocator::new();
        a.heap.lock().set(start, bytes);
        a
    }
}

/// The class of a request: log2 of the smallest power of two that holds
/// size and align (at least 16); None past the address space.
fn class_of(layout: Layout) -> Option<u32> {
    let n = layout.size().max(layout.align()).max(1 << MIN_CLASS);
    n.checked_next_power_of_two().map(|p| p.trailing_zeros())
}

fn block_align(class: u32) -> usize {
    1 << class.min(PAGE_CLASS)
}

impl Heap {
    fn init(&mut self) {
        let mut start: *mut u8 = ptr::null_mut();
        let mut bytes: u64 = 0;
        // SAFETY: both pointers are to locals, valid for the writes
        // b_heap makes; it keeps neither.
        if unsafe { ffi::b_heap(&mut start, &mut bytes) } == 0 {
            self.set(start as usize, bytes as usize);
        }
        self.ready = true; // an empty heap if b_heap failed: every alloc fails
    }

    fn set(&mut self, start: usize, bytes: usize) {
        self.start = start;
        self.next = start;
        self.end = start.saturating_add(bytes);
        self.ready = true;
    }

    fn alloc(&mut self, class: u32, align: usize) -> *mut u8 {
        if !self.ready {
            self.init();
        }
        let head = self.free[class as usize];
        if head != 0 && head % align == 0 {
            // SAFETY: head is a free block of this class (pushed by
            // dealloc), at least 16 bytes and 16-aligned; its first word
            // holds the next free block's address.
            self.free[class as usize] = unsafe { *(head as *const usize) };
            return head as *mut u8;
        }
        self.bump(class, align)
    }

    fn bump(&mut self, class: u32, align: usize) -> *mut u8 {
        let align = align.max(block_align(class));
        let start = match self.next.checked_add(align - 1) {
            Some(n) => n & !(align - 1),
            None => return ptr::null_mut(),
        };
        match start.checked_add(1 << class) {
            Some(end) if end <= self.end => {
                self.next = end;
                start as *mut u8
            }
            _ => ptr::null_mut(),
        }
    }

    fn free(&mut self, p: *mut u8, class: u32) {
        // SAFETY: p is a block of this class that the caller owned until
        // now (GlobalAlloc::dealloc's contract), 16-aligned and at least 16
        // bytes: its first word may hold the list's link.
        unsafe { *(p as *mut usize) = self.free[class as usize] };
        self.free[class as usize] = p as usize;
    }
}

// SAFETY: alloc returns null or a block of at least layout.size() bytes
// aligned to layout.align() that no other live allocation overlaps (bump
// hands out each byte once; a block leaves its free list before it is
// handed out again). dealloc returns a block to the list of the class the
// same layout gave when it was allocated. The Mutex serialises cores.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match class_of(layout) {
            Some(c) if (c as usize) < CLASSES => self.heap.lock().alloc(c, layout.align()),
            _ => ptr::null_mut(),
        }
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        if let Some(c) = class_of(layout) {
            self.heap.lock().free(p, c);
        }
    }

    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY (Layout): GlobalAlloc::realloc's contract says new_size
        // rounded up to align does not overflow isize.
        let new = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        if class_of(new) == class_of(layout) {
            return p; // the block already holds new_size bytes
        }
        // SAFETY: new is a valid layout (above).
        let q = unsafe { self.alloc(new) };
        if !q.is_null() {
            // SAFETY: both blocks are live, distinct and hold at least the
            // smaller size; p is ours to free after the copy.
            unsafe {
                ptr::copy_nonoverlapping(p, q, layout.size().min(new_size));
                self.dealloc(p, layout);
            }
        }
        q
    }
}

// Not the host tests' allocator: they run on the host's std.
#[cfg_attr(not(test), global_allocator)]
static ALLOCATOR: Allocator = Allocator::new();

/// The heap's size in bytes and how many of them have ever been handed
/// out (blocks freed since are still counted: they wait in their lists).
/// (0, 0) before the first allocation.
pub fn usage() -> (usize, usize) {
    let h = ALLOCATOR.heap.lock();
    (h.end - h.start, h.next - h.start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    const MIB: usize = 1 << 20;

    /// The tests give their heaps a region themselves (Allocator::over);
    /// this stands in for the kernel's b_heap, which the host lacks.
    #[no_mangle]
    extern "C" fn b_heap(_start: *mut *mut u8, _bytes: *mut u64) -> i32 {
        -19 // B_ENODEV
    }

    /// A heap over a leaked, page-aligned host buffer.
    fn heap(bytes: usize) -> Allocator {
        let buf: &'static mut [u8] = Vec::leak(std::vec![0u8; bytes + 4096]);
        let start = (buf.as_mut_ptr() as usize + 4095) & !4095;
        Allocator::over(start, bytes)
    }

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    #[test]
    fn classes() {
        assert_eq!(class_of(layout(1, 1)), Some(4));
        assert_eq!(class_of(layout(16, 8)), Some(4));
        assert_eq!(class_of(layout(17, 1)), Some(5));
        assert_eq!(class_of(layout(8, 64)), Some(6));
        assert_eq!(class_of(layout(4097, 8)), Some(13));
        assert_eq!(class_of(layout(usize::MAX / 2, 1)), Some(63));
    }

    #[test]
    fn aligned_and_disjoint() {
        let a = heap(64 * MIB);
        let mut live: Vec<(usize, Layout)> = Vec::new();
        for i in 0..2000usize {
            let l = layout(1 + i * 7919 % 9000, 1 << (i % 14));
            let p = unsafe { a.alloc(l) } as usize;
            assert!(p != 0, "{l:?}");
            assert_eq!(p % l.align(), 0, "{l:?} at {p:#x}");
            live.push((p, l));
            if i % 3 == 0 {
                let (q, m) = live.swap_remove(i * 31 % live.len());
                unsafe { a.dealloc(q as *mut u8, m) };
            }
        }
        live.sort_by_key(|&(p, _)| p);
        for w in live.windows(2) {
            assert!(
                w[0].0 + w[0].1.size() <= w[1].0,
                "{:x?} overlaps {:x?}",
                w[0],
                w[1]
            );
        }
    }

    #[test]
    fn freed_blocks_are_reused() {
        let a = heap(4 * MIB);
        let round = |a: &Allocator| {
            let ps: Vec<_> = (0..500)
                .map(|i| (unsafe { a.alloc(layout(i, 8)) }, i))
                .collect();
            for (p, i) in ps {
                unsafe { a.dealloc(p, layout(i, 8)) };
            }
        };
        round(&a);
        let claimed = a.heap.lock().next;
        for _ in 0..100 {
            round(&a);
        }
        assert_eq!(a.heap.lock().next, claimed);
    }

    #[test]
    fn exhaustion_gives_null_then_recovers() {
        let a = heap(MIB);
        let big = layout(MIB / 2 + 1, 8); // a 1 MiB block: the whole heap
        let p = unsafe { a.alloc(big) };
        assert!(!p.is_null());
        assert!(unsafe { a.alloc(layout(16, 8)) }.is_null());
        unsafe { a.dealloc(p, big) };
        assert_eq!(unsafe { a.alloc(big) }, p);
        assert!(unsafe { a.alloc(layout(usize::MAX / 4, 8)) }.is_null());
    }

    #[test]
    fn realloc_keeps_data() {
        let a = heap(MIB);
        let l = layout(10, 1);
        let p = unsafe { a.alloc(l) };
        unsafe { p.copy_from(b"0123456789".as_ptr(), 10) };
        let same = unsafe { a.realloc(p, l, 16) }; // same class: in place
        assert_eq!(same, p);
        let q = unsafe { a.realloc(p, layout(16, 1), 1000) };
        assert_ne!(q, p);
        assert_eq!(unsafe { core::slice::from_raw_parts(q, 10) }, b"0123456789");
    }

    #[test]
    fn threads_share_it() {
        let a: &'static Allocator = std::boxed::Box::leak(std::boxed::Box::new(heap(64 * MIB)));
        let threads: Vec<_> = (0..4usize)
            .map(|t| {
                std::thread::spawn(move || {
                    for i in 0..20_000usize {
                        let l = layout(1 + (i * 13 + t) % 700, 8);
                        let p = unsafe { a.alloc(l) };
                        assert!(!p.is_null());
                        unsafe { p.write_bytes(t as u8, l.size()) };
                        let s = unsafe { core::slice::from_raw_parts(p, l.size()) };
                        assert!(s.iter().all(|&b| b == t as u8), "another thread wrote here");
                        unsafe { a.dealloc(p, l) };
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
    }
}
