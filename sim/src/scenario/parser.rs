//! The scenario parser: text to [`Scenario`], checking every rule and limit first.

use std::collections::HashMap;

use dynsup::{ExitReason, Restart, Shutdown};

use super::limits::{
    MAX_ATTEMPT, MAX_CHILDREN, MAX_DURATION_MS, MAX_FILE_BYTES, MAX_INIT_OUTCOMES, MAX_LINES,
    MAX_NAME_BYTES, MAX_RESTARTS, MAX_SECONDS, MAX_STEPS, MAX_TEMPLATES, MAX_TIME_MS,
    MAX_WORD_BYTES,
};
use super::races::Races;
use super::{
    ChildRef, InitOutcome, Name, Op, ParseError, Scenario, Step, SupervisorLine, Template,
};

/// The longest piece of user text quoted in an error message, in bytes.
const QUOTE_BYTES: usize = 40;

/// Parses a whole scenario; the first problem found is the error.
pub(super) fn parse_text(text: &str) -> Result<Scenario, ParseError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(ParseError::new(
            0,
            format!(
                "the file is {} bytes, more than the limit of {MAX_FILE_BYTES}",
                text.len()
            ),
        ));
    }
    let mut parser = Parser::default();
    for (index, line) in text.lines().enumerate() {
        let number = index.saturating_add(1);
        if number > MAX_LINES {
            return Err(ParseError::new(
                number,
                format!("the file has more than {MAX_LINES} lines"),
            ));
        }
        parser
            .line(number, line)
            .map_err(|message| ParseError::new(number, message))?;
    }
    parser.races.finish()?;
    Ok(parser.scenario)
}

/// The state carried from line to line.
#[derive(Default)]
struct Parser {
    scenario: Scenario,
    /// The line of the `supervisor` statement, once seen.
    supervisor_line: Option<usize>,
    /// The line of the first `at` statement, once seen.
    first_step_line: Option<usize>,
    /// Each template's name and the line defining it.
    template_lines: HashMap<String, usize>,
    /// The `suspend`/`resume` steps seen so far.
    races: Races,
}

impl Parser {
    /// Parses one line; the error is the message, without the location.
    fn line(&mut self, number: usize, line: &str) -> Result<(), String> {
        let mut words = line.split_ascii_whitespace();
        let Some(keyword) = words.next() else {
            return Ok(());
        };
        if keyword.starts_with('#') {
            return Ok(());
        }
        match keyword {
            "supervisor" => self.supervisor(number, words),
            "child" => self.child(number, words),
            "at" => self.step(number, words),
            _ => Err(format!("unknown keyword {}", quote(keyword))),
        }
    }

