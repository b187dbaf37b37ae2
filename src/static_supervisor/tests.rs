//! Unit tests of the static `Supervisor` core, driven by hand, one test per rule of
//! docs/static-supervisor.md. Each cites the OTP `supervisor_SUITE` test (or the Elixir
//! experiment, `E<n>` in the doc) whose behaviour it ports.

use crate::static_supervisor::{
    ChildError, ChildPid, ChildRow, Effect, Event, FailedToStartChild, Flags, InitError, Reply,
    StaticChildSpec, StaticSpecError, Supervisor,
};
use crate::{
    AutoShutdown, CallId, ChildCounts, ChildSpec, ChildType, ConfigError, DriverError, ExitReason,
    Instant, Modules, Pid, Restart, Shutdown, StartOutcome, Started, Strategy,
};

type Sup = Supervisor<&'static str, &'static str, u32>;
type Eff = Effect<&'static str, &'static str, u32>;
type Spec = StaticChildSpec<&'static str, &'static str, u32>;

fn at(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

/// A permanent worker `id` started by the function named `id` (shutdown 5000 ms).
fn child(id: &'static str) -> Spec {
    StaticChildSpec::new(id, ChildSpec::new(id, vec![]))
}

fn with(
    id: &'static str,
    f: impl FnOnce(ChildSpec<&'static str, u32>) -> ChildSpec<&'static str, u32>,
) -> Spec {
    StaticChildSpec::new(id, f(ChildSpec::new(id, vec![])))
}

fn boom() -> ExitReason {
    ExitReason::other("boom")
}

fn ok() -> StartOutcome {
    StartOutcome::Started {
        pid: Pid(0),
        info: None,
    }
}

/// Drives one supervisor by hand: fresh pids for starts, and (in `settle`) children that obey
/// their shutdown signal at once.
struct Driver {
    sup: Sup,
    now: u64,
    next_pid: u64,
    next_call: u64,
}

impl Driver {
    /// A supervisor whose children all start.
    fn up(flags: Flags, specs: Vec<Spec>) -> Self {
        let mut d = Driver {
            sup: Supervisor::start(at(0), flags, specs).unwrap(),
            now: 0,
            next_pid: 0,
            next_call: 0,
        };
        let log = d.settle();
        assert_eq!(log.last(), Some(&Effect::Initialized(Ok(()))));
        d
    }

    fn drain(&mut self) -> Vec<Eff> {
        std::iter::from_fn(|| self.sup.poll_effect()).collect()
    }

    fn events(&mut self) -> Vec<Event<&'static str>> {
        std::iter::from_fn(|| self.sup.poll_event()).collect()
    }

    /// Answers the pending start; `Started` gets a fresh pid whatever the pid given.
    fn answer(&mut self, outcome: StartOutcome) -> Vec<Eff> {
        let outcome = match outcome {
            StartOutcome::Started { info, .. } => {
                self.next_pid += 1;
                StartOutcome::Started {
                    pid: Pid(self.next_pid),
                    info,
                }
            }
            other => other,
        };
        self.sup.handle_start_result(at(self.now), outcome).unwrap();
        self.drain()
    }

    fn exit(&mut self, pid: Pid, reason: ExitReason) -> Vec<Eff> {
        self.sup
            .handle_child_exit(at(self.now), pid, reason)
            .unwrap();
        self.drain()
    }

    /// Performs effects until none is left: every start succeeds, every child obeys its
    /// shutdown signal at once. Returns every effect seen, in order.
    fn settle(&mut self) -> Vec<Eff> {
        self.perform(Vec::new())
    }

    fn perform(&mut self, first: Vec<Eff>) -> Vec<Eff> {
        let mut log = Vec::new();
        let mut pending: std::collections::VecDeque<Eff> = first.into();
        pending.extend(self.drain());
        while let Some(effect) = pending.pop_front() {
            let more = match &effect {
                Effect::Start { .. } => self.answer(ok()),
                Effect::Shutdown { pid } => self.exit(*pid, ExitReason::Shutdown),
                Effect::Kill { pid } => self.exit(*pid, ExitReason::Killed),
                _ => Vec::new(),
            };
            log.push(effect);
            pending.extend(more);
        }
        log
    }

    fn call(&mut self) -> CallId {
        self.next_call += 1;
        CallId(self.next_call)
    }

    /// Makes a call with `f` and returns its reply (the effects must settle to one).
    fn ask(
        &mut self,
        f: impl FnOnce(&mut Sup, Instant, CallId) -> Result<(), DriverError>,
    ) -> Reply<&'static str> {
        let call = self.call();
        f(&mut self.sup, at(self.now), call).unwrap();
        let log = self.settle();
        reply_in(&log, call)
    }

    fn pid(&self, id: &'static str) -> Pid {
        match self.sup.view().pid_of(&id) {
            Some(ChildPid::Running(pid)) => pid,
            other => panic!("{id} is not running: {other:?}"),
        }
    }

    fn which(&mut self) -> Vec<(&'static str, ChildPid)> {
        match self.ask(|s, t, c| s.which_children(t, c)) {
            Reply::WhichChildren(rows) => rows.into_iter().map(|r| (r.id, r.pid)).collect(),
            other => panic!("{other:?}"),
        }
    }
}

