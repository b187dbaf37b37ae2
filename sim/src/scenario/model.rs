//! The parsed form of a scenario file, and its canonical text (the `Display` impls).

use std::fmt;

use dynsup::{ExitReason, Restart, Shutdown};

use super::Name;

/// A whole scenario: one supervisor, the child templates, and the timed steps.
///
/// `Display` prints the canonical text: an explicit `supervisor` line, then one `child` line
/// per template with every key, then one `at MS OP` line per step. Parsing that text gives
/// back an equal `Scenario` (equality ignores [`Step::line`]), as long as the scenario is one
/// the parser could have produced and its canonical text stays within the limits.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scenario {
    /// The supervisor's options (the defaults when the file has no `supervisor` line).
    pub supervisor: SupervisorLine,
    /// The child templates, in the order they are defined.
    pub templates: Vec<Template>,
    /// The steps, in file order; their times never decrease.
    pub steps: Vec<Step>,
}

impl Scenario {
    /// The template called `name`, if any.
    pub fn template(&self, name: &str) -> Option<&Template> {
        self.templates.iter().find(|t| t.name == name)
    }

    /// The position of the template called `name` in [`Scenario::templates`], if any.
    pub fn template_index(&self, name: &str) -> Option<usize> {
        self.templates.iter().position(|t| t.name == name)
    }

    /// The child spec that starts template `name`: its start function is the template's index
    /// (what the scenario runners' spawners take), with the template's restart and shutdown.
    pub fn start_spec(&self, name: &str) -> Option<dynsup::ChildSpec<usize, ()>> {
        let index = self.template_index(name)?;
        let template = self.templates.get(index)?;
        Some(
            dynsup::ChildSpec::new(index, Vec::new())
                .restart(template.restart)
                .shutdown(template.shutdown),
        )
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.supervisor)?;
        for template in &self.templates {
            writeln!(f, "{template}")?;
        }
        for step in &self.steps {
            writeln!(f, "{step}")?;
        }
        Ok(())
    }
}

/// The `supervisor` line: the DynamicSupervisor's options.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SupervisorLine {
    /// `max_children`: `None` is `infinity` (the default).
    pub max_children: Option<u64>,
    /// `max_restarts`: restarts allowed within the window (default 3).
    pub max_restarts: u64,
    /// `max_seconds`: the window, in seconds (default 5, never 0).
    pub max_seconds: u64,
}

impl Default for SupervisorLine {
    /// Elixir's defaults: `infinity`, 3, 5.
    fn default() -> Self {
        SupervisorLine {
            max_children: None,
            max_restarts: 3,
            max_seconds: 5,
        }
    }
}

impl fmt::Display for SupervisorLine {
    /// `supervisor max_children=N|infinity max_restarts=N max_seconds=N`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("supervisor max_children=")?;
        match self.max_children {
            Some(n) => write!(f, "{n}")?,
            None => f.write_str("infinity")?,
        }
        write!(
            f,
            " max_restarts={} max_seconds={}",
            self.max_restarts, self.max_seconds
        )
    }
}

/// A `child` line: a template for worker children.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Template {
    /// The template's name, matching `[a-z][a-z0-9_]*`.
    pub name: String,
    /// When its children are restarted (default permanent).
    pub restart: Restart,
    /// How its children are shut down (default 5000 ms).
    pub shutdown: Shutdown,
    /// Whether its children trap exits (default false).
    pub trap_exit: bool,
    /// How long a trapping child takes to stop when asked to, in milliseconds (default 0).
    pub stop_ms: u64,
    /// The outcome of each start attempt: attempt K uses the K-th, and the last one repeats
    /// forever (default `[Ok]`). An empty list (only possible when built in code) behaves
    /// as `[Ok]` and prints as `init=ok`.
    pub init: Vec<InitOutcome>,
}

impl Template {
    /// A template called `name` with every default.
    pub fn new(name: impl Into<String>) -> Self {
        Template {
            name: name.into(),
            restart: Restart::Permanent,
            shutdown: Shutdown::millis(5000),
            trap_exit: false,
            stop_ms: 0,
            init: vec![InitOutcome::Ok],
        }
    }

    /// The outcome of start attempt `attempt` (1-based): the `attempt`-th entry of `init`, the
    /// last entry for every later attempt, and [`InitOutcome::Ok`] if `init` is empty.
    /// Attempt 0 is treated as attempt 1.
    pub fn outcome(&self, attempt: u64) -> &InitOutcome {
        static OK: InitOutcome = InitOutcome::Ok;
        let index = usize::try_from(attempt.saturating_sub(1)).unwrap_or(usize::MAX);
        self.init
            .get(index)
            .or_else(|| self.init.last())
            .unwrap_or(&OK)
    }
}

impl fmt::Display for Template {
    /// `child NAME restart=.. shutdown=.. trap_exit=.. stop_ms=.. init=..`, every key given.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "child {} restart={} shutdown={} trap_exit={} stop_ms={} init=",
            self.name, self.restart, self.shutdown, self.trap_exit, self.stop_ms
        )?;
        if self.init.is_empty() {
            return f.write_str("ok");
        }
        for (i, outcome) in self.init.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{outcome}")?;
        }
        Ok(())
    }
}

/// What a start attempt's `init` does.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum InitOutcome {
    /// `ok`: init succeeds and the child runs.
    Ok,
    /// `ignore`: init returns `:ignore`.
    Ignore,
    /// `stop:WORD`: init returns `{:stop, :WORD}`.
    Stop(String),
}

