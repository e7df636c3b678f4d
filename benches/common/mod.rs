//! What the benchmarks share: reading this process's memory from /proc.

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
