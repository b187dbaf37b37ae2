//! The benchmark report: figures grouped in sections, printed as a table (with the BEAM's
//! figures and the ratios when they were measured) or as one JSON object.

use std::fmt::{self, Write as _};

use super::beam::BeamFigures;
use super::scenarios::ScenarioFigure;

/// How a figure is measured, which also says whether more is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Nanoseconds (per operation or per child): less is better.
    Nanos,
    /// Microseconds (per operation): less is better.
    Micros,
    /// Milliseconds for one operation: less is better.
    Millis,
    /// Bytes per child: less is better.
    Bytes,
    /// Operations per second: more is better.
    PerSecond,
    /// A speedup factor: more is better.
    Times,
}

impl Unit {
    fn higher_is_better(self) -> bool {
        matches!(self, Unit::PerSecond | Unit::Times)
    }
}

/// One measured figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// The JSON key, e.g. `start_child_ns_per_child_1m`.
    pub key: String,
    /// What the table calls it.
    pub label: String,
    /// The value, in `unit`.
    pub value: f64,
    /// Its unit.
    pub unit: Unit,
    /// The key of the same workload in the BEAM script's output, if it measures it.
    pub beam_key: Option<&'static str>,
    /// The goal from DESIGN.md, as text, if there is one.
    pub goal: Option<&'static str>,
}

/// A titled group of figures.
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    /// The heading.
    pub title: String,
    /// Its figures, in table order.
    pub figures: Vec<Figure>,
}

/// Everything one `dynsup-sim bench` run measured.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// Logical cores of the machine.
    pub cores: usize,
    /// Runs per workload (each figure is their median).
    pub runs: usize,
    /// The sections, in order.
    pub sections: Vec<Section>,
    /// Per-scenario figures of the conformance scenarios.
    pub scenarios: Vec<ScenarioFigure>,
    /// Workloads that could not be measured, and why.
    pub missing: Vec<String>,
    /// The real DynamicSupervisor's figures, when `--vs-beam` ran them.
    pub beam: Option<BeamFigures>,
}

impl Report {
    /// Every figure, in table order.
    pub fn figures(&self) -> impl Iterator<Item = &Figure> {
        self.sections
            .iter()
            .flat_map(|section| section.figures.iter())
    }

    /// The figure called `key`.
    pub fn get(&self, key: &str) -> Option<f64> {
        self.figures()
            .find(|figure| figure.key == key)
            .map(|figure| figure.value)
    }

    /// The BEAM's value for `figure` and how many times better ours is (ratio > 1: ours is
    /// faster, smaller or more).
    pub fn versus_beam(&self, figure: &Figure) -> Option<(f64, f64)> {
        let beam = self.beam.as_ref()?.get(figure.beam_key?)?;
        let ratio = if figure.unit.higher_is_better() {
            figure.value / beam
        } else {
            beam / figure.value
        };
        Some((beam, ratio))
    }

    /// The JSON object: every figure by key, the machine, the scenarios, and with the BEAM's
    /// figures the `beam` and `vs_beam` objects (BEAM value and ratio by our key).
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\n");
        let _ = writeln!(out, "  \"cores\": {},", self.cores);
        let _ = writeln!(out, "  \"runs\": {},", self.runs);
        for figure in self.figures() {
            let _ = writeln!(out, "  \"{}\": {},", figure.key, json_number(figure.value));
        }
        if let Some(beam) = &self.beam {
            out.push_str("  \"beam\": {");
            let fields: Vec<String> = beam
                .numbers
                .iter()
                .map(|(key, value)| format!("\"{key}\": {}", json_number(*value)))
                .chain(std::iter::once(format!(
                    "\"elixir_version\": \"{}\"",
                    beam.elixir_version
                )))
                .collect();
            out.push_str(&fields.join(", "));
            out.push_str("},\n  \"vs_beam\": {");
            let ratios: Vec<String> = self
                .figures()
                .filter_map(|figure| {
                    let (_, ratio) = self.versus_beam(figure)?;
                    Some(format!("\"{}\": {}", figure.key, json_number(ratio)))
                })
                .collect();
            out.push_str(&ratios.join(", "));
            out.push_str("},\n");
        }
        out.push_str("  \"scenarios\": [");
        let scenarios: Vec<String> = self
            .scenarios
            .iter()
            .map(|s| {
                format!(
                    "\n    {{\"name\": \"{}\", \"steps\": {}, \"simulated_us\": {}, \"span_ms\": {}, \"speedup\": {}}}",
                    s.name,
                    s.steps,
                    json_number(s.simulated_ns / 1000.0),
                    s.span_ms,
                    s.speedup().map_or_else(|| "null".to_owned(), json_number)
                )
            })
            .collect();
        out.push_str(&scenarios.join(","));
        out.push_str("\n  ],\n  \"missing\": [");
        let missing: Vec<String> = self.missing.iter().map(|m| format!("{m:?}")).collect();
        out.push_str(&missing.join(", "));
        out.push_str("]\n}\n");
        out
    }
}

fn json_number(value: f64) -> String {
    if value.is_finite() {
        format!("{value:.3}")
    } else {
        "null".to_owned()
    }
}

