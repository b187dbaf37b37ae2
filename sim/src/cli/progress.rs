//! Progress on stderr: an `indicatif` bar or spinner when stderr is a terminal, and otherwise
//! (indicatif draws nothing off a terminal) plain lines: one every [`PLAIN_INTERVAL`] for a
//! count, each step's line for a sequence of steps. Standard output is never touched.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// How often a count's plain progress line is written when stderr is not a terminal.
pub const PLAIN_INTERVAL: Duration = Duration::from_secs(5);

/// When the plain progress lines of a count are due: every `every` of elapsed time, and always
/// the last one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineRate {
    every: Duration,
    previous: Duration,
}

impl LineRate {
    /// A line every `every`, the first one `every` after the start.
    pub fn new(every: Duration) -> Self {
        LineRate {
            every,
            previous: Duration::ZERO,
        }
    }

    /// Whether a line is due at `elapsed` (always when `last`); if so, the next one is due
    /// `every` later.
    pub fn due(&mut self, elapsed: Duration, last: bool) -> bool {
        let due = last || elapsed.saturating_sub(self.previous) >= self.every;
        if due {
            self.previous = elapsed;
        }
        due
    }
}

/// The plain progress line of `done` of `total` items (`unit`, e.g. `seeds`) after `elapsed`,
/// with the rate and the time left at that rate.
pub fn plain_line(done: u64, total: u64, unit: &str, elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64();
    let rate = done as f64 / seconds.max(1e-9);
    let percent = (done as f64 * 100.0 / total.max(1) as f64).min(100.0);
    let mut line =
        format!("{done}/{total} {unit} ({percent:.0}%)  {rate:.0} {unit}/s  {seconds:.1} s");
    if done > 0 && done < total {
        let left = (total - done) as f64 / rate;
        let _ = write!(line, "  ETA {left:.0} s");
    }
    line
}

/// Progress through a known count of items (the explorer's seeds).
pub struct CountProgress {
    total: u64,
    unit: &'static str,
    bar: Option<ProgressBar>,
    lines: LineRate,
}

impl CountProgress {
    /// Progress through `total` items called `unit`: a bar if stderr is a terminal.
    pub fn new(total: u64, unit: &'static str) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            bar.set_style(count_style(unit));
            bar
        });
        CountProgress {
            total,
            unit,
            bar,
            lines: LineRate::new(PLAIN_INTERVAL),
        }
    }

    /// `done` items after `elapsed`; `last`: the final update (the bar stays on screen, and a
    /// plain line is written whenever it is due).
    pub fn update(&mut self, done: u64, elapsed: Duration, last: bool) {
        match &self.bar {
            Some(bar) => {
                bar.set_position(done);
                if last {
                    bar.abandon();
                }
            }
            None => {
                if self.lines.due(elapsed, last) {
                    eprintln!("{}", plain_line(done, self.total, self.unit, elapsed));
                }
            }
        }
    }
}

fn count_style(unit: &'static str) -> ProgressStyle {
    let template = "{elapsed_precise} [{wide_bar}] {pos}/{len} {unit}  {rate}  ETA {eta}";
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key(
            "unit",
            move |_: &ProgressState, out: &mut dyn std::fmt::Write| {
                let _ = out.write_str(unit);
            },
        )
        .with_key(
            "rate",
            move |state: &ProgressState, out: &mut dyn std::fmt::Write| {
                let _ = write!(out, "{:.0} {unit}/s", state.per_sec());
            },
        )
        .progress_chars("=> ")
}

/// Progress through a sequence of steps reported as lines (the benchmark's workloads): on a
/// terminal every line is printed above a spinner that shows the time and the current
/// workload; otherwise every line is printed as it comes.
pub struct StepProgress {
    spinner: Option<ProgressBar>,
}

impl StepProgress {
    /// A spinner if stderr is a terminal.
    pub fn new() -> Self {
        let spinner = std::io::stderr().is_terminal().then(|| {
            let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            spinner.set_style(
                ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            spinner.enable_steady_tick(Duration::from_millis(120));
            spinner
        });
        StepProgress { spinner }
    }

    /// One progress line; a line that is not indented starts a new step.
    pub fn line(&self, line: &str) {
        match &self.spinner {
            Some(spinner) => {
                if !line.starts_with(char::is_whitespace) {
                    spinner.set_message(line.trim_end_matches('.').to_owned());
                }
                spinner.println(line);
            }
            None => eprintln!("{line}"),
        }
    }

    /// Removes the spinner.
    pub fn finish(&self) {
        if let Some(spinner) = &self.spinner {
            spinner.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(seconds: f64) -> Duration {
        Duration::from_secs_f64(seconds)
    }

    #[test]
    fn a_line_every_interval_and_always_the_last() {
        let mut rate = LineRate::new(secs(5.0));
        let polled: Vec<bool> = [0.2, 4.8, 5.0, 5.2, 9.9, 10.1, 14.0]
            .into_iter()
            .map(|t| rate.due(secs(t), false))
            .collect();
        assert_eq!(polled, [false, false, true, false, false, true, false]);
        assert!(
            rate.due(secs(14.2), true),
            "the last line is always written"
        );
    }

    #[test]
    fn a_quick_run_writes_only_the_last_line() {
        let mut rate = LineRate::new(PLAIN_INTERVAL);
        let lines = (1..=20)
            .filter(|&tick| rate.due(secs(f64::from(tick) * 0.2), tick == 20))
            .count();
        assert_eq!(lines, 1);
    }

    #[test]
    fn polling_every_200_ms_for_a_minute_writes_twelve_lines() {
        let mut rate = LineRate::new(PLAIN_INTERVAL);
        let lines = (1..=300)
            .filter(|&tick| rate.due(Duration::from_millis(200 * tick), false))
            .count();
        assert_eq!(lines, 12);
    }

    #[test]
    fn the_plain_line_has_count_rate_and_eta() {
        assert_eq!(
            plain_line(1_000, 10_000, "seeds", secs(2.0)),
            "1000/10000 seeds (10%)  500 seeds/s  2.0 s  ETA 18 s"
        );
        assert_eq!(
            plain_line(10_000, 10_000, "seeds", secs(4.0)),
            "10000/10000 seeds (100%)  2500 seeds/s  4.0 s"
        );
        assert_eq!(
            plain_line(0, 10, "seeds", Duration::ZERO),
            "0/10 seeds (0%)  0 seeds/s  0.0 s"
        );
    }
}
