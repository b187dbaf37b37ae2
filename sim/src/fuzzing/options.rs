//! The `options_and_specs` target: arbitrary options, child specs and text through the core's
//! validation and parsers, then a supervisor driven by hand through arbitrary inputs.
//!
//! This is the one driver that does not go through [`dynsup::driver::Host`], on purpose: it
//! fuzzes the raw core's own protocol checks (a start result with none pending, a reused pid,
//! calls to a dead supervisor), inputs the host never produces by construction.

use std::str::FromStr;

use arbitrary::Arbitrary;
use dynsup::{
    AutoShutdown, CallId, ChildSpec, ChildType, DriverError, DynamicSupervisor, Effect, ExitReason,
    Instant, MaxChildren, Modules, Options, Pid, Reply, Restart, Shutdown, StartOutcome, Strategy,
    SupervisorFlags,
};

use super::core_ops::RestartKnob;

/// The most driver inputs one `options_and_specs` input has (extra ones are ignored).
pub const MAX_INPUTS: usize = 64;

/// The most texts parsed by one input (extra ones are ignored).
const MAX_TEXTS: usize = 16;

/// An integer option: usually small, sometimes anything.
#[derive(Arbitrary, Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntKnob {
    /// -128 to 127.
    Small(i8),
    /// Any `i64`.
    Any(i64),
}

impl IntKnob {
    fn value(self) -> i64 {
        match self {
            IntKnob::Small(n) => i64::from(n),
            IntKnob::Any(n) => n,
        }
    }
}

/// A strategy.
#[derive(Arbitrary, Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrategyKnob {
    /// `one_for_one`.
    OneForOne,
    /// `one_for_all`.
    OneForAll,
    /// `rest_for_one`.
    RestForOne,
}

/// An `auto_shutdown` flag.
#[derive(Arbitrary, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AutoShutdownKnob {
    /// `never`.
    Never,
    /// `any_significant`.
    AnySignificant,
    /// `all_significant`.
    AllSignificant,
}

/// The options of `DynamicSupervisor.start_link`.
#[derive(Arbitrary, Clone, Debug, PartialEq, Eq)]
pub struct OptionsKnobs {
    /// `strategy`.
    pub strategy: StrategyKnob,
    /// `max_restarts`.
    pub max_restarts: IntKnob,
    /// `max_seconds`.
    pub max_seconds: IntKnob,
    /// `max_children`: `None` is infinity.
    pub max_children: Option<IntKnob>,
    /// `auto_shutdown`.
    pub auto_shutdown: AutoShutdownKnob,
    /// `extra_arguments` (the first four).
    pub extra_arguments: Vec<u8>,
    /// Whether to go through [`SupervisorFlags`] (every key present) instead of [`Options`].
    pub as_flags: bool,
}

impl OptionsKnobs {
    /// The options.
    pub fn options(&self) -> Options<u8> {
        let strategy = match self.strategy {
            StrategyKnob::OneForOne => Strategy::OneForOne,
            StrategyKnob::OneForAll => Strategy::OneForAll,
            StrategyKnob::RestForOne => Strategy::RestForOne,
        };
        let auto_shutdown = match self.auto_shutdown {
            AutoShutdownKnob::Never => AutoShutdown::Never,
            AutoShutdownKnob::AnySignificant => AutoShutdown::AnySignificant,
            AutoShutdownKnob::AllSignificant => AutoShutdown::AllSignificant,
        };
        let max_children = self
            .max_children
            .map_or(MaxChildren::Infinity, |n| MaxChildren::Limit(n.value()));
        let extra: Vec<u8> = self.extra_arguments.iter().take(4).copied().collect();
        if self.as_flags {
            return SupervisorFlags {
                strategy: Some(strategy),
                intensity: Some(self.max_restarts.value()),
                period: Some(self.max_seconds.value()),
                max_children: Some(max_children),
                extra_arguments: Some(extra),
                auto_shutdown: Some(auto_shutdown),
            }
            .into_options();
        }
        Options::default()
            .strategy(strategy)
            .max_restarts(self.max_restarts.value())
            .max_seconds(self.max_seconds.value())
            .max_children(max_children)
            .auto_shutdown(auto_shutdown)
            .extra_arguments(extra)
    }
}

/// A spec's shutdown.
#[derive(Arbitrary, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpecShutdownKnob {
    /// `brutal_kill`.
    BrutalKill,
    /// `infinity`.
    Infinity,
    /// 0 to 65535 ms.
    Millis(u16),
    /// Any number of milliseconds.
    Any(u64),
}

/// A child type.
#[derive(Arbitrary, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChildTypeKnob {
    /// `worker`.
    Worker,
    /// `supervisor`.
    Supervisor,
}