fn reply_in(log: &[Eff], call: CallId) -> Reply<&'static str> {
    log.iter()
        .find_map(|e| match e {
            Effect::Reply { call: c, reply } if *c == call => Some(reply.clone()),
            _ => None,
        })
        .expect("a reply")
}

/// The ids of the starts and the pids signalled, in order, as short strings.
fn trace(log: &[Eff]) -> Vec<String> {
    log.iter()
        .filter_map(|e| match e {
            Effect::Start { id, .. } => Some(format!("start {id}")),
            Effect::Shutdown { pid } => Some(format!("shutdown {}", pid.0)),
            Effect::Kill { pid } => Some(format!("kill {}", pid.0)),
            Effect::Exit { reason } => Some(format!("exit {reason}")),
            _ => None,
        })
        .collect()
}

fn abc(strategy: Strategy) -> Driver {
    Driver::up(
        Flags::default().strategy(strategy).max_restarts(10),
        vec![child("a"), child("b"), child("c")],
    )
}

use ChildPid::{Restarting, Running, Undefined};

// ----- §1 start-up --------------------------------------------------------------------

/// §1.1, sup_start_normal, order_of_children, which_children; E1: started in order, listed
/// last started first.
#[test]
fn children_start_in_order_and_are_listed_last_first() {
    let mut sup = Supervisor::start(at(0), Flags::default(), vec![child("a"), child("b")]).unwrap();
    assert!(matches!(
        sup.poll_effect(),
        Some(Effect::Start {
            id: "a",
            function: "a",
            ..
        })
    ));
    assert_eq!(sup.poll_effect(), None, "one start at a time");
    sup.handle_start_result(
        at(0),
        StartOutcome::Started {
            pid: Pid(1),
            info: None,
        },
    )
    .unwrap();
    assert!(matches!(
        sup.poll_effect(),
        Some(Effect::Start { id: "b", .. })
    ));
    sup.handle_start_result(
        at(0),
        StartOutcome::Started {
            pid: Pid(2),
            info: None,
        },
    )
    .unwrap();
    assert_eq!(sup.poll_effect(), Some(Effect::Initialized(Ok(()))));
    assert_eq!(
        sup.view().rows(),
        vec![
            ChildRow {
                id: "b",
                pid: Running(Pid(2)),
                child_type: ChildType::Worker,
                modules: Modules::OfStart
            },
            ChildRow {
                id: "a",
                pid: Running(Pid(1)),
                child_type: ChildType::Worker,
                modules: Modules::OfStart
            },
        ]
    );
    assert_eq!(sup.view().ids(), vec!["a", "b"]);
}

/// §1.2, E5: a failing child stops the started ones in reverse order; start-up fails with
/// `{:shutdown, {:failed_to_start_child, id, reason}}`.
#[test]
fn a_failing_child_stops_the_started_ones_in_reverse_and_fails_the_start() {
    let mut d = Driver {
        sup: Supervisor::start(
            at(0),
            Flags::default(),
            vec![child("a"), child("b"), child("c"), child("d")],
        )
        .unwrap(),
        now: 0,
        next_pid: 0,
        next_call: 0,
    };
    d.drain();
    d.answer(ok());
    d.answer(ok());
    let log = d.answer(StartOutcome::Failed(boom()));
    let log = d.perform(log);
    let failure = FailedToStartChild {
        id: "c",
        reason: boom(),
    };
    assert_eq!(
        trace(&log),
        vec![
            "shutdown 2",
            "shutdown 1",
            format!("exit {}", failure.exit_reason()).as_str()
        ]
    );
    assert!(log.contains(&Effect::Initialized(Err(failure.clone()))));
    assert_eq!(
        failure.exit_reason(),
        ExitReason::ShutdownWith("failed_to_start_child:\"c\":boom".into())
    );
    assert!(!d.sup.view().is_alive());
    assert!(
        log.iter()
            .all(|e| !matches!(e, Effect::Start { id: "d", .. })),
        "d is never started"
    );
}

/// §1.3, sup_start_ignore_child, sup_start_ignore_temporary_child: `ignore` keeps the spec
/// without a process, but a temporary child that ignores is forgotten.
#[test]
fn ignore_keeps_the_spec_but_forgets_a_temporary_child() {
    let mut d = Driver {
        sup: Supervisor::start(
            at(0),
            Flags::default(),
            vec![
                child("a"),
                with("t", |s| s.restart(Restart::Temporary)),
                child("c"),
            ],
        )
        .unwrap(),
        now: 0,
        next_pid: 0,
        next_call: 0,
    };
    d.drain();
    d.answer(StartOutcome::Ignore);
    d.answer(StartOutcome::Ignore);
    let log = d.answer(ok());
    assert_eq!(log, vec![Effect::Initialized(Ok(()))]);
    assert_eq!(d.which(), vec![("c", Running(Pid(1))), ("a", Undefined)]);
    let counts = d.ask(|s, t, c| s.count_children(t, c));
    assert_eq!(
        counts,
        Reply::CountChildren(ChildCounts {
            specs: 2,
            active: 1,
            supervisors: 0,
            workers: 2
        })
    );
}

