//! A user's crate: one session worker with an idle timer and a `call`, run on the threaded
//! runtime and in the deterministic simulator with the same spawner, then checked over seeds
//! with faults (`dynsup_sim::check`). `.ci/run` builds and runs it; it exits non-zero if any
//! of them misbehaves.

use std::collections::BTreeMap;

use std::process::ExitCode;
use std::time::Duration;

use dynsup::runtime::Supervisor;
use dynsup::{
    Answer, BoxedWorker, ChildSpec, Context, ExitReason, Init, Instant, Next, Options, Pid, Reply,
    Restart, Started, TimerRef, Worker,
};
use dynsup_sim::check::{ensure_eq, Check};
use dynsup_sim::simulation::Simulation;

/// What a session is told.
enum Msg {
    /// The user did something: the idle timer starts again.
    Touch,
    /// The idle timer fired.
    Idle,
}

/// A user session that ends after `idle_ms` without a touch, and answers how many touches it
/// has seen.
struct Session {
    idle_ms: u64,
    touches: u64,
    idle: Option<TimerRef>,
}

impl Worker for Session {
    type Message = Msg;
    type Call = ();
    type Reply = u64;

    fn init(&mut self, ctx: &mut Context<Msg>) -> Init {
        self.idle = Some(ctx.send_after(self.idle_ms, Msg::Idle));
        Init::Ok
    }

    fn handle_message(&mut self, msg: Msg, ctx: &mut Context<Msg>) -> Next {
        match msg {
            Msg::Touch => {
                self.touches += 1;
                if let Some(timer) = self.idle.take() {
                    ctx.cancel_timer(timer);
                }
                self.idle = Some(ctx.send_after(self.idle_ms, Msg::Idle));
                Next::Continue
            }
            Msg::Idle => Next::Stop(ExitReason::Normal),
        }
    }

    fn handle_call(&mut self, (): (), _ctx: &mut Context<Msg>) -> Answer<u64> {
        Answer::Reply(self.touches)
    }
}

/// The one spawner both drivers use: the argument is the idle time in milliseconds.
fn spawner(_function: &&str, args: &[u64]) -> BoxedWorker<Msg, (), u64> {
    let idle_ms = args.first().copied().unwrap_or(1000);
    Box::new(Session {
        idle_ms,
        touches: 0,
        idle: None,
    })
}

fn spec(idle_ms: u64) -> ChildSpec<&'static str, u64> {
    ChildSpec::new("session", vec![idle_ms]).restart(Restart::Transient)
}

fn in_the_simulator() -> Result<(), String> {
    let config = Options::default().validate().map_err(|e| e.to_string())?;
    let mut sim = Simulation::new(config, spawner);
    let call = sim.start_child(spec(30_000)).map_err(|e| e.to_string())?;
    let Ok(Reply::StartChild(Ok(Started::Running { pid, .. }))) = sim.wait_reply(call) else {
        return Err("the session did not start in the simulator".into());
    };
    sim.run_until(Instant::from_millis(20_000))
        .map_err(|e| e.to_string())?;
    sim.send(pid, Msg::Touch);
    let touches = sim.call(pid, (), 5_000);
    let answer = sim.wait_call(touches).map_err(|e| e.to_string())?;
    if answer != Ok(1) {
        return Err(format!("simulator: the call answered {answer:?}"));
    }
    sim.run_until(Instant::from_millis(49_999))
        .map_err(|e| e.to_string())?;
    if !sim.is_alive(pid) {
        return Err("simulator: the session ended before its idle time".into());
    }
    sim.run_until(Instant::from_millis(50_000))
        .map_err(|e| e.to_string())?;
    if sim.is_alive(pid) {
        return Err("simulator: the session outlived its idle time".into());
    }
    println!("simulator: 1 touch, idle exit at 50000 ms of virtual time (as expected)");
    Ok(())
}

fn on_threads() -> Result<(), String> {
    let sup = Supervisor::start_link(Options::default(), spawner).map_err(|e| e.to_string())?;
    let Ok(Started::Running { pid, .. }) = sup.start_child(spec(200)) else {
        return Err("the session did not start on threads".into());
    };
    sup.send(pid, Msg::Touch);
    sup.send(pid, Msg::Touch);
    let answer = sup.call(pid, (), Some(Duration::from_secs(5)));
    if answer != Ok(2) {
        return Err(format!("threads: the call answered {answer:?}"));
    }
    // The idle timer ends the session (normal: a transient child is not restarted).
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while sup
        .count_children()
        .map_err(|_| "threads: supervisor gone")?
        .specs
        > 0
    {
        if std::time::Instant::now() > deadline {
            return Err("threads: the idle timer never fired".into());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    sup.stop(ExitReason::Normal, None)
        .map_err(|e| e.to_string())?;
    println!("threads: 2 touches, idle exit on the real clock (as expected)");
    Ok(())
}

/// Over 50 seeds of faults: a session answers exactly the touches sent to it (messages from
/// one sender to one receiver stay in order, whatever else is reordered or crashes).
fn under_faults() -> Result<(), String> {
    let config = Options::default()
        .max_restarts(1_000)
        .validate()
        .map_err(|e| e.to_string())?;
    let passed = Check::new(config, || spawner)
        .name("user_crate_sessions")
        .seeds(0..50)
        .run(|sim| {
            sim.start_child(spec(1_000))?;
            let mut touches: BTreeMap<Pid, u64> = BTreeMap::new();
            while let Some(op) = sim.operation(3) {
                let Some(&pid) = sim.live_children().first() else {
                    sim.start_child(spec(1_000))?;
                    continue;
                };
                match op {
                    0 => {
                        if sim.send(pid, Msg::Touch) {
                            *touches.entry(pid).or_default() += 1;
                        }
                    }
                    1 => {
                        if let Ok(seen) = sim.call(pid, (), 100)? {
                            let sent = touches.get(&pid).copied().unwrap_or(0);
                            ensure_eq(seen, sent, "touches seen by the session")?;
                        }
                    }
                    _ => {
                        let millis = sim.draw(1_500);
                        sim.advance(millis)?;
                    }
                }
            }
            Ok(())
        })
        .map_err(|report| report.to_string())?;
    println!(
        "check: {} seeds with faults, every session answered its touches",
        passed.seeds
    );
    Ok(())
}

fn main() -> ExitCode {
    match in_the_simulator()
        .and_then(|()| on_threads())
        .and_then(|()| under_faults())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("user crate: {err}");
            ExitCode::FAILURE
        }
    }
}
