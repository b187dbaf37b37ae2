//! The benchmark report: figures grouped in sections, printed as a table (with the BEAM's
//! figures and the ratios when they were measured) or as one JSON object.

use std::fmt;

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
    /// Seconds for one operation: less is better.
    Seconds,
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
    /// figures the `beam` and `vs_beam` objects (BEAM value and ratio by our key). Numbers are
    /// rounded to 3 decimals; a non-finite one is `null`.
    #[cfg(feature = "json")]
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(&json::ReportJson::new(self))
            .expect("a report serializes: string keys, and no Serialize impl that fails");
        text.push('\n');
        text
    }
}

/// The serde shapes of [`Report::to_json`]: the report borrowed, keys in table order.
#[cfg(feature = "json")]
mod json {
    use serde::ser::{Serialize, Serializer};

    use super::Report;

    /// A number as the JSON shows it: 3 decimals, `null` when not finite.
    fn rounded(value: f64) -> Option<f64> {
        value.is_finite().then(|| (value * 1000.0).round() / 1000.0)
    }

    /// Numbers by key, in the given order (a JSON object).
    pub(super) struct Numbers<'a>(Vec<(&'a str, Option<f64>)>);

    impl Serialize for Numbers<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_map(self.0.iter().map(|(key, value)| (*key, *value)))
        }
    }

    #[derive(serde::Serialize)]
    pub(super) struct ReportJson<'a> {
        cores: usize,
        runs: usize,
        #[serde(flatten)]
        figures: Numbers<'a>,
        #[serde(skip_serializing_if = "Option::is_none")]
        beam: Option<BeamJson<'a>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        vs_beam: Option<Numbers<'a>>,
        scenarios: Vec<ScenarioJson<'a>>,
        missing: &'a [String],
    }

    #[derive(serde::Serialize)]
    struct BeamJson<'a> {
        #[serde(flatten)]
        numbers: Numbers<'a>,
        elixir_version: &'a str,
    }

    #[derive(serde::Serialize)]
    struct ScenarioJson<'a> {
        name: &'a str,
        steps: usize,
        simulated_us: Option<f64>,
        span_ms: u64,
        speedup: Option<f64>,
    }

    impl<'a> ReportJson<'a> {
        pub(super) fn new(report: &'a Report) -> Self {
            let figures = report
                .figures()
                .map(|figure| (figure.key.as_str(), rounded(figure.value)))
                .collect();
            let beam = report.beam.as_ref().map(|beam| BeamJson {
                numbers: Numbers(
                    beam.numbers
                        .iter()
                        .map(|(key, value)| (key.as_str(), rounded(*value)))
                        .collect(),
                ),
                elixir_version: &beam.elixir_version,
            });
            let vs_beam = report.beam.as_ref().map(|_| {
                Numbers(
                    report
                        .figures()
                        .filter_map(|figure| {
                            let (_, ratio) = report.versus_beam(figure)?;
                            Some((figure.key.as_str(), rounded(ratio)))
                        })
                        .collect(),
                )
            });
            let scenarios = report
                .scenarios
                .iter()
                .map(|s| ScenarioJson {
                    name: &s.name,
                    steps: s.steps,
                    simulated_us: rounded(s.simulated_ns / 1000.0),
                    span_ms: s.span_ms,
                    speedup: s.speedup().and_then(rounded),
                })
                .collect();
            ReportJson {
                cores: report.cores,
                runs: report.runs,
                figures: Numbers(figures),
                beam,
                vs_beam,
                scenarios,
                missing: &report.missing,
            }
        }
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
        Unit::Seconds if value < 1.0 => format!("{:.1} ms", value * 1e3),
        Unit::Seconds => format!("{value:.2} s"),
        Unit::Bytes if value >= 1e4 => format!("{:.1} KB", value / 1e3),
        Unit::Bytes => format!("{value:.0} B"),
        Unit::PerSecond if value >= 1e6 => format!("{:.2} M/s", value / 1e6),
        Unit::PerSecond if value >= 1e3 => format!("{:.1} k/s", value / 1e3),
        Unit::PerSecond => format!("{value:.0} /s"),
        Unit::Times if value < 10.0 => format!("{value:.2}x"),
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
            write!(
                f,
                "BEAM: Elixir {} / OTP {}, the real DynamicSupervisor at {} children",
                beam.elixir_version,
                beam.get("otp_release").unwrap_or(0.0),
                beam.get("children").unwrap_or(0.0)
            )?;
            match beam.get("scale_children") {
                Some(scale) => writeln!(f, " (the tokio runtime's workloads at {scale})")?,
                None => writeln!(f)?,
            }
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

    /// The keys of a JSON object, sorted.
    #[cfg(feature = "json")]
    fn keys(value: &serde_json::Value) -> Vec<&str> {
        let mut keys: Vec<&str> = value
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        keys
    }

    #[cfg(feature = "json")]
    #[test]
    fn json_has_every_key() {
        let json: serde_json::Value = serde_json::from_str(&report().to_json()).unwrap();
        assert_eq!(
            keys(&json),
            [
                "cores",
                "missing",
                "restarts_per_sec",
                "runs",
                "scenarios",
                "start_child_ns_per_child_100k"
            ]
        );
        assert_eq!(json["cores"], 2);
        assert_eq!(json["runs"], 3);
        assert_eq!(json["start_child_ns_per_child_100k"], 250.0);
        assert_eq!(json["restarts_per_sec"], 2e6);
        assert_eq!(json["missing"], serde_json::json!(["threads: no runtime"]));
        let scenario = &json["scenarios"][0];
        assert_eq!(
            keys(scenario),
            ["name", "simulated_us", "span_ms", "speedup", "steps"]
        );
        assert_eq!(scenario["name"], "a");
        assert_eq!(scenario["steps"], 2);
        assert_eq!(scenario["simulated_us"], 2.0);
        assert_eq!(scenario["span_ms"], 10);
        assert_eq!(scenario["speedup"], 5000.0);
    }

    #[cfg(feature = "json")]
    #[test]
    fn json_rounds_to_three_decimals_and_writes_null_for_non_finite() {
        let mut report = report();
        report.sections[0].figures[0].value = 1.23456;
        report.sections[0].figures[1].value = f64::NAN;
        report.scenarios[0].span_ms = 0;
        let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
        assert_eq!(json["start_child_ns_per_child_100k"], 1.235);
        assert!(json["restarts_per_sec"].is_null());
        assert!(json["scenarios"][0]["speedup"].is_null());
    }

    #[test]
    fn ratios_say_which_way() {
        let mut report = report();
        let mut beam = BeamFigures::default();
        beam.numbers
            .insert("start_child_ns_per_child_100k".into(), 10_000.0);
        beam.numbers.insert("restarts_per_sec".into(), 100_000.0);
        beam.elixir_version = "1.17.3".into();
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
        #[cfg(feature = "json")]
        {
            let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
            assert_eq!(
                keys(&json),
                [
                    "beam",
                    "cores",
                    "missing",
                    "restarts_per_sec",
                    "runs",
                    "scenarios",
                    "start_child_ns_per_child_100k",
                    "vs_beam"
                ]
            );
            assert_eq!(
                keys(&json["beam"]),
                [
                    "elixir_version",
                    "restarts_per_sec",
                    "start_child_ns_per_child_100k"
                ]
            );
            assert_eq!(json["beam"]["elixir_version"], "1.17.3");
            assert_eq!(json["vs_beam"]["start_child_ns_per_child_100k"], 40.0);
            assert_eq!(json["vs_beam"]["restarts_per_sec"], 20.0);
        }
    }

    #[test]
    fn units_scale() {
        assert_eq!(human(250.0, Unit::Nanos), "250.0 ns");
        assert_eq!(human(2500.0, Unit::Nanos), "2.50 µs");
        assert_eq!(human(2.5e6, Unit::Nanos), "2.50 ms");
        assert_eq!(human(0.5, Unit::Millis), "500.0 µs");
        assert_eq!(human(2.06, Unit::Seconds), "2.06 s");
        assert_eq!(human(0.25, Unit::Seconds), "250.0 ms");
        assert_eq!(human(3000.0, Unit::Bytes), "3000 B");
        assert_eq!(human(1.5e6, Unit::PerSecond), "1.50 M/s");
    }
}