/// §1.4, E7, E6, E6c, E6d, sup_flags: invalid flags and specs refuse to start.
#[test]
fn invalid_flags_and_specs_are_refused_before_any_start() {
    let start = |flags: Flags, specs: Vec<Spec>| Supervisor::start(at(0), flags, specs).map(|_| ());
    assert_eq!(
        start(Flags::default(), vec![child("a"), child("a")]),
        Err(InitError::DuplicateChildName("a"))
    );
    let significant = with("s", |s| s.restart(Restart::Transient).significant(true));
    assert_eq!(
        start(Flags::default(), vec![significant.clone()]),
        Err(InitError::StartSpec(
            StaticSpecError::SignificantWithAutoShutdownNever
        ))
    );
    let any = Flags::default().auto_shutdown(AutoShutdown::AnySignificant);
    assert_eq!(start(any, vec![significant.clone()]), Ok(()));
    assert_eq!(
        start(any, vec![with("p", |s| s.significant(true))]),
        Err(InitError::StartSpec(StaticSpecError::SignificantPermanent))
    );
    assert_eq!(
        start(any, vec![significant.clone(), significant]),
        Err(InitError::DuplicateChildName("s"))
    );
    assert_eq!(
        start(Flags::default().max_seconds(0), vec![]),
        Err(InitError::Flags(ConfigError::InvalidPeriod(0)))
    );
    assert_eq!(
        start(Flags::default().max_restarts(-1), vec![]),
        Err(InitError::Flags(ConfigError::InvalidIntensity(-1)))
    );
    // No children: start-up is over at once.
    let mut sup: Sup = Supervisor::start(at(0), Flags::default(), vec![]).unwrap();
    assert_eq!(sup.poll_effect(), Some(Effect::Initialized(Ok(()))));
}

// ----- §2 restart types ----------------------------------------------------------------

/// §2, permanent_normal, transient_normal, temporary_normal, transient_abnormal,
/// temporary_abnormal; E4: which exits restart, and what stays of the child.
#[test]
fn restart_types_decide_and_a_clean_transient_keeps_its_spec() {
    let specs = vec![
        child("p"),
        with("tr", |s| s.restart(Restart::Transient)),
        with("te", |s| s.restart(Restart::Temporary)),
    ];
    let mut d = Driver::up(Flags::default().max_restarts(10), specs);
    // permanent: restarted even after normal.
    let p = d.pid("p");
    let log = d.exit(p, ExitReason::Normal);
    assert_eq!(trace(&d.perform(log)), vec!["start p"]);
    // transient: restarted after an abnormal exit, kept without a process after a clean one.
    let tr = d.pid("tr");
    let log = d.exit(tr, boom());
    assert_eq!(trace(&d.perform(log)), vec!["start tr"]);
    let tr = d.pid("tr");
    assert!(d
        .exit(tr, ExitReason::ShutdownWith("done".into()))
        .is_empty());
    assert_eq!(d.sup.view().pid_of(&"tr"), Some(Undefined));
    // temporary: never restarted, forgotten.
    let te = d.pid("te");
    assert!(d.exit(te, boom()).is_empty());
    assert_eq!(d.sup.view().pid_of(&"te"), None);
    let events = d.events();
    assert!(events.contains(&Event::ChildExited {
        id: "te",
        reason: boom(),
        will_restart: false
    }));
    assert_eq!(d.which(), vec![("tr", Undefined), ("p", Running(Pid(4)))]);
}

/// Exits of unknown pids are ignored (restart_child of an unknown pid in OTP's restart_child/3).
#[test]
fn an_unknown_pid_exit_is_ignored() {
    let mut d = abc(Strategy::OneForOne);
    assert!(d.exit(Pid(99), boom()).is_empty());
    assert_eq!(d.which().len(), 3);
}

// ----- §3 strategies -------------------------------------------------------------------

/// §3.1, one_for_one: only the child that exited is restarted.
#[test]
fn one_for_one_restarts_only_the_child() {
    let mut d = abc(Strategy::OneForOne);
    let b = d.pid("b");
    let log = d.exit(b, boom());
    assert_eq!(trace(&d.perform(log)), vec!["start b"]);
    assert_eq!(
        d.which(),
        vec![
            ("c", Running(Pid(3))),
            ("b", Running(Pid(4))),
            ("a", Running(Pid(1)))
        ]
    );
}

/// §3.2, one_for_all: the others go down last started first, one at a time, then all start
/// again in start order.
#[test]
fn one_for_all_terminates_the_rest_in_reverse_and_restarts_all_in_order() {
    let mut d = abc(Strategy::OneForAll);
    let b = d.pid("b");
    let log = d.exit(b, boom());
    assert_eq!(
        log,
        vec![Effect::Shutdown { pid: Pid(3) }],
        "one child at a time"
    );
    assert_eq!(
        trace(&d.perform(log)),
        vec!["shutdown 3", "shutdown 1", "start a", "start b", "start c"]
    );
    assert_eq!(
        d.which(),
        vec![
            ("c", Running(Pid(6))),
            ("b", Running(Pid(5))),
            ("a", Running(Pid(4)))
        ]
    );
}

/// §3.2, E2: one_for_all also starts the children kept without a process (here one stopped
/// by terminate_child).
#[test]
fn one_for_all_also_starts_a_terminated_child() {
    let mut d = abc(Strategy::OneForAll);
    assert_eq!(
        d.ask(|s, t, c| s.terminate_child(t, c, "b")),
        Reply::TerminateChild(Ok(()))
    );
    let a = d.pid("a");
    let log = d.exit(a, boom());
    assert_eq!(
        trace(&d.perform(log)),
        vec!["shutdown 3", "start a", "start b", "start c"]
    );
    assert!(d.which().iter().all(|(_, pid)| matches!(pid, Running(_))));
}

