//! Unit tests of the core: `DynamicSupervisor` driven by hand, one test per rule of
//! docs/semantics.md (§4 start_child, §5 terminate_child, §6 exits and intensity, §7 listing,
//! §8 termination, §11 and scenarios 12.C-G), plus driver misuse and determinism.

use crate::{
    CallId, ChildCounts, ChildInfo, ChildSpec, ChildType, DriverError, DynamicSupervisor, Effect,
    Event, ExitReason, Instant, MaxChildren, Modules, Options, Pid, Reply, Restart, Shutdown,
    StartError, StartOutcome, Started, TerminateError,
};

type Eff = Effect<&'static str, u32>;
type Spec = ChildSpec<&'static str, u32>;

fn at(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

/// A permanent worker without arguments (default shutdown 5000 ms).
fn worker(name: &'static str) -> Spec {
    ChildSpec::new(name, vec![])
}

fn boom() -> ExitReason {
    ExitReason::other("boom")
}

fn reply(call: CallId, reply: Reply) -> Eff {
    Effect::Reply { call, reply }
}

fn started(call: CallId, pid: Pid) -> Eff {
    reply(
        call,
        Reply::StartChild(Ok(Started::Running { pid, info: None })),
    )
}

fn counts(specs: u64, active: u64, supervisors: u64, workers: u64) -> ChildCounts {
    ChildCounts {
        specs,
        active,
        supervisors,
        workers,
    }
}

fn row(pid: Option<Pid>) -> ChildInfo {
    ChildInfo {
        pid,
        child_type: ChildType::Worker,
        modules: Modules::OfStart,
    }
}

fn is_restart_of(effect: &Eff, old: Pid) -> bool {
    matches!(effect, Effect::Start { restart_of: Some(p), .. } if *p == old)
}

/// Drives one supervisor by hand: hands out fresh pids and call ids and pulls the outputs.
struct Driver {
    sup: DynamicSupervisor<&'static str, u32>,
    next_pid: u64,
    next_call: u64,
    /// Every effect pulled so far, in order.
    log: Vec<Eff>,
}

impl Driver {
    fn new(options: Options<u32>) -> Self {
        Driver {
            sup: DynamicSupervisor::with_options(options).unwrap(),
            next_pid: 0,
            next_call: 0,
            log: Vec::new(),
        }
    }

    fn restarts(max_restarts: i64) -> Self {
        Self::new(Options::default().max_restarts(max_restarts))
    }

    fn fresh_pid(&mut self) -> Pid {
        self.next_pid += 1;
        Pid(self.next_pid)
    }

    fn fresh_call(&mut self) -> CallId {
        self.next_call += 1;
        CallId(self.next_call)
    }

    /// Pulls every pending effect.
    fn drain(&mut self) -> Vec<Eff> {
        let effects: Vec<Eff> = std::iter::from_fn(|| self.sup.poll_effect()).collect();
        self.log.extend(effects.iter().cloned());
        effects
    }

    /// Pulls every pending event.
    fn events(&mut self) -> Vec<Event> {
        std::iter::from_fn(|| self.sup.poll_event()).collect()
    }

    /// Queues `start_child(spec)`.
    fn request_start(&mut self, now: u64, spec: Spec) -> CallId {
        let call = self.fresh_call();
        self.sup
            .start_child(at(now), call, spec.validate().unwrap())
            .unwrap();
        call
    }

    /// Answers the pending start.
    fn answer(&mut self, now: u64, outcome: StartOutcome) {
        self.sup.handle_start_result(at(now), outcome).unwrap();
    }

    /// Answers the pending start with a new process.
    fn answer_started(&mut self, now: u64) -> Pid {
        let pid = self.fresh_pid();
        self.answer(now, StartOutcome::Started { pid, info: None });
        pid
    }

    /// A whole successful `start_child`, asserting its Start and its reply.
    fn start(&mut self, now: u64, spec: Spec) -> Pid {
        let call = self.request_start(now, spec);
        assert!(matches!(
            self.drain().as_slice(),
            [Effect::Start {
                restart_of: None,
                ..
            }]
        ));
        let pid = self.answer_started(now);
        assert_eq!(self.drain(), vec![started(call, pid)]);
        pid
    }

    fn crash(&mut self, now: u64, pid: Pid, reason: ExitReason) {
        self.sup.handle_child_exit(at(now), pid, reason).unwrap();
    }

    /// Asserts that the only pending effect is a restart of `old`.
    fn expect_restart(&mut self, old: Pid) {
        let effects = self.drain();
        assert!(
            matches!(effects.as_slice(), [e] if is_restart_of(e, old)),
            "expected a restart of {old}, got {effects:?}"
        );
    }

    /// Expects a restart of `old` and lets it succeed.
    fn restarted(&mut self, now: u64, old: Pid) -> Pid {
        self.expect_restart(old);
        self.answer_started(now)
    }

    /// Expects a restart of `old` and lets it fail.
    fn restart_fails(&mut self, now: u64, old: Pid) {
        self.expect_restart(old);
        self.answer(now, StartOutcome::Failed(ExitReason::other("found")));
    }

    fn terminate(&mut self, now: u64, pid: Pid) -> CallId {
        let call = self.fresh_call();
        self.sup.terminate_child(at(now), call, pid).unwrap();
        call
    }

    fn count(&mut self, now: u64) -> CallId {
        let call = self.fresh_call();
        self.sup.count_children(at(now), call).unwrap();
        call
    }

    fn which(&mut self, now: u64) -> CallId {
        let call = self.fresh_call();
        self.sup.which_children(at(now), call).unwrap();
        call
    }

    fn stop(&mut self, now: u64, reason: ExitReason) -> CallId {
        let call = self.fresh_call();
        self.sup.stop(at(now), call, reason).unwrap();
        call
    }

    /// `count_children` on an idle supervisor: answered at once.
    fn counted(&mut self, now: u64) -> ChildCounts {
        let call = self.count(now);
        match self.drain().as_slice() {
            [Effect::Reply {
                call: c,
                reply: Reply::CountChildren(counts),
            }] if *c == call => *counts,
            other => panic!("expected the count reply, got {other:?}"),
        }
    }

    /// `which_children` on an idle supervisor: answered at once.
    fn listed(&mut self, now: u64) -> Vec<ChildInfo> {
        let call = self.which(now);
        match self.drain().as_slice() {
            [Effect::Reply {
                call: c,
                reply: Reply::WhichChildren(infos),
            }] if *c == call => infos.clone(),
            other => panic!("expected the which reply, got {other:?}"),
        }
    }
}

// ----- §4 start_child ----------------------------------------------------------------------

#[test]
fn start_child_started_stores_the_child() {
    let mut d = Driver::new(Options::default());
    let call = d.request_start(0, ChildSpec::new("a", vec![5]));
    assert_eq!(
        d.drain(),
        vec![Effect::Start {
            function: "a",
            args: vec![5],
            restart_of: None
        }]
    );
    let pid = d.answer_started(0);
    assert_eq!(d.drain(), vec![started(call, pid)]);
    assert_eq!(d.events(), vec![Event::ChildStarted { pid }]);
    assert_eq!(d.counted(0), counts(1, 1, 0, 1));
    assert_eq!(d.listed(0), vec![row(Some(pid))]);
}

#[test]
fn start_child_started_with_info_replies_the_info() {
    let mut d = Driver::new(Options::default());
    let call = d.request_start(0, worker("a"));
    d.drain();
    let pid = Pid(7);
    let info = Some("extra".to_owned());
    d.answer(
        0,
        StartOutcome::Started {
            pid,
            info: info.clone(),
        },
    );
    let expected = Reply::StartChild(Ok(Started::Running { pid, info }));
    assert_eq!(d.drain(), vec![reply(call, expected)]);
    assert_eq!(d.counted(0), counts(1, 1, 0, 1));
}

#[test]
fn start_child_ignore_stores_nothing() {
    let mut d = Driver::new(Options::default());
    let call = d.request_start(0, worker("a"));
    d.drain();
    d.answer(0, StartOutcome::Ignore);
    let expected = Reply::StartChild(Ok(Started::Ignored));
    assert_eq!(d.drain(), vec![reply(call, expected)]);
    assert_eq!(d.counted(0), counts(0, 0, 0, 0));
    assert!(d.listed(0).is_empty());
}

#[test]
fn start_child_error_stores_nothing_and_passes_the_reason() {
    let mut d = Driver::new(Options::default());
    let call = d.request_start(0, worker("a"));
    d.drain();
    let reason = ExitReason::other("found");
    d.answer(0, StartOutcome::Failed(reason.clone()));
    let expected = Reply::StartChild(Err(StartError::Failed(reason)));
    assert_eq!(d.drain(), vec![reply(call, expected)]);
    assert_eq!(d.counted(0), counts(0, 0, 0, 0));
    assert!(d.sup.view().is_alive());
}

#[test]
fn extra_arguments_are_prepended_at_start_and_at_restart() {
    let mut d = Driver::new(Options::default().extra_arguments(vec![7, 8]));
    let spec = ChildSpec::new("a", vec![1]).restart(Restart::Transient);
    d.request_start(0, spec);
    let start = Effect::Start {
        function: "a",
        args: vec![7, 8, 1],
        restart_of: None,
    };
    assert_eq!(d.drain(), vec![start]);
    let pid = d.answer_started(0);
    d.drain();
    d.crash(10, pid, boom());
    let restart = Effect::Start {
        function: "a",
        args: vec![7, 8, 1],
        restart_of: Some(pid),
    };
    assert_eq!(d.drain(), vec![restart]);
}

#[test]
fn temporary_child_is_started_with_its_own_arguments() {
    // The arguments are dropped only from the stored spec (Elixir's save_child), never from
    // the start itself (§4.2; scenario 7: a temporary Task needs its fun).
    let mut d = Driver::new(Options::default().extra_arguments(vec![7]));
    let spec = ChildSpec::new("task", vec![1, 2]).restart(Restart::Temporary);
    d.request_start(0, spec);
    let start = Effect::Start {
        function: "task",
        args: vec![7, 1, 2],
        restart_of: None,
    };
    assert_eq!(d.drain(), vec![start]);
    let pid = d.answer_started(0);
    let stored: Vec<_> = d
        .sup
        .view()
        .entries()
        .map(|e| e.spec.start().args.clone())
        .collect();
    assert_eq!(stored, vec![Vec::<u32>::new()], "{pid} keeps no args");
}

#[test]
fn pending_start_blocks_the_supervisor() {
    let mut d = Driver::new(Options::default());
    let start = d.request_start(0, worker("a"));
    d.drain();
    let count = d.count(5);
    assert_eq!(d.drain(), vec![], "the count waits behind the start");
    assert!(d.sup.view().is_blocked());
    assert_eq!(d.sup.view().mailbox_len(), 1);
    let pid = d.answer_started(10);
    let expected_count = reply(count, Reply::CountChildren(counts(1, 1, 0, 1)));
    assert_eq!(d.drain(), vec![started(start, pid), expected_count]);
    assert!(!d.sup.view().is_blocked());
}

#[test]
fn max_children_zero_refuses_without_a_start() {
    let mut d = Driver::new(Options::default().max_children(MaxChildren::Limit(0)));
    let call = d.request_start(0, worker("a"));
    let expected = Reply::StartChild(Err(StartError::MaxChildren));
    assert_eq!(d.drain(), vec![reply(call, expected)]);
    assert_eq!(d.counted(0), counts(0, 0, 0, 0));
}

#[test]
fn restarting_entries_count_toward_max_children() {
    let mut d = Driver::new(
        Options::default()
            .max_restarts(1000)
            .max_children(MaxChildren::Limit(1)),
    );
    let c = d.start(0, worker("a"));
    d.crash(10, c, ExitReason::Shutdown);
    d.restart_fails(10, c);
    // The retry runs at once; a start_child queued during it is served before the next retry.
    d.expect_restart(c);
    let call = d.request_start(10, worker("b"));
    d.answer(10, StartOutcome::Failed(boom()));
    let effects = d.drain();
    let refused = reply(call, Reply::StartChild(Err(StartError::MaxChildren)));
    assert_eq!(effects[0], refused);
    assert!(matches!(&effects[1..], [e] if is_restart_of(e, c)));
    assert_eq!(d.sup.view().counts(), counts(1, 0, 0, 1));
}

#[test]
fn restarted_children_count_toward_max_children() {
    let mut d = Driver::new(Options::default().max_children(MaxChildren::Limit(1)));
    let c = d.start(0, worker("a"));
    d.crash(10, c, ExitReason::Shutdown);
    d.restarted(10, c);
    assert_eq!(d.counted(10), counts(1, 1, 0, 1));
    let call = d.request_start(20, worker("b"));
    let refused = reply(call, Reply::StartChild(Err(StartError::MaxChildren)));
    assert_eq!(d.drain(), vec![refused]);
}

#[test]
fn unprocessed_exit_counts_toward_max_children() {
    // Scenario 64: the supervisor is busy (here in another child's start) while a start_child
    // is queued and then a temporary child dies; the start is served first and finds the dead
    // child still in the table.
    let mut d = Driver::new(Options::default().max_children(MaxChildren::Limit(2)));
    let temp = d.start(0, worker("t").restart(Restart::Temporary));
    let first = d.request_start(10, worker("a"));
    d.drain();
    let second = d.request_start(10, worker("b"));
    d.crash(10, temp, ExitReason::Killed);
    let a = d.answer_started(20);
    let refused = reply(second, Reply::StartChild(Err(StartError::MaxChildren)));
    assert_eq!(d.drain(), vec![started(first, a), refused]);
    // Then the exit is processed, which frees the slot.
    assert_eq!(d.counted(20), counts(1, 1, 0, 1));
    d.start(30, worker("c"));
}

// ----- §5 terminate_child ------------------------------------------------------------------

#[test]
fn terminate_child_of_an_unknown_pid_is_not_found() {
    let mut d = Driver::new(Options::default());
    d.start(0, worker("a"));
    let call = d.terminate(0, Pid(99));
    let expected = Reply::TerminateChild(Err(TerminateError::NotFound));
    assert_eq!(d.drain(), vec![reply(call, expected)]);
    assert_eq!(d.counted(0), counts(1, 1, 0, 1));
}

#[test]
fn terminate_child_twice_is_not_found() {
    let mut d = Driver::new(Options::default());
    let c = d.start(0, worker("a").shutdown(Shutdown::BrutalKill));
    let first = d.terminate(0, c);
    assert_eq!(d.drain(), vec![Effect::Kill { pid: c }]);
    d.crash(0, c, ExitReason::Killed);
    assert_eq!(d.drain(), vec![reply(first, Reply::TerminateChild(Ok(())))]);
    let second = d.terminate(0, c);
    let expected = Reply::TerminateChild(Err(TerminateError::NotFound));
    assert_eq!(d.drain(), vec![reply(second, expected)]);
    assert_eq!(d.counted(0), counts(0, 0, 0, 0));
}

#[test]
fn terminate_child_never_restarts_a_permanent_child() {
    let mut d = Driver::new(Options::default());
    let c = d.start(0, worker("a").shutdown(Shutdown::millis(1000)));
    let call = d.terminate(0, c);
    assert_eq!(d.drain(), vec![Effect::Shutdown { pid: c }]);
    d.crash(5, c, ExitReason::Shutdown);
    assert_eq!(d.drain(), vec![reply(call, Reply::TerminateChild(Ok(())))]);
    assert_eq!(d.counted(5), counts(0, 0, 0, 0));
    assert_eq!(d.sup.view().restarts_in_window(), 0);
    assert!(!d
        .events()
        .contains(&Event::RestartCounted { pid: c, second: 0 }));
}

#[test]
fn terminate_child_never_counts_toward_intensity() {
    let mut d = Driver::restarts(0);
    let c = d.start(0, worker("a"));
    let call = d.terminate(0, c);
    d.drain();
    d.crash(0, c, ExitReason::Shutdown);
    assert_eq!(d.drain(), vec![reply(call, Reply::TerminateChild(Ok(())))]);
    assert!(d.sup.view().is_alive());
    assert_eq!(d.sup.view().restarts_in_window(), 0);
    d.start(0, worker("b"));
}

#[test]
fn terminate_child_removes_a_restarting_entry_without_a_signal() {
    let mut d = Driver::restarts(100);
    let c = d.start(0, worker("a"));
    d.crash(10, c, boom());
    d.expect_restart(c);
    let call = d.terminate(10, c);
    d.answer(10, StartOutcome::Failed(boom()));
    // The entry became restarting, then terminate_child removed it: no Shutdown/Kill, and
    // the retry queued behind the call finds nothing to restart.
    assert_eq!(d.drain(), vec![reply(call, Reply::TerminateChild(Ok(())))]);
    assert_eq!(d.sup.view().mailbox_len(), 0);
    assert!(!d.sup.view().is_blocked());
    assert_eq!(
        d.sup.view().restarts_in_window(),
        1,
        "the ignored retry counts nothing"
    );
    assert_eq!(d.counted(10), counts(0, 0, 0, 0));
    let again = d.terminate(10, c);
    let expected = Reply::TerminateChild(Err(TerminateError::NotFound));
    assert_eq!(d.drain(), vec![reply(again, expected)]);
    d.start(20, worker("b"));
    assert!(d.log.iter().filter(|e| is_restart_of(e, c)).count() == 1);
}

#[test]
fn terminate_child_queued_before_the_childs_exit_wins_the_race() {
    // Scenario 45: terminate_child(c) is queued, then c dies; the termination consumes the
    // queued exit, so c is neither signalled nor restarted.
    let mut d = Driver::restarts(0);
    let c = d.start(0, worker("a"));
    let blocker = d.request_start(10, worker("b"));
    d.drain();
    let call = d.terminate(10, c);
    d.crash(10, c, ExitReason::Killed);
    d.answer(20, StartOutcome::Ignore);
    let ignored = reply(blocker, Reply::StartChild(Ok(Started::Ignored)));
    let ok = reply(call, Reply::TerminateChild(Ok(())));
    assert_eq!(d.drain(), vec![ignored, ok]);
    assert!(d.sup.view().is_alive());
    assert_eq!(d.sup.view().restarts_in_window(), 0);
    assert_eq!(d.counted(20), counts(0, 0, 0, 0));
}

// ----- §6 exits, restarts and intensity ----------------------------------------------------

#[test]
fn exit_decision_table() {
    let reasons = [
        ExitReason::Normal,
        ExitReason::Shutdown,
        ExitReason::ShutdownWith("x".into()),
        ExitReason::Killed,
        boom(),
    ];
    let table = [
        (Restart::Permanent, [true, true, true, true, true]),
        (Restart::Transient, [false, false, false, true, true]),
        (Restart::Temporary, [false, false, false, false, false]),
    ];
    for (restart, expected) in table {
        for (reason, restarts) in reasons.iter().zip(expected) {
            let mut d = Driver::new(Options::default());
            let c = d.start(0, worker("a").restart(restart));
            d.crash(10, c, reason.clone());
            let effects = d.drain();
            let case = format!("{restart} child exiting {reason}");
            if restarts {
                assert!(
                    matches!(effects.as_slice(), [e] if is_restart_of(e, c)),
                    "{case}"
                );
                assert_eq!(d.sup.view().restarts_in_window(), 1, "{case}");
            } else {
                assert_eq!(effects, vec![], "{case}");
                assert_eq!(d.sup.view().restarts_in_window(), 0, "{case}");
                assert_eq!(d.counted(10), counts(0, 0, 0, 0), "{case}");
            }
        }
    }
}

#[test]
fn exits_of_unknown_pids_are_ignored() {
    let mut d = Driver::restarts(0);
    let c = d.start(0, worker("a"));
    let gone = d.start(0, worker("g").restart(Restart::Temporary));
    d.crash(0, gone, ExitReason::Normal);
    d.events();
    d.crash(10, Pid(999), boom());
    d.crash(10, gone, boom()); // a second exit of a child already removed
    assert_eq!(d.drain(), vec![]);
    assert_eq!(d.events(), vec![]);
    assert!(d.sup.view().is_alive());
    assert_eq!(d.counted(10), counts(1, 1, 0, 1));
    assert_eq!(d.sup.view().running_pids(), vec![c]);
}

#[test]
fn failed_restart_leaves_a_restarting_entry() {
    let mut d = Driver::restarts(100);
    let a = d.start(0, worker("a"));
    let c = d.start(0, worker("c"));
    let b = d.start(0, worker("b"));
    d.crash(10, c, boom());
    d.restart_fails(10, c);
    assert!(d.events().contains(&Event::RestartFailed {
        old: c,
        reason: ExitReason::other("found")
    }));
    // The retry is pending now; the table shows the entry as restarting, under the old key.
    d.expect_restart(c);
    assert_eq!(
        d.sup.view().which_children(),
        vec![row(Some(a)), row(None), row(Some(b))]
    );
    assert_eq!(d.sup.view().counts(), counts(3, 2, 0, 3));
}

#[test]
fn retry_is_queued_behind_pending_messages() {
    let mut d = Driver::restarts(100);
    let c = d.start(0, worker("a"));
    d.crash(10, c, boom());
    d.expect_restart(c);
    let count = d.count(10);
    d.answer(10, StartOutcome::Failed(boom()));
    let effects = d.drain();
    let expected = reply(count, Reply::CountChildren(counts(1, 0, 0, 1)));
    assert_eq!(effects.len(), 2, "{effects:?}");
    assert_eq!(effects[0], expected);
    assert!(is_restart_of(&effects[1], c));
}

#[test]
fn restart_returning_ignore_removes_the_child() {
    let mut d = Driver::new(Options::default());
    let c = d.start(0, worker("a"));
    d.crash(10, c, boom());
    d.expect_restart(c);
    d.answer(10, StartOutcome::Ignore);
    assert_eq!(d.drain(), vec![]);
    assert!(d.sup.view().is_alive());
    assert_eq!(d.counted(10), counts(0, 0, 0, 0));
    assert!(d.listed(10).is_empty());
}

#[test]
fn every_retry_counts_toward_intensity() {
    // Scenarios 26, 27: with max_restarts N and a restart that always fails, exactly N
    // start attempts follow the crash, then the supervisor exits shutdown.
    for n in [1, 3, 10] {
        let mut d = Driver::restarts(n);
        let c = d.start(0, worker("a"));
        d.crash(10, c, ExitReason::Shutdown);
        let mut attempts = 0;
        loop {
            let effects = d.drain();
            match effects.as_slice() {
                [e] if is_restart_of(e, c) => {
                    attempts += 1;
                    d.answer(10, StartOutcome::Failed(boom()));
                }
                [Effect::Exit { reason }] => {
                    assert_eq!(*reason, ExitReason::Shutdown);
                    break;
                }
                other => panic!("unexpected {other:?}"),
            }
            assert!(attempts <= n, "more than {n} attempts");
        }
        assert_eq!(attempts, n);
        assert!(!d.sup.view().is_alive());
    }
}

#[test]
fn retry_then_success_needs_two_restarts() {
    // Scenario 25: a restart that fails once then succeeds uses 2 restarts of the window.
    let mut d = Driver::restarts(2);
    let c = d.start(0, worker("a"));
    d.crash(10, c, ExitReason::Shutdown);
    d.restart_fails(10, c);
    let new = d.restarted(10, c);
    assert!(d.sup.view().is_alive());
    assert_eq!(d.counted(10), counts(1, 1, 0, 1));
    assert_eq!(d.sup.view().running_pids(), vec![new]);

    let mut d = Driver::restarts(1);
    let c = d.start(0, worker("a"));
    d.crash(10, c, ExitReason::Shutdown);
    d.restart_fails(10, c);
    let exit = Effect::Exit {
        reason: ExitReason::Shutdown,
    };
    assert_eq!(d.drain(), vec![exit]);
    assert!(!d.sup.view().is_alive());
}

/// One permanent child crashed at each of `times` (ms), each successor restarted; whether the
/// supervisor survives them all.
fn survives(max_restarts: i64, max_seconds: i64, times: &[u64]) -> bool {
    let options = Options::default()
        .max_restarts(max_restarts)
        .max_seconds(max_seconds);
    let mut d = Driver::new(options);
    let mut current = d.start(0, worker("a"));
    for &t in times {
        d.crash(t, current, boom());
        let effects = d.drain();
        match effects.as_slice() {
            [e] if is_restart_of(e, current) => current = d.answer_started(t),
            [Effect::Exit { reason }] => {
                assert_eq!(*reason, ExitReason::Shutdown);
                return false;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(d.sup.view().is_alive());
    true
}

#[test]
fn intensity_uses_whole_second_stamps_and_an_inclusive_window() {
    // Scenario 32 (R=1, P=1).
    assert!(!survives(1, 1, &[20, 1950]), "stamps 0 and 1");
    assert!(survives(1, 1, &[20, 2050]), "stamps 0 and 2");
    assert!(survives(1, 1, &[950, 2020]), "1.07 s apart, stamps 0 and 2");
    // Scenarios 33, 34.
    assert!(!survives(2, 2, &[20, 1020, 2020]));
    assert!(survives(2, 2, &[20, 1020, 3020]));
    assert!(!survives(3, 5, &[20, 120, 220, 5950]));
    assert!(survives(3, 5, &[20, 120, 220, 6050]));
    // Scenario 35.
    assert!(survives(1, 1, &[0, 2100, 4200, 6300]));
}

#[test]
fn restart_events_carry_the_whole_second_stamp() {
    let mut d = Driver::restarts(10);
    let c = d.start(0, worker("a"));
    d.events();
    d.crash(1950, c, boom());
    let events = d.events();
    assert!(events.contains(&Event::RestartCounted { pid: c, second: 1 }));
}

#[test]
fn intensity_window_is_shared_by_all_children() {
    // Scenario 31: R=1, one crash of A then one of B.
    let mut d = Driver::restarts(1);
    let a = d.start(0, worker("a"));
    let b = d.start(0, worker("b"));
    d.crash(0, a, boom());
    let a2 = d.restarted(0, a);
    d.crash(10, b, boom());
    assert_eq!(d.drain(), vec![Effect::Shutdown { pid: a2 }]);
    d.crash(10, a2, ExitReason::Shutdown);
    let exit = Effect::Exit {
        reason: ExitReason::Shutdown,
    };
    assert_eq!(d.drain(), vec![exit]);
}

#[test]
fn zero_max_restarts_shuts_down_at_the_first_restart() {
    // Scenario 29: even a permanent child exiting normal.
    let mut d = Driver::restarts(0);
    let c = d.start(0, worker("a"));
    d.crash(10, c, ExitReason::Normal);
    let exit = Effect::Exit {
        reason: ExitReason::Shutdown,
    };
    assert_eq!(d.drain(), vec![exit], "no start attempt");
    assert!(d.events().contains(&Event::IntensityExceeded));
    assert_eq!(d.sup.view().exit_reason(), Some(&ExitReason::Shutdown));
}

#[test]
fn exceeding_intensity_terminates_the_others_and_skips_restarting_entries() {
    let mut d = Driver::restarts(1);
    let a = d.start(0, worker("a"));
    let timed = d.start(0, worker("t").shutdown(Shutdown::millis(1000)));
    let r = d.start(0, worker("r"));
    let brutal = d.start(0, worker("k").shutdown(Shutdown::BrutalKill));
    let inf = d.start(0, worker("i").shutdown(Shutdown::Infinity));
    // r crashes and its restart fails (restart 1 of 1); meanwhile a's exit was queued ahead
    // of r's retry, and it is restart 2: intensity exceeded.
    d.crash(10, r, boom());
    d.expect_restart(r);
    d.crash(10, a, boom());
    d.answer(10, StartOutcome::Failed(boom()));
    let signals = vec![
        Effect::Shutdown { pid: timed },
        Effect::Kill { pid: brutal },
        Effect::Shutdown { pid: inf },
    ];
    assert_eq!(d.drain(), signals);
    assert!(d.events().contains(&Event::IntensityExceeded));
    assert!(d.sup.view().entries().all(|e| e.pid != a), "a is removed");
    d.crash(20, timed, ExitReason::Shutdown);
    d.crash(20, brutal, ExitReason::Killed);
    d.crash(20, inf, ExitReason::Shutdown);
    let exit = Effect::Exit {
        reason: ExitReason::Shutdown,
    };
    assert_eq!(d.drain(), vec![exit]);
    assert_eq!(d.sup.view().exit_reason(), Some(&ExitReason::Shutdown));
}

// ----- §7 which_children and count_children ------------------------------------------------

#[test]
fn which_children_lists_in_creation_order() {
    let mut d = Driver::new(Options::default());
    let a = d.start(0, worker("a"));
    let b = d.start(0, worker("b").modules(Modules::Dynamic));
    let c = d.start(0, worker("c"));
    let dynamic = ChildInfo {
        modules: Modules::Dynamic,
        ..row(Some(b))
    };
    assert_eq!(d.listed(0), vec![row(Some(a)), dynamic, row(Some(c))]);
}

#[test]
fn restarted_child_moves_to_the_end_and_restarting_entry_keeps_its_place() {
    let mut d = Driver::restarts(100);
    let a = d.start(0, worker("a"));
    let b = d.start(0, worker("b"));
    let c = d.start(0, worker("c"));
    d.crash(10, a, boom());
    let a2 = d.restarted(10, a);
    assert_eq!(
        d.listed(10),
        vec![row(Some(b)), row(Some(c)), row(Some(a2))]
    );
    d.crash(20, b, boom());
    d.expect_restart(b);
    let which = d.which(20);
    d.answer(20, StartOutcome::Failed(boom()));
    let effects = d.drain();
    let listing = vec![row(None), row(Some(c)), row(Some(a2))];
    assert_eq!(effects[0], reply(which, Reply::WhichChildren(listing)));
    assert!(is_restart_of(&effects[1], b));
    let b2 = d.answer_started(20);
    assert_eq!(
        d.listed(20),
        vec![row(Some(c)), row(Some(a2)), row(Some(b2))]
    );
}

#[test]
fn count_children_counts_types_and_states() {
    let mut d = Driver::restarts(100);
    let w = d.start(0, worker("w"));
    let s = d.start(0, worker("s").child_type(ChildType::Supervisor));
    let r = d.start(0, worker("r"));
    assert_eq!(d.counted(0), counts(3, 3, 1, 2));
    let sup_row = ChildInfo {
        child_type: ChildType::Supervisor,
        ..row(Some(s))
    };
    assert_eq!(d.listed(0)[..2], [row(Some(w)), sup_row]);
    // A restarting entry counts in specs and workers, not in active.
    d.crash(10, r, boom());
    d.restart_fails(10, r);
    d.expect_restart(r);
    assert_eq!(d.sup.view().counts(), counts(3, 2, 1, 2));
    d.answer_started(10);
    assert_eq!(d.counted(10), counts(3, 3, 1, 2));
}

#[test]
fn supervisor_children_default_to_infinity_shutdown() {
    let mut d = Driver::new(Options::default());
    let s = d.start(0, worker("s").child_type(ChildType::Supervisor));
    let call = d.terminate(0, s);
    assert_eq!(d.drain(), vec![Effect::Shutdown { pid: s }]);
    assert_eq!(d.sup.poll_timeout(), None, "no kill timer");
    d.crash(60_000, s, ExitReason::Shutdown);
    assert_eq!(d.drain(), vec![reply(call, Reply::TerminateChild(Ok(())))]);
}

// ----- §8 termination protocol -------------------------------------------------------------

#[test]
fn stop_signals_every_child_in_one_pass_before_waiting() {
    let mut d = Driver::new(Options::default());
    let a = d.start(0, worker("a").shutdown(Shutdown::millis(100)));
    let b = d.start(0, worker("b").shutdown(Shutdown::BrutalKill));
    let c = d.start(0, worker("c").shutdown(Shutdown::Infinity));
    let e = d.start(0, worker("e").shutdown(Shutdown::millis(100)));
    let call = d.stop(0, ExitReason::Shutdown);
    let signals = vec![
        Effect::Shutdown { pid: a },
        Effect::Kill { pid: b },
        Effect::Shutdown { pid: c },
        Effect::Shutdown { pid: e },
    ];
    assert_eq!(d.drain(), signals);
    assert!(d.sup.view().is_blocked());
    for (pid, reason) in [(c, ExitReason::Shutdown), (b, ExitReason::Killed)] {
        d.crash(10, pid, reason);
        assert_eq!(d.drain(), vec![], "still waiting");
    }
    d.crash(10, a, ExitReason::Shutdown);
    assert_eq!(d.drain(), vec![]);
    d.crash(10, e, ExitReason::ShutdownWith("oops".into()));
    let exit = Effect::Exit {
        reason: ExitReason::Shutdown,
    };
    assert_eq!(d.drain(), vec![reply(call, Reply::Stopped), exit]);
    assert_eq!(
        d.events().last(),
        Some(&Event::SupervisorDown {
            reason: ExitReason::Shutdown
        })
    );
}

#[test]
fn one_kill_timer_per_distinct_timeout() {
    let mut d = Driver::new(Options::default());
    let slow = d.start(0, worker("a").shutdown(Shutdown::millis(1000)));
    let b = d.start(0, worker("b").shutdown(Shutdown::millis(500)));
    let c = d.start(0, worker("c").shutdown(Shutdown::millis(500)));
    let stop = d.stop(100, ExitReason::Shutdown);
    assert_eq!(d.drain().len(), 3);
    assert_eq!(d.sup.poll_timeout(), Some(at(600)));
    d.sup.handle_timeout(at(600)).unwrap();
    let kills = vec![Effect::Kill { pid: b }, Effect::Kill { pid: c }];
    assert_eq!(d.drain(), kills, "only the 500 ms group");
    assert_eq!(d.sup.poll_timeout(), Some(at(1100)));
    d.crash(600, b, ExitReason::Killed);
    d.crash(600, c, ExitReason::Killed);
    let events = d.events();
    for pid in [b, c] {
        let error = Event::ShutdownError {
            pid,
            reason: ExitReason::Killed,
        };
        assert!(events.contains(&error));
    }
    d.sup.handle_timeout(at(1100)).unwrap();
    assert_eq!(d.drain(), vec![Effect::Kill { pid: slow }]);
    d.crash(1100, slow, ExitReason::Killed);
    assert_eq!(
        d.drain(),
        vec![
            reply(stop, Reply::Stopped),
            Effect::Exit {
                reason: ExitReason::Shutdown
            }
        ]
    );
    assert_eq!(d.sup.poll_timeout(), None);
}

#[test]
fn handle_timeout_is_idempotent_and_does_nothing_early() {
    let mut d = Driver::new(Options::default());
    let c = d.start(0, worker("a").shutdown(Shutdown::millis(200)));
    let call = d.terminate(50, c);
    assert_eq!(d.drain(), vec![Effect::Shutdown { pid: c }]);
    assert_eq!(d.sup.poll_timeout(), Some(at(250)));
    d.sup.handle_timeout(at(249)).unwrap();
    assert_eq!(d.drain(), vec![], "early");
    d.sup.handle_timeout(at(250)).unwrap();
    assert_eq!(d.drain(), vec![Effect::Kill { pid: c }]);
    d.sup.handle_timeout(at(250)).unwrap();
    d.sup.handle_timeout(at(400)).unwrap();
    assert_eq!(d.drain(), vec![], "twice");
    d.crash(400, c, ExitReason::Killed);
    assert_eq!(d.drain(), vec![reply(call, Reply::TerminateChild(Ok(())))]);
}

#[test]
fn infinity_children_are_never_killed_by_a_timer() {
    let mut d = Driver::new(Options::default());
    let inf = d.start(0, worker("i").shutdown(Shutdown::Infinity));
    let timed = d.start(0, worker("t").shutdown(Shutdown::millis(10)));
    d.stop(0, ExitReason::Shutdown);
    d.drain();
    d.sup.handle_timeout(at(10)).unwrap();
    assert_eq!(d.drain(), vec![Effect::Kill { pid: timed }]);
    d.crash(10, timed, ExitReason::Killed);
    d.sup.handle_timeout(at(u64::MAX)).unwrap();
    assert_eq!(d.drain(), vec![]);
    assert!(d.sup.view().is_blocked(), "waits for {inf} forever");
    d.crash(u64::MAX, inf, ExitReason::Shutdown);
    let exit = Effect::Exit {
        reason: ExitReason::Shutdown,
    };
    assert_eq!(d.drain()[1..], [exit]);
}

#[test]
fn brutal_kill_children_get_kill() {
    let mut d = Driver::new(Options::default());
    let c = d.start(0, worker("a").shutdown(Shutdown::BrutalKill));
    let call = d.terminate(0, c);
    assert_eq!(d.drain(), vec![Effect::Kill { pid: c }]);
    assert_eq!(d.sup.poll_timeout(), None);
    d.events();
    d.crash(0, c, ExitReason::Killed);
    assert_eq!(d.drain(), vec![reply(call, Reply::TerminateChild(Ok(())))]);
    assert_eq!(d.events(), vec![Event::ChildTerminated { pid: c }]);
}

#[test]
fn nothing_else_is_served_during_a_termination() {
    let mut d = Driver::new(Options::default());
    let slow = d.start(0, worker("s").shutdown(Shutdown::Infinity));
    let other = d.start(0, worker("o"));
    let term = d.terminate(0, slow);
    assert_eq!(d.drain(), vec![Effect::Shutdown { pid: slow }]);
    let count = d.count(10);
    let start = d.request_start(10, worker("n"));
    d.crash(10, other, boom());
    assert_eq!(d.drain(), vec![], "all queued");
    assert_eq!(d.sup.view().mailbox_len(), 3);
    d.crash(300, slow, ExitReason::Shutdown);
    // FIFO: the reply, then the count (other's exit still unprocessed), then the start.
    let effects = d.drain();
    assert_eq!(effects[0], reply(term, Reply::TerminateChild(Ok(()))));
    assert_eq!(
        effects[1],
        reply(count, Reply::CountChildren(counts(1, 1, 0, 1)))
    );
    assert!(matches!(
        effects[2..],
        [Effect::Start {
            restart_of: None,
            ..
        }]
    ));
    let n = d.answer_started(300);
    let effects = d.drain();
    assert_eq!(effects[0], started(start, n));
    assert!(matches!(&effects[1..], [e] if is_restart_of(e, other)));
}

/// Two children, then a start the supervisor blocks in, a `stop` and the crash of one child
/// (the first started when `gone_first`) queued behind it: the stop's pass will find that
/// child's exit in the mailbox. Returns the driver, the gone child, the other one, the blocked
/// start's call and the stop's.
fn stop_queued_with_an_exit(gone_first: bool) -> (Driver, Pid, Pid, CallId, CallId) {
    let mut d = Driver::new(Options::default());
    let first = d.start(0, worker("x"));
    let second = d.start(0, worker("y"));
    let (gone, other) = if gone_first {
        (first, second)
    } else {
        (second, first)
    };
    let blocker = d.request_start(10, worker("b"));
    d.drain();
    let stop = d.stop(10, ExitReason::Normal);
    d.crash(10, gone, boom());
    (d, gone, other, blocker, stop)
}

#[test]
fn a_queued_exit_of_a_child_being_terminated_is_consumed() {
    let (mut d, c, other, blocker, stop) = stop_queued_with_an_exit(true);
    let b = d.answer_started(20);
    let signals = vec![
        started(blocker, b),
        Effect::Shutdown { pid: other },
        Effect::Shutdown { pid: b },
    ];
    assert_eq!(d.drain(), signals, "c is not signalled, nor restarted");
    // c's exit was taken before any signal: no child got a head start.
    assert!(!d.sup.view().shutdown_head_start(other));
    assert!(!d.sup.view().shutdown_head_start(b));
    assert_eq!(d.sup.view().restarts_in_window(), 0);
    assert!(d.events().contains(&Event::ShutdownError {
        pid: c,
        reason: boom()
    }));
    d.crash(30, other, ExitReason::Shutdown);
    d.crash(30, b, ExitReason::Shutdown);
    let exit = Effect::Exit {
        reason: ExitReason::Normal,
    };
    assert_eq!(d.drain(), vec![reply(stop, Reply::Stopped), exit]);
}

#[test]
fn only_children_signalled_before_a_queued_exit_is_taken_get_a_head_start() {
    let (mut d, c, a, blocker, _) = stop_queued_with_an_exit(false);
    assert!(!d.sup.view().shutdown_head_start(a), "no termination yet");
    let b = d.answer_started(20);
    let signals = vec![
        started(blocker, b),
        Effect::Shutdown { pid: a },
        Effect::Shutdown { pid: b },
    ];
    assert_eq!(d.drain(), signals);
    // The pass signals a, takes c's queued exit, then signals b.
    assert!(d.sup.view().shutdown_head_start(a));
    assert!(!d.sup.view().shutdown_head_start(b));
    assert!(
        !d.sup.view().shutdown_head_start(c),
        "c was gone, never signalled"
    );
    // A copy carries it, also into another termination's buffers.
    assert!(d.sup.clone().view().shutdown_head_start(a));
    let mut other = Driver::new(Options::default());
    let first = other.start(0, worker("a"));
    other.stop(10, ExitReason::Normal);
    assert_eq!(first, a);
    assert!(!other.sup.view().shutdown_head_start(a));
    other.sup.clone_from(&d.sup);
    assert!(other.sup.view().shutdown_head_start(a));
    // Renamed with the awaited children; dropped once the child is down.
    d.sup.relabel_pids(|pid| Pid(pid.0 + 100));
    let renamed = Pid(a.0 + 100);
    assert!(d.sup.view().shutdown_head_start(renamed));
    assert!(!d.sup.view().shutdown_head_start(a));
    d.sup.relabel_pids(|pid| Pid(pid.0 - 100));
    d.crash(30, a, ExitReason::Shutdown);
    assert!(!d.sup.view().shutdown_head_start(a), "a is down");
    d.crash(30, b, ExitReason::Shutdown);
    assert!(
        !d.sup.view().shutdown_head_start(a),
        "the termination is over"
    );
}

#[test]
fn no_head_start_without_a_queued_exit_after_the_signal() {
    let mut d = Driver::new(Options::default());
    let a = d.start(0, worker("a"));
    let b = d.start(0, worker("b"));
    d.stop(10, ExitReason::Normal);
    assert_eq!(
        d.drain()[..2],
        [Effect::Shutdown { pid: a }, Effect::Shutdown { pid: b }]
    );
    assert!(!d.sup.view().shutdown_head_start(a));
    assert!(!d.sup.view().shutdown_head_start(b));
}

#[test]
fn termination_skips_restarting_entries() {
    let mut d = Driver::restarts(100);
    let a = d.start(0, worker("a"));
    let r = d.start(0, worker("r"));
    d.crash(10, r, boom());
    d.expect_restart(r);
    let stop = d.stop(10, ExitReason::Normal);
    d.answer(10, StartOutcome::Failed(boom()));
    assert_eq!(d.drain(), vec![Effect::Shutdown { pid: a }]);
    d.crash(20, a, ExitReason::Shutdown);
    let exit = Effect::Exit {
        reason: ExitReason::Normal,
    };
    assert_eq!(d.drain(), vec![reply(stop, Reply::Stopped), exit]);
    assert!(!d.log.iter().any(|e| matches!(e, Effect::Kill { .. })));
}

#[test]
fn stop_replies_stopped_and_exits_with_its_reason() {
    let mut d = Driver::new(Options::default());
    let c = d.start(0, worker("a"));
    let call = d.stop(0, ExitReason::other("bye"));
    assert_eq!(d.drain(), vec![Effect::Shutdown { pid: c }]);
    d.crash(5, c, ExitReason::Shutdown);
    let exit = Effect::Exit {
        reason: ExitReason::other("bye"),
    };
    assert_eq!(d.drain(), vec![reply(call, Reply::Stopped), exit]);
    assert!(!d.sup.view().is_alive());
    assert_eq!(d.sup.view().exit_reason(), Some(&ExitReason::other("bye")));
    assert_eq!(d.sup.view().counts(), counts(0, 0, 0, 0));
}

#[test]
fn parent_exit_normal_exits_normal_after_terminating_children() {
    let mut d = Driver::new(Options::default());
    let c = d.start(0, worker("a"));
    d.sup.handle_parent_exit(at(0), ExitReason::Normal).unwrap();
    assert_eq!(d.drain(), vec![Effect::Shutdown { pid: c }]);
    assert!(d.sup.view().is_alive(), "still waiting for {c}");
    d.crash(5, c, ExitReason::Shutdown);
    let exit = Effect::Exit {
        reason: ExitReason::Normal,
    };
    assert_eq!(d.drain(), vec![exit]);
    assert_eq!(d.sup.view().exit_reason(), Some(&ExitReason::Normal));
}

#[test]
fn calls_after_down_get_noproc() {
    let mut d = Driver::new(Options::default());
    let c = d.start(0, worker("a"));
    d.stop(0, ExitReason::Normal);
    d.drain();
    d.crash(0, c, ExitReason::Shutdown);
    d.drain();
    let calls = [
        d.request_start(10, worker("b")),
        d.terminate(10, c),
        d.which(10),
        d.count(10),
        d.stop(10, ExitReason::Normal),
    ];
    let noprocs: Vec<Eff> = calls.iter().map(|&c| reply(c, Reply::NoProc)).collect();
    assert_eq!(d.drain(), noprocs);
    d.crash(10, c, boom());
    d.sup
        .handle_parent_exit(at(10), ExitReason::Shutdown)
        .unwrap();
    assert_eq!(d.drain(), vec![]);
    assert_eq!(d.sup.view().exit_reason(), Some(&ExitReason::Normal));
}

#[test]
fn calls_queued_when_the_supervisor_goes_down_get_noproc() {
    let mut d = Driver::new(Options::default());
    let c = d.start(0, worker("a").shutdown(Shutdown::Infinity));
    let stop = d.stop(0, ExitReason::Normal);
    d.drain();
    let count = d.count(10);
    let start = d.request_start(10, worker("b"));
    d.crash(20, c, ExitReason::Shutdown);
    let expected = vec![
        reply(stop, Reply::Stopped),
        Effect::Exit {
            reason: ExitReason::Normal,
        },
        reply(count, Reply::NoProc),
        reply(start, Reply::NoProc),
    ];
    assert_eq!(d.drain(), expected);
    assert_eq!(d.sup.view().mailbox_len(), 0);
}

// ----- driver misuse -----------------------------------------------------------------------

#[test]
fn start_result_without_a_pending_start_is_a_driver_error() {
    let mut d = Driver::new(Options::default());
    let outcome = StartOutcome::Started {
        pid: Pid(1),
        info: None,
    };
    let err = d.sup.handle_start_result(at(0), outcome.clone());
    assert_eq!(err, Err(DriverError::NoStartPending));
    d.start(0, worker("a"));
    let err = d.sup.handle_start_result(at(0), StartOutcome::Ignore);
    assert_eq!(err, Err(DriverError::NoStartPending));
    assert_eq!(d.drain(), vec![]);
    assert_eq!(d.counted(0), counts(1, 1, 0, 1));
}

#[test]
fn reused_pid_is_a_driver_error_and_changes_nothing() {
    let mut d = Driver::restarts(10);
    let a = d.start(0, worker("a"));
    let b = d.start(0, worker("b"));
    let call = d.request_start(0, worker("c"));
    d.drain();
    let before = format!("{:?}", d.sup);
    let reused = StartOutcome::Started { pid: a, info: None };
    let err = d.sup.handle_start_result(at(0), reused);
    assert_eq!(err, Err(DriverError::PidInUse(a)));
    assert_eq!(format!("{:?}", d.sup), before);
    assert_eq!(d.drain(), vec![]);
    let c = d.answer_started(0);
    assert_eq!(d.drain(), vec![started(call, c)]);
    // A restart may not reuse the old pid either (it is still the entry's key).
    d.crash(10, b, boom());
    d.expect_restart(b);
    let before = format!("{:?}", d.sup);
    let reused = StartOutcome::Started { pid: b, info: None };
    let err = d.sup.handle_start_result(at(10), reused);
    assert_eq!(err, Err(DriverError::PidInUse(b)));
    assert_eq!(format!("{:?}", d.sup), before);
}

// ----- determinism -------------------------------------------------------------------------

/// A fixed input sequence touching starts, failures, retries, races and a timed termination.
fn scripted_run() -> (Vec<Eff>, Vec<Event>) {
    let mut d = Driver::new(
        Options::default()
            .max_restarts(5)
            .max_children(MaxChildren::Limit(4))
            .extra_arguments(vec![9]),
    );
    let a = d.start(0, ChildSpec::new("a", vec![1]));
    let b = d.start(0, worker("b").restart(Restart::Transient));
    let t = d.start(0, worker("t").shutdown(Shutdown::millis(300)));
    d.crash(100, a, boom());
    d.restart_fails(100, a);
    d.count(100);
    d.crash(100, b, ExitReason::Killed);
    d.answer(150, StartOutcome::Ignore);
    d.drain();
    d.answer_started(200);
    d.terminate(300, t);
    d.request_start(300, worker("x"));
    d.sup.handle_timeout(at(600)).unwrap();
    d.crash(600, t, ExitReason::Killed);
    d.drain();
    d.answer_started(700);
    d.stop(800, ExitReason::Shutdown);
    for pid in d.sup.view().running_pids() {
        d.crash(900, pid, ExitReason::Shutdown);
    }
    d.drain();
    let events = d.events();
    (d.log, events)
}

#[test]
fn same_inputs_give_the_same_outputs() {
    let (effects, events) = scripted_run();
    assert!(effects.len() > 15 && events.len() > 10);
    assert!(matches!(effects.last(), Some(Effect::Exit { .. })));
    assert_eq!(scripted_run(), (effects, events));
}

// ----- time never goes backwards ----------------------------------------------------------

/// A named call or input, applied to a supervisor.
type Input = (
    &'static str,
    Box<dyn Fn(&mut DynamicSupervisor<&'static str, u32>) -> Result<(), DriverError>>,
);

/// Every call and input, at `now`, against a supervisor; `pid` names a running child.
fn every_input(now: Instant, pid: Pid) -> Vec<Input> {
    vec![
        (
            "start_child",
            Box::new(move |sup| sup.start_child(now, CallId(900), worker("x").validate().unwrap())),
        ),
        (
            "terminate_child",
            Box::new(move |sup| sup.terminate_child(now, CallId(901), pid)),
        ),
        (
            "which_children",
            Box::new(move |sup| sup.which_children(now, CallId(902))),
        ),
        (
            "count_children",
            Box::new(move |sup| sup.count_children(now, CallId(903))),
        ),
        (
            "stop",
            Box::new(move |sup| sup.stop(now, CallId(904), ExitReason::Shutdown)),
        ),
        (
            "handle_start_result",
            Box::new(move |sup| {
                let outcome = StartOutcome::Started {
                    pid: Pid(500),
                    info: None,
                };
                sup.handle_start_result(now, outcome)
            }),
        ),
        (
            "handle_child_exit",
            Box::new(move |sup| sup.handle_child_exit(now, pid, boom())),
        ),
        (
            "handle_parent_exit",
            Box::new(move |sup| sup.handle_parent_exit(now, ExitReason::Shutdown)),
        ),
        (
            "handle_timeout",
            Box::new(move |sup| sup.handle_timeout(now)),
        ),
    ]
}

/// Supervisors in different phases, each last given `now` = 100 ms, with `pid` running.
fn at_100ms() -> Vec<(&'static str, Driver, Pid)> {
    // Ready, with a child and nothing pending.
    let mut ready = Driver::new(Options::default());
    let pid = ready.start(100, worker("a"));
    // Blocked in a start function, with a call queued behind it.
    let mut starting = Driver::new(Options::default());
    let running = starting.start(0, worker("a"));
    starting.request_start(50, worker("b"));
    starting.count(100);
    starting.drain();
    // Blocked in a termination with a kill timer.
    let mut terminating = Driver::new(Options::default());
    let child = terminating.start(0, worker("a").shutdown(Shutdown::millis(500)));
    terminating.terminate(100, child);
    terminating.drain();
    vec![
        ("ready", ready, pid),
        ("starting", starting, running),
        ("terminating", terminating, child),
    ]
}

#[test]
fn every_input_with_an_earlier_time_is_refused_and_changes_nothing() {
    for (phase, _, _) in at_100ms() {
        for index in 0..every_input(at(0), Pid(0)).len() {
            let (_, mut d, pid) = at_100ms().into_iter().find(|s| s.0 == phase).unwrap();
            let (name, input) = every_input(at(99), pid).swap_remove(index);
            d.events();
            let before = format!("{:?}", d.sup);
            let (counts_before, mailbox_before) =
                (d.sup.view().counts(), d.sup.view().mailbox_len());
            let err = input(&mut d.sup);
            assert_eq!(
                err,
                Err(DriverError::TimeWentBackwards {
                    now: at(99),
                    latest: at(100)
                }),
                "{phase}: {name}"
            );
            assert_eq!(
                format!("{:?}", d.sup),
                before,
                "{phase}: {name} changed the state"
            );
            assert_eq!(d.sup.view().counts(), counts_before, "{phase}: {name}");
            assert_eq!(
                d.sup.view().mailbox_len(),
                mailbox_before,
                "{phase}: {name}"
            );
            assert_eq!(d.sup.view().latest_time(), at(100), "{phase}: {name}");
            assert_eq!(d.drain(), vec![], "{phase}: {name} produced effects");
            assert_eq!(d.events(), vec![], "{phase}: {name} produced events");
        }
    }
}

#[test]
fn every_input_at_the_latest_time_is_accepted() {
    for (phase, _, _) in at_100ms() {
        for index in 0..every_input(at(0), Pid(0)).len() {
            let (_, mut d, pid) = at_100ms().into_iter().find(|s| s.0 == phase).unwrap();
            let (name, input) = every_input(at(100), pid).swap_remove(index);
            let result = input(&mut d.sup);
            // Only a start result may be refused, and then for its own protocol reasons.
            if name == "handle_start_result" && phase != "starting" {
                assert_eq!(result, Err(DriverError::NoStartPending), "{phase}: {name}");
            } else {
                assert_eq!(result, Ok(()), "{phase}: {name}");
            }
            assert_eq!(d.sup.view().latest_time(), at(100), "{phase}: {name}");
        }
    }
}

#[test]
fn a_later_time_becomes_the_latest_and_the_error_reads_well() {
    let mut d = Driver::new(Options::default());
    assert_eq!(d.sup.view().latest_time(), Instant::ZERO);
    d.count(7);
    assert_eq!(d.sup.view().latest_time(), at(7));
    let err = d.sup.handle_timeout(at(3)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "time went backwards: now is 3 ms but the latest instant given was 7 ms"
    );
    // A refused start result leaves the time alone too.
    let outcome = StartOutcome::Ignore;
    assert_eq!(
        d.sup.handle_start_result(at(9), outcome),
        Err(DriverError::NoStartPending)
    );
    assert_eq!(d.sup.view().latest_time(), at(7));
}

// ----- the which_children order -------------------------------------------------------------

fn listed_pids(d: &mut Driver, now: u64) -> Vec<Option<Pid>> {
    let call = d.which(now);
    let Some(Effect::Reply {
        call: answered,
        reply: Reply::WhichChildren(rows),
    }) = d.drain().pop()
    else {
        panic!("expected a which_children reply")
    };
    assert_eq!(answered, call);
    let pids: Vec<Option<Pid>> = rows.iter().map(|row| row.pid).collect();
    let viewed: Vec<Option<Pid>> = d
        .sup
        .view()
        .which_children()
        .iter()
        .map(|r| r.pid)
        .collect();
    assert_eq!(pids, viewed, "the view lists as the reply does");
    pids
}

#[test]
fn which_children_with_increasing_pids_is_creation_order_and_a_restart_moves_to_the_end() {
    let mut d = Driver::new(Options::default());
    let a = d.start(0, worker("a"));
    let b = d.start(0, worker("b"));
    let c = d.start(0, worker("c"));
    assert_eq!(listed_pids(&mut d, 0), vec![Some(a), Some(b), Some(c)]);
    d.crash(10, a, boom());
    d.drain();
    let a2 = d.answer_started(10);
    d.drain();
    assert!(a2 > c);
    assert_eq!(listed_pids(&mut d, 10), vec![Some(b), Some(c), Some(a2)]);
    assert_eq!(d.sup.view().running_pids(), vec![b, c, a2]);
}

#[test]
fn which_children_is_ascending_pid_whatever_the_start_order() {
    let mut d = Driver::new(Options::default());
    for pid in [Pid(10), Pid(3), Pid(7)] {
        let call = d.request_start(0, worker("w"));
        d.drain();
        d.answer(0, StartOutcome::Started { pid, info: None });
        assert_eq!(d.drain(), vec![started(call, pid)]);
    }
    assert_eq!(
        listed_pids(&mut d, 0),
        vec![Some(Pid(3)), Some(Pid(7)), Some(Pid(10))]
    );
    let entries: Vec<Pid> = d.sup.view().entries().map(|e| e.pid).collect();
    assert_eq!(entries, vec![Pid(3), Pid(7), Pid(10)]);
    // A restart of 10 as 5 puts it between 3 and 7.
    d.crash(1, Pid(10), boom());
    d.drain();
    d.answer(
        1,
        StartOutcome::Started {
            pid: Pid(5),
            info: None,
        },
    );
    d.drain();
    assert_eq!(
        listed_pids(&mut d, 1),
        vec![Some(Pid(3)), Some(Pid(5)), Some(Pid(7))]
    );
}

// ----- the view -----------------------------------------------------------------------------

#[test]
fn the_view_finds_one_entry_by_pid_and_shows_the_options() {
    let mut d = Driver::new(Options::default().max_restarts(7));
    let a = d.start(0, worker("a").restart(Restart::Transient));
    let view = d.sup.view();
    let entry = view.entry(a).expect("a is in the table");
    assert_eq!((entry.pid, entry.state), (a, crate::EntryState::Running));
    assert_eq!(entry.spec.restart(), Restart::Transient);
    assert!(view.entry(Pid(a.0 + 100)).is_none());
    assert_eq!(view.config().max_restarts(), 7);
    let shown = format!("{view:?}");
    assert!(shown.starts_with("SupervisorView"), "{shown}");
}

// ----- fingerprints and pid relabelling (for model checkers) ------------------------------

fn fingerprint(sup: &DynamicSupervisor<&'static str, u32>) -> u64 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut hasher = DefaultHasher::new();
    sup.hash(&mut hasher);
    hasher.finish()
}

/// The pids the state refers to; `refers_to` must agree on each pid up to two past the last.
fn referenced(sup: &DynamicSupervisor<&'static str, u32>) -> Vec<Pid> {
    let mut pids = std::collections::BTreeSet::new();
    sup.referenced_pids(&mut pids);
    let top = pids.last().map_or(0, |pid| pid.0) + 2;
    for candidate in (0..=top).map(Pid) {
        assert_eq!(
            sup.refers_to(candidate),
            pids.contains(&candidate),
            "{candidate:?}"
        );
    }
    pids.into_iter().collect()
}

/// A driver whose next fresh pid is `first`.
fn driver_from_pid(first: u64) -> Driver {
    let mut d = Driver::restarts(3);
    d.next_pid = first - 1;
    d
}

#[test]
fn the_fingerprint_tells_apart_output_counts_and_restart_logs() {
    // Replies waiting to be polled, from none to 69.
    let mut d = Driver::restarts(3);
    let mut prints = std::collections::BTreeSet::new();
    for _ in 0..70 {
        prints.insert(fingerprint(&d.sup));
        d.count(0);
    }
    assert_eq!(prints.len(), 70);
    // 64 replies and no report, against no reply and one report: equal if a hash packed
    // the count of replies into six bits, next to the count of reports.
    let mut replies = Driver::restarts(3);
    replies.start(0, worker("a"));
    replies.events();
    for _ in 0..64 {
        replies.count(0);
    }
    let mut report = Driver::restarts(3);
    report.start(0, worker("a"));
    assert_ne!(fingerprint(&replies.sup), fingerprint(&report.sup));
    // Restart logs that differ only in their seconds (some beyond 40 bits) or counts: each
    // supervisor ends at the same instant with the same children and nothing to poll.
    let far = 1u64 << 41;
    let logs: [&[u64]; 8] = [
        &[far],
        &[far + 1],
        &[far, far],
        &[far, far + 1],
        &[5],
        &[5, 5],
        // Equal if a second beyond 40 bits were packed with its count all the same.
        &[0],
        &[1 << 40],
    ];
    let end = (far + 10) * 1000;
    let mut prints = std::collections::BTreeSet::new();
    for seconds in logs {
        let mut d = Driver::new(Options::default().max_restarts(100).max_seconds(3600));
        let mut pid = d.start(0, worker("a"));
        for &second in seconds {
            d.crash(second * 1000, pid, boom());
            pid = d.restarted(second * 1000, pid);
        }
        d.counted(end);
        d.events();
        prints.insert(fingerprint(&d.sup));
    }
    assert_eq!(prints.len(), logs.len());
}

#[test]
fn the_fingerprint_tells_children_apart_and_ignores_the_table_layout() {
    // The same child under two different pids: only the children differ.
    let mut one = driver_from_pid(1);
    one.start(0, worker("a"));
    let mut two = driver_from_pid(2);
    two.start(0, worker("a"));
    assert_ne!(fingerprint(&one.sup), fingerprint(&two.sup));

    // The same entries, one table with a terminated child's slot left behind.
    let mut left = driver_from_pid(1);
    let gone = left.start(0, worker("x").shutdown(Shutdown::BrutalKill));
    let kept = left.start(0, worker("a"));
    left.terminate(0, gone);
    left.drain();
    left.crash(0, gone, ExitReason::Killed);
    left.drain();
    assert_eq!(left.counted(0).specs, 1);
    let mut right = driver_from_pid(kept.0);
    right.start(0, worker("a"));
    right.counted(0);
    left.events();
    right.events();
    assert_eq!(fingerprint(&left.sup), fingerprint(&right.sup));
}

#[test]
fn relabelling_renames_every_referenced_pid_and_keeps_the_behaviour() {
    let mut d = driver_from_pid(3);
    let a = d.start(0, worker("a"));
    let b = d.start(0, worker("b").shutdown(Shutdown::millis(300)));
    // Blocked terminating `b`, with `a`'s exit waiting in the mailbox.
    d.terminate(10, b);
    d.drain();
    d.crash(10, a, boom());
    // A call naming a pid that is no child waits in the mailbox too.
    let stranger = Pid(99);
    d.terminate(10, stranger);
    assert_eq!(referenced(&d.sup), vec![a, b, stranger]);

    d.sup.relabel_pids(|pid| Pid(pid.0 + 10));
    let (a2, b2) = (Pid(a.0 + 10), Pid(b.0 + 10));
    assert_eq!(referenced(&d.sup), vec![a2, b2, Pid(109)]);
    // `b` ends: the termination completes under its new pid, then `a`'s queued exit is
    // handled under its new pid (a restart of `a2`).
    d.crash(20, b2, ExitReason::Shutdown);
    let effects = d.drain();
    assert!(
        effects.iter().any(|e| is_restart_of(e, a2)),
        "expected a restart of {a2}, got {effects:?}"
    );
}

// ----- suspend and resume (docs/races.md) ----------------------------------------------------

#[test]
fn suspended_supervisor_queues_everything_and_resume_handles_it_in_order() {
    let mut d = Driver::restarts(3);
    let pid = d.start(0, worker("w"));
    assert!(d.sup.suspend());
    assert!(d.sup.view().is_suspended());
    d.crash(100, pid, boom());
    let which = d.which(100);
    let count = d.count(100);
    assert_eq!(d.drain(), vec![], "nothing is handled while suspended");
    assert_eq!(d.sup.view().mailbox_len(), 3);
    assert_eq!(d.sup.resume(at(100)), Ok(true));
    assert!(!d.sup.view().is_suspended());
    // The exit first: its restart fails, and the retry waits behind the two calls.
    d.restart_fails(100, pid);
    let effects = d.drain();
    assert_eq!(
        effects[..2],
        [
            reply(which, Reply::WhichChildren(vec![row(None)])),
            reply(count, Reply::CountChildren(counts(1, 0, 0, 1))),
        ]
    );
    assert!(matches!(effects.as_slice(), [_, _, e] if is_restart_of(e, pid)));
    d.answer_started(100);
    assert_eq!(d.counted(100), counts(1, 1, 0, 1));
}

#[test]
fn suspended_supervisor_takes_its_parents_exit_at_once_and_drops_its_mailbox() {
    let mut d = Driver::restarts(3);
    let first = d.start(0, worker("w"));
    let second = d.start(0, worker("w"));
    assert!(d.sup.suspend());
    d.crash(100, first, boom());
    let count = d.count(100);
    d.sup
        .handle_parent_exit(at(100), ExitReason::Shutdown)
        .unwrap();
    // Only the live child is signalled: the queued exit of the dead one is consumed.
    assert_eq!(d.drain(), vec![Effect::Shutdown { pid: second }]);
    d.crash(100, second, ExitReason::Shutdown);
    let effects = d.drain();
    assert!(
        effects.contains(&reply(count, Reply::NoProc)),
        "{effects:?}"
    );
    assert!(!d.sup.view().is_alive());
    assert!(
        !d.sup.suspend(),
        "a supervisor that is down cannot be suspended"
    );
    assert_eq!(d.sup.resume(at(100)), Ok(false));
}

#[test]
fn resume_refuses_time_going_backwards() {
    let mut d = Driver::restarts(3);
    d.start(50, worker("w"));
    assert!(d.sup.suspend());
    assert!(d.sup.resume(at(10)).is_err());
    assert!(d.sup.view().is_suspended(), "nothing changed");
}

#[test]
fn a_supervisor_suspended_in_the_middle_of_a_termination_queues_its_parents_exit() {
    // `:sys.suspend` takes effect between messages: a parent exit that reaches a supervisor
    // blocked in a termination waits behind it, suspended or not, and is handled on resume.
    let mut d = Driver::restarts(3);
    let pid = d.start(0, worker("w"));
    let call = d.terminate(10, pid);
    assert_eq!(d.drain(), vec![Effect::Shutdown { pid }]);
    assert!(d.sup.suspend());
    d.sup
        .handle_parent_exit(at(10), ExitReason::Shutdown)
        .unwrap();
    assert_eq!(d.drain(), vec![], "queued, not acted on");
    assert_eq!(d.sup.view().mailbox_len(), 1);
    d.crash(20, pid, ExitReason::Shutdown);
    assert_eq!(d.drain(), vec![reply(call, Reply::TerminateChild(Ok(())))]);
    assert!(
        d.sup.view().is_alive(),
        "still suspended: the parent exit waits"
    );
    assert_eq!(d.sup.resume(at(30)), Ok(true));
    assert!(!d.sup.view().is_alive());
}

#[test]
fn relabelling_functions_renames_what_a_restart_starts() {
    let mut d = driver_from_pid(1);
    let a = d.start(0, worker("a"));
    let b = d.start(0, worker("b"));
    d.sup
        .relabel_functions(|f| if *f == "a" { "renamed" } else { *f });
    d.crash(10, a, boom());
    let effects = d.drain();
    assert!(
        effects.iter().any(|e| is_restart_of(e, a)
            && matches!(
                e,
                Effect::Start {
                    function: "renamed",
                    ..
                }
            )),
        "expected a restart of {a} with the renamed function, got {effects:?}"
    );
    d.answer_started(10);
    d.crash(10, b, boom());
    let effects = d.drain();
    assert!(
        effects
            .iter()
            .any(|e| is_restart_of(e, b) && matches!(e, Effect::Start { function: "b", .. })),
        "expected a restart of {b} unchanged, got {effects:?}"
    );
}

#[test]
fn clones_carry_the_suspension() {
    let mut d = Driver::restarts(3);
    d.start(0, worker("w"));
    assert!(d.sup.suspend());
    assert!(d.sup.clone().view().is_suspended());
    let mut scratch = Driver::restarts(3).sup;
    scratch.clone_from(&d.sup);
    assert!(scratch.view().is_suspended());
    assert!(d.sup.resume(at(1)).is_ok());
    scratch.clone_from(&d.sup);
    assert!(!scratch.view().is_suspended());
}

#[test]
fn a_down_during_termination_is_a_shutdown_error_unless_it_ended_as_asked() {
    // docs/semantics.md §8 point 4, every shutdown kind × restart type × reason class.
    let shutdowns = [
        Shutdown::BrutalKill,
        Shutdown::millis(100),
        Shutdown::Infinity,
    ];
    let restarts = [Restart::Permanent, Restart::Transient, Restart::Temporary];
    let reasons = [
        ExitReason::Normal,
        ExitReason::Shutdown,
        ExitReason::ShutdownWith("detail".into()),
        ExitReason::Killed,
        boom(),
    ];
    for shutdown in shutdowns {
        for restart in restarts {
            for reason in &reasons {
                let clean = match (shutdown, reason) {
                    (Shutdown::BrutalKill, ExitReason::Killed) => true,
                    (Shutdown::BrutalKill, _) => false,
                    (_, ExitReason::Shutdown | ExitReason::ShutdownWith(_)) => true,
                    (_, ExitReason::Normal) => restart != Restart::Permanent,
                    _ => false,
                };
                let mut d = Driver::new(Options::default());
                let pid = d.start(0, worker("w").shutdown(shutdown).restart(restart));
                d.terminate(10, pid);
                d.drain();
                d.events();
                d.crash(20, pid, reason.clone());
                let error = Event::ShutdownError {
                    pid,
                    reason: reason.clone(),
                };
                assert_eq!(
                    d.events().contains(&error),
                    !clean,
                    "{shutdown:?} {restart:?} ending with {reason}"
                );
            }
        }
    }
}

#[test]
fn clone_from_copies_every_part_of_the_state() {
    fn fingerprint(sup: &DynamicSupervisor<&'static str, u32>) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        sup.hash(&mut hasher);
        hasher.finish()
    }
    // A source with children, a counted restart, a call waiting and a termination under way.
    let mut d = Driver::restarts(3);
    let a = d.start(0, worker("a"));
    d.start(0, worker("b").shutdown(Shutdown::millis(300)));
    d.crash(10, a, boom());
    d.drain();
    d.stop(20, ExitReason::Shutdown);
    d.count(30);
    // A scratch supervisor in another state altogether.
    let mut scratch = Driver::restarts(3);
    scratch.start(0, worker("z"));
    scratch.drain();
    assert_ne!(fingerprint(&scratch.sup), fingerprint(&d.sup));
    scratch.sup.clone_from(&d.sup);
    assert_eq!(fingerprint(&scratch.sup), fingerprint(&d.sup));
    assert_eq!(fingerprint(&d.sup.clone()), fingerprint(&d.sup));
    assert_eq!(scratch.sup.view().entries().count(), 2);
    assert_eq!(scratch.sup.view().restarts_in_window(), 1);
    assert_eq!(scratch.sup.poll_timeout(), d.sup.poll_timeout());
    // Both terminating (a stop of two children; a terminate_child of another, with another
    // timeout): the scratch's termination is overwritten in place.
    let mut stopping = Driver::restarts(3);
    stopping.start(0, worker("b").shutdown(Shutdown::millis(300)));
    stopping.start(0, worker("c"));
    stopping.stop(20, ExitReason::Shutdown);
    stopping.drain();
    let mut terminating = Driver::restarts(3);
    let z = terminating.start(0, worker("z").shutdown(Shutdown::millis(50)));
    terminating.terminate(5, z);
    terminating.drain();
    assert!(matches!(stopping.sup.phase, super::Phase::Terminating(_)));
    assert!(matches!(
        terminating.sup.phase,
        super::Phase::Terminating(_)
    ));
    assert_ne!(fingerprint(&terminating.sup), fingerprint(&stopping.sup));
    terminating.sup.clone_from(&stopping.sup);
    assert_eq!(fingerprint(&terminating.sup), fingerprint(&stopping.sup));
    assert_eq!(terminating.sup.poll_timeout(), stopping.sup.poll_timeout());
    // Out of a termination and into another: nothing of the first carries over, and the copy
    // goes on as its source does.
    let mut ready = Driver::restarts(3);
    ready.start(0, worker("y"));
    terminating.sup.clone_from(&ready.sup);
    assert_eq!(format!("{:?}", terminating.sup), format!("{:?}", ready.sup));
    terminating.sup.clone_from(&d.sup);
    assert_eq!(format!("{:?}", terminating.sup), format!("{:?}", d.sup));
    assert_eq!(terminating.sup.poll_timeout(), d.sup.poll_timeout());
    for sup in [&mut terminating.sup, &mut d.sup] {
        sup.handle_timeout(at(400)).unwrap();
    }
    assert_eq!(terminating.drain(), d.drain());
    assert_eq!(format!("{:?}", terminating.sup), format!("{:?}", d.sup));
}

#[test]
fn a_termination_begun_after_another_awaits_only_its_own_children() {
    // One termination ends, then another begins: nothing of the first is left in it.
    let mut d = Driver::restarts(3);
    let a = d.start(0, worker("a").shutdown(Shutdown::millis(300)));
    let b = d.start(0, worker("b").shutdown(Shutdown::millis(700)));
    d.terminate(10, a);
    assert_eq!(d.drain(), vec![Effect::Shutdown { pid: a }]);
    d.crash(20, a, ExitReason::Shutdown);
    d.drain();
    assert!(!d.sup.view().is_blocked());
    assert_eq!(d.sup.poll_timeout(), None);
    let call = d.terminate(30, b);
    assert_eq!(d.drain(), vec![Effect::Shutdown { pid: b }]);
    // Only b's timer: none left of a's.
    assert_eq!(d.sup.poll_timeout(), Some(at(730)));
    d.crash(40, b, ExitReason::Shutdown);
    assert_eq!(
        d.drain(),
        vec![Effect::Reply {
            call,
            reply: Reply::TerminateChild(Ok(())),
        }]
    );
    assert!(!d.sup.view().is_blocked());
    assert_eq!(d.sup.view().entries().count(), 0);
}