    fn supervisor<'a>(
        &mut self,
        number: usize,
        words: impl Iterator<Item = &'a str>,
    ) -> Result<(), String> {
        if let Some(first) = self.supervisor_line {
            return Err(format!(
                "a second supervisor line (the first is on line {first})"
            ));
        }
        if let Some(step) = self.first_step_line {
            return Err(format!(
                "the supervisor line must come before the first step (line {step})"
            ));
        }
        const KEYS: &str = "max_children, max_restarts or max_seconds";
        let mut supervisor = SupervisorLine::default();
        let mut seen = Vec::new();
        for word in words {
            let (key, value) = key_value(word)?;
            match key {
                "max_children" => {
                    supervisor.max_children = match number_text(value, MAX_CHILDREN) {
                        _ if value == "infinity" => None,
                        Ok(n) => Some(n),
                        Err(NumberError::NotANumber) => {
                            return Err(format!(
                                "bad max_children {}: expected a whole number or infinity",
                                quote(value)
                            ))
                        }
                        Err(e) => return Err(e.message(key, value)),
                    }
                }
                "max_restarts" => supervisor.max_restarts = number_value(key, value, MAX_RESTARTS)?,
                "max_seconds" => {
                    let seconds = number_value(key, value, MAX_SECONDS)?;
                    if seconds == 0 {
                        return Err("max_seconds must be at least 1 (OTP rejects 0)".to_owned());
                    }
                    supervisor.max_seconds = seconds;
                }
                _ => {
                    return Err(format!(
                        "unknown supervisor key {} (expected {KEYS})",
                        quote(key)
                    ))
                }
            }
            note_key(&mut seen, key)?;
        }
        self.scenario.supervisor = supervisor;
        self.supervisor_line = Some(number);
        Ok(())
    }

    fn child<'a>(
        &mut self,
        number: usize,
        mut words: impl Iterator<Item = &'a str>,
    ) -> Result<(), String> {
        let Some(name) = words.next() else {
            return Err("missing NAME in \"child NAME key=value...\"".to_owned());
        };
        let name = template_name(name)?;
        if let Some(first) = self.template_lines.get(name) {
            return Err(format!(
                "child {} is already defined on line {first}",
                quote(name)
            ));
        }
        if self.scenario.templates.len() >= MAX_TEMPLATES {
            return Err(format!(
                "too many child templates (the limit is {MAX_TEMPLATES})"
            ));
        }
        const KEYS: &str = "restart, shutdown, trap_exit, stop_ms or init";
        let mut template = Template::new(name);
        let mut seen = Vec::new();
        for word in words {
            let (key, value) = key_value(word)?;
            if !template_key(&mut template, key, value)? {
                return Err(format!(
                    "unknown child key {} (expected {KEYS})",
                    quote(key)
                ));
            }
            note_key(&mut seen, key)?;
        }
        self.template_lines.insert(name.to_owned(), number);
        self.scenario.templates.push(template);
        Ok(())
    }

    fn step<'a>(
        &mut self,
        number: usize,
        words: impl Iterator<Item = &'a str>,
    ) -> Result<(), String> {
        let mut words = words.peekable();
        let Some(time) = words.next() else {
            return Err("missing MS in \"at MS OP\"".to_owned());
        };
        let at_ms = match number_text(time, MAX_TIME_MS) {
            Ok(ms) => ms,
            Err(NumberError::NotANumber) => {
                return Err(format!(
                    "bad time {}: expected a whole number of milliseconds",
                    quote(time)
                ))
            }
            Err(e) => return Err(e.message("time", time)),
        };
        let race = match words.peek() {
            Some(&word) => self.races.step(number, word)?,
            None => None,
        };
        let op = match race {
            Some(op) => {
                // The rest of the line is checked as format 1 would check it.
                words.next();
                if let Some(extra) = words.next() {
                    return Err(format!("unexpected {} after \"{op}\"", quote(extra)));
                }
                op
            }
            None => op(&mut words)?,
        };
        if let Some(name) = op.template() {
            if !self.template_lines.contains_key(name) {
                return Err(format!(
                    "child {} is not defined before this step",
                    quote(name)
                ));
            }
        }
        if let Some(previous) = self.scenario.steps.last() {
            if at_ms < previous.at_ms {
                return Err(format!(
                    "time {at_ms} is before the previous step's {}",
                    previous.at_ms
                ));
            }
        }
        if self.scenario.steps.len() >= MAX_STEPS {
            return Err(format!("too many steps (the limit is {MAX_STEPS})"));
        }
        self.first_step_line.get_or_insert(number);
        self.scenario.steps.push(Step {
            at_ms,
            op,
            line: number,
        });
        Ok(())
    }
}

/// Parses the OP of an `at` line, which must use up all the words.
/// Applies one of format 1's `child` keys (`restart`, `shutdown`, `trap_exit`, `stop_ms`,
/// `init`) to `template`; `Ok(false)` when `key` is none of them. Shared with the tree parser.
pub(crate) fn template_key(
    template: &mut Template,
    key: &str,
    value: &str,
) -> Result<bool, String> {
    match key {
        "restart" => {
            template.restart = value.parse::<Restart>().map_err(|_| {
                format!(
                    "bad restart {}: expected permanent, transient or temporary",
                    quote(value)
                )
            })?
        }
        "shutdown" => template.shutdown = shutdown(value)?,
        "trap_exit" => template.trap_exit = boolean(key, value)?,
        "stop_ms" => template.stop_ms = number_value(key, value, MAX_DURATION_MS)?,
        "init" => template.init = init(value)?,
        _ => return Ok(false),
    }
    Ok(true)
}

/// A `true` or `false` value of `key`.
pub(crate) fn boolean(key: &str, value: &str) -> Result<bool, String> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!(
            "bad {key} {}: expected true or false",
            quote(value)
        )),
    }
}

