//! hello-rust [WORDS...]: Pith's Rust sample. Prints its arguments, counts
//! them with alloc's collections, runs work-queue tasks on the other
//! cores, checks that freeing heap memory lets it be used again, reads the
//! clocks, looks at drive 0 (its first sector, its files, the errors of bad
//! requests) and round-trips a file of its own there (created, written,
//! read back, deleted), and shows the NICs.
//! Exit code: the number of arguments, like `hello`.

#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};
use pith::storage::{self, Sector};
use pith::task;
use pith::time::{Duration, Instant, WallTime};
use pith::{env, file, net, println, system, Error};

pith::main!(main);

fn main() -> i32 {
    let name = env::arg(0).unwrap_or("hello-rust");
    println!("hello from {name}");
    for (i, arg) in env::args().enumerate().skip(1) {
        println!("argv[{i}] = {arg}");
    }
    collections();
    tasks();
    heap_reuse();
    clocks();
    disk();
    file_round_trip();
    nics();
    env::args().len() as i32 - 1
}

/// Vec, String and BTreeMap: the words sorted, and how often each letter
/// occurs in them.
fn collections() {
    let mut words: Vec<&str> = env::args().skip(1).collect();
    words.sort_unstable();
    let mut joined = String::new();
    for w in &words {
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(w);
    }
    let mut letters: BTreeMap<char, usize> = BTreeMap::new();
    for c in joined.chars().filter(|c| c.is_alphanumeric()) {
        *letters.entry(c).or_insert(0) += 1;
    }
    println!("sorted: [{joined}]");
    println!("letters: {letters:?}");
}

/// One task that another core should take while this one waits, then one
/// task per core computing part of a sum, with JoinHandles.
fn tasks() {
    let h = task::spawn(|| ((1..=1000u64).sum::<u64>(), system::core_id()));
    // Leave it to the other cores for a while: join would run it here.
    let t0 = Instant::now();
    while system::cores() > 1 && !h.is_finished() && t0.elapsed() < Duration::from_secs(10) {
        core::hint::spin_loop();
    }
    match h.join() {
        Ok((sum, core)) => println!("task: sum 1..=1000 = {sum} on core {core}"),
        Err(e) => println!("task: {e}"),
    }

    let parts = 4 * system::cores() as u64;
    let handles: Vec<_> = (0..parts)
        .map(|p| task::spawn(move || (p * 1000..(p + 1) * 1000).map(|x| x * x).sum::<u64>()))
        .collect();
    let total: u64 = handles.into_iter().map(|h| h.join().unwrap_or(0)).sum();
    let n = parts * 1000;
    let want = (n - 1) * n * (2 * n - 1) / 6;
    println!(
        "tasks: {parts} parts, sum of squares below {n} = {total} ({})",
        if total == want { "ok" } else { "WRONG" }
    );

    // The allocation-free forms: an extern "C" fn(usize) and a fn(usize).
    for i in 1..=100 {
        while task::enqueue(add, i).is_err() {
            task::run_one(); // the queue is full: help drain it
        }
    }
    let h = task::spawn_fn(|n| add(n), 1000);
    let faulted = task::wait();
    let _ = h.join();
    match faulted {
        Ok(n) => println!(
            "tasks: enqueue and spawn_fn added {}, {n} faulted",
            SUM.load(Ordering::Relaxed)
        ),
        Err(e) => println!("tasks: wait: {e}"),
    }
}

static SUM: AtomicU64 = AtomicU64::new(0);

extern "C" fn add(n: usize) {
    SUM.fetch_add(n as u64, Ordering::Relaxed);
}

/// 100000 vectors of 0..299 bytes allocated and freed, 64 alive at a time,
/// twice: the second round finds every block it needs freed by the first,
/// so the heap must not grow.
fn heap_reuse() {
    let first = churn();
    let claimed = system::heap().claimed;
    let second = churn();
    let grew = system::heap().claimed - claimed;
    println!(
        "heap: 2 x 100000 allocations ({} bytes), the second grew it by {grew} bytes \
              ({} MiB heap)",
        first + second,
        system::heap().size >> 20
    );
}

fn churn() -> usize {
    let mut live: Vec<Vec<u8>> = Vec::with_capacity(64);
    let mut bytes = 0;
    for i in 0..100_000usize {
        live.push(alloc::vec![i as u8; i % 300]);
        if live.len() == 64 {
            bytes += live.iter().map(|v| v.len()).sum::<usize>();
            live.clear();
        }
    }
    bytes
}

