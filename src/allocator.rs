//! The global allocator: the system's, with buffers from 16 KiB (a TLS
//! record) up to 128 KiB placed on a 64-byte boundary.
//!
//! glibc's `memcpy` copies large blocks with `rep movsb`, which on the AMD
//! EPYC machines measured here runs about twenty times slower (under 2 GB/s
//! instead of 35) when the destination lies 1 to 31 bytes after the source,
//! modulo 4 KiB. glibc hands out buffers of power-of-two sizes one after the
//! other, 16 bytes (its chunk header) apart modulo 4 KiB, so the copies of a
//! bulk transfer hit that case every time: rustls copying each decrypted
//! record (which starts 5 bytes into its receive buffer) into a fresh one,
//! for instance. With both buffers on 64-byte boundaries the distance is
//! never in that window for such copies. Other sizes are left alone:
//! aligning smaller ones too (from 4 KiB), or the 256 KiB read-ahead buffers
//! that connections take for each read, cost an idle connection 4 to 6 KiB
//! more memory (glibc's aligned allocations fragment its heap).

use std::alloc::{GlobalAlloc, Layout, System};

/// Allocations at least this large get [`ALIGN`]...
const LARGE: usize = 16 * 1024;

/// ...and smaller than this.
const HUGE: usize = 128 * 1024;

/// The boundary large allocations start on.
const ALIGN: usize = 64;

/// The system allocator, with large blocks on 64-byte boundaries.
pub struct Aligned;

/// The layout actually asked of the system for `layout`.
fn widen(layout: Layout) -> Layout {
    if (LARGE..HUGE).contains(&layout.size()) && layout.align() < ALIGN {
        // A power of two, and `size` is far below isize::MAX when rounded to
        // 64 (the caller's layout was valid for a smaller alignment).
        Layout::from_size_align(layout.size(), ALIGN).unwrap_or(layout)
    } else {
        layout
    }
}

// SAFETY: every call goes to `System` with a valid layout (`widen` keeps the
// size and only raises the alignment), and each block is freed with the same
// layout it was allocated with, since `widen` depends on the size alone.
unsafe impl GlobalAlloc for Aligned {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        System.alloc(widen(layout))
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        System.alloc_zeroed(widen(layout))
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, widen(layout))
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = widen(layout);
        // SAFETY: the caller guarantees `new_size`, rounded up to
        // `layout.align()`, does not overflow isize.
        let new = widen(Layout::from_size_align_unchecked(new_size, layout.align()));
        if old.align() == new.align() {
            return System.realloc(ptr, old, new_size);
        }
        // Crossing the threshold changes the alignment: move the block.
        let moved = System.alloc(new);
        if !moved.is_null() {
            std::ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size));
            System.dealloc(ptr, old);
        }
        moved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_blocks_start_on_64_bytes_and_keep_their_bytes_when_they_grow_or_shrink() {
        let a = Aligned;
        unsafe {
            let small = Layout::from_size_align(100, 1).unwrap();
            let p = a.alloc(small);
            assert!(!p.is_null());
            for i in 0..100 {
                *p.add(i) = i as u8;
            }
            // Growing past the threshold moves it onto a boundary, contents kept.
            let p = a.realloc(p, small, 20_000);
            assert_eq!(p as usize % ALIGN, 0);
            assert!((0..100).all(|i| *p.add(i) == i as u8));
            let big = Layout::from_size_align(20_000, 1).unwrap();
            let p = a.realloc(p, big, 100_000);
            assert_eq!(p as usize % ALIGN, 0);
            assert!((0..100).all(|i| *p.add(i) == i as u8));
            // Past the upper bound, and back below the lower one.
            let big = Layout::from_size_align(100_000, 1).unwrap();
            let p = a.realloc(p, big, 300_000);
            assert!((0..100).all(|i| *p.add(i) == i as u8));
            let big = Layout::from_size_align(300_000, 1).unwrap();
            let p = a.realloc(p, big, 50);
            assert!((0..50).all(|i| *p.add(i) == i as u8));
            a.dealloc(p, Layout::from_size_align(50, 1).unwrap());
            for size in [16_384, 16_389, 65_536, 131_071] {
                let l = Layout::from_size_align(size, 8).unwrap();
                let p = a.alloc_zeroed(l);
                assert_eq!(p as usize % ALIGN, 0, "{size}");
                assert_eq!(*p.add(size - 1), 0);
                a.dealloc(p, l);
            }
        }
        assert_eq!(widen(Layout::from_size_align(64, 8).unwrap()).align(), 8);
        assert_eq!(widen(Layout::from_size_align(4096, 8).unwrap()).align(), 8);
        assert_eq!(
            widen(Layout::from_size_align(262_144, 8).unwrap()).align(),
            8
        );
        assert_eq!(
            widen(Layout::from_size_align(8192, 128).unwrap()).align(),
            128
        );
    }
}
