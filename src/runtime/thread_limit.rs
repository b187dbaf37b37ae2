//! The thread limit: how many child threads the threaded runtime runs at once before it
//! refuses to start more, well below the point where the operating system would abort the
//! whole process.
//!
//! Each thread costs the process a stack and its guard page (memory mappings counted against
//! `vm.max_map_count`, 65,530 by default on Linux) and a task id (against `kernel.pid_max` and
//! `kernel.threads-max`). Past those, creating a thread does not fail cleanly: the process
//! aborts ("failed to set up alternative stack guard page"), taking every supervisor with it.
//! So the runtime counts its child threads and refuses a start past the limit: `start_child`
//! returns [`StartChildError::ThreadLimit`](crate::runtime::StartChildError::ThreadLimit), and
//! a restart past it is a failed start (retried, and counted against restart intensity, as OTP
//! does for any failed restart).

/// The exit reason of a start refused because the thread limit was reached.
pub const THREAD_LIMIT: &str = "thread_limit";

/// The limit when nothing can be read from the machine.
pub const FALLBACK_THREAD_LIMIT: usize = 4_096;

/// The default thread limit: [`FALLBACK_THREAD_LIMIT`], or less where the machine allows less:
/// an eighth of `vm.max_map_count` (a thread takes about four mappings), a quarter of
/// `kernel.pid_max` and of `kernel.threads-max` (shared with every other process).
///
/// ```
/// let limit = dynsup::runtime::default_thread_limit();
/// assert!(limit >= 1 && limit <= dynsup::runtime::FALLBACK_THREAD_LIMIT);
/// ```
pub fn default_thread_limit() -> usize {
    let read = |path: &str, divisor: usize| {
        std::fs::read_to_string(path)
            .ok()
            .and_then(|text| text.trim().parse::<usize>().ok())
            .map(|value| value / divisor)
    };
    [
        read("/proc/sys/vm/max_map_count", 8),
        read("/proc/sys/kernel/pid_max", 4),
        read("/proc/sys/kernel/threads-max", 4),
    ]
    .into_iter()
    .flatten()
    .fold(FALLBACK_THREAD_LIMIT, usize::min)
    .max(1)
}