/// A value with its unit, scaled for reading.
pub fn human(value: f64, unit: Unit) -> String {
    match unit {
        Unit::Nanos if value >= 1e6 => format!("{:.2} ms", value / 1e6),
        Unit::Nanos if value >= 1e3 => format!("{:.2} µs", value / 1e3),
        Unit::Nanos => format!("{value:.1} ns"),
        Unit::Micros if value >= 1e3 => format!("{:.2} ms", value / 1e3),
        Unit::Micros if value < 1.0 => format!("{:.1} ns", value * 1e3),
        Unit::Micros => format!("{value:.2} µs"),
        Unit::Millis if value < 1.0 => format!("{:.1} µs", value * 1e3),
        Unit::Millis => format!("{value:.2} ms"),
        Unit::Bytes if value >= 1e4 => format!("{:.1} KB", value / 1e3),
        Unit::Bytes => format!("{value:.0} B"),
        Unit::PerSecond if value >= 1e6 => format!("{:.2} M/s", value / 1e6),
        Unit::PerSecond if value >= 1e3 => format!("{:.1} k/s", value / 1e3),
        Unit::PerSecond => format!("{value:.0} /s"),
        Unit::Times => format!("{value:.0}x"),
    }
}

impl fmt::Display for Report {
    /// The table: one line per figure with ours, the BEAM's and the ratio (when measured), and
    /// the goal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let with_beam = self.beam.is_some();
        writeln!(
            f,
            "dynsup-sim bench: {} cores, each figure the median of {} runs",
            self.cores, self.runs
        )?;
        if let Some(beam) = &self.beam {
            writeln!(
                f,
                "BEAM: Elixir {} / OTP {}, the real DynamicSupervisor at {} children",
                beam.elixir_version,
                beam.get("otp_release").unwrap_or(0.0),
                beam.get("children").unwrap_or(0.0)
            )?;
        }
        let label_width = self
            .figures()
            .map(|figure| figure.label.chars().count())
            .max()
            .unwrap_or(0)
            .max(8);
        for section in &self.sections {
            writeln!(f)?;
            write!(f, "{:<label_width$}  {:>11}", section.title, "dynsup")?;
            if with_beam {
                write!(f, "  {:>11}  {:>13}", "BEAM", "ratio")?;
            }
            writeln!(f, "  goal")?;
            for figure in &section.figures {
                write!(
                    f,
                    "{:<label_width$}  {:>11}",
                    figure.label,
                    human(figure.value, figure.unit)
                )?;
                if with_beam {
                    match self.versus_beam(figure) {
                        Some((beam, ratio)) => {
                            let word = match figure.unit {
                                Unit::Bytes => "smaller",
                                Unit::PerSecond | Unit::Times => "more",
                                _ => "faster",
                            };
                            let ratio = format!("{ratio:.1}x {word}");
                            write!(f, "  {:>11}  {ratio:>13}", human(beam, figure.unit))?;
                        }
                        None => write!(f, "  {:>11}  {:>13}", "", "")?,
                    }
                }
                writeln!(f, "  {}", figure.goal.unwrap_or(""))?;
            }
        }
        if !self.missing.is_empty() {
            writeln!(f)?;
            for missing in &self.missing {
                writeln!(f, "not measured: {missing}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        Report {
            cores: 2,
            runs: 3,
            sections: vec![Section {
                title: "simulator".into(),
                figures: vec![
                    Figure {
                        key: "start_child_ns_per_child_100k".into(),
                        label: "start_child per child, 100k".into(),
                        value: 250.0,
                        unit: Unit::Nanos,
                        beam_key: Some("start_child_ns_per_child_100k"),
                        goal: Some("≤ 0.3 µs"),
                    },
                    Figure {
                        key: "restarts_per_sec".into(),
                        label: "crash and restart cycles".into(),
                        value: 2e6,
                        unit: Unit::PerSecond,
                        beam_key: Some("restarts_per_sec"),
                        goal: None,
                    },
                ],
            }],
            scenarios: vec![ScenarioFigure {
                name: "a".into(),
                steps: 2,
                simulated_ns: 2000.0,
                span_ms: 10,
            }],
            missing: vec!["threads: no runtime".into()],
            beam: None,
        }
    }

    #[test]
    fn json_has_every_key() {
        let json = report().to_json();
        assert!(json.contains("\"start_child_ns_per_child_100k\": 250.000,"));
        assert!(json.contains("\"cores\": 2,"));
        assert!(json.contains("\"speedup\": 5000.000"));
        assert!(json.contains("\"missing\": [\"threads: no runtime\"]"));
        assert!(!json.contains("vs_beam"));
    }

    #[test]
    fn ratios_say_which_way() {
        let mut report = report();
        let mut beam = BeamFigures::default();
        beam.numbers
            .insert("start_child_ns_per_child_100k".into(), 10_000.0);
        beam.numbers.insert("restarts_per_sec".into(), 100_000.0);
        report.beam = Some(beam);
        let figures: Vec<Figure> = report.figures().cloned().collect();
        assert_eq!(
            report.versus_beam(&figures[0]),
            Some((10_000.0, 40.0)),
            "40x faster"
        );
        assert_eq!(report.versus_beam(&figures[1]), Some((100_000.0, 20.0)));
        let table = report.to_string();
        assert!(table.contains("40.0x faster"), "{table}");
        assert!(table.contains("20.0x more"), "{table}");
        assert!(report
            .to_json()
            .contains("\"vs_beam\": {\"start_child_ns_per_child_100k\": 40.000"));
    }

    #[test]
    fn units_scale() {
        assert_eq!(human(250.0, Unit::Nanos), "250.0 ns");
        assert_eq!(human(2500.0, Unit::Nanos), "2.50 µs");
        assert_eq!(human(2.5e6, Unit::Nanos), "2.50 ms");
        assert_eq!(human(0.5, Unit::Millis), "500.0 µs");
        assert_eq!(human(3000.0, Unit::Bytes), "3000 B");
        assert_eq!(human(1.5e6, Unit::PerSecond), "1.50 M/s");
    }
}
