//! A tour of the runtime's API with three kinds of workers: `start_child` with child-spec
//! options, `which_children`, `count_children`, `terminate_child` (a graceful shutdown, and one
//! that runs out of time), `max_children`, and restart intensity taking the supervisor down.
//! Run it with `cargo run --example workers`.

use std::io::Write;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use dynsup::runtime::{BoxedWorker, Report, Supervisor};
use dynsup::{
    ChildSpec, Context, Event, ExitReason, Init, MaxChildren, Modules, Next, Options, Restart,
    Shutdown, Started, Worker,
};

/// The kinds of worker this tour starts (the start function's name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Counts what it is sent; crashes on zero.
    Counter,
    /// Traps exits and takes 100 ms to flush when asked to stop.
    Cache,
    /// Traps exits and never finishes its cleanup: only a kill ends it.
    Stubborn,
}

/// The workers' messages.
#[derive(Debug)]
pub enum Msg {
    /// Add to a counter (zero makes it crash).
    Add(u64),
}

/// A gate the stubborn worker's cleanup waits on: closed until the tour opens it at its end,
/// so that the stubborn thread (reported killed long before) can finish.
#[derive(Clone, Default)]
pub struct Gate(Arc<(Mutex<bool>, Condvar)>);

impl Gate {
    /// Blocks until the gate is open.
    fn wait(&self) {
        let (open, opened) = &*self.0;
        let mut open = open.lock().unwrap_or_else(|e| e.into_inner());
        while !*open {
            open = opened.wait(open).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Opens the gate for good.
    fn open(&self) {
        let (open, opened) = &*self.0;
        *open.lock().unwrap_or_else(|e| e.into_inner()) = true;
        opened.notify_all();
    }
}

/// A worker of some [`Kind`], with the supervisor's extra argument (a region name) and its own.
pub struct Tour {
    kind: Kind,
    total: u64,
    gate: Gate,
}

impl Worker for Tour {
    type Message = Msg;
    type Call = ();
    type Reply = ();

    fn init(&mut self, _ctx: &mut Context<Msg>) -> Init {
        Init::Ok
    }

    fn traps_exits(&self) -> bool {
        self.kind != Kind::Counter
    }

    fn handle_message(&mut self, Msg::Add(n): Msg, _ctx: &mut Context<Msg>) -> Next {
        if n == 0 {
            return Next::Stop(ExitReason::other("division_by_zero"));
        }
        self.total += n;
        Next::Continue
    }

    fn terminate(&mut self, _reason: &ExitReason, _ctx: &mut Context<Msg>) {
        match self.kind {
            // Flushing takes 100 ms; then it exits with the reason it was given.
            Kind::Cache => std::thread::sleep(Duration::from_millis(100)),
            // Never done in time: it is killed, and its thread waits for the gate.
            Kind::Stubborn => self.gate.wait(),
            Kind::Counter => {}
        }
    }
}

/// The spawner: `args` are the supervisor's extra arguments, then the spec's own.
fn spawner(gate: &Gate) -> impl FnMut(&Kind, &[u64]) -> BoxedWorker<Msg> + Send + 'static {
    let gate = gate.clone();
    move |kind: &Kind, args: &[u64]| -> BoxedWorker<Msg> {
        Box::new(Tour {
            kind: *kind,
            total: args.iter().sum(),
            gate: gate.clone(),
        })
    }
}

/// The tour, written to `out`.
pub fn tour(out: &mut dyn Write) -> Result<(), Box<dyn std::error::Error>> {
    let gate = Gate::default();
    let toured = tour_with(out, &gate);
    // Lets the stubborn worker's thread end, whatever happened.
    gate.open();
    toured
}

fn tour_with(out: &mut dyn Write, gate: &Gate) -> Result<(), Box<dyn std::error::Error>> {
    let options = Options::default()
        .max_children(MaxChildren::Limit(3))
        .max_restarts(2)
        .max_seconds(5)
        // Prepended to every child's own arguments, at every start and restart.
        .extra_arguments(vec![1000]);
    let (reports_tx, reports) = std::sync::mpsc::channel();
    let sup = Supervisor::builder(options, spawner(gate))
        .observer(move |report: &Report| {
            let _ = reports_tx.send(report.clone());
        })
        .start_link()?;
    let next_report = |wanted: &dyn Fn(&Report) -> bool| loop {
        match reports.recv_timeout(Duration::from_secs(30)) {
            Ok(report) if wanted(&report) => return Ok(report),
            Ok(_) => {}
            Err(_) => return Err("the expected report never came"),
        }
    };

    // start_child with child-spec options.
    let counter = ChildSpec::new(Kind::Counter, vec![1])
        .restart(Restart::Permanent)
        .modules(Modules::List(vec!["Counter".into()]));
    let cache = ChildSpec::new(Kind::Cache, vec![])
        .restart(Restart::Transient)
        .shutdown(Shutdown::millis(1000));
    let stubborn = ChildSpec::new(Kind::Stubborn, vec![])
        .restart(Restart::Temporary)
        .shutdown(Shutdown::millis(200));
    let mut pids = Vec::new();
    for (name, spec) in [
        ("counter", counter),
        ("cache", cache),
        ("stubborn", stubborn),
    ] {
        if let Started::Running { pid, .. } = sup.start_child(spec)? {
            writeln!(out, "start_child {name}: running as {pid}")?;
            pids.push(pid);
        }
    }
    let [counter, cache, stubborn] = pids[..] else {
        return Err("three children should be running".into());
    };

    // max_children counts every entry.
    let refused = sup.start_child(ChildSpec::new(Kind::Counter, vec![]));
    writeln!(out, "start_child a fourth: {refused:?}")?;

    for info in sup.which_children()? {
        let pid = info.pid.map_or("restarting".into(), |pid| pid.to_string());
        writeln!(
            out,
            "which_children: {pid} {:?} {:?}",
            info.child_type, info.modules
        )?;
    }
    let counts = sup.count_children()?;
    writeln!(
        out,
        "count_children: specs={} active={} supervisors={} workers={}",
        counts.specs, counts.active, counts.supervisors, counts.workers
    )?;

    // terminate_child: the cache flushes within its 1000 ms and ends with `shutdown`; the
    // stubborn worker is killed when its 200 ms run out.
    for (name, pid) in [("cache", cache), ("stubborn", stubborn)] {
        sup.terminate_child(pid)?;
        let down = next_report(&|r| matches!(r, Report::ChildDown { pid: p, .. } if *p == pid))?;
        if let Report::ChildDown { reason, .. } = down {
            writeln!(out, "terminate_child {name}: down with {reason}")?;
        }
    }

    // Restart intensity: at most 2 restarts in 5 s; the third crash takes it down.
    let mut current = counter;
    for crash in 1..=3 {
        sup.send(current, Msg::Add(0));
        let what = next_report(&|r| {
            matches!(r, Report::Supervisor(Event::ChildRestarted { old, .. }) if *old == current)
                || matches!(r, Report::Supervisor(Event::IntensityExceeded))
        })?;
        match what {
            Report::Supervisor(Event::ChildRestarted { new, .. }) => {
                writeln!(out, "crash {crash} of the counter: restarted as {new}")?;
                current = new;
            }
            _ => writeln!(out, "crash {crash} of the counter: too many restarts")?,
        }
    }
    let reason = sup
        .wait_exit(Some(Duration::from_secs(30)))
        .ok_or("the supervisor did not exit")?;
    writeln!(out, "the supervisor exited: {reason}")?;
    writeln!(out, "count_children now: {:?}", sup.count_children())?;
    Ok(())
}

/// Runs the tour on standard output.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    tour(&mut std::io::stdout().lock())
}