fn op<'a>(words: &mut impl Iterator<Item = &'a str>) -> Result<Op, String> {
    const OPS: &str = "start, terminate, exit, kill, count, which or stop";
    let Some(name) = words.next() else {
        return Err(format!("missing OP in \"at MS OP\" (expected {OPS})"));
    };
    let (op, form) = match name {
        "start" => {
            let template = argument(words, "NAME", "start NAME")?;
            let template = Name::from(template_name(template)?);
            (Op::Start { template }, "start NAME")
        }
        "terminate" => {
            let r = child_ref(argument(words, "REF", "terminate REF")?)?;
            (Op::Terminate(r), "terminate REF")
        }
        "exit" => {
            let r = child_ref(argument(words, "REF", "exit REF REASON")?)?;
            let reason = exit_reason(argument(words, "REASON", "exit REF REASON")?)?;
            (Op::Exit(r, reason), "exit REF REASON")
        }
        "kill" => {
            let r = child_ref(argument(words, "REF", "kill REF")?)?;
            (Op::Kill(r), "kill REF")
        }
        "count" => (Op::Count, "count"),
        "which" => (Op::Which, "which"),
        "stop" => (Op::Stop, "stop"),
        _ => {
            return Err(format!(
                "unknown operation {} (expected {OPS})",
                quote(name)
            ))
        }
    };
    match words.next() {
        Some(extra) => Err(format!("unexpected {} after \"{form}\"", quote(extra))),
        None => Ok(op),
    }
}

/// The next word, which the operation `form` needs as its `what`.
fn argument<'a>(
    words: &mut impl Iterator<Item = &'a str>,
    what: &str,
    form: &str,
) -> Result<&'a str, String> {
    words
        .next()
        .ok_or_else(|| format!("missing {what} in \"{form}\""))
}

/// Splits `key=value`.
pub(crate) fn key_value(word: &str) -> Result<(&str, &str), String> {
    word.split_once('=')
        .ok_or_else(|| format!("expected KEY=VALUE, found {}", quote(word)))
}

/// Records that `key` was given, failing if it already was.
pub(crate) fn note_key<'a>(seen: &mut Vec<&'a str>, key: &'a str) -> Result<(), String> {
    if seen.contains(&key) {
        return Err(format!("duplicate key {}", quote(key)));
    }
    seen.push(key);
    Ok(())
}

/// Checks a template name: `[a-z][a-z0-9_]*`, at most [`MAX_NAME_BYTES`] bytes.
pub(crate) fn template_name(name: &str) -> Result<&str, String> {
    let mut bytes = name.bytes();
    let valid = bytes.next().is_some_and(|b| b.is_ascii_lowercase()) && bytes.all(is_word_byte);
    if !valid {
        return Err(format!(
            "bad child name {}: expected [a-z][a-z0-9_]*",
            quote(name)
        ));
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(format!(
            "child name {} is longer than {MAX_NAME_BYTES} bytes",
            quote(name)
        ));
    }
    Ok(name)
}

/// Whether `b` may appear in a WORD (`[a-z0-9_]`).
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'
}

/// Checks a WORD (`[a-z0-9_]+`, at most [`MAX_WORD_BYTES`] bytes); `what` names it in errors.
pub(crate) fn word<'a>(text: &'a str, what: &str) -> Result<&'a str, String> {
    if text.is_empty() || !text.bytes().all(is_word_byte) {
        return Err(format!("bad {what} {}: expected [a-z0-9_]+", quote(text)));
    }
    if text.len() > MAX_WORD_BYTES {
        return Err(format!(
            "{what} {} is longer than {MAX_WORD_BYTES} bytes",
            quote(text)
        ));
    }
    Ok(text)
}

/// Parses `NAME#K`.
pub(crate) fn child_ref(text: &str) -> Result<ChildRef, String> {
    let Some((name, attempt)) = text.split_once('#') else {
        return Err(format!("bad reference {}: expected NAME#K", quote(text)));
    };
    let template = Name::from(template_name(name)?);
    let attempt = match number_text(attempt, MAX_ATTEMPT) {
        Ok(0) => {
            return Err(format!(
                "bad reference {}: the attempt number must be at least 1",
                quote(text)
            ))
        }
        Ok(k) => k,
        Err(NumberError::NotANumber) => {
            return Err(format!(
                "bad reference {}: expected NAME#K with K a whole number",
                quote(text)
            ))
        }
        Err(e) => return Err(e.message("attempt number", attempt)),
    };
    Ok(ChildRef { template, attempt })
}

