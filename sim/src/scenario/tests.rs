//! Tests of the scenario parser and printer.

use dynsup::{ExitReason, Restart, Shutdown};

use super::*;

const EXAMPLE: &str = "\
supervisor max_restarts=1
child w
child t restart=transient
at 0 start w
at 0 start t
at 100 exit t#1 normal
at 200 exit w#1 boom
at 300 kill w#2
at 400 count
";

fn r(name: &str, attempt: u64) -> ChildRef {
    ChildRef::new(name, attempt)
}

fn start(name: &str) -> Op {
    Op::Start {
        template: name.into(),
    }
}

/// Asserts that `text` fails at `line` with exactly `message`.
#[track_caller]
fn fails(text: &str, line: usize, message: &str) {
    match parse(text) {
        Ok(s) => panic!("parsed, expected an error at line {line}: {s:?}"),
        Err(e) => {
            assert_eq!((e.line, e.message.as_str()), (line, message), "{text:?}");
            assert_eq!(e.file, None);
        }
    }
}

/// Asserts that `text` parses, prints, and parses back to the same scenario.
#[track_caller]
fn round_trips(text: &str) -> Scenario {
    let scenario = parse(text).unwrap_or_else(|e| panic!("{e}: {text:?}"));
    let printed = scenario.to_string();
    let again = parse(&printed).unwrap_or_else(|e| panic!("{e}: reprinted {printed:?}"));
    assert_eq!(again, scenario, "{printed}");
    assert_eq!(again.to_string(), printed, "printing is not stable");
    scenario
}

#[test]
fn the_example_parses_to_the_expected_structure() {
    let s = parse(EXAMPLE).unwrap();
    assert_eq!(
        s.supervisor,
        SupervisorLine {
            max_children: None,
            max_restarts: 1,
            max_seconds: 5
        }
    );
    let w = Template::new("w");
    let t = Template {
        restart: Restart::Transient,
        ..Template::new("t")
    };
    assert_eq!(s.templates, vec![w.clone(), t.clone()]);
    assert_eq!(w.restart, Restart::Permanent);
    assert_eq!(w.shutdown, Shutdown::millis(5000));
    assert!(!w.trap_exit);
    assert_eq!(w.stop_ms, 0);
    assert_eq!(w.init, vec![InitOutcome::Ok]);
    let expected = vec![
        Step::new(0, start("w")),
        Step::new(0, start("t")),
        Step::new(100, Op::Exit(r("t", 1), ExitReason::Normal)),
        Step::new(200, Op::Exit(r("w", 1), ExitReason::other("boom"))),
        Step::new(300, Op::Kill(r("w", 2))),
        Step::new(400, Op::Count),
    ];
    assert_eq!(s.steps, expected);
    let lines: Vec<usize> = s.steps.iter().map(|s| s.line).collect();
    assert_eq!(lines, vec![4, 5, 6, 7, 8, 9]);
    assert_eq!(s.template("t"), Some(&t));
    assert_eq!(s.template_index("t"), Some(1));
    assert_eq!(s.template("x"), None);
    assert_eq!(s.template_index("x"), None);
}

#[test]
fn canonical_text() {
    let s = parse(EXAMPLE).unwrap();
    assert_eq!(
        s.to_string(),
        "\
supervisor max_children=infinity max_restarts=1 max_seconds=5
child w restart=permanent shutdown=5000 trap_exit=false stop_ms=0 init=ok
child t restart=transient shutdown=5000 trap_exit=false stop_ms=0 init=ok
at 0 start w
at 0 start t
at 100 exit t#1 normal
at 200 exit w#1 boom
at 300 kill w#2
at 400 count
"
    );
    assert_eq!(parse("").unwrap(), Scenario::default());
    assert_eq!(
        Scenario::default().to_string(),
        "supervisor max_children=infinity max_restarts=3 max_seconds=5\n"
    );
}