/// A spec's modules.
#[derive(Arbitrary, Clone, Debug, PartialEq, Eq)]
pub enum ModulesKnob {
    /// The start function's module.
    OfStart,
    /// `:dynamic`.
    Dynamic,
    /// A list of names (any text).
    List(Vec<String>),
}

/// A child spec.
#[derive(Arbitrary, Clone, Debug, PartialEq, Eq)]
pub struct SpecKnobs {
    /// The start function.
    pub function: u8,
    /// Its arguments (the first four).
    pub args: Vec<u8>,
    /// `restart`.
    pub restart: RestartKnob,
    /// `shutdown`: `None` is the type's default.
    pub shutdown: Option<SpecShutdownKnob>,
    /// `type`.
    pub child_type: ChildTypeKnob,
    /// `modules`.
    pub modules: ModulesKnob,
    /// `significant`.
    pub significant: bool,
}

impl SpecKnobs {
    /// The child spec.
    pub fn spec(&self) -> ChildSpec<u8, u8> {
        let mut spec = ChildSpec::new(self.function, self.args.iter().take(4).copied().collect())
            .restart(self.restart.into())
            .child_type(match self.child_type {
                ChildTypeKnob::Worker => ChildType::Worker,
                ChildTypeKnob::Supervisor => ChildType::Supervisor,
            })
            .modules(match &self.modules {
                ModulesKnob::OfStart => Modules::OfStart,
                ModulesKnob::Dynamic => Modules::Dynamic,
                ModulesKnob::List(names) => Modules::List(names.iter().take(4).cloned().collect()),
            })
            .significant(self.significant);
        if let Some(shutdown) = self.shutdown {
            spec = spec.shutdown(match shutdown {
                SpecShutdownKnob::BrutalKill => Shutdown::BrutalKill,
                SpecShutdownKnob::Infinity => Shutdown::Infinity,
                SpecShutdownKnob::Millis(ms) => Shutdown::millis(u64::from(ms)),
                SpecShutdownKnob::Any(ms) => Shutdown::millis(ms),
            });
        }
        spec
    }
}

/// An exit reason, with arbitrary words.
#[derive(Arbitrary, Clone, Debug, PartialEq, Eq)]
pub enum TextReason {
    /// `normal`.
    Normal,
    /// `shutdown`.
    Shutdown,
    /// `{:shutdown, text}`.
    ShutdownWith(String),
    /// `killed`.
    Killed,
    /// `noproc`.
    NoProc,
    /// Anything else.
    Other(String),
}

impl From<&TextReason> for ExitReason {
    fn from(reason: &TextReason) -> Self {
        match reason {
            TextReason::Normal => ExitReason::Normal,
            TextReason::Shutdown => ExitReason::Shutdown,
            TextReason::ShutdownWith(w) => ExitReason::ShutdownWith(w.clone()),
            TextReason::Killed => ExitReason::Killed,
            TextReason::NoProc => ExitReason::NoProc,
            TextReason::Other(w) => ExitReason::Other(w.clone()),
        }
    }
}

/// A pid the driver names.
#[derive(Arbitrary, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PidKnob {
    /// One of the first 16 pids.
    Small(u8),
    /// The `i`-th child of the supervisor's table (running or restarting), if any.
    Entry(u8),
    /// Any pid.
    Any(u64),
}

/// The outcome of a start, as the driver reports it.
#[derive(Arbitrary, Clone, Debug, PartialEq, Eq)]
pub enum OutcomeKnob {
    /// It started the process with this pid (perhaps one already in use: a driver bug that
    /// must be refused).
    Started(PidKnob, Option<String>),
    /// A fresh pid, never used before.
    StartedFresh,
    /// `:ignore`.
    Ignore,
    /// `{:error, reason}`.
    Failed(TextReason),
}

/// A move of the clock.
#[derive(Arbitrary, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeKnob {
    /// 0 to 65535 ms.
    Millis(u16),
    /// To the next kill deadline, if any.
    ToDeadline,
    /// Any amount (saturating).
    Any(u64),
}

/// One input of the driver.
#[derive(Arbitrary, Clone, Debug, PartialEq, Eq)]
pub enum DriverInput {
    /// `start_child` with the input's spec, or with this one.
    StartChild(Option<SpecKnobs>),
    /// `handle_start_result`, whether or not a start is pending.
    StartResult(OutcomeKnob),
    /// `handle_child_exit`.
    ChildExit(PidKnob, TextReason),
    /// `handle_timeout`.
    Timeout,
    /// `handle_parent_exit`.
    ParentExit(TextReason),
    /// `terminate_child`.
    Terminate(PidKnob),
    /// `which_children`.
    Which,
    /// `count_children`.
    Count,
    /// `stop`.
    Stop(TextReason),
    /// The clock moves on.
    Advance(TimeKnob),
}