/// §3.2, temporary_bystander: a temporary sibling terminated by a one_for_all restart is
/// forgotten, not restarted.
#[test]
fn one_for_all_forgets_a_temporary_bystander() {
    let specs = vec![child("a"), with("t", |s| s.restart(Restart::Temporary))];
    let mut d = Driver::up(Flags::default().strategy(Strategy::OneForAll), specs);
    let a = d.pid("a");
    let log = d.exit(a, boom());
    assert_eq!(trace(&d.perform(log)), vec!["shutdown 2", "start a"]);
    assert_eq!(d.which(), vec![("a", Running(Pid(3)))]);
}

/// §3.3, rest_for_one: the children started after it go down in reverse, then it and they
/// start again in order; the ones before are untouched.
#[test]
fn rest_for_one_restarts_the_child_and_the_later_ones() {
    let mut d = Driver::up(
        Flags::default().strategy(Strategy::RestForOne),
        vec![child("a"), child("b"), child("c"), child("d")],
    );
    let b = d.pid("b");
    let log = d.exit(b, boom());
    assert_eq!(
        trace(&d.perform(log)),
        vec!["shutdown 4", "shutdown 3", "start b", "start c", "start d"]
    );
    assert_eq!(d.pid("a"), Pid(1));
    // The last child's exit restarts it alone.
    let last = d.pid("d");
    let log = d.exit(last, boom());
    assert_eq!(trace(&d.perform(log)), vec!["start d"]);
}

/// §3.4, sup_stop_race: a sibling whose exit is already queued is not signalled; its queued
/// exit is taken as its end and never restarts it separately.
#[test]
fn a_sibling_already_dead_is_not_signalled() {
    let mut d = abc(Strategy::OneForAll);
    let (a, c) = (d.pid("a"), d.pid("c"));
    // a's exit blocks the supervisor in c's shutdown; then a dies too, its exit queued.
    let log = d.exit(c, boom());
    assert_eq!(log, vec![Effect::Shutdown { pid: Pid(2) }]);
    assert!(d.exit(a, boom()).is_empty());
    let log = d.exit(Pid(2), ExitReason::Shutdown);
    assert_eq!(
        trace(&d.perform(log)),
        vec!["start a", "start b", "start c"]
    );
    assert_eq!(d.sup.view().restarts_in_log(), 1);
    // Its real reason is taken (OTP's unlink_flush): reported as a shutdown error.
    assert!(d.events().contains(&Event::ShutdownError {
        id: "a",
        reason: boom()
    }));
}

// ----- §4 failed restarts --------------------------------------------------------------

/// §4.1, one_for_one, count_restarting_children: a failed restart leaves the child
/// `:restarting` and queues a retry, which counts as a restart again.
#[test]
fn a_failed_restart_is_retried_from_the_mailbox() {
    let mut d = abc(Strategy::OneForOne);
    let b = d.pid("b");
    d.exit(b, boom());
    // The retry is queued behind a call made before the failure is answered.
    let call = d.call();
    d.sup.count_children(at(0), call).unwrap();
    let log = d.answer(StartOutcome::Failed(boom()));
    assert_eq!(
        log,
        vec![
            Effect::Reply {
                call,
                reply: Reply::CountChildren(ChildCounts {
                    specs: 3,
                    active: 2,
                    supervisors: 0,
                    workers: 3
                })
            },
            Effect::Start {
                id: "b",
                function: "b",
                args: vec![]
            },
        ]
    );
    assert!(d.events().contains(&Event::RestartFailed {
        id: "b",
        reason: boom()
    }));
    assert_eq!(d.sup.view().restarts_in_log(), 2);
    d.answer(ok());
    assert_eq!(d.sup.view().pid_of(&"b"), Some(Running(Pid(4))));
}

/// §4.2, one_for_all_other_child_fails_restart: another child's failed start leaves it
/// `:restarting`, the later ones without a process, and the retry restarts them all again.
#[test]
fn one_for_all_another_childs_failed_start_is_retried_for_all() {
    let mut d = abc(Strategy::OneForAll);
    let a = d.pid("a");
    let log = d.exit(a, boom());
    let log = d.perform_until_start(log, "b");
    assert_eq!(
        trace(&log),
        vec!["shutdown 3", "shutdown 2", "start a", "start b"]
    );
    // A call queued before the failure is served before the retry: a runs, b is
    // restarting, c has no process.
    let call = d.call();
    d.sup.which_children(at(0), call).unwrap();
    let log = d.answer(StartOutcome::Failed(boom()));
    let Reply::WhichChildren(rows) = reply_in(&log, call) else {
        panic!("{log:?}")
    };
    let rows: Vec<_> = rows.into_iter().map(|r| (r.id, r.pid)).collect();
    assert_eq!(
        rows,
        vec![("c", Undefined), ("b", Restarting), ("a", Running(Pid(4)))]
    );
    // Then the retry terminates a and starts all again.
    assert_eq!(
        trace(&d.perform(log)),
        vec!["shutdown 4", "start a", "start b", "start c"]
    );
    assert_eq!(d.sup.view().restarts_in_log(), 2);
}