#[test]
fn op_and_ref_text() {
    let cases = [
        (start("w"), "start w"),
        (Op::Terminate(r("w", 1)), "terminate w#1"),
        (
            Op::Exit(r("w", 1), ExitReason::ShutdownWith("x".into())),
            "exit w#1 shutdown:x",
        ),
        (
            Op::Exit(r("w", 3), ExitReason::Shutdown),
            "exit w#3 shutdown",
        ),
        (Op::Exit(r("w", 3), ExitReason::Killed), "exit w#3 killed"),
        (Op::Kill(r("w", 12)), "kill w#12"),
        (Op::Count, "count"),
        (Op::Which, "which"),
        (Op::Stop, "stop"),
    ];
    for (op, text) in cases {
        assert_eq!(op.to_string(), text);
        let s = parse(&format!("child w\nat 0 {text}")).unwrap();
        assert_eq!(s.steps, vec![Step::new(0, op)]);
    }
    assert_eq!(r("abc_1", 7).to_string(), "abc_1#7");
    assert_eq!(Op::Count.template(), None);
    assert_eq!(Op::Kill(r("w", 1)).template(), Some("w"));
}

#[test]
fn every_key_and_value() {
    let s = round_trips(
        "supervisor max_children=10 max_restarts=0 max_seconds=1\n\
         child a restart=temporary shutdown=brutal_kill trap_exit=true stop_ms=30 \
         init=ok,ignore,stop:bad_1\n\
         child b shutdown=infinity init=ignore\n\
         child c shutdown=0 stop_ms=1000000000\n",
    );
    assert_eq!(
        s.supervisor,
        SupervisorLine {
            max_children: Some(10),
            max_restarts: 0,
            max_seconds: 1
        }
    );
    assert_eq!(
        s.templates.first(),
        Some(&Template {
            name: "a".into(),
            restart: Restart::Temporary,
            shutdown: Shutdown::BrutalKill,
            trap_exit: true,
            stop_ms: 30,
            init: vec![
                InitOutcome::Ok,
                InitOutcome::Ignore,
                InitOutcome::Stop("bad_1".into())
            ],
        })
    );
}

#[test]
fn every_key_and_value_parses() {
    let s = parse(
        "supervisor max_children=10 max_restarts=0 max_seconds=1\n\
         child a restart=temporary shutdown=brutal_kill trap_exit=true stop_ms=30 \
         init=ok,ignore,stop:bad_1\n\
         child b shutdown=infinity init=ignore trap_exit=false\n\
         child c shutdown=0 stop_ms=1000000000\n",
    )
    .unwrap();
    let b = s.template("b").unwrap();
    assert_eq!(b.shutdown, Shutdown::Infinity);
    assert_eq!(b.init, vec![InitOutcome::Ignore]);
    let c = s.template("c").unwrap();
    assert_eq!(c.shutdown, Shutdown::millis(0));
    assert_eq!(c.stop_ms, 1_000_000_000);
}

#[test]
fn round_trips_several_scenarios() {
    round_trips(EXAMPLE);
    round_trips("");
    round_trips("# only a comment\n\n   \n");
    round_trips(
        "  # indented comment\n\
         \tsupervisor   max_seconds=9\tmax_children=infinity  \r\n\
         child worker_2 init=stop:x,stop:y,ok trap_exit=true stop_ms=10 shutdown=20\n\
         at 0 start worker_2\n\
         at 0   start   worker_2\n\
         child late restart=temporary\n\
         at 5 start late\n\
         at 5 terminate late#1\n\
         at 6 exit worker_2#3 shutdown:because\n\
         at 7 exit worker_2#3 noproc\n\
         at 1000000000 which\n\
         at 1000000000 stop\n",
    );
    round_trips(&format!(
        "supervisor max_children=1000000000 max_restarts=1000000000 max_seconds=1000000000\n\
         child z shutdown=1000000000\n\
         at 1000000000 kill z#1000000000\n\
         at 1000000000 exit z#1 {}\n",
        "a".repeat(MAX_WORD_BYTES)
    ));
}

