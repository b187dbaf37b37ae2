//! The `core_ops` target: a typed operation sequence, turned into a scenario and run by both the
//! simulator and the reference model.

use arbitrary::Arbitrary;
use dynsup::{ExitReason, Restart, Shutdown};

use crate::explore::check_scenario;
use crate::scenario::{
    self, ChildRef, InitOutcome, Op, Scenario, Step, SupervisorLine, Template, MAX_DURATION_MS,
    MAX_SECONDS, MAX_TIME_MS,
};

/// The most templates a `core_ops` scenario has (extra ones in the input are ignored).
pub const MAX_TEMPLATES: usize = 3;

/// The most operations a `core_ops` input has (extra ones are ignored).
pub const MAX_OPS: usize = 64;

/// The most outcomes in one template's init script (extra ones are ignored).
const MAX_SCRIPT: usize = 4;

/// Words for exit reasons and init stops.
const WORDS: [&str; 4] = ["boom", "x", "bad", "a_1"];

fn word(index: u8) -> String {
    WORDS[usize::from(index) % WORDS.len()].to_owned()
}

/// A `core_ops` input: a small configuration, up to [`MAX_TEMPLATES`] templates and up to
/// [`MAX_OPS`] operations.
#[derive(Arbitrary, Clone, Debug, PartialEq, Eq)]
pub struct CoreOpsInput {
    /// The supervisor line.
    pub supervisor: SupervisorKnobs,
    /// The templates (the first [`MAX_TEMPLATES`]; none means one default template).
    pub templates: Vec<TemplateKnobs>,
    /// The operations (the first [`MAX_OPS`]).
    pub ops: Vec<CoreOp>,
}

/// The supervisor line's knobs, reduced to small values.
#[derive(Arbitrary, Clone, Copy, Debug, PartialEq, Eq)]
pub struct SupervisorKnobs {
    /// `max_children`: `None` is infinity, else `n % 6`.
    pub max_children: Option<u8>,
    /// `max_restarts`: `n % 11`, so that every init script settles.
    pub max_restarts: u8,
    /// `max_seconds`: 1 to 10, or 3600, or the largest allowed.
    pub max_seconds: u8,
}

impl SupervisorKnobs {
    /// The supervisor line.
    pub fn line(&self) -> SupervisorLine {
        let max_seconds = match self.max_seconds % 12 {
            10 => 3600,
            11 => MAX_SECONDS,
            n => u64::from(n) + 1,
        };
        SupervisorLine {
            max_children: self.max_children.map(|n| u64::from(n % 6)),
            max_restarts: u64::from(self.max_restarts % 11),
            max_seconds,
        }
    }
}

/// A restart type.
#[derive(Arbitrary, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RestartKnob {
    /// `permanent`.
    Permanent,
    /// `transient`.
    Transient,
    /// `temporary`.
    Temporary,
}

impl From<RestartKnob> for Restart {
    fn from(knob: RestartKnob) -> Self {
        match knob {
            RestartKnob::Permanent => Restart::Permanent,
            RestartKnob::Transient => Restart::Transient,
            RestartKnob::Temporary => Restart::Temporary,
        }
    }
}

/// A template's shutdown.
#[derive(Arbitrary, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShutdownKnob {
    /// `brutal_kill`.
    BrutalKill,
    /// `infinity`.
    Infinity,
    /// A timeout of 0 to 255 ms.
    Small(u8),
    /// A timeout of 0 to 65535 ms.
    Millis(u16),
    /// The largest timeout allowed.
    Largest,
}

impl ShutdownKnob {
    fn shutdown(self) -> Shutdown {
        match self {
            ShutdownKnob::BrutalKill => Shutdown::BrutalKill,
            ShutdownKnob::Infinity => Shutdown::Infinity,
            ShutdownKnob::Small(ms) => Shutdown::millis(u64::from(ms)),
            ShutdownKnob::Millis(ms) => Shutdown::millis(u64::from(ms)),
            ShutdownKnob::Largest => Shutdown::millis(MAX_DURATION_MS),
        }
    }
}

