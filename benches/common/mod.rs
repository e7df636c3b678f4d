//! What the benchmarks share: reading this process's memory from /proc,
//! and generated news ([`corpus`]).

#![allow(dead_code)] // each bench uses a different subset

pub mod corpus;

/// A memory field of `/proc/self/status` (`VmHWM:` peak, `VmRSS:` now) in
/// KiB; `None` where there is no /proc (not Linux).
pub fn status_kib(field: &str) -> Option<u64> {
    read_status_kib("/proc/self/status", field)
}

/// The same field of another process (a child the benchmark started).
#[allow(dead_code)] // not every benchmark starts a child
pub fn pid_status_kib(pid: u32, field: &str) -> Option<u64> {
    read_status_kib(&format!("/proc/{pid}/status"), field)
}

fn read_status_kib(path: &str, field: &str) -> Option<u64> {
    std::fs::read_to_string(path)
        .ok()?
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Peak resident set size of this process, in KiB.
pub fn peak_rss_kib() -> Option<u64> {
    status_kib("VmHWM:")
}

/// Resets the peak resident set size (`VmHWM`) to the current one, so a
/// benchmark can measure the peak of one phase; false where the kernel
/// does not allow it.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// CPU time this thread has run so far (see
/// [`kabar::analyze::eval::thread_cpu_time`]).
pub fn thread_cpu() -> Option<std::time::Duration> {
    kabar::analyze::eval::thread_cpu_time()
}