/// An `options_and_specs` input.
#[derive(Arbitrary, Clone, Debug, PartialEq, Eq)]
pub struct OptionsInput {
    /// The supervisor's options.
    pub options: OptionsKnobs,
    /// The child spec.
    pub spec: SpecKnobs,
    /// Texts for the `FromStr` parses of `Restart`, `Shutdown`, `ChildType` and `ExitReason`.
    pub texts: Vec<String>,
    /// The driver's inputs (the first [`MAX_INPUTS`]).
    pub inputs: Vec<DriverInput>,
}

/// Parses `text` as `T`; what parses prints a text that parses to the same value.
fn reparses<T>(text: &str)
where
    T: FromStr + ToString + PartialEq + std::fmt::Debug,
    T::Err: ToString,
{
    match text.parse::<T>() {
        Ok(value) => {
            let printed = value.to_string();
            match printed.parse::<T>() {
                Ok(again) => assert_eq!(again, value, "{text:?} prints as {printed:?}"),
                Err(err) => panic!(
                    "{text:?} parses, but its text {printed:?} does not: {}",
                    err.to_string()
                ),
            }
        }
        Err(err) => {
            let _ = err.to_string();
        }
    }
}

/// The `options_and_specs` target: validation returns an error or a value and never panics;
/// every `FromStr` of the text enums round-trips through `Display`; and with valid options, a
/// supervisor driven by hand through the inputs never panics, refuses a start result when no
/// start is pending or when the pid is already a child (with [`DriverError`]), and keeps its
/// protocol (one start at a time, nothing after its exit but `noproc`).
pub fn options_and_specs_input(input: &OptionsInput) {
    for text in input.texts.iter().take(MAX_TEXTS) {
        reparses::<Restart>(text);
        reparses::<Shutdown>(text);
        reparses::<ChildType>(text);
        reparses::<ExitReason>(text);
    }
    let spec = input.spec.spec();
    let spec_valid = match spec.clone().validate() {
        Ok(valid) => {
            assert_eq!(valid.restart(), spec.restart);
            assert_eq!(valid.child_type(), spec.child_type);
            let expected = spec
                .shutdown
                .unwrap_or_else(|| spec.child_type.default_shutdown());
            assert_eq!(valid.shutdown(), expected);
            true
        }
        Err(err) => {
            let _ = err.to_string();
            false
        }
    };
    let options = input.options.options();
    let config = match options.clone().validate() {
        Ok(config) => config,
        Err(err) => {
            let _ = err.to_string();
            assert!(DynamicSupervisor::<u8, u8>::with_options(options).is_err());
            return;
        }
    };
    assert!(u64::try_from(options.max_restarts).is_ok_and(|n| n == config.max_restarts()));
    assert!(u64::try_from(options.max_seconds).is_ok_and(|n| n == config.max_seconds() && n > 0));
    let _ = spec_valid;
    Driver::new(DynamicSupervisor::new(config), spec).run(&input.inputs);
}

/// This driver's clock only moves forward, so the core never refuses its `now`.
const TIME_MOVES_ON: &str = "the driver's time never goes back";

/// The hand-written driver of the `options_and_specs` target.
struct Driver {
    sup: DynamicSupervisor<u8, u8>,
    spec: ChildSpec<u8, u8>,
    now: Instant,
    next_call: u64,
    next_pid: u64,
    start_pending: bool,
    exited: bool,
}

impl Driver {
    fn new(sup: DynamicSupervisor<u8, u8>, spec: ChildSpec<u8, u8>) -> Self {
        Driver {
            sup,
            spec,
            now: Instant::ZERO,
            next_call: 0,
            // Pids from 1000 on are fresh; the small ones are for collisions.
            next_pid: 1000,
            start_pending: false,
            exited: false,
        }
    }

    fn call(&mut self) -> CallId {
        self.next_call += 1;
        CallId(self.next_call)
    }

    fn pid(&self, knob: PidKnob) -> Pid {
        match knob {
            PidKnob::Small(n) => Pid(u64::from(n % 16)),
            PidKnob::Entry(i) => {
                let entries: Vec<Pid> = self.sup.view().entries().map(|e| e.pid).collect();
                match entries.len() {
                    0 => Pid(u64::from(i)),
                    n => entries[usize::from(i) % n],
                }
            }
            PidKnob::Any(n) => Pid(n),
        }
    }

    fn run(mut self, inputs: &[DriverInput]) {
        for input in inputs.iter().take(MAX_INPUTS) {
            self.input(input);
            self.drain();
            self.check();
        }
    }