/// §4.2, rest_for_one_other_child_fails_restart, E12.
#[test]
fn rest_for_one_another_childs_failed_start_is_retried_from_it() {
    let mut d = Driver::up(
        Flags::default()
            .strategy(Strategy::RestForOne)
            .max_restarts(10),
        vec![child("a"), child("b"), child("c")],
    );
    let a = d.pid("a");
    let log = d.exit(a, boom());
    let log = d.perform_until_start(log, "b");
    assert_eq!(
        trace(&log),
        vec!["shutdown 3", "shutdown 2", "start a", "start b"]
    );
    d.sup
        .handle_start_result(at(0), StartOutcome::Failed(boom()))
        .unwrap();
    assert_eq!(trace(&d.settle()), vec!["start b", "start c"]);
    assert_eq!(d.pid("a"), Pid(4));
}

/// §4.3: a restarting child that is terminated is not retried (the retry finds it without a
/// process).
#[test]
fn a_terminated_restarting_child_is_not_retried() {
    let mut d = abc(Strategy::OneForOne);
    let b = d.pid("b");
    d.exit(b, boom());
    let call = d.call();
    d.sup.terminate_child(at(0), call, "b").unwrap();
    let log = d.answer(StartOutcome::Failed(boom()));
    assert_eq!(
        log,
        vec![Effect::Reply {
            call,
            reply: Reply::TerminateChild(Ok(()))
        }]
    );
    assert_eq!(d.sup.view().pid_of(&"b"), Some(Undefined));
    assert_eq!(d.sup.view().mailbox_len(), 0);
}

// ----- §5 intensity and shutdown --------------------------------------------------------

/// §5.1, one_for_one_escalation, one_for_all_escalation, rest_for_one_escalation: more than
/// max_restarts restarts in the window shut the supervisor down with `shutdown`.
#[test]
fn intensity_exceeded_shuts_down_every_strategy() {
    for strategy in [
        Strategy::OneForOne,
        Strategy::OneForAll,
        Strategy::RestForOne,
    ] {
        let mut d = Driver::up(
            Flags::default()
                .strategy(strategy)
                .max_restarts(1)
                .max_seconds(5),
            vec![child("a"), child("b")],
        );
        let a = d.pid("a");
        let log = d.exit(a, boom());
        d.perform(log);
        d.now = 4_999;
        let a = d.pid("a");
        let log = d.exit(a, boom());
        let log = d.perform(log);
        let b = d
            .sup
            .view()
            .rows()
            .iter()
            .find(|r| r.id == "b")
            .map(|r| r.pid);
        assert_eq!(b, None, "{strategy:?}: the children are gone");
        assert_eq!(
            trace(&log).last().map(String::as_str),
            Some("exit shutdown"),
            "{strategy:?}"
        );
        assert!(
            !trace(&log).iter().any(|t| t.starts_with("start")),
            "{strategy:?}"
        );
        assert_eq!(d.sup.view().exit_reason(), Some(&ExitReason::Shutdown));
    }
}

/// §5.1: restarts outside the window do not add up (the shared RestartLog rule).
#[test]
fn restarts_spaced_beyond_the_window_survive() {
    let mut d = Driver::up(
        Flags::default().max_restarts(1).max_seconds(1),
        vec![child("a")],
    );
    for second in 0..5 {
        d.now = second * 2_100;
        let a = d.pid("a");
        let log = d.exit(a, boom());
        assert_eq!(trace(&d.perform(log)), vec!["start a"]);
    }
    assert!(d.sup.view().is_alive());
}

/// §5.2, §5.3, sup_stop_infinity, sup_stop_timeout, sup_stop_brutal_kill: shutdown one child at a
/// time, last started first, each with its own shutdown.
#[test]
fn shutdown_goes_one_child_at_a_time_in_reverse_with_each_shutdown() {
    let specs = vec![
        with("inf", |s| s.shutdown(Shutdown::Infinity)),
        with("brutal", |s| s.shutdown(Shutdown::BrutalKill)),
        with("slow", |s| s.shutdown(Shutdown::millis(100))),
        with("quick", |s| s.shutdown(Shutdown::millis(300))),
    ];
    let mut d = Driver::up(Flags::default(), specs);
    d.now = 1_000;
    d.sup
        .handle_parent_exit(at(1_000), ExitReason::Shutdown)
        .unwrap();
    assert_eq!(d.drain(), vec![Effect::Shutdown { pid: Pid(4) }]);
    assert_eq!(d.sup.poll_timeout(), Some(at(1_300)));
    // quick obeys at 1200: slow's own 100 ms start then.
    d.now = 1_200;
    assert_eq!(
        d.exit(Pid(4), ExitReason::Shutdown),
        vec![Effect::Shutdown { pid: Pid(3) }]
    );
    assert_eq!(d.sup.poll_timeout(), Some(at(1_300)));
    // slow ignores it: killed at its deadline, once.
    d.now = 1_299;
    d.sup.handle_timeout(at(1_299)).unwrap();
    assert!(d.drain().is_empty());
    d.now = 1_300;
    d.sup.handle_timeout(at(1_300)).unwrap();
    d.sup.handle_timeout(at(1_300)).unwrap();
    assert_eq!(d.drain(), vec![Effect::Kill { pid: Pid(3) }]);
    assert_eq!(d.sup.poll_timeout(), None);
    assert_eq!(
        d.exit(Pid(3), ExitReason::Killed),
        vec![Effect::Kill { pid: Pid(2) }]
    );
    assert_eq!(
        d.exit(Pid(2), ExitReason::Killed),
        vec![Effect::Shutdown { pid: Pid(1) }]
    );
    assert_eq!(d.sup.poll_timeout(), None, "infinity waits forever");
    assert_eq!(
        d.exit(Pid(1), ExitReason::Shutdown),
        vec![Effect::Exit {
            reason: ExitReason::Shutdown
        }]
    );
    let events = d.events();
    assert!(events.contains(&Event::ShutdownError {
        id: "slow",
        reason: ExitReason::Killed
    }));
    assert!(!events.contains(&Event::ShutdownError {
        id: "brutal",
        reason: ExitReason::Killed
    }));
}

