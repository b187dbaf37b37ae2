//! What `dynsup-sim check` explores: the supervisor's options, the child templates and their
//! scripted behaviour, and the bounds that keep the state space finite.

use std::fmt;

use dynsup::{ChildSpec, ExitReason, MaxChildren, Options, Restart, Shutdown, ValidChildSpec};

/// How a child's start function answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InitAnswer {
    /// `{:ok, pid}`.
    Ok,
    /// `:ignore`.
    Ignore,
    /// `{:error, :init_failed}`.
    Fail,
}

/// One child template: its spec and how its process behaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    /// Its name, as traces print it.
    pub name: String,
    /// Restart type.
    pub restart: Restart,
    /// Shutdown.
    pub shutdown: Shutdown,
    /// Whether the child traps exits (then a `shutdown` signal lets it run its `terminate`).
    pub traps_exits: bool,
    /// How long a trapping child takes to stop after the `shutdown` signal; `None`: it never
    /// stops on its own (only a kill ends it; refused with an `infinity` shutdown).
    pub stop_ms: Option<u64>,
    /// The answer of its first start.
    pub first_init: InitAnswer,
    /// The answer of every restart.
    pub restart_init: InitAnswer,
}

impl Template {
    /// A permanent, non-trapping worker with shutdown 5000 whose starts all succeed.
    pub fn new(name: &str) -> Self {
        Template {
            name: name.to_owned(),
            restart: Restart::Permanent,
            shutdown: Shutdown::millis(5000),
            traps_exits: false,
            stop_ms: Some(0),
            first_init: InitAnswer::Ok,
            restart_init: InitAnswer::Ok,
        }
    }

    /// The validated spec the client hands to `start_child`.
    pub(crate) fn spec(&self, index: u8) -> ValidChildSpec<u8, ()> {
        let spec = ChildSpec::new(index, Vec::new())
            .restart(self.restart)
            .shutdown(self.shutdown);
        match spec.validate() {
            Ok(valid) => valid,
            // A spec built from a restart type and a shutdown alone is always valid.
            Err(_) => unreachable!("a template's spec is valid"),
        }
    }
}

/// The bounds of one search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// The deepest path explored (transitions from the initial state).
    pub depth: u32,
    /// `start_child` calls the client makes.
    pub starts: u8,
    /// Spontaneous child exits (crashes, normal and `shutdown` exits, kills from outside).
    pub crashes: u8,
    /// `terminate_child` calls.
    pub terminates: u8,
    /// Whether the client may call `stop` and the parent may exit.
    pub stops: bool,
    /// Whether the client calls `which_children` and `count_children` (which change nothing
    /// but are queued like any call).
    pub listings: bool,
    /// The latest virtual time, in milliseconds.
    pub max_time_ms: u64,
    /// The most distinct states kept; the search stops (incomplete) beyond it.
    pub max_states: u64,
}

/// One configuration: supervisor options, templates and bounds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckConfig {
    /// A short name for reports.
    pub name: String,
    /// `max_restarts`.
    pub max_restarts: u64,
    /// `max_seconds`.
    pub max_seconds: u64,
    /// `max_children`; `None` is infinity.
    pub max_children: Option<u64>,
    /// The templates the client starts (at most 8).
    pub templates: Vec<Template>,
    /// The bounds.
    pub bounds: Bounds,
}

/// Why a configuration cannot be checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigProblem(pub String);

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigProblem {}

/// The most templates a configuration may have.
pub const MAX_TEMPLATES: usize = 8;

impl CheckConfig {
    /// Checks the configuration: at least one and at most [`MAX_TEMPLATES`] templates, no
    /// child that would wait forever (`infinity` shutdown and never stopping), options OTP
    /// accepts.
    ///
    /// # Errors
    ///
    /// [`ConfigProblem`] naming the first problem.
    pub fn validate(&self) -> Result<(), ConfigProblem> {
        if self.templates.is_empty() || self.templates.len() > MAX_TEMPLATES {
            return Err(ConfigProblem(format!(
                "{}: between 1 and {MAX_TEMPLATES} templates, not {}",
                self.name,
                self.templates.len()
            )));
        }
        for template in &self.templates {
            if template.traps_exits
                && template.stop_ms.is_none()
                && template.shutdown == Shutdown::Infinity
            {
                return Err(ConfigProblem(format!(
                    "{}: template {} never stops and has shutdown infinity: terminating it \
                     waits forever",
                    self.name, template.name
                )));
            }
        }
        self.options()
            .validate()
            .map(|_| ())
            .map_err(|error| ConfigProblem(format!("{}: invalid options: {error:?}", self.name)))
    }