/// How long a trapping child takes to stop.
#[derive(Arbitrary, Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopKnob {
    /// At once.
    Zero,
    /// 0 to 255 ms.
    Small(u8),
    /// 0 to 65535 ms.
    Millis(u16),
    /// Exactly the template's shutdown timeout (a tie with the kill timer), or 0.
    SameAsShutdown,
    /// The largest allowed.
    Largest,
}

/// One init outcome.
#[derive(Arbitrary, Clone, Copy, Debug, PartialEq, Eq)]
pub enum InitKnob {
    /// `ok`.
    Ok,
    /// `ignore`.
    Ignore,
    /// `stop:WORD`.
    Stop(u8),
}

impl From<InitKnob> for InitOutcome {
    fn from(knob: InitKnob) -> Self {
        match knob {
            InitKnob::Ok => InitOutcome::Ok,
            InitKnob::Ignore => InitOutcome::Ignore,
            InitKnob::Stop(w) => InitOutcome::Stop(word(w)),
        }
    }
}

/// A template's knobs.
#[derive(Arbitrary, Clone, Debug, PartialEq, Eq)]
pub struct TemplateKnobs {
    /// `restart=`.
    pub restart: RestartKnob,
    /// `shutdown=`.
    pub shutdown: ShutdownKnob,
    /// `trap_exit=`.
    pub trap_exit: bool,
    /// `stop_ms=`.
    pub stop_ms: StopKnob,
    /// `init=` (the first four; none means `ok`).
    pub init: Vec<InitKnob>,
}

impl TemplateKnobs {
    /// The template called `name`.
    pub fn template(&self, name: String) -> Template {
        let shutdown = self.shutdown.shutdown();
        let stop_ms = match self.stop_ms {
            StopKnob::Zero => 0,
            StopKnob::Small(ms) => u64::from(ms),
            StopKnob::Millis(ms) => u64::from(ms),
            StopKnob::SameAsShutdown => match shutdown {
                Shutdown::Timeout { millis } => millis,
                Shutdown::BrutalKill | Shutdown::Infinity => 0,
            },
            StopKnob::Largest => MAX_DURATION_MS,
        };
        let mut init: Vec<InitOutcome> = self
            .init
            .iter()
            .take(MAX_SCRIPT)
            .map(|&k| k.into())
            .collect();
        if init.is_empty() {
            init.push(InitOutcome::Ok);
        }
        Template {
            name,
            restart: self.restart.into(),
            shutdown,
            trap_exit: self.trap_exit,
            stop_ms,
            init,
        }
    }
}

/// A reference `NAME#K`: template `template % templates`, attempt `1 + attempt % 12`.
#[derive(Arbitrary, Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefKnob {
    /// The template's index (modulo the number of templates).
    pub template: u8,
    /// The attempt, less one (modulo 12).
    pub attempt: u8,
}

/// An exit reason.
#[derive(Arbitrary, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReasonKnob {
    /// `normal`.
    Normal,
    /// `shutdown`.
    Shutdown,
    /// `shutdown:WORD`.
    ShutdownWith(u8),
    /// `killed`.
    Killed,
    /// `noproc`.
    NoProc,
    /// Another word.
    Other(u8),
}

impl From<ReasonKnob> for ExitReason {
    fn from(knob: ReasonKnob) -> Self {
        match knob {
            ReasonKnob::Normal => ExitReason::Normal,
            ReasonKnob::Shutdown => ExitReason::Shutdown,
            ReasonKnob::ShutdownWith(w) => ExitReason::ShutdownWith(word(w)),
            ReasonKnob::Killed => ExitReason::Killed,
            ReasonKnob::NoProc => ExitReason::NoProc,
            ReasonKnob::Other(w) => ExitReason::Other(word(w)),
        }
    }
}