#[test]
fn comments_blank_lines_and_whitespace() {
    let s = parse("\n# c\n   # c2\n\tchild\tw\t\nat 3  start  w \r\n").unwrap();
    assert_eq!(s.templates, vec![Template::new("w")]);
    assert_eq!(s.steps, vec![Step::new(3, start("w"))]);
    assert_eq!(s.steps.first().map(|s| s.line), Some(5));
}

#[test]
fn step_equality_ignores_the_line() {
    let a = Step {
        at_ms: 1,
        op: Op::Count,
        line: 7,
    };
    assert_eq!(a, Step::new(1, Op::Count));
    assert_ne!(a, Step::new(2, Op::Count));
    assert_ne!(a, Step::new(1, Op::Which));
}

#[test]
fn init_outcome_by_attempt() {
    let mut t = Template::new("w");
    t.init = vec![InitOutcome::Ignore, InitOutcome::Stop("x".into())];
    assert_eq!(t.outcome(0), &InitOutcome::Ignore);
    assert_eq!(t.outcome(1), &InitOutcome::Ignore);
    assert_eq!(t.outcome(2), &InitOutcome::Stop("x".into()));
    assert_eq!(t.outcome(u64::MAX), &InitOutcome::Stop("x".into()));
    t.init.clear();
    assert_eq!(t.outcome(3), &InitOutcome::Ok);
    assert!(t.to_string().ends_with(" init=ok"));
}

#[test]
fn keyword_errors() {
    fails("child w\n\n\nstrat w\n", 4, "unknown keyword \"strat\"");
    fails("Child w", 1, "unknown keyword \"Child\"");
    fails("at=0 count", 1, "unknown keyword \"at=0\"");
}

#[test]
fn supervisor_errors() {
    fails(
        "supervisor\nsupervisor max_restarts=1",
        2,
        "a second supervisor line (the first is on line 1)",
    );
    fails(
        "child w\nat 0 start w\nsupervisor",
        3,
        "the supervisor line must come before the first step (line 2)",
    );
    fails(
        "supervisor strategy=one_for_one",
        1,
        "unknown supervisor key \"strategy\" (expected max_children, max_restarts or max_seconds)",
    );
    fails(
        "supervisor max_restarts=1 max_restarts=2",
        1,
        "duplicate key \"max_restarts\"",
    );
    fails(
        "supervisor max_restarts",
        1,
        "expected KEY=VALUE, found \"max_restarts\"",
    );
    fails(
        "supervisor max_restarts=-1",
        1,
        "bad max_restarts \"-1\": expected a whole number",
    );
    fails(
        "supervisor max_restarts=",
        1,
        "bad max_restarts \"\": expected a whole number",
    );
    fails(
        "supervisor max_restarts=07",
        1,
        "bad max_restarts \"07\": a number may not have leading zeros",
    );
    fails(
        "supervisor max_children=many",
        1,
        "bad max_children \"many\": expected a whole number or infinity",
    );
    fails(
        "supervisor max_seconds=infinity",
        1,
        "bad max_seconds \"infinity\": expected a whole number",
    );
    fails(
        "supervisor max_seconds=0",
        1,
        "max_seconds must be at least 1 (OTP rejects 0)",
    );
    // The first key problem wins.
    fails(
        "supervisor max_seconds=0 bogus=1",
        1,
        "max_seconds must be at least 1 (OTP rejects 0)",
    );
}