/// §5.2, §6.7: `stop` answers once everything is down; later calls find no process.
#[test]
fn stop_replies_after_the_children_and_later_calls_get_noproc() {
    let mut d = abc(Strategy::OneForOne);
    let log = {
        let call = d.call();
        d.sup.stop(at(0), call, ExitReason::Normal).unwrap();
        d.settle()
    };
    assert_eq!(
        trace(&log),
        vec!["shutdown 3", "shutdown 2", "shutdown 1", "exit normal"]
    );
    assert!(matches!(
        log[log.len() - 2],
        Effect::Reply {
            reply: Reply::Stopped,
            ..
        }
    ));
    assert_eq!(d.ask(|s, t, c| s.count_children(t, c)), Reply::NoProc);
}

// ----- §6 the API by id ----------------------------------------------------------------

/// §6.1, child_adm, sup_start_ignore_child, E3: start_child adds last; already_started,
/// already_present; a failed start stores nothing (sup_start_child_returns_error).
#[test]
fn start_child_errors() {
    let mut d = abc(Strategy::OneForOne);
    assert_eq!(
        d.ask(|s, t, c| s.start_child(t, c, child("d"))),
        Reply::StartChild(Ok(Started::Running {
            pid: Pid(4),
            info: None
        }))
    );
    assert_eq!(d.which()[0], ("d", Running(Pid(4))));
    assert_eq!(
        d.ask(|s, t, c| s.start_child(t, c, child("a"))),
        Reply::StartChild(Err(ChildError::AlreadyStarted(Pid(1))))
    );
    d.ask(|s, t, c| s.terminate_child(t, c, "a"));
    assert_eq!(
        d.ask(|s, t, c| s.start_child(t, c, child("a"))),
        Reply::StartChild(Err(ChildError::AlreadyPresent))
    );
    // A failing start: the error, nothing stored.
    let call = d.call();
    d.sup.start_child(at(0), call, child("e")).unwrap();
    d.drain();
    let log = d.answer(StartOutcome::Failed(boom()));
    assert_eq!(
        reply_in(&log, call),
        Reply::StartChild(Err(ChildError::Failed(boom())))
    );
    assert_eq!(d.sup.view().pid_of(&"e"), None);
    // Ignore: kept without a process; a temporary one is not kept (E3b,
    // sup_start_ignore_temporary_child_start_child).
    for (id, restart, kept) in [
        ("f", Restart::Permanent, true),
        ("g", Restart::Temporary, false),
    ] {
        let call = d.call();
        d.sup
            .start_child(at(0), call, with(id, |s| s.restart(restart)))
            .unwrap();
        d.drain();
        let log = d.answer(StartOutcome::Ignore);
        assert_eq!(
            reply_in(&log, call),
            Reply::StartChild(Ok(Started::Ignored))
        );
        assert_eq!(d.sup.view().pid_of(&id).is_some(), kept);
    }
    // An invalid spec is refused by the supervisor (E6e).
    assert_eq!(
        d.ask(|s, t, c| s.start_child(
            t,
            c,
            with("h", |s| s.restart(Restart::Transient).significant(true))
        )),
        Reply::StartChild(Err(ChildError::InvalidSpec(
            StaticSpecError::SignificantWithAutoShutdownNever
        )))
    );
}

/// §6.2, child_adm, E8: terminate_child keeps a spec without a process, forgets a temporary
/// child, and answers not_found for an unknown id.
#[test]
fn terminate_child_by_id() {
    let specs = vec![child("a"), with("t", |s| s.restart(Restart::Temporary))];
    let mut d = Driver::up(Flags::default(), specs);
    let call = d.call();
    d.sup.terminate_child(at(0), call, "a").unwrap();
    let log = d.settle();
    assert_eq!(trace(&log), vec!["shutdown 1"]);
    assert_eq!(reply_in(&log, call), Reply::TerminateChild(Ok(())));
    assert_eq!(
        d.ask(|s, t, c| s.terminate_child(t, c, "a")),
        Reply::TerminateChild(Ok(())),
        "again: ok"
    );
    assert_eq!(
        d.ask(|s, t, c| s.terminate_child(t, c, "t")),
        Reply::TerminateChild(Ok(()))
    );
    assert_eq!(d.which(), vec![("a", Undefined)]);
    assert_eq!(
        d.ask(|s, t, c| s.terminate_child(t, c, "zz")),
        Reply::TerminateChild(Err(ChildError::NotFound))
    );
    assert_eq!(
        d.ask(|s, t, c| s.delete_child(t, c, "t")),
        Reply::DeleteChild(Err(ChildError::NotFound))
    );
}