/// One operation: a scenario step at the current time, or a move of the clock.
#[derive(Arbitrary, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoreOp {
    /// `start NAME` of template `i % templates`.
    Start(u8),
    /// `exit REF REASON`.
    Exit(RefKnob, ReasonKnob),
    /// `kill REF`.
    Kill(RefKnob),
    /// `terminate REF`.
    Terminate(RefKnob),
    /// `count`.
    Count,
    /// `which`.
    Which,
    /// `stop`.
    Stop,
    /// The clock moves on 0 to 255 ms.
    AdvanceSmall(u8),
    /// The clock moves to just around the next second boundary (-2 to +2 ms).
    AdvanceToSecond(u8),
    /// The clock moves on about one restart window (`max_seconds` s, -100 to +155 ms).
    AdvanceWindow(u8),
    /// The clock moves on 0 to 65535 ms.
    AdvanceLong(u16),
}

impl CoreOpsInput {
    /// The scenario this input stands for: templates `c0`, `c1`, ..., and a step for each
    /// operation that is not a move of the clock, at the time reached so far (never more than
    /// [`MAX_TIME_MS`]).
    pub fn scenario(&self) -> Scenario {
        let supervisor = self.supervisor.line();
        let mut templates: Vec<Template> = self
            .templates
            .iter()
            .take(MAX_TEMPLATES)
            .enumerate()
            .map(|(i, knobs)| knobs.template(format!("c{i}")))
            .collect();
        if templates.is_empty() {
            templates.push(Template::new("c0"));
        }
        let name = |index: u8| {
            let i = usize::from(index) % templates.len();
            templates
                .get(i)
                .map_or_else(String::new, |t| t.name.clone())
        };
        let child = |r: RefKnob| ChildRef::new(name(r.template), 1 + u64::from(r.attempt % 12));
        let window_ms = supervisor.max_seconds.saturating_mul(1000);
        let mut now: u64 = 0;
        let mut steps = Vec::new();
        for op in self.ops.iter().take(MAX_OPS) {
            let op = match *op {
                CoreOp::Start(i) => Op::Start {
                    template: name(i).into(),
                },
                CoreOp::Exit(r, reason) => Op::Exit(child(r), reason.into()),
                CoreOp::Kill(r) => Op::Kill(child(r)),
                CoreOp::Terminate(r) => Op::Terminate(child(r)),
                CoreOp::Count => Op::Count,
                CoreOp::Which => Op::Which,
                CoreOp::Stop => Op::Stop,
                CoreOp::AdvanceSmall(ms) => {
                    now = now.saturating_add(u64::from(ms));
                    continue;
                }
                CoreOp::AdvanceToSecond(x) => {
                    let boundary = (now / 1000).saturating_add(1).saturating_mul(1000);
                    let target = boundary.saturating_add(u64::from(x % 5)).saturating_sub(2);
                    now = now.max(target);
                    continue;
                }
                CoreOp::AdvanceWindow(x) => {
                    let target = now.saturating_add(window_ms).saturating_add(u64::from(x));
                    now = target.saturating_sub(100).max(now);
                    continue;
                }
                CoreOp::AdvanceLong(ms) => {
                    now = now.saturating_add(u64::from(ms));
                    continue;
                }
            };
            now = now.min(MAX_TIME_MS);
            steps.push(Step::new(now, op));
        }
        Scenario {
            supervisor,
            templates,
            steps,
        }
    }
}

/// The `core_ops` target: the input's scenario prints and parses back to itself, and
/// [`check_scenario`] passes (the simulator with every invariant checker agrees with the
/// reference model after every step).
pub fn core_ops_input(input: &CoreOpsInput) {
    let scenario = input.scenario();
    let text = scenario.to_string();
    match scenario::parse(&text) {
        Ok(parsed) => assert_eq!(
            parsed, scenario,
            "the scenario does not round-trip:\n{text}"
        ),
        Err(err) => panic!("the scenario does not parse: {err}\n{text}"),
    }
    if let Err(failure) = check_scenario(&scenario) {
        panic!("{failure}\n{text}");
    }
}
