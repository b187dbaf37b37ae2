//! What `dynsup-sim check` explores: the supervisor's options, the child templates and their
//! scripted behaviour, and the bounds that keep the state space finite.

use std::fmt;
use std::str::FromStr;

use dynsup::{ChildSpec, ExitReason, MaxChildren, Options, Restart, Shutdown, ValidChildSpec};

use crate::model_check::world::index_u8;

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

impl InitAnswer {
    /// Its name in a template's text form.
    pub fn name(self) -> &'static str {
        match self {
            InitAnswer::Ok => "ok",
            InitAnswer::Ignore => "ignore",
            InitAnswer::Fail => "fail",
        }
    }
}

impl FromStr for InitAnswer {
    type Err = ConfigProblem;

    fn from_str(text: &str) -> Result<Self, ConfigProblem> {
        match text {
            "ok" => Ok(InitAnswer::Ok),
            "ignore" => Ok(InitAnswer::Ignore),
            "fail" => Ok(InitAnswer::Fail),
            _ => Err(ConfigProblem(format!(
                "bad init answer `{text}`: want ok, ignore or fail"
            ))),
        }
    }
}

/// One child template: its spec and how its process behaves.
///
/// Its text form (`--template` of `dynsup-sim check`, and counterexample files) is
/// `NAME[:key=value,...]` with the keys `restart` (`permanent`, `transient`, `temporary`),
/// `shutdown` (`brutal_kill`, `infinity` or milliseconds), `trap_exit` (`true`, `false`),
/// `stop_ms` (milliseconds, or `never`), `init` and `restart_init` (`ok`, `ignore`, `fail`),
/// and `inits` (answers by attempt, `/`-separated: `ok/fail/ok`); a key left out keeps
/// [`Template::new`]'s value.
///
/// ```
/// use dynsup_sim::model_check::config::Template;
///
/// let t: Template = "t:restart=transient,trap_exit=true,stop_ms=100".parse().unwrap();
/// assert_eq!(t.stop_ms, Some(100));
/// assert_eq!(t.to_string().parse::<Template>().unwrap(), t);
/// ```
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
    /// When not empty, the answers by start attempt of this template (client starts and
    /// restarts alike, counted from 1 as scenario files count `NAME#K`; the last repeats
    /// forever), in place of `first_init` and `restart_init`: the `init=` list of a scenario
    /// file's `child` line.
    pub inits: Vec<InitAnswer>,
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
            inits: Vec::new(),
        }
    }

    /// The answer of this template's start attempt number `attempt` (from 0) when it has an
    /// `inits` list, `None` otherwise.
    pub fn scripted_answer(&self, attempt: usize) -> Option<InitAnswer> {
        self.inits
            .get(attempt)
            .or_else(|| self.inits.last())
            .copied()
    }

    /// Whether `other` behaves exactly as this template (everything but the name is equal):
    /// the two are interchangeable, and a state is the same up to swapping them.
    pub fn same_policy(&self, other: &Template) -> bool {
        self.restart == other.restart
            && self.shutdown == other.shutdown
            && self.traps_exits == other.traps_exits
            && self.stop_ms == other.stop_ms
            && self.first_init == other.first_init
            && self.restart_init == other.restart_init
            && self.inits == other.inits
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

/// The most answers a template's `inits` list may have (a world counts each scripted
/// template's attempts up to this, in one byte).
pub const MAX_INITS: usize = 16;

/// The longest template name.
pub const MAX_TEMPLATE_NAME: usize = 16;

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let stop_ms = self
            .stop_ms
            .map_or_else(|| "never".to_owned(), |ms| ms.to_string());
        write!(
            f,
            "{}:restart={},shutdown={},trap_exit={},stop_ms={stop_ms},init={},restart_init={}",
            self.name,
            self.restart,
            self.shutdown,
            self.traps_exits,
            self.first_init.name(),
            self.restart_init.name()
        )?;
        for (index, answer) in self.inits.iter().enumerate() {
            f.write_str(if index == 0 { ",inits=" } else { "/" })?;
            f.write_str(answer.name())?;
        }
        Ok(())
    }
}