/// §6.3, child_adm, sup_start_restart_child_returns_error, E9: restart_child and its errors.
#[test]
fn restart_child_by_id() {
    let mut d = abc(Strategy::OneForOne);
    assert_eq!(
        d.ask(|s, t, c| s.restart_child(t, c, "a")),
        Reply::RestartChild(Err(ChildError::Running))
    );
    assert_eq!(
        d.ask(|s, t, c| s.restart_child(t, c, "zz")),
        Reply::RestartChild(Err(ChildError::NotFound))
    );
    d.ask(|s, t, c| s.terminate_child(t, c, "a"));
    assert_eq!(
        d.ask(|s, t, c| s.restart_child(t, c, "a")),
        Reply::RestartChild(Ok(Started::Running {
            pid: Pid(4),
            info: None
        }))
    );
    d.ask(|s, t, c| s.terminate_child(t, c, "a"));
    let call = d.call();
    d.sup.restart_child(at(0), call, "a").unwrap();
    d.drain();
    let log = d.answer(StartOutcome::Failed(boom()));
    assert_eq!(
        reply_in(&log, call),
        Reply::RestartChild(Err(ChildError::Failed(boom())))
    );
    assert_eq!(d.sup.view().pid_of(&"a"), Some(Undefined));
    // A restarting child (its retry pending behind our calls).
    let b = d.pid("b");
    d.exit(b, boom());
    let (c1, c2) = (d.call(), d.call());
    d.sup.restart_child(at(0), c1, "b").unwrap();
    d.sup.delete_child(at(0), c2, "b").unwrap();
    let log = d.answer(StartOutcome::Failed(boom()));
    assert_eq!(
        reply_in(&log, c1),
        Reply::RestartChild(Err(ChildError::Restarting))
    );
    assert_eq!(
        reply_in(&log, c2),
        Reply::DeleteChild(Err(ChildError::Restarting))
    );
}

/// §6.4, child_adm, E9: delete_child forgets a child without a process only.
#[test]
fn delete_child_by_id() {
    let mut d = abc(Strategy::OneForOne);
    assert_eq!(
        d.ask(|s, t, c| s.delete_child(t, c, "a")),
        Reply::DeleteChild(Err(ChildError::Running))
    );
    d.ask(|s, t, c| s.terminate_child(t, c, "a"));
    assert_eq!(
        d.ask(|s, t, c| s.delete_child(t, c, "a")),
        Reply::DeleteChild(Ok(()))
    );
    assert_eq!(
        d.ask(|s, t, c| s.delete_child(t, c, "a")),
        Reply::DeleteChild(Err(ChildError::NotFound))
    );
    assert_eq!(
        d.ask(|s, t, c| s.restart_child(t, c, "a")),
        Reply::RestartChild(Err(ChildError::NotFound))
    );
    assert_eq!(
        d.which(),
        vec![("c", Running(Pid(3))), ("b", Running(Pid(2)))]
    );
}

/// §6.6, count_children, count_restarting_children: active counts processes only.
#[test]
fn count_children_counts_types_and_processes() {
    let specs = vec![
        child("a"),
        with("s", |s| s.child_type(ChildType::Supervisor)),
    ];
    let mut d = Driver::up(Flags::default(), specs);
    d.ask(|s, t, c| s.terminate_child(t, c, "a"));
    assert_eq!(
        d.ask(|s, t, c| s.count_children(t, c)),
        Reply::CountChildren(ChildCounts {
            specs: 2,
            active: 1,
            supervisors: 1,
            workers: 1
        })
    );
}

// ----- §7 significant children ----------------------------------------------------------

fn significant(id: &'static str, restart: Restart) -> Spec {
    with(id, |s| s.restart(restart).significant(true))
}

/// §7.2, significant_temporary, significant_transient, E11: under any_significant, the clean
/// exit of a significant child (or any exit of a temporary one) shuts the supervisor down; a
/// transient one's abnormal exit restarts it.
#[test]
fn any_significant_shuts_down_when_one_ends() {
    let flags = Flags::default().auto_shutdown(AutoShutdown::AnySignificant);
    let mut d = Driver::up(
        flags,
        vec![significant("tr", Restart::Transient), child("c")],
    );
    let tr = d.pid("tr");
    let log = d.exit(tr, boom());
    assert_eq!(trace(&d.perform(log)), vec!["start tr"]);
    let tr = d.pid("tr");
    let log = d.exit(tr, ExitReason::Shutdown);
    assert_eq!(trace(&d.perform(log)), vec!["shutdown 2", "exit shutdown"]);
    let mut d = Driver::up(
        flags,
        vec![significant("te", Restart::Temporary), child("c")],
    );
    let te = d.pid("te");
    let log = d.exit(te, boom());
    assert_eq!(trace(&d.perform(log)), vec!["shutdown 2", "exit shutdown"]);
    assert!(d.events().contains(&Event::AutoShutdown { id: "te" }));
}

