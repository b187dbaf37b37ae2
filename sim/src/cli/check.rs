//! `dynsup-sim check`: the exhaustive model checker over every interleaving of the default
//! configurations (or some of them, with other bounds), with figures, progress and `--json`;
//! a violation is printed as its shortest path and written as a file that `--replay` reruns.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use dynsup_sim::model_check::config::{
    default_set, CheckConfig, ConfigProblem, Template, MAX_CLIENTS, MAX_TEMPLATES,
};
use dynsup_sim::model_check::search::{replay, search, Counterexample, SearchReport};
use dynsup_sim::model_check::world::Step;

use super::progress::{LineRate, PLAIN_INTERVAL};

/// Arguments of `dynsup-sim check`.
#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Check only this configuration of the default set (by index; repeat for several; see
    /// `--list`).
    #[arg(long = "config", conflicts_with = "templates")]
    configs: Vec<usize>,
    /// Check one configuration of your own instead of the default set: a child template
    /// `NAME[:key=value,...]` (repeat for up to 8), keys `restart`
    /// (permanent|transient|temporary), `shutdown` (brutal_kill|infinity|MS), `trap_exit`
    /// (true|false), `stop_ms` (MS|never), `init` and `restart_init` (ok|ignore|fail), `inits`
    /// (the answer of each start attempt, `/`-separated, the last repeating: `ok/fail/ok`); for
    /// example `--template w:restart=transient,trap_exit=true,stop_ms=50 --template
    /// f:restart_init=fail`.
    #[arg(long = "template", value_name = "SPEC")]
    templates: Vec<String>,
    /// `max_restarts` of your configuration (with --template) [default: 3].
    #[arg(long, requires = "templates", value_parser = clap::value_parser!(u64).range(0..=1_000))]
    max_restarts: Option<u64>,
    /// `max_seconds` of your configuration (with --template) [default: 5].
    #[arg(long, requires = "templates", value_parser = clap::value_parser!(u64).range(1..=3_600))]
    max_seconds: Option<u64>,
    /// `max_children` of your configuration (with --template): a number or `infinity`
    /// [default: infinity].
    #[arg(long, requires = "templates", value_parser = parse_max_children)]
    max_children: Option<MaxChildrenArg>,
    /// List the default configurations and exit.
    #[arg(long)]
    list: bool,
    /// The deepest path explored (default: each configuration's, deep enough to be complete).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000))]
    pub(super) depth: Option<u32>,
    /// `start_child` calls the client may make (at most 8).
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=8))]
    starts: Option<u8>,
    /// Spontaneous child exits (at most 8).
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=8))]
    crashes: Option<u8>,
    /// `terminate_child` calls (at most 8).
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=8))]
    terminates: Option<u8>,
    /// The latest virtual time, in ms (at most 60,000).
    #[arg(long, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    pub(super) max_time_ms: Option<u64>,
    /// Stop after this many distinct states (the run is then reported incomplete; at most one
    /// billion).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    pub(super) max_states: Option<u64>,
    /// Let the client also call `which_children` and `count_children`.
    #[arg(long)]
    listings: bool,
    /// Clients calling the supervisor, each with at most one call outstanding (1 to 4; with
    /// several, a call can be queued behind another client's) [default: each
    /// configuration's, 1].
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=MAX_CLIENTS as i64))]
    clients: Option<u8>,
    /// Threads expanding each level (default: the number of cores; counts never depend on it).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub(super) jobs: Option<u16>,
    /// Where to write the counterexample of a violation.
    #[arg(long, default_value = "target/dynsup-check")]
    pub(super) out: PathBuf,
    /// Replay a counterexample file written by an earlier run, step by step.
    #[arg(long, conflicts_with_all = ["configs", "list"])]
    replay: Option<PathBuf>,
    /// Check a supervision tree instead: every sequence of operations on a small tree, every
    /// tree checker on in every state (docs/model-checking.md, "Trees"); `--depth`,
    /// `--max-states`, `--max-time-ms` (the latest wait), `--jobs`, `--out` and `--json` apply.
    #[arg(long, conflicts_with_all = ["configs", "templates", "list", "replay", "starts", "crashes", "terminates", "listings", "clients"])]
    pub(super) trees: bool,
    /// With --trees: the tree to check, from the `sup` and `child` lines of a tree file (its
    /// steps are ignored) [default: the built-in tree of docs/model-checking.md].
    #[arg(long, requires = "trees", value_name = "FILE")]
    pub(super) tree: Option<PathBuf>,
    /// With --trees: plant a deliberately wrong tree checker (to test the harness itself).
    #[arg(long, value_enum, hide = true, requires = "trees")]
    pub(super) plant_tree_defect: Option<super::defect::TreeDefectArg>,
    /// Also print a one-line JSON summary as the last line of stdout: per configuration its
    /// `name`, `states`, `transitions`, `depth`, `complete`, `seconds`, `states_per_sec` and
    /// `violation` (null or its `checker`, `message`, `steps` and `file`), then the totals.
    #[arg(long)]
    pub(super) json: bool,
}