    fn input(&mut self, input: &DriverInput) {
        let now = self.now;
        match input {
            DriverInput::StartChild(other) => {
                let spec = other
                    .as_ref()
                    .map_or_else(|| self.spec.clone(), SpecKnobs::spec);
                let call = self.call();
                // Validated in the caller, as OTP does: an invalid spec never reaches the core.
                match spec.validate() {
                    Ok(spec) => self.sup.start_child(now, call, spec).expect(TIME_MOVES_ON),
                    Err(err) => drop(err.to_string()),
                }
            }
            DriverInput::StartResult(outcome) => {
                let outcome = match outcome {
                    OutcomeKnob::Started(pid, info) => StartOutcome::Started {
                        pid: self.pid(*pid),
                        info: info.clone(),
                    },
                    OutcomeKnob::StartedFresh => {
                        self.next_pid = self.next_pid.saturating_add(1);
                        StartOutcome::Started {
                            pid: Pid(self.next_pid),
                            info: None,
                        }
                    }
                    OutcomeKnob::Ignore => StartOutcome::Ignore,
                    OutcomeKnob::Failed(reason) => StartOutcome::Failed(reason.into()),
                };
                let expected = if !self.start_pending {
                    Err(DriverError::NoStartPending)
                } else {
                    match &outcome {
                        StartOutcome::Started { pid, .. }
                            if self.sup.view().entries().any(|e| e.pid == *pid) =>
                        {
                            Err(DriverError::PidInUse(*pid))
                        }
                        _ => Ok(()),
                    }
                };
                let result = self.sup.handle_start_result(now, outcome);
                assert_eq!(result, expected, "handle_start_result");
                if let Err(err) = result {
                    let _ = err.to_string();
                } else {
                    self.start_pending = false;
                }
            }
            DriverInput::ChildExit(pid, reason) => {
                let pid = self.pid(*pid);
                self.sup
                    .handle_child_exit(now, pid, reason.into())
                    .expect(TIME_MOVES_ON);
            }
            DriverInput::Timeout => self.sup.handle_timeout(now).expect(TIME_MOVES_ON),
            DriverInput::ParentExit(reason) => self
                .sup
                .handle_parent_exit(now, reason.into())
                .expect(TIME_MOVES_ON),
            DriverInput::Terminate(pid) => {
                let (call, pid) = (self.call(), self.pid(*pid));
                self.sup
                    .terminate_child(now, call, pid)
                    .expect(TIME_MOVES_ON);
            }
            DriverInput::Which => {
                let call = self.call();
                self.sup.which_children(now, call).expect(TIME_MOVES_ON);
            }
            DriverInput::Count => {
                let call = self.call();
                self.sup.count_children(now, call).expect(TIME_MOVES_ON);
            }
            DriverInput::Stop(reason) => {
                let call = self.call();
                self.sup
                    .stop(now, call, reason.into())
                    .expect(TIME_MOVES_ON);
            }
            DriverInput::Advance(time) => {
                self.now = match time {
                    TimeKnob::Millis(ms) => self.now.saturating_add_millis(u64::from(*ms)),
                    TimeKnob::ToDeadline => self
                        .sup
                        .poll_timeout()
                        .map_or(self.now, |deadline| self.now.max(deadline)),
                    TimeKnob::Any(ms) => self.now.saturating_add_millis(*ms),
                };
            }
        }
    }

    /// Takes every effect and event, checking the protocol.
    fn drain(&mut self) {
        while let Some(effect) = self.sup.poll_effect() {
            // Once exited, a supervisor only answers calls with `noproc`.
            let noproc =
                matches!(effect, Effect::Reply { ref reply, .. } if *reply == Reply::NoProc);
            assert!(
                !self.exited || noproc,
                "an effect after the exit: {effect:?}"
            );
            match effect {
                Effect::Start { .. } => {
                    assert!(!self.start_pending, "a second start while one is pending");
                    self.start_pending = true;
                }
                Effect::Exit { .. } => {
                    assert!(!self.sup.view().is_alive());
                    self.exited = true;
                    self.start_pending = false;
                }
                Effect::Reply { .. } | Effect::Shutdown { .. } | Effect::Kill { .. } => {}
            }
        }
        while let Some(event) = self.sup.poll_event() {
            let _ = format!("{event:?}");
        }
    }

    /// Cheap consistency checks of what the supervisor reports.
    fn check(&self) {
        let counts = self.sup.view().counts();
        assert!(counts.active <= counts.specs, "{counts:?}");
        assert_eq!(
            counts.workers + counts.supervisors,
            counts.specs,
            "{counts:?}"
        );
        let entries = self.sup.view().entries().count() as u64;
        assert_eq!(entries, counts.specs);
        assert_eq!(self.sup.view().which_children().len() as u64, counts.specs);
        let running = self.sup.view().running_pids().len() as u64;
        assert_eq!(running, counts.active);
        if self.exited {
            assert_eq!(counts.specs, 0, "children left after the exit");
        }
        if let Some(deadline) = self.sup.poll_timeout() {
            let _ = deadline.as_millis();
        }
    }
}