#[test]
fn child_errors() {
    fails("child", 1, "missing NAME in \"child NAME key=value...\"");
    fails(
        "child W",
        1,
        "bad child name \"W\": expected [a-z][a-z0-9_]*",
    );
    fails(
        "child 1w",
        1,
        "bad child name \"1w\": expected [a-z][a-z0-9_]*",
    );
    fails(
        "child _w",
        1,
        "bad child name \"_w\": expected [a-z][a-z0-9_]*",
    );
    fails(
        "child w-x",
        1,
        "bad child name \"w-x\": expected [a-z][a-z0-9_]*",
    );
    fails(
        "child é",
        1,
        "bad child name \"é\": expected [a-z][a-z0-9_]*",
    );
    fails(
        "child w\n# x\nchild w",
        3,
        "child \"w\" is already defined on line 1",
    );
    fails(
        "child w strategy=x",
        1,
        "unknown child key \"strategy\" (expected restart, shutdown, trap_exit, stop_ms or init)",
    );
    fails(
        "child w restart=transient restart=temporary",
        1,
        "duplicate key \"restart\"",
    );
    fails(
        "child w restart",
        1,
        "expected KEY=VALUE, found \"restart\"",
    );
    fails(
        "child w restart=always",
        1,
        "bad restart \"always\": expected permanent, transient or temporary",
    );
    fails(
        "child w shutdown=soon",
        1,
        "bad shutdown \"soon\": expected brutal_kill, infinity or a whole number of milliseconds",
    );
    fails(
        "child w shutdown=0050",
        1,
        "bad shutdown \"0050\": a number may not have leading zeros",
    );
    fails(
        "child w trap_exit=yes",
        1,
        "bad trap_exit \"yes\": expected true or false",
    );
    fails(
        "child w stop_ms=1.5",
        1,
        "bad stop_ms \"1.5\": expected a whole number",
    );
    fails(
        "child w init=",
        1,
        "bad init outcome \"\": expected ok, ignore or stop:WORD",
    );
    fails(
        "child w init=ok,,ok",
        1,
        "bad init outcome \"\": expected ok, ignore or stop:WORD",
    );
    fails(
        "child w init=crash",
        1,
        "bad init outcome \"crash\": expected ok, ignore or stop:WORD",
    );
    fails(
        "child w init=stop:",
        1,
        "bad init stop word \"\": expected [a-z0-9_]+",
    );
    fails(
        "child w init=stop:Bad",
        1,
        "bad init stop word \"Bad\": expected [a-z0-9_]+",
    );
}

#[test]
fn step_errors() {
    fails("at", 1, "missing MS in \"at MS OP\"");
    fails(
        "at 5",
        1,
        "missing OP in \"at MS OP\" (expected start, terminate, exit, kill, count, which or stop)",
    );
    fails(
        "at soon count",
        1,
        "bad time \"soon\": expected a whole number of milliseconds",
    );
    fails(
        "at -1 count",
        1,
        "bad time \"-1\": expected a whole number of milliseconds",
    );
    fails(
        "at 05 count",
        1,
        "bad time \"05\": a number may not have leading zeros",
    );
    fails(
        "at 0 restart w",
        1,
        "unknown operation \"restart\" (expected start, terminate, exit, kill, count, which or stop)",
    );
    fails("at 0 start", 1, "missing NAME in \"start NAME\"");
    fails("at 0 terminate", 1, "missing REF in \"terminate REF\"");
    fails("at 0 kill", 1, "missing REF in \"kill REF\"");
    fails("at 0 exit", 1, "missing REF in \"exit REF REASON\"");
    fails(
        "child w\nat 0 exit w#1",
        2,
        "missing REASON in \"exit REF REASON\"",
    );
    fails("at 0 count now", 1, "unexpected \"now\" after \"count\"");
    fails("at 0 which x", 1, "unexpected \"x\" after \"which\"");
    fails("at 0 stop x", 1, "unexpected \"x\" after \"stop\"");
    fails(
        "child w\nat 0 start w w",
        2,
        "unexpected \"w\" after \"start NAME\"",
    );
    fails(
        "child w\nat 0 exit w#1 boom bang",
        2,
        "unexpected \"bang\" after \"exit REF REASON\"",
    );
    fails(
        "child w\nat 0 kill w#1 w#2",
        2,
        "unexpected \"w#2\" after \"kill REF\"",
    );
    fails(
        "at 0 start W",
        1,
        "bad child name \"W\": expected [a-z][a-z0-9_]*",
    );
}

