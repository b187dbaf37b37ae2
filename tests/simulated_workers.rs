//! The Worker API in the simulator: timers in virtual time, calls with timeouts, and a panic
//! anywhere in user code as an exit with reason `panic` (exactly as on the threaded runtime).

use dynsup::{
    Answer, BoxedWorker, CallError, ChildSpec, Context, ExitReason, Init, Instant, Next, Options,
    Pid, Reply, Restart, StartError, Started, TimerRef, Worker,
};
use dynsup_sim::simulation::{Simulation, TraceEvent};

/// What a test worker does at each callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Script {
    Behave,
    PanicInInit,
    PanicInMessage,
    PanicInCall,
    PanicInTerminate,
    StopInCall,
}

#[derive(Debug)]
enum Msg {
    /// Sets a timer that sends `Tick` after this many ms; remembers it.
    Arm(u64),
    /// Cancels the remembered timer.
    Disarm,
    Tick,
    Crash,
}

struct Probe {
    script: Script,
    ticks: Vec<Instant>,
    timer: Option<TimerRef>,
    pid_seen: Option<Pid>,
}

impl Worker for Probe {
    type Message = Msg;
    type Call = u64;
    type Reply = u64;

    fn init(&mut self, ctx: &mut Context<Msg>) -> Init {
        assert!(self.script != Script::PanicInInit, "init panics");
        self.pid_seen = Some(ctx.pid());
        Init::Ok
    }

    fn traps_exits(&self) -> bool {
        true
    }

    fn handle_message(&mut self, msg: Msg, ctx: &mut Context<Msg>) -> Next {
        match msg {
            Msg::Arm(ms) => self.timer = Some(ctx.send_after(ms, Msg::Tick)),
            Msg::Disarm => {
                if let Some(timer) = self.timer.take() {
                    assert!(ctx.cancel_timer(timer));
                }
            }
            Msg::Tick => self.ticks.push(ctx.now()),
            Msg::Crash => panic!("handle_message panics"),
        }
        assert!(
            self.script != Script::PanicInMessage,
            "handle_message panics"
        );
        Next::Continue
    }

    fn handle_call(&mut self, request: u64, ctx: &mut Context<Msg>) -> Answer<u64> {
        match self.script {
            Script::PanicInCall => panic!("handle_call panics"),
            Script::StopInCall => Answer::Stop(ExitReason::other("gave_up")),
            _ => Answer::Reply(request + ctx.now().as_millis()),
        }
    }

    fn terminate(&mut self, _reason: &ExitReason, _ctx: &mut Context<Msg>) {
        assert!(self.script != Script::PanicInTerminate, "terminate panics");
    }
}

type Sim = Simulation<Script, (), fn(&Script, &[()]) -> Box<Probe>>;

fn spawn(script: &Script, _: &[()]) -> Box<Probe> {
    Box::new(Probe {
        script: *script,
        ticks: Vec::new(),
        timer: None,
        pid_seen: None,
    })
}

fn quiet_panics() {
    std::panic::set_hook(Box::new(|_| {}));
}

fn simulation() -> Sim {
    let config = Options::default().max_restarts(100).validate().unwrap();
    Simulation::new(config, spawn as fn(&Script, &[()]) -> Box<Probe>)
}

fn start(sim: &mut Sim, script: Script, restart: Restart) -> Result<Started, StartError> {
    let call = sim
        .start_child(ChildSpec::new(script, vec![]).restart(restart))
        .unwrap();
    match sim.wait_reply(call).unwrap() {
        Reply::StartChild(answer) => answer,
        other => panic!("unexpected {other:?}"),
    }
}

fn running(sim: &mut Sim, script: Script) -> Pid {
    match start(sim, script, Restart::Temporary) {
        Ok(Started::Running { pid, .. }) => pid,
        other => panic!("did not start: {other:?}"),
    }
}

