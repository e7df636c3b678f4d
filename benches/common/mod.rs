//! What the benchmarks share: reading this process's memory from /proc.

/// A memory field of `/proc/self/status` (`VmHWM:` peak, `VmRSS:` now) in
/// KiB; `None` where there is no /proc (not Linux).
pub fn status_kib(field: &str) -> Option<u64> {
    std::fs::read_to_string("/proc/self/status")
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