/// `--max-children`: a limit, or `infinity`.
#[derive(Clone, Copy, Debug)]
struct MaxChildrenArg(Option<u64>);

fn parse_max_children(text: &str) -> Result<MaxChildrenArg, String> {
    if text == "infinity" {
        return Ok(MaxChildrenArg(None));
    }
    match text.parse::<u64>() {
        Ok(limit) if limit <= 1_000 => Ok(MaxChildrenArg(Some(limit))),
        _ => Err(format!(
            "bad max_children {text:?}: want 0 to 1000 or infinity"
        )),
    }
}

/// The configuration given with `--template` (and the option flags), if any.
fn custom_config(args: &CheckArgs) -> Result<Option<CheckConfig>, String> {
    if args.templates.is_empty() {
        return Ok(None);
    }
    if args.templates.len() > MAX_TEMPLATES {
        return Err(format!(
            "at most {MAX_TEMPLATES} --template, not {}",
            args.templates.len()
        ));
    }
    let templates = args
        .templates
        .iter()
        .map(|text| text.parse::<Template>().map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    for (i, t) in templates.iter().enumerate() {
        if templates[..i].iter().any(|u| u.name == t.name) {
            return Err(format!("two templates named {}", t.name));
        }
    }
    let names: Vec<String> = templates.iter().map(|t| t.name.clone()).collect();
    let mut config = CheckConfig::custom(templates);
    config.max_restarts = args.max_restarts.unwrap_or(config.max_restarts);
    config.max_seconds = args.max_seconds.unwrap_or(config.max_seconds);
    config.max_children = args.max_children.and_then(|m| m.0);
    config.name = format!("templates {}, {}", names.join(" "), config.options_text());
    config.validate().map_err(|e| e.to_string())?;
    Ok(Some(config))
}

/// One configuration's outcome.
#[derive(serde::Serialize, Debug)]
pub(super) struct ConfigSummary {
    pub(super) name: String,
    pub(super) states: u64,
    pub(super) transitions: u64,
    pub(super) depth: u32,
    pub(super) complete: bool,
    pub(super) seconds: f64,
    pub(super) states_per_sec: f64,
    pub(super) violation: Option<ViolationSummary>,
}

/// A violation in the JSON summary.
#[derive(serde::Serialize, Debug)]
pub(super) struct ViolationSummary {
    pub(super) checker: String,
    pub(super) message: String,
    pub(super) steps: usize,
    pub(super) file: Option<String>,
}

/// The JSON summary.
#[derive(serde::Serialize, Debug)]
struct Summary {
    configs: Vec<ConfigSummary>,
    states: u64,
    transitions: u64,
    seconds: f64,
    states_per_sec: f64,
    jobs: usize,
    violations: usize,
}

/// The bound overrides given on the command line, applied to a configuration.
fn with_bounds(args: &CheckArgs, mut config: CheckConfig) -> CheckConfig {
    let bounds = &mut config.bounds;
    if let Some(depth) = args.depth {
        bounds.depth = depth;
    }
    if let Some(starts) = args.starts {
        bounds.starts = starts;
    }
    if let Some(crashes) = args.crashes {
        bounds.crashes = crashes;
    }
    if let Some(terminates) = args.terminates {
        bounds.terminates = terminates;
    }
    if let Some(max_time_ms) = args.max_time_ms {
        bounds.max_time_ms = max_time_ms;
    }
    if let Some(max_states) = args.max_states {
        bounds.max_states = max_states;
    }
    if let Some(clients) = args.clients {
        bounds.clients = clients;
    }
    bounds.listings |= args.listings;
    config
}

/// The counterexample file: the configuration (its index and bounds) and the path.
/// `index` is the configuration's in the default set, `None` for one given with `--template`
/// (then the file carries its options and templates).
fn counterexample_text(
    index: Option<usize>,
    config: &CheckConfig,
    found: &Counterexample,
) -> String {
    let b = &config.bounds;
    let mut text = String::new();
    let _ = writeln!(text, "# dynsup-sim check counterexample: {}", config.name);
    let _ = writeln!(text, "# {}", found.violation);
    let _ = writeln!(text, "# replay: dynsup-sim check --replay FILE");
    match index {
        Some(index) => {
            let _ = writeln!(text, "config {index}");
        }
        None => {
            let _ = writeln!(text, "options {}", config.options_text());
            for template in &config.templates {
                let _ = writeln!(text, "template {template}");
            }
        }
    }
    let _ = writeln!(
        text,
        "bounds depth={} starts={} crashes={} terminates={} max-time-ms={} listings={} clients={}",
        b.depth, b.starts, b.crashes, b.terminates, b.max_time_ms, b.listings, b.clients
    );
    for step in &found.path {
        let _ = writeln!(text, "step {step}");
    }
    text
}

/// Reads a counterexample file back: the configuration and the path.
fn read_counterexample(text: &str) -> Result<(CheckConfig, Vec<Step>), String> {
    let mut config: Option<CheckConfig> = None;
    let mut path = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        let at = |why: String| format!("line {}: {why}", number + 1);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(index) = line.strip_prefix("config ") {
            let index: usize = index.trim().parse().map_err(|_| at("bad index".into()))?;
            let found = default_set().into_iter().nth(index);
            config = Some(found.ok_or_else(|| at(format!("no configuration {index}")))?);
        } else if let Some(options) = line.strip_prefix("options ") {
            let mut custom = CheckConfig::custom(Vec::new());
            custom.set_options(options).map_err(|e| at(e.to_string()))?;
            config = Some(custom);
        } else if let Some(template) = line.strip_prefix("template ") {
            let config = config
                .as_mut()
                .ok_or_else(|| at("template before options".into()))?;
            config.templates.push(
                template
                    .trim()
                    .parse()
                    .map_err(|e: ConfigProblem| at(e.to_string()))?,
            );
        } else if let Some(bounds) = line.strip_prefix("bounds ") {
            let config = config
                .as_mut()
                .ok_or_else(|| at("bounds before config".into()))?;
            for pair in bounds.split_whitespace() {
                let (key, value) = pair
                    .split_once('=')
                    .ok_or_else(|| at(format!("bad bound `{pair}`")))?;
                let number = || {
                    value
                        .parse::<u64>()
                        .map_err(|_| at(format!("bad value `{pair}`")))
                };
                let small = || {
                    number().and_then(|n| {
                        u8::try_from(n).map_err(|_| at(format!("too large `{pair}`")))
                    })
                };
                let b = &mut config.bounds;
                match key {
                    "depth" => {
                        b.depth = u32::try_from(number()?)
                            .map_err(|_| at(format!("too large `{pair}`")))?
                    }
                    "starts" => b.starts = small()?,
                    "crashes" => b.crashes = small()?,
                    "terminates" => b.terminates = small()?,
                    "max-time-ms" => b.max_time_ms = number()?,
                    "listings" => b.listings = value == "true",
                    "clients" => b.clients = small()?,
                    _ => return Err(at(format!("unknown bound `{key}`"))),
                }
            }
        } else if let Some(step) = line.strip_prefix("step ") {
            path.push(step.parse().map_err(|e| at(format!("{e}")))?);
        } else {
            return Err(at(format!("unknown line `{line}`")));
        }
    }
    let config = config.ok_or("no `config` or `options` line")?;
    config.validate().map_err(|e| e.to_string())?;
    Ok((config, path))
}