#[test]
fn reference_errors() {
    fails("at 0 kill w", 1, "bad reference \"w\": expected NAME#K");
    fails(
        "at 0 kill w#0",
        1,
        "bad reference \"w#0\": the attempt number must be at least 1",
    );
    fails(
        "at 0 kill w#",
        1,
        "bad reference \"w#\": expected NAME#K with K a whole number",
    );
    fails(
        "at 0 kill w#1#2",
        1,
        "bad reference \"w#1#2\": expected NAME#K with K a whole number",
    );
    fails(
        "at 0 kill w#01",
        1,
        "bad attempt number \"01\": a number may not have leading zeros",
    );
    fails(
        "at 0 kill #1",
        1,
        "bad child name \"\": expected [a-z][a-z0-9_]*",
    );
    fails(
        "at 0 terminate W#1",
        1,
        "bad child name \"W\": expected [a-z][a-z0-9_]*",
    );
}

#[test]
fn reason_errors() {
    let bad = |reason: &str| {
        format!(
            "bad exit reason {reason:?}: expected normal, shutdown, shutdown:WORD or a WORD of [a-z0-9_]"
        )
    };
    fails("child w\nat 0 exit w#1 Boom", 2, &bad("Boom"));
    fails("child w\nat 0 exit w#1 shutdown:", 2, &bad("shutdown:"));
    fails("child w\nat 0 exit w#1 shutdown:X", 2, &bad("shutdown:X"));
    fails("child w\nat 0 exit w#1 a:b", 2, &bad("a:b"));
}

#[test]
fn undefined_template_errors() {
    fails(
        "child w\nat 0 start v",
        2,
        "child \"v\" is not defined before this step",
    );
    fails(
        "at 0 start w\nchild w",
        1,
        "child \"w\" is not defined before this step",
    );
    for op in ["terminate v#1", "exit v#1 normal", "kill v#2"] {
        fails(
            &format!("child w\n\nat 0 {op}\nchild v"),
            3,
            "child \"v\" is not defined before this step",
        );
    }
}

#[test]
fn time_order_errors() {
    fails(
        "child w\nat 200 count\nat 200 count\n\n\n\nat 100 start w",
        7,
        "time 100 is before the previous step's 200",
    );
}

#[test]
fn limits_on_numbers() {
    fails(
        "at 1000000001 count",
        1,
        "time 1000000001 is more than the limit of 1000000000",
    );
    fails(
        "at 99999999999999999999999999 count",
        1,
        "time 99999999999999999999999999 is more than the limit of 1000000000",
    );
    fails(
        &format!("at {} count", "9".repeat(100)),
        1,
        &format!(
            "time {}... is more than the limit of 1000000000",
            "9".repeat(40)
        ),
    );
    fails(
        "child w stop_ms=1000000001",
        1,
        "stop_ms 1000000001 is more than the limit of 1000000000",
    );
    fails(
        "child w shutdown=1000000001",
        1,
        "shutdown 1000000001 is more than the limit of 1000000000",
    );
    fails(
        "supervisor max_restarts=1000000001",
        1,
        "max_restarts 1000000001 is more than the limit of 1000000000",
    );
    fails(
        "supervisor max_seconds=1000000001",
        1,
        "max_seconds 1000000001 is more than the limit of 1000000000",
    );
    fails(
        "supervisor max_children=1000000001",
        1,
        "max_children 1000000001 is more than the limit of 1000000000",
    );
    fails(
        "child w\nat 0 kill w#1000000001",
        2,
        "attempt number 1000000001 is more than the limit of 1000000000",
    );
    // At the limits, all is well.
    let s = parse(&format!(
        "supervisor max_children=0 max_seconds={MAX_SECONDS}\nchild w\nat {MAX_TIME_MS} kill w#{MAX_ATTEMPT}"
    ))
    .unwrap();
    assert_eq!(s.supervisor.max_children, Some(0));
}

