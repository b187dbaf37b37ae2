//! Wall-clock helpers for the benchmarks: timing a closure, medians, and unit conversions.
//!
//! This is the only place in `dynsup-sim` that reads the wall clock: benchmarks measure real
//! time; the simulator itself only ever sees virtual time.

use std::time::{Duration, Instant};

/// Runs `work` once and returns how long it took with its result.
pub fn timed<T>(work: impl FnOnce() -> T) -> (Duration, T) {
    let start = Instant::now();
    let value = work();
    (start.elapsed(), value)
}

/// Awaits `work` once and returns how long it took with its result.
pub async fn timed_async<T>(work: impl std::future::Future<Output = T>) -> (Duration, T) {
    let start = Instant::now();
    let value = work.await;
    (start.elapsed(), value)
}

/// The median of `values` (the mean of the two middle ones for an even count); 0 when empty.
pub fn median(values: &[f64]) -> f64 {
    let mut sorted: Vec<f64> = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    match (sorted.len(), sorted.get(mid)) {
        (0, _) | (_, None) => 0.0,
        (len, Some(&upper)) if len % 2 == 0 => {
            let lower = sorted.get(mid - 1).copied().unwrap_or(upper);
            (lower + upper) / 2.0
        }
        (_, Some(&middle)) => middle,
    }
}

/// Nanoseconds per item of `elapsed` spread over `items` (0 items count as 1).
pub fn ns_per(elapsed: Duration, items: u64) -> f64 {
    elapsed.as_secs_f64() * 1e9 / items.max(1) as f64
}

/// Items per second, `items` done in `elapsed` (an instant run counts as one nanosecond).
pub fn per_second(elapsed: Duration, items: u64) -> f64 {
    items as f64 / elapsed.as_secs_f64().max(1e-9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(&[]), 0.0);
        assert_eq!(median(&[3.0]), 3.0);
        assert_eq!(median(&[5.0, 1.0, 3.0]), 3.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
    }

    #[test]
    fn rates() {
        assert_eq!(ns_per(Duration::from_micros(1), 10), 100.0);
        assert_eq!(ns_per(Duration::from_micros(1), 0), 1000.0);
        assert_eq!(per_second(Duration::from_millis(500), 10), 20.0);
    }
}