fn write_counterexample(dir: &Path, index: Option<usize>, text: &str) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let file = dir.join(match index {
        Some(index) => format!("config-{index}.trace"),
        None => "custom.trace".to_owned(),
    });
    std::fs::write(&file, text).map_err(|e| format!("{}: {e}", file.display()))?;
    Ok(file)
}

fn replay_main(file: &Path) -> ExitCode {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let (config, path) = match read_counterexample(&text) {
        Ok(read) => read,
        Err(e) => {
            eprintln!("error: {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    println!("replaying {} steps of `{}`", path.len(), config.name);
    let (states, violation) = match replay(&config, &path) {
        Ok(replayed) => replayed,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    for (step, state) in path.iter().zip(&states) {
        println!("  @{:>5} ms  {step}", state.now());
    }
    match violation {
        Some(violation) => {
            println!("  -> {violation}");
            ExitCode::from(1)
        }
        None => {
            println!("no violation");
            ExitCode::SUCCESS
        }
    }
}

/// The progress of a search on stderr: a line every [`PLAIN_INTERVAL`].
pub(super) fn progress_lines(name: &str, begun: Instant) -> impl FnMut(u32, u64, usize) + '_ {
    let mut rate = LineRate::new(PLAIN_INTERVAL);
    move |depth: u32, states: u64, frontier: usize| {
        let elapsed = begun.elapsed();
        if rate.due(elapsed, false) {
            eprintln!(
                "  {name}: depth {depth}, {states} states, frontier {frontier}, {:.0} states/s",
                states as f64 / elapsed.as_secs_f64().max(1e-9)
            );
        }
    }
}

/// Prints a search's figures (and its violation with the shortest path, if any); returns its
/// seconds and states per second.
pub(super) fn print_report<St: std::fmt::Display>(
    label: &str,
    name: &str,
    report: &SearchReport<St>,
    begun: Instant,
) -> (f64, f64) {
    let seconds = begun.elapsed().as_secs_f64();
    let per_sec = report.states as f64 / seconds.max(1e-9);
    let completeness = if report.complete {
        "complete"
    } else {
        "INCOMPLETE (a bound cut it)"
    };
    println!(
        "{label}: {name}: {} distinct states, {} transitions, depth {}, {completeness}, \
         {seconds:.2} s ({per_sec:.0} states/s)",
        report.states, report.transitions, report.depth
    );
    if let Some(found) = &report.violation {
        println!("  VIOLATION {}", found.violation);
        println!("  shortest path ({} steps):", found.path.len());
        for step in &found.path {
            println!("    {step}");
        }
    }
    (seconds, per_sec)
}

/// Runs `dynsup-sim check`.
pub fn main(args: &CheckArgs) -> ExitCode {
    if let Some(file) = &args.replay {
        return replay_main(file);
    }
    if args.trees {
        return super::check_trees::main(args);
    }
    let custom = match custom_config(args) {
        Ok(custom) => custom,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let set = default_set();
    if args.list {
        for (index, config) in set.iter().enumerate() {
            println!(
                "{index}: {} ({} templates)",
                config.name,
                config.templates.len()
            );
        }
        return ExitCode::SUCCESS;
    }
    // `None`: the configuration given with --template.
    let indices: Vec<Option<usize>> = if custom.is_some() {
        vec![None]
    } else if args.configs.is_empty() {
        (0..set.len()).map(Some).collect()
    } else {
        args.configs.iter().copied().map(Some).collect()
    };
    let jobs = args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, usize::from),
        usize::from,
    );
    let started = Instant::now();
    let mut summaries = Vec::new();
    let mut status = ExitCode::SUCCESS;
    for index in indices {
        let found = match index {
            Some(index) => set.get(index).cloned(),
            None => custom.clone(),
        };
        let Some(config) = found else {
            eprintln!("error: no configuration {index:?} (see --list)");
            return ExitCode::from(2);
        };
        let config = with_bounds(args, config);
        let begun = Instant::now();
        let mut progress = progress_lines(&config.name, begun);
        let report = match search(&config, jobs, &mut progress) {
            Ok(report) => report,
            Err(problem) => {
                eprintln!("error: {problem}");
                return ExitCode::from(2);
            }
        };
        let label = index.map_or_else(|| "custom".to_owned(), |i| i.to_string());
        let (seconds, per_sec) = print_report(&label, &config.name, &report, begun);
        let violation = report.violation.as_ref().map(|found| {
            status = ExitCode::from(1);
            let text = counterexample_text(index, &config, found);
            let file = match write_counterexample(&args.out, index, &text) {
                Ok(file) => {
                    println!(
                        "  written to {0}; replay: dynsup-sim check --replay {0}",
                        file.display()
                    );
                    Some(file.display().to_string())
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    None
                }
            };
            ViolationSummary {
                checker: found.violation.checker.to_owned(),
                message: found.violation.message.clone(),
                steps: found.path.len(),
                file,
            }
        });
        summaries.push(ConfigSummary {
            name: config.name.clone(),
            states: report.states,
            transitions: report.transitions,
            depth: report.depth,
            complete: report.complete,
            seconds,
            states_per_sec: per_sec,
            violation,
        });
    }
    let seconds = started.elapsed().as_secs_f64();
    let states: u64 = summaries.iter().map(|s| s.states).sum();
    let transitions: u64 = summaries.iter().map(|s| s.transitions).sum();
    let violations = summaries.iter().filter(|s| s.violation.is_some()).count();
    println!(
        "checked {} configurations: {states} distinct states, {transitions} transitions in \
         {seconds:.1} s ({:.0} states/s, {jobs} jobs): {}",
        summaries.len(),
        states as f64 / seconds.max(1e-9),
        if violations == 0 {
            "no violation".to_owned()
        } else {
            format!("{violations} with a violation")
        }
    );
    if args.json {
        print_json(summaries, seconds, jobs);
    }
    status
}

/// Prints the one-line JSON summary of `configs`, searched in `seconds` with `jobs` threads.
pub(super) fn print_json(configs: Vec<ConfigSummary>, seconds: f64, jobs: usize) {
    let states: u64 = configs.iter().map(|s| s.states).sum();
    let summary = Summary {
        states,
        transitions: configs.iter().map(|s| s.transitions).sum(),
        seconds,
        states_per_sec: states as f64 / seconds.max(1e-9),
        jobs,
        violations: configs.iter().filter(|s| s.violation.is_some()).count(),
        configs,
    };
    match serde_json::to_string(&summary) {
        Ok(line) => println!("{line}"),
        Err(e) => eprintln!("error: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dynsup::Pid;
    use dynsup_sim::model_check::config::SpontaneousExit;
    use dynsup_sim::model_check::world::{Request, Violation};

    #[test]
    fn a_custom_configuration_round_trips_through_its_counterexample_file() {
        let templates = [
            "w:restart=transient,trap_exit=true,stop_ms=never,shutdown=100",
            "f:restart_init=fail",
        ];
        let mut config =
            CheckConfig::custom(templates.iter().map(|t| t.parse().unwrap()).collect());
        config.max_restarts = 1;
        config.max_seconds = 2;
        config.max_children = Some(2);
        config.bounds.starts = 3;
        config.bounds.clients = 2;
        let found = Counterexample {
            violation: Violation {
                checker: "liveness",
                message: "made up".to_owned(),
            },
            path: vec![
                Step::Call(Request::Start(1)),
                Step::ChildExits(Pid(1), SpontaneousExit::Crash),
            ],
        };
        let text = counterexample_text(None, &config, &found);
        assert!(!text.contains("\nconfig "), "{text}");
        let (read, path) = read_counterexample(&text).unwrap();
        assert_eq!(read.templates, config.templates);
        assert_eq!(read.options_text(), config.options_text());
        assert_eq!(read.bounds, config.bounds);
        assert_eq!(path, found.path);

        // Files written before `clients` was recorded still read, with one client.
        let older = text.replace(" clients=2", "");
        assert_eq!(read_counterexample(&older).unwrap().0.bounds.clients, 1);
        let too_many = text.replace("clients=2", "clients=5");
        assert!(read_counterexample(&too_many)
            .unwrap_err()
            .contains("clients"));

        // A default configuration is named by its index.
        let text = counterexample_text(Some(1), &default_set()[1], &found);
        assert_eq!(read_counterexample(&text).unwrap().0, default_set()[1]);
        // A template line before any options line, or a bad one, is refused.
        assert!(read_counterexample("template w\n").is_err());
        assert!(read_counterexample("options max_restarts=1\ntemplate W\n").is_err());
        assert!(read_counterexample("options max_restarts=1\n")
            .unwrap_err()
            .contains("templates"));
    }
}