#[test]
fn limits_on_names_and_words() {
    let name = format!("a{}", "b".repeat(MAX_NAME_BYTES - 1));
    let s = round_trips(&format!("child {name}\nat 0 start {name}"));
    assert_eq!(
        s.templates.first().map(|t| t.name.len()),
        Some(MAX_NAME_BYTES)
    );
    let long = format!("{name}c");
    fails(
        &format!("child {long}"),
        1,
        &format!(
            "child name \"{}\"... is longer than 64 bytes",
            long.get(..40).unwrap()
        ),
    );
    fails(
        &format!("child w\nat 0 kill {long}#1"),
        2,
        &format!(
            "child name \"{}\"... is longer than 64 bytes",
            long.get(..40).unwrap()
        ),
    );
    let word = "x".repeat(MAX_WORD_BYTES);
    round_trips(&format!(
        "child w init=stop:{word}\nat 0 exit w#1 shutdown:{word}\nat 0 exit w#1 {word}"
    ));
    let too_long = format!("{word}y");
    let message =
        "exit reason word \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"... is longer than 64 bytes";
    fails(&format!("child w\nat 0 exit w#1 {too_long}"), 2, message);
    fails(
        &format!("child w\nat 0 exit w#1 shutdown:{too_long}"),
        2,
        message,
    );
    fails(
        &format!("child w init=ok,stop:{too_long}"),
        1,
        "init stop word \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"... is longer than 64 bytes",
    );
}

#[test]
fn long_text_in_messages_is_cut_at_a_char_boundary() {
    let keyword = format!("{}é{}", "a".repeat(39), "b".repeat(100));
    fails(
        &keyword,
        1,
        &format!("unknown keyword \"{}\"...", "a".repeat(39)),
    );
}

#[test]
fn limit_on_init_outcomes() {
    let list = vec!["ignore"; MAX_INIT_OUTCOMES].join(",");
    let s = round_trips(&format!("child w init={list}"));
    assert_eq!(
        s.templates.first().map(|t| t.init.len()),
        Some(MAX_INIT_OUTCOMES)
    );
    fails(
        &format!("child w init={list},ok"),
        1,
        "init has more than 1000 outcomes",
    );
}

#[test]
fn limit_on_templates() {
    let mut text = String::new();
    for i in 0..MAX_TEMPLATES {
        text.push_str(&format!("child c{i}\n"));
    }
    let s = round_trips(&text);
    assert_eq!(s.templates.len(), MAX_TEMPLATES);
    assert_eq!(s.template_index("c999"), Some(999));
    text.push_str("child extra\n");
    fails(&text, 1001, "too many child templates (the limit is 1000)");
}

#[test]
fn limit_on_steps_and_lines() {
    let mut text = String::from("child w\n");
    for _ in 1..MAX_LINES {
        text.push_str("at 0 stop\n");
    }
    let s = parse(&text).unwrap();
    assert_eq!(s.steps.len(), MAX_LINES - 1);
    text.push_str("at 0 stop\n");
    fails(&text, MAX_LINES + 1, "the file has more than 100000 lines");
    let blank = "\n".repeat(MAX_LINES + 5);
    fails(&blank, MAX_LINES + 1, "the file has more than 100000 lines");
    assert!(parse(&"\n".repeat(MAX_LINES)).is_ok());
}

#[test]
fn limit_on_file_size() {
    let mut text = "#".repeat(MAX_FILE_BYTES);
    assert!(parse(&text).is_ok());
    text.push('\n');
    fails(
        &text,
        0,
        "the file is 1048577 bytes, more than the limit of 1048576",
    );
}

