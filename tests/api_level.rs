//! API-level conformance cases the scenario format cannot express (docs/semantics.md §2, §3, §4.3,
//! §12 A and B), checked through the simulator.

use std::cell::RefCell;
use std::rc::Rc;

use dynsup::{
    ChildSpec, ChildType, Context, ExitReason, Init, Modules, Options, Pid, Reply, Restart,
    Shutdown, SpecError, StartError, Started, SupervisorFlags, TerminateError, Worker,
};
use dynsup_sim::simulation::{Cleanup, Simulation};

/// A worker whose init outcome and shutdown are fixed (its cleanup takes `trap_ms` of virtual
/// time: see [`cleanup_of`]).
struct Fixed {
    init: Init,
    trap_ms: Option<u64>,
}

impl Worker for Fixed {
    type Message = ();
    type Call = ();
    type Reply = ();
    fn init(&mut self, _ctx: &mut Context<()>) -> Init {
        self.init.clone()
    }
    fn traps_exits(&self) -> bool {
        self.trap_ms.is_some()
    }
}

/// The simulator's cleanup time of a [`Fixed`] worker: its `trap_ms`.
fn cleanup_of(_: Pid, worker: &Fixed) -> Cleanup {
    Cleanup::After(worker.trap_ms.unwrap_or(0))
}

fn ok_worker() -> Box<Fixed> {
    Box::new(Fixed {
        init: Init::Ok,
        trap_ms: None,
    })
}

fn started(reply: Reply) -> Pid {
    match reply {
        Reply::StartChild(Ok(Started::Running { pid, .. })) => pid,
        other => panic!("expected a running child, got {other:?}"),
    }
}

#[test]
fn extra_arguments_are_prepended_at_start_and_restart() {
    // docs/semantics.md §4.2, §6.2.2, 12.C15 and 12.D24.
    let seen = Rc::new(RefCell::new(Vec::new()));
    let log = Rc::clone(&seen);
    let spawner = move |_: &&str, args: &[&str]| {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        log.borrow_mut().push(args);
        ok_worker()
    };
    let config = Options::default()
        .extra_arguments(vec!["e1", "e2"])
        .validate()
        .unwrap();
    let mut sim = Simulation::new(config, spawner);
    let call = sim
        .start_child(ChildSpec::new("task", vec!["a"]).restart(Restart::Transient))
        .unwrap();
    let pid = started(sim.wait_reply(call).unwrap());
    sim.exit_child(pid, ExitReason::other("oops"));
    sim.run_to_quiescence().unwrap();
    assert_eq!(
        *seen.borrow(),
        vec![vec!["e1", "e2", "a"], vec!["e1", "e2", "a"]]
    );
}

#[test]
fn start_outcomes_are_classified() {
    // docs/semantics.md §4.3 and 12.C17: ok, ignore and {:stop, reason}; nothing stored but ok.
    let outcomes = RefCell::new(vec![
        Init::Stop(ExitReason::other("bad")),
        Init::Ignore,
        Init::Ok,
    ]);
    let spawner = move |_: &u8, _: &[u8]| -> Box<Fixed> {
        let init = outcomes.borrow_mut().pop().unwrap_or(Init::Ok);
        Box::new(Fixed {
            init,
            trap_ms: None,
        })
    };
    let mut sim = Simulation::new(Options::default().validate().unwrap(), spawner);
    let reply = |sim: &mut Simulation<u8, u8, _>| {
        let call = sim.start_child(ChildSpec::new(0, vec![])).unwrap();
        sim.wait_reply(call).unwrap()
    };
    started(reply(&mut sim));
    assert_eq!(reply(&mut sim), Reply::StartChild(Ok(Started::Ignored)));
    assert_eq!(
        reply(&mut sim),
        Reply::StartChild(Err(StartError::Failed(ExitReason::other("bad"))))
    );
    assert_eq!(sim.supervisor().view().counts().specs, 1);
    assert!(sim.supervisor().view().is_alive());
}

#[test]
fn invalid_specs_are_refused_without_contacting_the_supervisor() {
    // docs/semantics.md §3.1 and 12.B10: the error comes back in the caller; state unchanged.
    let mut sim = Simulation::new(
        Options::default().validate().unwrap(),
        |_: &u8, _: &[u8]| ok_worker(),
    );
    let bad_modules = ChildSpec::new(0, vec![]).modules(Modules::List(vec![String::new()]));
    assert_eq!(
        sim.start_child(bad_modules),
        Err(SpecError::InvalidModules(vec![String::new()]))
    );
    assert_eq!(
        sim.start_child(ChildSpec::new(0, vec![]).significant(true)),
        Err(SpecError::InvalidSignificant(true))
    );
    assert!(sim.is_idle());
    assert_eq!(sim.supervisor().view().counts().specs, 0);
}

#[test]
fn raw_flag_maps_default_to_one_restart() {
    // docs/semantics.md §2.4 and 12.A4: `{:ok, %{}}` means R=1, P=5: a second crash is fatal.
    let config = SupervisorFlags::default()
        .into_options()
        .validate()
        .unwrap();
    let mut sim = Simulation::new(config, |_: &u8, _: &[u8]| ok_worker());
    let call = sim.start_child(ChildSpec::new(0, vec![])).unwrap();
    let first = started(sim.wait_reply(call).unwrap());
    sim.kill_child(first);
    sim.run_to_quiescence().unwrap();
    assert!(sim.supervisor().view().is_alive());
    let second = sim.live_children()[0];
    sim.kill_child(second);
    sim.run_to_quiescence().unwrap();
    assert_eq!(
        sim.supervisor().view().exit_reason(),
        Some(&ExitReason::Shutdown)
    );
}

#[test]
fn supervisor_children_count_as_supervisors_and_wait_forever_by_default() {
    // docs/semantics.md §3.2 and 12.G66: type supervisor, default shutdown infinity.
    let spawner = |_: &u8, _: &[u8]| -> Box<Fixed> {
        Box::new(Fixed {
            init: Init::Ok,
            trap_ms: Some(9_000),
        })
    };
    let mut sim = Simulation::new(Options::default().validate().unwrap(), spawner);
    sim.set_cleanup_time(Box::new(cleanup_of));
    let spec = ChildSpec::new(0, vec![]).child_type(ChildType::Supervisor);
    assert_eq!(
        spec.clone().validate().unwrap().shutdown(),
        Shutdown::Infinity
    );
    let call = sim.start_child(spec).unwrap();
    started(sim.wait_reply(call).unwrap());
    let counts = sim.supervisor().view().counts();
    assert_eq!((counts.supervisors, counts.workers), (1, 0));
    let call = sim.stop(ExitReason::Normal);
    assert_eq!(sim.wait_reply(call).unwrap(), Reply::Stopped);
    // Not killed at 5 s like a worker: it was given all of its 9 s.
    assert_eq!(sim.now().as_millis(), 9_000);
}

#[test]
fn terminate_child_of_a_stranger_is_not_found() {
    // docs/semantics.md §5 and 12.E46.
    let mut sim = Simulation::new(
        Options::default().validate().unwrap(),
        |_: &u8, _: &[u8]| ok_worker(),
    );
    let call = sim.terminate_child(Pid(12345));
    assert_eq!(
        sim.wait_reply(call).unwrap(),
        Reply::TerminateChild(Err(TerminateError::NotFound))
    );
}