    /// The supervisor's options.
    pub(crate) fn options(&self) -> Options<()> {
        let max_children = match self.max_children {
            None => MaxChildren::Infinity,
            Some(limit) => MaxChildren::Limit(i64::try_from(limit).unwrap_or(i64::MAX)),
        };
        Options::default()
            .max_restarts(i64::try_from(self.max_restarts).unwrap_or(i64::MAX))
            .max_seconds(i64::try_from(self.max_seconds).unwrap_or(i64::MAX))
            .max_children(max_children)
    }
}

/// The reasons a child may exit with on its own: `normal`, `shutdown`, an abnormal `crash`,
/// and `killed` (a kill from outside the supervisor).
pub const SPONTANEOUS_EXITS: [SpontaneousExit; 4] = [
    SpontaneousExit::Normal,
    SpontaneousExit::Shutdown,
    SpontaneousExit::Crash,
    SpontaneousExit::Killed,
];

/// A class of spontaneous exit reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SpontaneousExit {
    /// `:normal`.
    Normal,
    /// `:shutdown`.
    Shutdown,
    /// An abnormal reason, `:crash`.
    Crash,
    /// `:killed`, by `Process.exit(pid, :kill)` from outside.
    Killed,
}

impl SpontaneousExit {
    /// The exit reason.
    pub fn reason(self) -> ExitReason {
        match self {
            SpontaneousExit::Normal => ExitReason::Normal,
            SpontaneousExit::Shutdown => ExitReason::Shutdown,
            SpontaneousExit::Crash => ExitReason::Other("crash".to_owned()),
            SpontaneousExit::Killed => ExitReason::Killed,
        }
    }

    /// Its name in traces.
    pub fn name(self) -> &'static str {
        match self {
            SpontaneousExit::Normal => "normal",
            SpontaneousExit::Shutdown => "shutdown",
            SpontaneousExit::Crash => "crash",
            SpontaneousExit::Killed => "killed",
        }
    }
}

/// The default configuration set: small, checked completely in `.ci/run` (the smallest
/// first).
pub fn default_set() -> Vec<CheckConfig> {
    let bounds = Bounds {
        depth: 200,
        starts: 2,
        crashes: 2,
        terminates: 1,
        stops: true,
        listings: false,
        max_time_ms: 2000,
        max_states: 20_000_000,
    };
    let mut permanent = Template::new("p");
    permanent.shutdown = Shutdown::millis(100);
    let mut slow = Template::new("t");
    slow.restart = Restart::Transient;
    slow.traps_exits = true;
    slow.stop_ms = Some(100);
    slow.shutdown = Shutdown::millis(100);
    let mut failing = Template::new("f");
    failing.restart_init = InitAnswer::Fail;
    failing.shutdown = Shutdown::BrutalKill;
    let mut temporary = Template::new("tmp");
    temporary.restart = Restart::Temporary;
    temporary.traps_exits = true;
    temporary.stop_ms = None;
    temporary.shutdown = Shutdown::millis(50);
    let mut ignoring = Template::new("i");
    ignoring.restart_init = InitAnswer::Ignore;
    ignoring.traps_exits = true;
    ignoring.stop_ms = Some(30);
    ignoring.shutdown = Shutdown::Infinity;
    vec![
        CheckConfig {
            name: "failing restarts, max_children=1".to_owned(),
            max_restarts: 2,
            max_seconds: 1,
            max_children: Some(1),
            templates: vec![failing],
            bounds,
        },
        CheckConfig {
            name: "permanent+transient, max_restarts=1".to_owned(),
            max_restarts: 1,
            max_seconds: 1,
            max_children: None,
            templates: vec![permanent, slow],
            bounds,
        },
        CheckConfig {
            name: "temporary+ignoring, max_restarts=0".to_owned(),
            max_restarts: 0,
            max_seconds: 1,
            max_children: None,
            templates: vec![temporary, ignoring],
            bounds,
        },
    ]
}