#[test]
fn error_display() {
    let e = ParseError::new(4, "unknown keyword \"strat\"");
    assert_eq!(e.to_string(), "line 4: unknown keyword \"strat\"");
    let e = e.in_file("a.scn");
    assert_eq!(e.to_string(), "a.scn:4: unknown keyword \"strat\"");
    assert_eq!(ParseError::new(0, "too big").to_string(), "too big");
    assert_eq!(
        ParseError::new(0, "too big").in_file("f").to_string(),
        "f: too big"
    );
    let boxed: Box<dyn std::error::Error> = Box::new(ParseError::new(1, "x"));
    assert_eq!(boxed.to_string(), "line 1: x");
}

fn temp_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("dynsup-scenario-{}-{name}", std::process::id()))
}

#[test]
fn parse_file_reads_and_names_the_file() {
    let path = temp_path("ok.scn");
    std::fs::write(&path, EXAMPLE).unwrap();
    assert_eq!(parse_file(&path).unwrap(), parse(EXAMPLE).unwrap());

    std::fs::write(&path, "child w\nat 0 start v\n").unwrap();
    let e = parse_file(&path).unwrap_err();
    let name = path.display().to_string();
    assert_eq!(e.file.as_deref(), Some(name.as_str()));
    assert_eq!(e.line, 2);
    assert_eq!(
        e.to_string(),
        format!("{name}:2: child \"v\" is not defined before this step")
    );

    std::fs::write(&path, b"child w\n# \xff\n").unwrap();
    let e = parse_file(&path).unwrap_err();
    assert_eq!(
        (e.line, e.message.as_str()),
        (2, "the text is not valid UTF-8")
    );

    std::fs::write(&path, vec![b'#'; MAX_FILE_BYTES + 1]).unwrap();
    let e = parse_file(&path).unwrap_err();
    assert_eq!(e.line, 0);
    assert_eq!(
        e.message,
        "the file is more than the limit of 1048576 bytes"
    );
    std::fs::remove_file(&path).unwrap();

    let e = parse_file(&temp_path("missing.scn")).unwrap_err();
    assert_eq!(e.line, 0);
    assert!(e.message.starts_with("cannot read: "), "{}", e.message);
    assert!(e.file.is_some());
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let i = self.below(items.len());
        items.get(i).copied().unwrap_or("")
    }
}

/// Parses `text`; whatever parses must print and parse back to itself.
fn check(text: &str) -> bool {
    match parse(text) {
        Ok(s) => {
            let printed = s.to_string();
            match parse(&printed) {
                Ok(again) => assert_eq!(again, s, "{text:?} printed as {printed:?}"),
                Err(e) => panic!("{text:?} printed as {printed:?}, which fails: {e}"),
            }
            true
        }
        Err(e) => {
            assert!(!e.message.is_empty());
            let lines = text.lines().count();
            assert!(e.line <= lines, "line {} of {lines}: {text:?}", e.line);
            false
        }
    }
}