impl fmt::Display for InitOutcome {
    /// `ok`, `ignore` or `stop:WORD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InitOutcome::Ok => f.write_str("ok"),
            InitOutcome::Ignore => f.write_str("ignore"),
            InitOutcome::Stop(word) => write!(f, "stop:{word}"),
        }
    }
}

/// An `at MS OP` line.
///
/// Equality ignores [`Step::line`], so a scenario equals its reparsed canonical text.
#[derive(Clone, Debug)]
pub struct Step {
    /// The written time, in milliseconds after the start.
    pub at_ms: u64,
    /// What happens.
    pub op: Op,
    /// The 1-based source line, or 0 if the step was built in code.
    pub line: usize,
}

impl Step {
    /// A step built in code (its `line` is 0).
    pub fn new(at_ms: u64, op: Op) -> Self {
        Step { at_ms, op, line: 0 }
    }

    /// The step as a transcript shows it, `@MS OP` (its written time), in one buffer of the
    /// right size: every step of every transcript needs one.
    pub fn transcript_text(&self) -> String {
        let mut text = String::with_capacity(32);
        text.push('@');
        let _ = write_decimal(&mut text, self.at_ms);
        text.push(' ');
        let _ = self.op.write_text(&mut text);
        text
    }
}

impl PartialEq for Step {
    fn eq(&self, other: &Self) -> bool {
        self.at_ms == other.at_ms && self.op == other.op
    }
}

impl Eq for Step {}

impl fmt::Display for Step {
    /// `at MS OP`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at {} {}", self.at_ms, self.op)
    }
}

/// A step's operation.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// `start NAME`: `start_child` with the template NAME.
    Start {
        /// The template's name.
        template: Name,
    },
    /// `terminate REF`: `terminate_child` on the process REF.
    Terminate(ChildRef),
    /// `exit REF REASON`: the process REF exits by itself with REASON.
    Exit(ChildRef, ExitReason),
    /// `kill REF`: the process REF is killed from outside.
    Kill(ChildRef),
    /// `count`: `count_children`.
    Count,
    /// `which`: `which_children`.
    Which,
    /// `stop`: the supervisor's parent stops it with reason `shutdown`.
    Stop,
    /// `suspend`: the supervisor stops handling messages (`:sys.suspend/1`, docs/races.md).
    Suspend,
    /// `resume`: the supervisor handles what waits in its mailbox (`:sys.resume/1`).
    Resume,
}

impl Op {
    /// The template this operation names (`start NAME`, or the NAME of a REF), if any.
    pub fn template(&self) -> Option<&str> {
        match self {
            Op::Start { template } => Some(template),
            Op::Terminate(r) | Op::Exit(r, _) | Op::Kill(r) => Some(&r.template),
            Op::Count | Op::Which | Op::Stop | Op::Suspend | Op::Resume => None,
        }
    }
}

impl Op {
    /// Writes the canonical text piece by piece (no formatting machinery: this runs for every
    /// step of every transcript).
    pub(crate) fn write_text<W: fmt::Write>(&self, out: &mut W) -> fmt::Result {
        match self {
            Op::Start { template } => {
                out.write_str("start ")?;
                out.write_str(template)
            }
            Op::Terminate(r) => {
                out.write_str("terminate ")?;
                r.write_text(out)
            }
            Op::Exit(r, reason) => {
                out.write_str("exit ")?;
                r.write_text(out)?;
                write!(out, " {reason}")
            }
            Op::Kill(r) => {
                out.write_str("kill ")?;
                r.write_text(out)
            }
            Op::Count => out.write_str("count"),
            Op::Which => out.write_str("which"),
            Op::Stop => out.write_str("stop"),
            Op::Suspend => out.write_str("suspend"),
            Op::Resume => out.write_str("resume"),
        }
    }
}

impl fmt::Display for Op {
    /// The canonical text, as transcripts show it: `start w`, `terminate w#1`,
    /// `exit w#1 shutdown:x`, `kill w#1`, `count`, `which`, `stop`, `suspend`, `resume`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_text(f)
    }
}

/// Writes `n` in decimal, as `{}` prints it, without the formatting machinery.
pub(crate) fn write_decimal<W: fmt::Write>(out: &mut W, mut n: u64) -> fmt::Result {
    let mut digits = [b'0'; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        if let Some(digit) = digits.get_mut(start) {
            *digit = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || start == 0 {
            break;
        }
    }
    for &digit in digits.get(start..).unwrap_or(&[]) {
        out.write_char(char::from(digit))?;
    }
    Ok(())
}

/// A reference `NAME#K`: the process started by attempt K (K >= 1) of template NAME.
///
/// The derived order is by template name, then attempt number: it is *not* the byte order of
/// the text (`w#10` sorts after `w#2` here); sort `to_string()`s for transcript order.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChildRef {
    /// The template's name.
    pub template: Name,
    /// The attempt number, from 1.
    pub attempt: u64,
}

impl ChildRef {
    /// The reference `template#attempt`.
    pub fn new(template: impl Into<Name>, attempt: u64) -> Self {
        ChildRef {
            template: template.into(),
            attempt,
        }
    }
}

impl ChildRef {
    /// Writes `NAME#K` piece by piece.
    pub(crate) fn write_text<W: fmt::Write>(&self, out: &mut W) -> fmt::Result {
        out.write_str(&self.template)?;
        out.write_str("#")?;
        write_decimal(out, self.attempt)
    }
}

impl fmt::Display for ChildRef {
    /// `NAME#K`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_text(f)
    }
}