impl FromStr for Template {
    type Err = ConfigProblem;

    fn from_str(text: &str) -> Result<Self, ConfigProblem> {
        let problem = |why: String| ConfigProblem(format!("template `{text}`: {why}"));
        let (name, keys) = text.split_once(':').unwrap_or((text, ""));
        let name_ok = !name.is_empty()
            && name.len() <= MAX_TEMPLATE_NAME
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !name_ok {
            return Err(problem(format!(
                "a name is [a-z][a-z0-9_]*, at most {MAX_TEMPLATE_NAME} bytes"
            )));
        }
        let mut template = Template::new(name);
        let mut seen: Vec<&str> = Vec::new();
        for pair in keys.split(',').filter(|p| !p.is_empty()) {
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| problem(format!("`{pair}` is not key=value")))?;
            if seen.contains(&key) {
                return Err(problem(format!("`{key}` given twice")));
            }
            seen.push(key);
            let bad = |want: &str| problem(format!("bad {key} `{value}`: want {want}"));
            let millis = || {
                value
                    .parse::<u64>()
                    .ok()
                    .filter(|ms| *ms <= 60_000 && (value == "0" || !value.starts_with('0')))
            };
            match key {
                "restart" => {
                    template.restart = value
                        .parse()
                        .map_err(|_| bad("permanent, transient or temporary"))?
                }
                "shutdown" => {
                    template.shutdown = match value {
                        "brutal_kill" => Shutdown::BrutalKill,
                        "infinity" => Shutdown::Infinity,
                        _ => Shutdown::millis(
                            millis().ok_or_else(|| bad("brutal_kill, infinity or 0 to 60000 ms"))?,
                        ),
                    }
                }
                "trap_exit" => {
                    template.traps_exits = match value {
                        "true" => true,
                        "false" => false,
                        _ => return Err(bad("true or false")),
                    }
                }
                "stop_ms" => {
                    template.stop_ms = match value {
                        "never" => None,
                        _ => Some(millis().ok_or_else(|| bad("0 to 60000 ms or never"))?),
                    }
                }
                "init" => template.first_init = value.parse()?,
                "restart_init" => template.restart_init = value.parse()?,
                "inits" => {
                    template.inits = value
                        .split('/')
                        .map(str::parse)
                        .collect::<Result<_, _>>()?;
                    if template.inits.len() > MAX_INITS {
                        return Err(bad(&format!("at most {MAX_INITS} answers")));
                    }
                }
                _ => {
                    return Err(problem(format!(
                        "unknown key `{key}`: want restart, shutdown, trap_exit, stop_ms, init, restart_init or inits"
                    )))
                }
            }
        }
        Ok(template)
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
    /// How many clients call the supervisor, each with at most one call outstanding (from 1
    /// to [`MAX_CLIENTS`]; interchangeable: a call goes to the first idle one).
    pub clients: u8,
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

/// The most clients a configuration may have ([`Bounds::clients`]).
pub const MAX_CLIENTS: usize = 4;

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
        if self.bounds.clients == 0 || usize::from(self.bounds.clients) > MAX_CLIENTS {
            return Err(ConfigProblem(format!(
                "{}: between 1 and {MAX_CLIENTS} clients, not {}",
                self.name, self.bounds.clients
            )));
        }
        for template in &self.templates {
            if template.inits.len() > MAX_INITS {
                return Err(ConfigProblem(format!(
                    "{}: template {} has more than {MAX_INITS} answers in `inits`",
                    self.name, template.name
                )));
            }
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

/// The bounds of the default set, also those of a configuration built from flags.
pub fn default_bounds() -> Bounds {
    Bounds {
        depth: 200,
        starts: 2,
        crashes: 2,
        terminates: 1,
        stops: true,
        listings: false,
        clients: 1,
        max_time_ms: 2000,
        max_states: 20_000_000,
    }
}

/// The most renamings of interchangeable templates a fingerprint tries (the rest are left
/// out: fewer renamings only reduce less, they never merge states that differ).
pub const MAX_TEMPLATE_SYMMETRIES: usize = 120;

impl CheckConfig {
    /// Every renaming of the templates other than the identity that maps each template to one
    /// with the same policy ([`Template::same_policy`]), as `renaming[old] = new`, in
    /// lexicographic order and at most [`MAX_TEMPLATE_SYMMETRIES`] of them. Empty when no two
    /// templates are interchangeable.
    pub fn template_symmetries(&self) -> Vec<Vec<u8>> {
        if !self.has_interchangeable_templates() {
            return Vec::new();
        }
        let count = self.templates.len();
        let mut found = Vec::new();
        let mut renaming = Vec::with_capacity(count);
        let mut used = vec![false; count];
        self.renamings(&mut renaming, &mut used, &mut found);
        found.retain(|renaming: &Vec<u8>| {
            renaming
                .iter()
                .enumerate()
                .any(|(old, &new)| usize::from(new) != old)
        });
        found.truncate(MAX_TEMPLATE_SYMMETRIES);
        found
    }

    /// Whether two templates have the same policy (checked without allocating, for the
    /// search's hot path).
    pub fn has_interchangeable_templates(&self) -> bool {
        self.templates.iter().enumerate().any(|(index, template)| {
            self.templates[index + 1..]
                .iter()
                .any(|other| template.same_policy(other))
        })
    }

    fn renamings(&self, renaming: &mut Vec<u8>, used: &mut [bool], found: &mut Vec<Vec<u8>>) {
        let old = renaming.len();
        if old == self.templates.len() {
            found.push(renaming.clone());
            return;
        }
        for new in 0..self.templates.len() {
            if found.len() > MAX_TEMPLATE_SYMMETRIES {
                return;
            }
            if used[new] || !self.templates[old].same_policy(&self.templates[new]) {
                continue;
            }
            used[new] = true;
            renaming.push(index_u8(new));
            self.renamings(renaming, used, found);
            renaming.pop();
            used[new] = false;
        }
    }
}

impl CheckConfig {
    /// A configuration of `templates` under OTP's default options (`max_restarts` 3,
    /// `max_seconds` 5, `max_children` infinity) and the default bounds, named `custom`.
    pub fn custom(templates: Vec<Template>) -> Self {
        CheckConfig {
            name: "custom".to_owned(),
            max_restarts: 3,
            max_seconds: 5,
            max_children: None,
            templates,
            bounds: default_bounds(),
        }
    }

    /// The supervisor options in text form, as counterexample files write them:
    /// `max_restarts=N max_seconds=N max_children=N|infinity`.
    pub fn options_text(&self) -> String {
        format!(
            "max_restarts={} max_seconds={} max_children={}",
            self.max_restarts,
            self.max_seconds,
            self.max_children
                .map_or_else(|| "infinity".to_owned(), |n| n.to_string())
        )
    }

    /// Reads [`options_text`](Self::options_text) back into this configuration (keys left out
    /// keep their value).
    ///
    /// # Errors
    ///
    /// [`ConfigProblem`] for an unknown key or a bad number.
    pub fn set_options(&mut self, text: &str) -> Result<(), ConfigProblem> {
        for pair in text.split_whitespace() {
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| ConfigProblem(format!("`{pair}` is not key=value")))?;
            let number = || {
                value
                    .parse::<u64>()
                    .map_err(|_| ConfigProblem(format!("bad {key} `{value}`")))
            };
            match key {
                "max_restarts" => self.max_restarts = number()?,
                "max_seconds" => self.max_seconds = number()?,
                "max_children" if value == "infinity" => self.max_children = None,
                "max_children" => self.max_children = Some(number()?),
                _ => return Err(ConfigProblem(format!("unknown option `{key}`"))),
            }
        }
        Ok(())
    }
}

/// The default configuration set: small, checked completely in `.ci/run` (the smallest
/// first).
pub fn default_set() -> Vec<CheckConfig> {
    let bounds = default_bounds();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_template_round_trips_through_its_text_form() {
        for config in default_set() {
            for template in &config.templates {
                let text = template.to_string();
                assert_eq!(text.parse::<Template>().as_ref(), Ok(template), "{text}");
            }
            let mut copy = config.clone();
            copy.max_children = Some(99);
            copy.set_options(&config.options_text()).unwrap();
            assert_eq!(copy, config);
        }
    }

    #[test]
    fn a_template_takes_each_key_and_keeps_the_defaults_of_the_others() {
        let t: Template = "slow:shutdown=infinity,trap_exit=true,stop_ms=never,restart_init=ignore"
            .parse()
            .unwrap();
        assert_eq!(t.name, "slow");
        assert_eq!(t.shutdown, Shutdown::Infinity);
        assert!(t.traps_exits);
        assert_eq!(t.stop_ms, None);
        assert_eq!(t.restart_init, InitAnswer::Ignore);
        assert_eq!(
            (t.restart, t.first_init),
            (Restart::Permanent, InitAnswer::Ok)
        );
        assert_eq!("w".parse::<Template>(), Ok(Template::new("w")));
        let s: Template = "s:inits=ok/fail/ignore/ok".parse().unwrap();
        assert_eq!(
            s.inits,
            vec![
                InitAnswer::Ok,
                InitAnswer::Fail,
                InitAnswer::Ignore,
                InitAnswer::Ok
            ]
        );
        assert_eq!(s.to_string().parse::<Template>().as_ref(), Ok(&s));
        assert!(s.to_string().ends_with(",inits=ok/fail/ignore/ok"));
        // Attempt K (from 0) takes the K-th answer, the last one repeats; no list, no answer.
        let answers: Vec<_> = (0..6).map(|k| s.scripted_answer(k)).collect();
        assert_eq!(
            answers,
            [
                InitAnswer::Ok,
                InitAnswer::Fail,
                InitAnswer::Ignore,
                InitAnswer::Ok,
                InitAnswer::Ok,
                InitAnswer::Ok
            ]
            .map(Some)
        );
        assert_eq!(Template::new("w").scripted_answer(0), None);
        // A template with a list and one without never have the same policy.
        let mut plain = s.clone();
        plain.inits.clear();
        assert!(!s.same_policy(&plain));
        let k: Template = "k:shutdown=brutal_kill,restart=temporary,init=fail"
            .parse()
            .unwrap();
        assert_eq!(
            (k.shutdown, k.restart, k.first_init),
            (Shutdown::BrutalKill, Restart::Temporary, InitAnswer::Fail)
        );
    }

    #[test]
    fn a_bad_template_is_refused_with_the_reason() {
        for (text, why) in [
            ("", "a name is"),
            ("Upper", "a name is"),
            ("averyveryverylongname", "a name is"),
            ("w:restart=sometimes", "bad restart"),
            ("w:shutdown=007", "bad shutdown"),
            ("w:shutdown=60001", "bad shutdown"),
            ("w:trap_exit=yes", "bad trap_exit"),
            ("w:stop_ms=-1", "bad stop_ms"),
            ("w:init=maybe", "bad init answer"),
            ("w:colour=red", "unknown key"),
            ("w:restart", "not key=value"),
            ("w:init=ok,init=fail", "given twice"),
            ("w:inits=ok/maybe", "bad init answer"),
            ("w:inits=ok//ok", "bad init answer"),
            (
                "w:inits=ok/ok/ok/ok/ok/ok/ok/ok/ok/ok/ok/ok/ok/ok/ok/ok/ok",
                "at most 16",
            ),
        ] {
            let err = text.parse::<Template>().unwrap_err().to_string();
            assert!(err.contains(why), "{text}: {err}");
        }
        let mut config = default_set().remove(0);
        config.bounds.clients = 0;
        assert!(config.validate().unwrap_err().0.contains("clients"));
        config.bounds.clients = u8::try_from(MAX_CLIENTS + 1).unwrap();
        assert!(config.validate().unwrap_err().0.contains("clients"));
        config.bounds.clients = 1;
        assert!(config.set_options("max_restarts=x").is_err());
        assert!(config.set_options("colour=red").is_err());
    }
}
