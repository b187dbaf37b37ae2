//! A lesson in one run: a supervisor of user sessions on the real threaded runtime.
//!
//! Users log in (`start_child` of a transient session worker), a session crashes and is
//! restarted, a user logs out (`terminate_child`), the supervisor refuses a session beyond
//! `max_children`, and finally a crash storm exceeds the restart intensity and takes the whole
//! supervisor down, with every other session shut down cleanly. Run it with
//! `cargo run --example user_sessions`; `tests/examples_output.rs` checks its exact output.

use std::io::Write;
use std::sync::mpsc;
use std::time::Duration;

use dynsup::runtime::{BoxedWorker, Report, StartChildError, Supervisor};
use dynsup::{
    ChildSpec, Context, DynWorker, Event, ExitReason, Init, MaxChildren, Next, Options, Pid,
    Restart, Started, Worker,
};

/// What a session is told.
#[derive(Debug)]
pub enum SessionMsg {
    /// The user's connection drops: the session crashes.
    ConnectionLost,
}

/// One user's session: a worker that lives until its connection drops.
pub struct Session {
    user: String,
}

impl Worker for Session {
    type Message = SessionMsg;
    type Call = ();
    type Reply = ();

    fn init(&mut self, _ctx: &mut Context<SessionMsg>) -> Init {
        match self.user.as_str() {
            // Guests browse without a session: `:ignore`, nothing is supervised.
            "guest" => Init::Ignore,
            // Banned users cannot log in: the start fails with a reason.
            "mallory" => Init::Stop(ExitReason::other("banned")),
            _ => Init::Ok,
        }
    }

    fn handle_message(&mut self, message: SessionMsg, _ctx: &mut Context<SessionMsg>) -> Next {
        match message {
            SessionMsg::ConnectionLost => Next::Stop(ExitReason::other("connection_lost")),
        }
    }
}

/// The start function `("session", [user])` makes a session for `user`.
fn spawn_session(_function: &&'static str, args: &[String]) -> BoxedWorker<SessionMsg> {
    Box::new(Session {
        user: args.first().cloned().unwrap_or_default(),
    })
}

type Sessions = Supervisor<&'static str, String, DynWorker<SessionMsg>>;

/// The reports seen so far, and a way to wait for the next ones.
struct Reports {
    seen: Vec<Report>,
    incoming: mpsc::Receiver<Report>,
}

impl Reports {
    /// Waits (at most 30 s) until a report matches `wanted`, and returns it.
    fn wait_for(&mut self, wanted: impl Fn(&Report) -> bool) -> Result<Report, String> {
        if let Some(found) = self.seen.iter().find(|r| wanted(r)) {
            return Ok(found.clone());
        }
        loop {
            let report = self
                .incoming
                .recv_timeout(Duration::from_secs(30))
                .map_err(|_| "the expected report never came".to_owned())?;
            self.seen.push(report.clone());
            if wanted(&report) {
                return Ok(report);
            }
        }
    }

    /// Everything reported so far (after the supervisor has exited, that is everything).
    fn drain(&mut self) -> &[Report] {
        while let Ok(report) = self.incoming.try_recv() {
            self.seen.push(report);
        }
        &self.seen
    }
}

fn log_in(sessions: &Sessions, user: &str) -> Result<Started, StartChildError> {
    let spec = ChildSpec::new("session", vec![user.to_owned()]).restart(Restart::Transient);
    sessions.start_child(spec)
}

/// Crashes the session `pid` and waits for what the supervisor does about it: the new pid of
/// the restarted session, or `None` when the supervisor gave up.
fn crash(sessions: &Sessions, reports: &mut Reports, pid: Pid) -> Result<Option<Pid>, String> {
    sessions.send(pid, SessionMsg::ConnectionLost);
    let outcome = reports.wait_for(|r| {
        matches!(r, Report::Supervisor(Event::ChildRestarted { old, .. }) if *old == pid)
            || matches!(r, Report::Supervisor(Event::IntensityExceeded))
    })?;
    Ok(match outcome {
        Report::Supervisor(Event::ChildRestarted { new, .. }) => Some(new),
        _ => None,
    })
}