/// §7.3, significant_bystander, E10: under all_significant, only the last significant child
/// to end shuts the supervisor down; terminate_child never triggers it.
#[test]
fn all_significant_waits_for_the_last_and_ignores_terminate_child() {
    let flags = Flags::default().auto_shutdown(AutoShutdown::AllSignificant);
    let specs = vec![
        significant("a", Restart::Transient),
        significant("b", Restart::Temporary),
        child("c"),
    ];
    let mut d = Driver::up(flags, specs);
    assert_eq!(
        d.ask(|s, t, c| s.terminate_child(t, c, "a")),
        Reply::TerminateChild(Ok(()))
    );
    assert!(d.sup.view().is_alive());
    let mut d = Driver::up(
        flags,
        vec![
            significant("a", Restart::Transient),
            significant("b", Restart::Temporary),
            child("c"),
        ],
    );
    let a = d.pid("a");
    assert!(d.exit(a, ExitReason::Normal).is_empty());
    assert!(d.sup.view().is_alive());
    let b = d.pid("b");
    let log = d.exit(b, ExitReason::Normal);
    assert_eq!(trace(&d.perform(log)), vec!["shutdown 3", "exit shutdown"]);
}

/// §7.4, nonsignificant_temporary, nonsignificant_transient: auto_shutdown ignores children
/// that are not significant.
#[test]
fn a_non_significant_exit_never_shuts_down() {
    let flags = Flags::default().auto_shutdown(AutoShutdown::AnySignificant);
    let specs = vec![with("t", |s| s.restart(Restart::Temporary)), child("c")];
    let mut d = Driver::up(flags, specs);
    let t = d.pid("t");
    assert!(d.exit(t, ExitReason::Normal).is_empty());
    assert!(d.sup.view().is_alive());
}

// ----- the driver protocol -------------------------------------------------------------

/// Driver misuse is refused without a change; the same inputs give the same outputs.
#[test]
fn driver_misuse_and_determinism() {
    let mut d = abc(Strategy::OneForAll);
    assert_eq!(
        d.sup.handle_start_result(at(0), ok()),
        Err(DriverError::NoStartPending)
    );
    d.now = 10;
    let log = d.exit(Pid(1), boom());
    assert_eq!(
        d.sup.handle_child_exit(at(5), Pid(2), boom()),
        Err(DriverError::TimeWentBackwards {
            now: at(5),
            latest: at(10)
        })
    );
    // Run a copy through the same inputs: the same effects.
    let mut copy = Driver {
        sup: d.sup.clone(),
        now: d.now,
        next_pid: d.next_pid,
        next_call: d.next_call,
    };
    assert_eq!(d.perform(log.clone()), copy.perform(log));
    assert_eq!(d.which(), copy.which());
}

/// A start result naming a pid already in use is refused.
#[test]
fn a_reused_pid_is_refused() {
    let mut d = abc(Strategy::OneForOne);
    let call = d.call();
    d.sup.start_child(at(0), call, child("d")).unwrap();
    d.drain();
    assert_eq!(
        d.sup.handle_start_result(
            at(0),
            StartOutcome::Started {
                pid: Pid(1),
                info: None
            }
        ),
        Err(DriverError::PidInUse(Pid(1)))
    );
}

impl Driver {
    /// Performs effects (children obey shutdowns, starts succeed) until the start of `id`
    /// is asked, and leaves that start pending.
    fn perform_until_start(&mut self, first: Vec<Eff>, id: &'static str) -> Vec<Eff> {
        let mut log = Vec::new();
        let mut pending: std::collections::VecDeque<Eff> = first.into();
        while let Some(effect) = pending.pop_front() {
            let stop = matches!(&effect, Effect::Start { id: i, .. } if *i == id);
            let more = match &effect {
                _ if stop => Vec::new(),
                Effect::Start { .. } => self.answer(ok()),
                Effect::Shutdown { pid } => self.exit(*pid, ExitReason::Shutdown),
                Effect::Kill { pid } => self.exit(*pid, ExitReason::Killed),
                _ => Vec::new(),
            };
            log.push(effect);
            if stop {
                return log;
            }
            pending.extend(more);
        }
        log
    }
}

/// §8.1, [SUP: `init_children`]: a child that dies while later children are still starting
/// has its exit queued and handled once start-up is over (then restarted); `{:ok, pid, info}`
/// passes its info to `start_child`'s answer.
#[test]
fn an_exit_during_start_up_is_handled_after_it() {
    let mut d = Driver {
        sup: Supervisor::start(at(0), Flags::default(), vec![child("a"), child("b")]).unwrap(),
        now: 0,
        next_pid: 0,
        next_call: 0,
    };
    d.drain();
    d.answer(ok());
    assert!(d.exit(Pid(1), boom()).is_empty(), "queued while b starts");
    assert_eq!(d.sup.view().mailbox_len(), 1);
    let log = d.answer(ok());
    assert_eq!(log[0], Effect::Initialized(Ok(())));
    assert!(matches!(log[1], Effect::Start { id: "a", .. }));
    d.answer(ok());
    assert_eq!(d.sup.view().pid_of(&"a"), Some(Running(Pid(3))));
    let call = d.call();
    d.sup.start_child(at(0), call, child("c")).unwrap();
    d.drain();
    let info = Some("extra".to_owned());
    let log = d.answer(StartOutcome::Started {
        pid: Pid(0),
        info: info.clone(),
    });
    assert_eq!(
        reply_in(&log, call),
        Reply::StartChild(Ok(Started::Running { pid: Pid(4), info }))
    );
}