fn downs(sim: &Sim) -> Vec<(Pid, ExitReason)> {
    sim.trace()
        .iter()
        .filter_map(|entry| match &entry.event {
            TraceEvent::Down { pid, reason } => Some((*pid, reason.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn the_context_knows_the_pid_and_timers_fire_in_virtual_time() {
    let mut sim = simulation();
    let pid = running(&mut sim, Script::Behave);
    assert_eq!(sim.worker(pid).and_then(|w| w.pid_seen), Some(pid));
    sim.run_until(Instant::from_millis(100)).unwrap();
    sim.send(pid, Msg::Arm(250));
    sim.run_until(Instant::from_millis(349)).unwrap();
    assert!(sim.worker(pid).unwrap().ticks.is_empty());
    sim.run_until(Instant::from_millis(10_000)).unwrap();
    assert_eq!(
        sim.worker(pid).unwrap().ticks,
        vec![Instant::from_millis(350)]
    );
    // A cancelled timer never fires.
    sim.send(pid, Msg::Arm(50));
    sim.send(pid, Msg::Disarm);
    sim.run_to_quiescence().unwrap();
    assert_eq!(sim.worker(pid).unwrap().ticks.len(), 1);
}

#[test]
fn calls_answer_time_out_and_fail_as_genserver_calls_do() {
    let mut sim = simulation();
    let pid = running(&mut sim, Script::Behave);
    sim.run_until(Instant::from_millis(40)).unwrap();
    let call = sim.call(pid, 2, 1000);
    assert_eq!(sim.wait_call(call).unwrap(), Ok(42));
    let call = sim.call(Pid(999), 2, 1000);
    assert_eq!(sim.wait_call(call).unwrap(), Err(CallError::NoProc));
    // The request and its reply take no virtual time: a reply due at the deadline wins.
    let call = sim.call(pid, 2, 0);
    assert_eq!(sim.wait_call(call).unwrap(), Ok(42));

    let stopper = running(&mut sim, Script::StopInCall);
    let call = sim.call(stopper, 1, 1000);
    let gave_up = ExitReason::other("gave_up");
    assert_eq!(
        sim.wait_call(call).unwrap(),
        Err(CallError::Exited(gave_up.clone()))
    );
    assert!(downs(&sim).contains(&(stopper, gave_up)));
}

#[test]
fn a_panic_anywhere_is_an_exit_with_reason_panic() {
    quiet_panics();
    let panic = ExitReason::other("panic");
    let mut sim = simulation();
    // In init: the start fails with `panic`.
    assert_eq!(
        start(&mut sim, Script::PanicInInit, Restart::Permanent),
        Err(StartError::Failed(panic.clone()))
    );
    // In handle_message: the child exits with `panic` and a permanent child is restarted.
    let Ok(Started::Running { pid, .. }) = start(&mut sim, Script::Behave, Restart::Permanent)
    else {
        panic!("did not start")
    };
    sim.send(pid, Msg::Crash);
    sim.run_to_quiescence().unwrap();
    assert!(downs(&sim).contains(&(pid, panic.clone())));
    assert_eq!(sim.supervisor().view().counts().active, 1, "restarted");
    // In handle_call: the caller sees the exit.
    let caller = running(&mut sim, Script::PanicInCall);
    let call = sim.call(caller, 1, 1000);
    assert_eq!(
        sim.wait_call(call).unwrap(),
        Err(CallError::Exited(panic.clone()))
    );
    // In a timer's handle_message.
    let ticking = running(&mut sim, Script::PanicInMessage);
    sim.send(ticking, Msg::Arm(10));
    sim.run_to_quiescence().unwrap();
    assert!(downs(&sim).contains(&(ticking, panic.clone())));
    // In terminate: the shutdown ends with `panic` (a shutdown error, not `shutdown`).
    let stopping = running(&mut sim, Script::PanicInTerminate);
    let call = sim.terminate_child(stopping);
    assert_eq!(sim.wait_reply(call).unwrap(), Reply::TerminateChild(Ok(())));
    assert!(downs(&sim).contains(&(stopping, panic.clone())));
    // The simulation itself goes on, deterministic as ever.
    assert!(sim.supervisor().view().is_alive());
}

#[test]
fn a_panicking_spawner_is_a_failed_start() {
    quiet_panics();
    let config = Options::default().validate().unwrap();
    let spawner = |_: &&str, _: &[()]| -> BoxedWorker<Msg, u64, u64> { panic!("spawner") };
    let mut sim = Simulation::new(config, spawner);
    let call = sim.start_child(ChildSpec::new("x", vec![])).unwrap();
    assert_eq!(
        sim.wait_reply(call).unwrap(),
        Reply::StartChild(Err(StartError::Failed(ExitReason::other("panic"))))
    );
}