/// The whole lesson, written to `out`.
pub fn lesson(out: &mut dyn Write) -> Result<(), Box<dyn std::error::Error>> {
    writeln!(out, "== A supervisor of user sessions")?;
    let options = Options::default()
        .max_children(MaxChildren::Limit(3))
        .max_restarts(3)
        .max_seconds(5);
    let (report_tx, incoming) = mpsc::channel();
    let sessions: Sessions = Supervisor::builder(options, spawn_session)
        .observer(move |report: &Report| {
            let _ = report_tx.send(report.clone());
        })
        .start_link()?;
    let mut reports = Reports {
        seen: Vec::new(),
        incoming,
    };
    writeln!(out, "start_link: max_children=3, at most 3 restarts in 5 s")?;

    writeln!(out, "\n-- Logging in: start_child runs the session's init")?;
    let mut alice = Pid(0);
    let mut others = Vec::new();
    for user in ["alice", "bob", "guest", "mallory"] {
        match log_in(&sessions, user) {
            Ok(Started::Running { pid, .. }) => {
                if user == "alice" {
                    alice = pid;
                }
                others.push((user, pid));
                writeln!(out, "{user} logs in: session {pid}")?;
            }
            Ok(Started::Ignored) => writeln!(out, "{user} logs in: ignored, no session")?,
            Err(err) => writeln!(out, "{user} logs in: refused ({err})")?,
        }
    }
    let counts = sessions.count_children()?;
    writeln!(
        out,
        "count_children: specs={} active={} workers={}",
        counts.specs, counts.active, counts.workers
    )?;

    writeln!(out, "\n-- A crash: a transient session is restarted")?;
    let Some(restarted) = crash(&sessions, &mut reports, alice)? else {
        return Err("alice's first crash should have been restarted".into());
    };
    writeln!(
        out,
        "alice's connection drops: session {alice} exits with connection_lost, restarted as {restarted}"
    )?;
    alice = restarted;

    writeln!(out, "\n-- Logging out: terminate_child, never restarted")?;
    let bob = others
        .iter()
        .find(|(user, _)| *user == "bob")
        .map(|(_, pid)| *pid)
        .ok_or("bob has no session")?;
    sessions.terminate_child(bob)?;
    let down = reports.wait_for(|r| matches!(r, Report::ChildDown { pid, .. } if *pid == bob))?;
    if let Report::ChildDown { reason, .. } = down {
        writeln!(out, "bob logs out: session {bob} shut down ({reason})")?;
    }
    let listed: Vec<String> = sessions
        .which_children()?
        .iter()
        .map(|info| info.pid.map_or("restarting".into(), |pid| pid.to_string()))
        .collect();
    writeln!(out, "which_children: {}", listed.join(" "))?;

    writeln!(out, "\n-- max_children: at most 3 sessions")?;
    let mut bystanders = Vec::new();
    for user in ["carol", "dave", "erin"] {
        match log_in(&sessions, user) {
            Ok(Started::Running { pid, .. }) => {
                bystanders.push(pid);
                writeln!(out, "{user} logs in: session {pid}")?;
            }
            Ok(Started::Ignored) => writeln!(out, "{user} logs in: ignored")?,
            Err(err) => writeln!(out, "{user} logs in: refused ({err})")?,
        }
    }
    let counts = sessions.count_children()?;
    writeln!(
        out,
        "count_children: specs={} active={} workers={}",
        counts.specs, counts.active, counts.workers
    )?;

    writeln!(
        out,
        "\n-- A crash storm: the 4th restart within 5 s is one too many"
    )?;
    for storm in 2.. {
        match crash(&sessions, &mut reports, alice)? {
            Some(new) => {
                writeln!(
                    out,
                    "alice's session crashes (crash {storm}): restarted as {new}"
                )?;
                alice = new;
            }
            None => {
                writeln!(
                    out,
                    "alice's session crashes (crash {storm}): restart intensity exceeded"
                )?;
                break;
            }
        }
    }
    let reason = sessions
        .wait_exit(Some(Duration::from_secs(30)))
        .ok_or("the supervisor did not exit")?;
    writeln!(out, "the supervisor exits with reason {reason}")?;
    let mut downs: Vec<(Pid, ExitReason)> = reports
        .drain()
        .iter()
        .filter_map(|r| match r {
            Report::ChildDown { pid, reason } if bystanders.contains(pid) => {
                Some((*pid, reason.clone()))
            }
            _ => None,
        })
        .collect();
    downs.sort();
    for (pid, reason) in downs {
        writeln!(out, "  the other sessions are shut down: {pid} ({reason})")?;
    }
    match sessions.count_children() {
        Ok(_) => writeln!(out, "count_children: still answering?")?,
        Err(err) => writeln!(out, "count_children afterwards: {err}")?,
    }
    Ok(())
}

/// Runs the lesson on standard output.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    lesson(&mut std::io::stdout().lock())
}