fn clocks() {
    let t0 = Instant::now();
    pith::time::delay_us(1000);
    let waited = t0.elapsed();
    println!(
        "time: delay 1000 us took {} us, wall clock {}",
        waited.as_micros(),
        WallTime::now()
    );
}

/// Drive 0: its first sector holds BMFS's "BMFS" tag at byte 1024; its
/// files include this program, an ELF file.
fn disk() {
    let info = match storage::info(0) {
        Ok(i) => i,
        Err(e) => return println!("disk: {e}"),
    };
    let mut sectors = alloc::vec![Sector::zeroed(); 2];
    let tag = match storage::read(0, 0, &mut sectors) {
        Ok(2) => core::str::from_utf8(&sectors[0][1024..1028]).unwrap_or("?"),
        Ok(n) => return println!("disk: read {n} of 2 sectors"),
        Err(e) => return println!("disk: read: {e}"),
    };
    let files: Vec<file::Entry> = file::list(0).filter_map(|f| f.ok()).collect();
    let name = alloc::format!("{}.app", env::arg(0).unwrap_or("").trim_end_matches(".app"));
    let mut magic = [0u8; 4];
    let me = match file::read(&name, &mut magic, 0, 0) {
        Ok(4) if magic == *b"\x7fELF" => "an ELF file",
        Ok(_) => "not ELF",
        Err(Error::NotFound) => "not on it",
        Err(_) => "unreadable",
    };
    println!(
        "disk: drive 0 {} {} sectors, tag {tag}, {} files, {name} {me}",
        info.transport,
        info.sectors,
        files.len()
    );
    println!(
        "disk: errors {:?} {:?} {:?} {:?}",
        file::stat("no-such-file", 0).err(),
        file::stat("a-name-longer-than-thirty-one-bytes", 0).err(),
        storage::read(9, 0, &mut sectors).err(),
        storage::read(0, info.sectors, &mut sectors).err()
    );
}

/// Creates hello-rust.tmp on drive 0, writes it, reads it back, checks
/// what a second create and a write past its reserved space say, and
/// deletes it.
fn file_round_trip() {
    const NAME: &str = "hello-rust.tmp";
    let data: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let result = file::create(NAME, 1, 0).and_then(|()| {
        file::write(NAME, &data, 0, 0)?;
        let back = file::read_all(NAME, 0)?;
        let again = file::create(NAME, 1, 0).err();
        let reserved = file::stat(NAME, 0)?.reserved;
        let past = file::write(NAME, b"x", reserved, 0).err();
        file::delete(NAME, 0)?;
        let gone = file::stat(NAME, 0).err();
        Ok((back == data, again, past, gone))
    });
    match result {
        Ok((same, again, past, gone)) => println!(
            "files: {NAME} {} bytes read back {}; create again {again:?}, \
             write past reserve {past:?}, after delete {gone:?}",
            data.len(),
            if same { "the same" } else { "DIFFERENT" }
        ),
        Err(e) => {
            let _ = file::delete(NAME, 0);
            println!("files: {NAME}: {e}")
        }
    }
}

/// The NICs: description, counters, and a receive that finds nothing.
fn nics() {
    println!("net: {} interfaces", net::count());
    for i in 0..net::count() {
        let (info, stats) = match (net::info(i), net::stats(i)) {
            (Ok(info), Ok(stats)) => (info, stats),
            (Err(e), _) | (_, Err(e)) => return println!("net{i}: {e}"),
        };
        let waiting = match net::rx_zc(i) {
            Ok(Some(frame)) => alloc::format!("a frame of {} bytes", frame.len()),
            Ok(None) => String::from("nothing"),
            Err(e) => alloc::format!("{e}"),
        };
        println!(
            "net{i}: {} {} link {} mtu {}, rx {} frames; waiting: {waiting}",
            info.transport,
            net::Mac(info.mac),
            if info.link_up { "up" } else { "down" },
            info.mtu,
            stats.rx_frames
        );
    }
    let mut small = [0u8; 64];
    println!(
        "net: rx into 64 bytes: {:?}, tx on net9: {:?}",
        net::rx(0, &mut small).err(),
        net::tx(9, &[0u8; 60]).err()
    );
}