#[test]
fn fuzz_random_bytes() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let alphabet = b"abcw#0123456789 \t\n\r=:,_-#xyzAZ\x00\xc3\xa9";
    for _ in 0..20_000 {
        let len = rng.below(64);
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                if rng.below(4) == 0 {
                    rng.next() as u8
                } else {
                    alphabet
                        .get(rng.below(alphabet.len()))
                        .copied()
                        .unwrap_or(b' ')
                }
            })
            .collect();
        check(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn fuzz_mutations_of_valid_files() {
    let seeds = [
        EXAMPLE,
        "supervisor max_children=2 max_restarts=0 max_seconds=1\n\
         child a restart=temporary shutdown=brutal_kill trap_exit=true stop_ms=30 init=ok,ignore,stop:x\n\
         child b shutdown=infinity\n\
         at 0 start a\nat 1 terminate a#1\nat 2 exit b#2 shutdown:y\nat 2 which\nat 3 stop\n",
    ];
    let tokens = [
        " ",
        "\n",
        "#",
        "=",
        ",",
        ":",
        "0",
        "1",
        "9",
        "00",
        "a",
        "w",
        "t",
        "b",
        "at",
        "child",
        "supervisor",
        "start",
        "kill",
        "exit",
        "terminate",
        "count",
        "which",
        "stop",
        "normal",
        "shutdown",
        "shutdown:",
        "killed",
        "init=",
        "ok",
        "ignore",
        "stop:",
        "restart=",
        "transient",
        "shutdown=",
        "infinity",
        "brutal_kill",
        "trap_exit=",
        "true",
        "stop_ms=",
        "max_children=",
        "max_seconds=",
        "max_restarts=",
        "1000000000",
        "w#1",
        "\t",
        "\r\n",
        "é",
    ];
    let mut rng = Rng(0x0123_4567_89AB_CDEF);
    let mut parsed = 0;
    for round in 0..20_000 {
        let seed = seeds.get(round % seeds.len()).copied().unwrap_or("");
        let mut text = seed.to_owned();
        for _ in 0..1 + rng.below(3) {
            let mut at = rng.below(text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            match rng.below(4) {
                0 => text.insert_str(at, rng.pick(&tokens)),
                1 => {
                    let mut end = (at + 1 + rng.below(8)).min(text.len());
                    while !text.is_char_boundary(end) {
                        end += 1;
                    }
                    text.replace_range(at..end, "");
                }
                2 => {
                    let mut end = (at + 1 + rng.below(4)).min(text.len());
                    while !text.is_char_boundary(end) {
                        end += 1;
                    }
                    let token = rng.pick(&tokens);
                    text.replace_range(at..end, token);
                }
                _ => {
                    // Swap two lines.
                    let mut lines: Vec<&str> = text.lines().collect();
                    let (i, j) = (rng.below(lines.len()), rng.below(lines.len()));
                    if i < lines.len() && j < lines.len() {
                        lines.swap(i, j);
                    }
                    text = lines.join("\n");
                }
            }
        }
        if check(&text) {
            parsed += 1;
        }
    }
    // The mutations keep a fair share of the files valid, so the round trip is exercised.
    assert!(parsed > 500, "only {parsed} mutated files parsed");
}

/// The rules of `suspend`/`resume` (docs/races.md), with the lines the oracle gives.
#[test]
fn race_steps_rules_and_round_trip() {
    let err = |text: &str| parse(text).unwrap_err();
    let e = err("child w\nat 0 resume\n");
    assert_eq!(
        (e.line, e.message.as_str()),
        (2, "\"resume\" without a \"suspend\" before it")
    );
    let e = err("child w\nat 0 suspend\nat 0 count\nat 0 suspend\n");
    assert_eq!(e.line, 4);
    assert!(e.message.contains("a second \"suspend\""), "{e}");
    assert!(e.message.contains("since line 2"), "{e}");
    let e = err("child w\nat 0 start w\nat 5 suspend\nat 5 count\n");
    assert_eq!(e.line, 3);
    assert!(e.message.contains("ends suspended"), "{e}");
    let e = err("child w\nat 0 suspend now\n");
    assert_eq!(e.line, 2);
    assert!(e.message.contains("unexpected \"now\""), "{e}");
    // A race step keeps the rules of every step: its time never goes back.
    let e = err("child w\nat 5 start w\nat 4 suspend\nat 5 resume\n");
    assert_eq!(e.line, 3);
    assert!(e.message.contains("before the previous step"), "{e}");
    // A well-formed race file parses into its steps, and its canonical text parses back.
    let text = "child w\nat 0 start w\nat 5 suspend\nat 5 exit w#1 boom\nat 5 resume\n";
    let scenario = parse(text).expect("a well-formed race file parses");
    assert_eq!(scenario.steps[1].op, Op::Suspend);
    assert_eq!(scenario.steps[3].op, Op::Resume);
    assert_eq!(scenario.steps[1].to_string(), "at 5 suspend");
    assert_eq!(parse(&scenario.to_string()).unwrap(), scenario);
    assert!(has_race_steps(text));
    assert!(!has_race_steps(EXAMPLE));
    assert!(!has_race_steps("# at 0 suspend\nchild w\n"));
}
