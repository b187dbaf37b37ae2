//! Latency of the real threaded runtime: `start_child`, `count_children` and
//! `terminate_child` through a `Supervisor` handle, each child an idle worker on a thread of
//! its own; the median of N calls, in microseconds. Run it with
//! `cargo run --release --example runtime_latency [N]` (default 10,000 children).
//! The same figures are part of `dynsup-sim bench`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let children = match std::env::args().nth(1) {
        Some(n) => n.parse::<usize>().map_err(|e| format!("N: {e}"))?,
        None => 10_000,
    };
    let figures = dynsup_sim::bench::threads::measure(children).map_err(|e| e.to_string())?;
    println!("threaded runtime, {children} children, median per call:");
    println!("  start_child      {:8.1} us", figures.start_child_us);
    println!("  count_children   {:8.1} us", figures.count_children_us);
    println!("  terminate_child  {:8.1} us", figures.terminate_child_us);
    Ok(())
}