/// Parses a REASON: `normal`, `shutdown`, `shutdown:WORD` or another WORD.
pub(crate) fn exit_reason(text: &str) -> Result<ExitReason, String> {
    let reason = text.parse::<ExitReason>().map_err(|_| {
        format!(
            "bad exit reason {}: expected normal, shutdown, shutdown:WORD or a WORD of [a-z0-9_]",
            quote(text)
        )
    })?;
    if let ExitReason::ShutdownWith(w) | ExitReason::Other(w) = &reason {
        word(w, "exit reason word")?;
    }
    Ok(reason)
}

/// Parses a `shutdown=` value.
pub(crate) fn shutdown(value: &str) -> Result<Shutdown, String> {
    match value {
        "brutal_kill" => Ok(Shutdown::BrutalKill),
        "infinity" => Ok(Shutdown::Infinity),
        _ => match number_text(value, MAX_DURATION_MS) {
            Ok(ms) => Ok(Shutdown::millis(ms)),
            Err(NumberError::NotANumber) => Err(format!(
                "bad shutdown {}: expected brutal_kill, infinity or a whole number of milliseconds",
                quote(value)
            )),
            Err(e) => Err(e.message("shutdown", value)),
        },
    }
}

/// Parses an `init=` list of outcomes.
fn init(value: &str) -> Result<Vec<InitOutcome>, String> {
    let mut outcomes = Vec::new();
    for text in value.split(',') {
        if outcomes.len() >= MAX_INIT_OUTCOMES {
            return Err(format!("init has more than {MAX_INIT_OUTCOMES} outcomes"));
        }
        let outcome = match text {
            "ok" => InitOutcome::Ok,
            "ignore" => InitOutcome::Ignore,
            _ => match text.strip_prefix("stop:") {
                Some(w) => InitOutcome::Stop(word(w, "init stop word")?.to_owned()),
                None => {
                    return Err(format!(
                        "bad init outcome {}: expected ok, ignore or stop:WORD",
                        quote(text)
                    ))
                }
            },
        };
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

/// Why a number did not parse.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum NumberError {
    /// Not a non-empty string of ASCII digits.
    NotANumber,
    /// A zero followed by more digits.
    LeadingZero,
    /// Larger than the limit (which is carried).
    TooLarge(u64),
}

impl NumberError {
    /// The message for a number `text` that is the `what`.
    pub(crate) fn message(&self, what: &str, text: &str) -> String {
        match self {
            NumberError::NotANumber => {
                format!("bad {what} {}: expected a whole number", quote(text))
            }
            NumberError::LeadingZero => format!(
                "bad {what} {}: a number may not have leading zeros",
                quote(text)
            ),
            NumberError::TooLarge(max) => {
                format!("{what} {} is more than the limit of {max}", truncate(text))
            }
        }
    }
}

/// Parses the number `value` of `key`, at most `max`.
pub(crate) fn number_value(key: &str, value: &str, max: u64) -> Result<u64, String> {
    number_text(value, max).map_err(|e| e.message(key, value))
}

/// Parses a decimal number without sign or leading zeros, at most `max`.
pub(crate) fn number_text(text: &str, max: u64) -> Result<u64, NumberError> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NumberError::NotANumber);
    }
    if text.len() > 1 && text.starts_with('0') {
        return Err(NumberError::LeadingZero);
    }
    match text.parse::<u64>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(NumberError::TooLarge(max)),
    }
}

/// `text` quoted for an error message, cut short if long.
pub(crate) fn quote(text: &str) -> String {
    let cut = prefix(text);
    if cut.len() < text.len() {
        format!("{cut:?}...")
    } else {
        format!("{text:?}")
    }
}

/// `text` unquoted, cut short if long.
pub(crate) fn truncate(text: &str) -> String {
    let cut = prefix(text);
    if cut.len() < text.len() {
        format!("{cut}...")
    } else {
        text.to_owned()
    }
}

/// The longest prefix of `text` of at most [`QUOTE_BYTES`] bytes that ends on a char boundary.
fn prefix(text: &str) -> &str {
    let mut end = text.len().min(QUOTE_BYTES);
    while !text.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    text.get(..end).unwrap_or("")
}
