//! The tree world and the tree parser, by example: every run twice (determinism), every
//! parse error path once.

use super::*;

fn transcript(text: &str) -> String {
    let tree = parse_tree(text).expect("tree parses");
    let first = run(&tree).expect("tree runs").to_string();
    let second = run(&tree).expect("tree runs").to_string();
    assert_eq!(first, second, "two runs differ");
    first
}

fn error(text: &str) -> String {
    parse_tree(text)
        .expect_err("tree must not parse")
        .to_string()
}

// ----- the world ---------------------------------------------------------------------------

#[test]
fn start_up_starts_every_declared_child_in_order_but_later_ones() {
    let text = "sup root\nchild a\nsup s in=root\nchild b in=s\nchild c later=true\n\
                at 10 which\nat 20 start c\nat 30 count\n";
    assert_eq!(
        transcript(text),
        "@0 init -> ok\n  up a#1\n  up b#1\n  up s#1\n\
         @10 which -> s=s#1 a=a#1\n\
         @20 start c -> ok c#1\n  up c#1\n\
         @30 count -> active=3 specs=3 supervisors=1 workers=2\n"
    );
}

#[test]
fn a_failed_child_fails_the_start_up_of_every_supervisor_above_it() {
    let text = "sup root\nchild a\nsup s in=root\nchild b in=s init=stop:boom\nat 10 count\n";
    assert_eq!(
        transcript(text),
        "@0 init -> error shutdown:failed_to_start_child:s:shutdown:failed_to_start_child:b:boom\n\
         \x20 down a#1 shutdown\n  fail b#1 boom\n  fail s#1 shutdown:failed_to_start_child:b:boom\n  \
         up a#1\n\
         @10 count -> error noproc\n"
    );
}

#[test]
fn a_child_supervisor_giving_up_escalates_to_its_parent() {
    let text = "sup root max_restarts=1\nsup s in=root max_restarts=0\nchild w in=s\n\
                at 10 exit w#1 boom\nat 20 exit w#2 boom\n";
    assert_eq!(
        transcript(text),
        "@0 init -> ok\n  up s#1\n  up w#1\n\
         @10 exit w#1 boom -> ok\n  down s#1 shutdown\n  down w#1 boom\n  up s#2\n  up w#2\n\
         @20 exit w#2 boom -> ok\n  down s#2 shutdown\n  down w#2 boom\n  sup down shutdown\n"
    );
}

#[test]
fn a_killed_supervisor_takes_its_children_down_through_the_links() {
    let text = "sup root\nsup s in=root restart=temporary\nchild w in=s\n\
                child t in=s trap_exit=true stop_ms=50\nsup d in=s kind=dynamic\nchild x in=d\n\
                at 0 on d start x\nat 10 kill s#1\nat 20 count\n";
    assert_eq!(
        transcript(text),
        "@0 init -> ok\n  up d#1\n  up s#1\n  up t#1\n  up w#1\n\
         @0 on d start x -> ok x#1\n  up x#1\n\
         @10 kill s#1 -> ok\n  down d#1 killed\n  down s#1 killed\n  down t#1 killed\n  \
         down w#1 killed\n  down x#1 shutdown\n\
         @20 count -> active=0 specs=0 supervisors=0 workers=0\n"
    );
}

#[test]
fn a_name_in_use_is_already_started_and_freed_when_its_process_ends() {
    let text = "sup root kind=dynamic\nsup s in=root restart=temporary\n\
                at 0 start s\nat 10 start s\nat 20 kill s#1\nat 30 start s\nat 40 on s count\n";
    assert_eq!(
        transcript(text),
        "@0 init -> ok\n\
         @0 start s -> ok s#1\n  up s#1\n\
         @10 start s -> error already_started:s#1\n  fail s#2 already_started:s#1\n\
         @20 kill s#1 -> ok\n  down s#1 killed\n\
         @30 start s -> ok s#3\n  up s#3\n\
         @40 on s count -> active=0 specs=0 supervisors=0 workers=0\n"
    );
}

#[test]
fn steps_on_a_supervisor_that_is_down_answer_noproc() {
    let text = "sup root\nsup s in=root restart=temporary\nat 0 terminate s\nat 10 on s which\n\
                at 20 which\n";
    assert_eq!(
        transcript(text),
        "@0 init -> ok\n  up s#1\n@0 terminate s -> ok\n  down s#1 shutdown\n\
         @10 on s which -> error noproc\n@20 which -> -\n"
    );
}

#[test]
fn the_static_api_answers_with_otps_errors() {
    let text = "sup root\nchild a restart=transient\nchild b later=true init=ignore\n\
                at 0 start a\nat 0 restart a\nat 0 delete a\nat 10 exit a#1 normal\n\
                at 20 start a\nat 20 restart a\nat 30 start b\nat 30 which\nat 40 delete b\n\
                at 40 delete b\nat 40 terminate b\n";
    assert_eq!(
        transcript(text),
        "@0 init -> ok\n  up a#1\n\
         @0 start a -> error already_started a#1\n@0 restart a -> error running\n\
         @0 delete a -> error running\n\
         @10 exit a#1 normal -> ok\n  down a#1 normal\n\
         @20 start a -> error already_present\n@20 restart a -> ok a#2\n  up a#2\n\
         @30 start b -> ok undefined\n  ignore b#1\n@30 which -> b=undefined a=a#2\n\
         @40 delete b -> ok\n@40 delete b -> error not_found\n@40 terminate b -> error not_found\n"
    );
}

#[test]
fn a_supervisor_waiting_forever_does_not_settle() {
    let text = "sup root\nchild t trap_exit=true stop_ms=1 shutdown=infinity\nat 0 stop\n";
    let tree = parse_tree(text).expect("parses");
    // stop_ms=1 ends; make it endless with a huge stop_ms and a later step instead.
    assert!(run(&tree).is_ok());
    let endless = "sup root\nsup d in=root kind=dynamic max_restarts=1000000000\n\
                   child w in=d init=ok,stop:boom\nat 0 on d start w\nat 10 exit w#1 boom\n";
    let tree = parse_tree(endless).expect("parses");
    let err = run_checked(&tree, None)
        .expect_err("never settles")
        .to_string();
    assert!(err.starts_with("does not settle"), "{err}");
}

#[test]
fn too_many_live_processes_is_too_large_to_run() {
    let mut text = String::from("sup root kind=dynamic\nchild w\n");
    for _ in 0..=crate::scenario::MAX_LIVE_CHILDREN {
        text.push_str("at 0 start w\n");
    }
    let tree = parse_tree(&text).expect("parses");
    let err = run(&tree).expect_err("too large").to_string();
    assert_eq!(
        err,
        "too large to run: more than 1000 processes alive at once"
    );
}

// ----- the parser --------------------------------------------------------------------------

#[test]
fn a_tree_file_is_one_with_a_sup_line() {
    assert!(is_tree_text("# x\n  sup root\n"));
    assert!(!is_tree_text("supervisor\nchild w\n"));
}

#[test]
fn parse_errors_name_their_line() {
    let cases: &[(&str, &str)] = &[
        ("sup root\nsupervisor\n", "line 2: a tree file may not contain a supervisor line"),
        ("sup root\nbogus\n", "line 2: unknown keyword \"bogus\""),
        ("child a\nsup root\n", "line 1: the root's sup line must come before every child line"),
        ("at 0 count\nsup root\n", "line 1: the root's sup line must come before every at line"),
        ("# nothing\n", "a tree file needs a sup line (the root)"),
        ("sup\n", "line 1: missing NAME in \"sup NAME key=value...\""),
        ("sup Root\n", "line 1: bad child name \"Root\": expected [a-z][a-z0-9_]*"),
        ("sup root\nchild root\n", "line 2: the name \"root\" is already declared on line 1"),
        ("sup root in=x\n", "line 1: supervisor \"x\" is not declared before this line"),
        ("sup root restart=temporary\n", "line 1: the root takes no restart key"),
        ("sup root\nsup s\n", "line 2: a sup line other than the root's needs in=SUP"),
        ("sup root\nchild a\nsup s in=a\n", "line 3: \"a\" is not a supervisor"),
        ("sup root kind=x\n", "line 1: bad kind \"x\": expected static or dynamic"),
        ("sup root strategy=x\n", "line 1: bad strategy \"x\": expected one_for_one, one_for_all or rest_for_one"),
        ("sup root auto_shutdown=x\n", "line 1: bad auto_shutdown \"x\": expected never, any_significant or all_significant"),
        ("sup root kind=dynamic max_children=x\n", "line 1: bad max_children \"x\": expected a whole number or infinity"),
        ("sup root kind=dynamic max_children=01\n", "line 1: bad max_children \"01\": a number may not have leading zeros"),
        ("sup root max_seconds=0\n", "line 1: max_seconds must be at least 1 (OTP rejects 0)"),
        ("sup root max_restarts=1000000001\n", "line 1: max_restarts 1000000001 is more than the limit of 1000000000"),
        ("sup root bogus=1\n", "line 1: unknown sup key \"bogus\" (expected in, kind, strategy, max_children, auto_shutdown, max_restarts, max_seconds, restart, shutdown, significant or later)"),
        ("sup root max_seconds=1 max_seconds=2\n", "line 1: duplicate key \"max_seconds\""),
        ("sup root nokey\n", "line 1: expected KEY=VALUE, found \"nokey\""),
        ("sup root kind=dynamic strategy=one_for_all\n", "line 1: strategy and auto_shutdown are for static supervisors only"),
        ("sup root max_children=3\n", "line 1: max_children is for dynamic supervisors only"),
        ("sup root kind=dynamic\nchild a later=true\n", "line 2: significant and later are not allowed under a dynamic supervisor"),
        ("sup root\nchild a significant=true restart=transient\n", "line 2: significant=true needs a parent with auto_shutdown other than never"),
        ("sup root auto_shutdown=any_significant\nchild a significant=true\n", "line 2: a significant child cannot be permanent"),
        ("sup root\nchild a significant=maybe\n", "line 2: bad significant \"maybe\": expected true or false"),
        ("sup root\nchild a bogus=1\n", "line 2: unknown child key \"bogus\" (expected in, restart, shutdown, trap_exit, stop_ms, init, significant or later)"),
        ("sup root\nchild a restart=x\n", "line 2: bad restart \"x\": expected permanent, transient or temporary"),
        ("sup root\nchild\n", "line 2: missing NAME in \"child NAME key=value...\""),
        ("sup root\nat\n", "line 2: missing MS in \"at MS [on SUP] OP\""),
        ("sup root\nat x count\n", "line 2: bad time \"x\": expected a whole number of milliseconds"),
        ("sup root\nat 1000000001 count\n", "line 2: time 1000000001 is more than the limit of 1000000000"),
        ("sup root\nat 5 count\nat 4 count\n", "line 3: time 4 is before the previous step's 5"),
        ("sup root\nat 0 on\n", "line 2: missing SUP in \"on SUP\""),
        ("sup root\nat 0 on x count\n", "line 2: supervisor \"x\" is not declared before this line"),
        ("sup root\nat 0\n", "line 2: missing OP in \"at MS [on SUP] OP\" (expected start, terminate, restart, delete, exit, kill, count, which or stop)"),
        ("sup root\nat 0 jump\n", "line 2: unknown operation \"jump\" (expected start, terminate, restart, delete, exit, kill, count, which or stop)"),
        ("sup root\nat 0 start x\n", "line 2: \"x\" is not declared before this step"),
        ("sup root\nsup s in=root\nchild w in=s\nat 0 start w\n", "line 4: \"w\" is not declared in supervisor \"root\""),
        ("sup root\nchild w\nat 0 restart x\n", "line 3: \"x\" is not declared before this step"),
        ("sup root\nsup s in=root\nchild w in=s\nat 0 terminate w\n", "line 4: \"w\" is not declared in supervisor \"root\""),
        ("sup root\nsup s in=root\nchild w in=s\nat 0 delete w\n", "line 4: \"w\" is not declared in supervisor \"root\""),
        ("sup root kind=dynamic\nchild w\nat 0 restart w\n", "line 3: restart is for static supervisors only"),
        ("sup root kind=dynamic\nchild w\nat 0 delete w\n", "line 3: delete is for static supervisors only"),
        ("sup root kind=dynamic\nchild w\nat 0 terminate w\n", "line 3: bad reference \"w\": expected NAME#K"),
        ("sup root\nchild w\nat 0 on root kill w#1\n", "line 3: exit and kill are written without on"),
        ("sup root\nchild w\nat 0 exit root#1 boom\n", "line 3: exit takes a worker's REF"),
        ("sup root\nchild w\nat 0 exit w#1 Boom\n", "line 3: bad exit reason \"Boom\": expected normal, shutdown, shutdown:WORD or a WORD of [a-z0-9_]"),
        ("sup root\nchild w\nat 0 exit w#1\n", "line 3: missing REF or REASON in \"exit REF REASON\""),
        ("sup root\nchild w\nat 0 kill\n", "line 3: missing argument in \"kill\""),
        ("sup root\nchild w\nat 0 kill w#0\n", "line 3: bad reference \"w#0\": the attempt number must be at least 1"),
        ("sup root\nsup s in=root\nat 0 on s stop\n", "line 3: stop goes to the root only"),
        ("sup root\nat 0 count now\n", "line 2: unexpected \"now\" after the operation"),
    ];
    for (text, expected) in cases {
        assert_eq!(error(text), *expected, "for {text:?}");
    }
}

#[test]
fn the_depth_and_sup_limits_hold() {
    let mut deep = String::from("sup s0\n");
    for level in 1..=MAX_DEPTH {
        deep.push_str(&format!("sup s{level} in=s{}\n", level - 1));
    }
    assert!(parse_tree(&deep).is_ok());
    let too_deep = format!("{deep}child w in=s{MAX_DEPTH}\n");
    assert_eq!(
        error(&too_deep),
        format!(
            "line {}: too deep: at most {MAX_DEPTH} levels below the root",
            MAX_DEPTH + 2
        )
    );
    let mut many = String::from("sup root\n");
    for i in 1..MAX_SUPS {
        many.push_str(&format!("sup s{i} in=root\n"));
    }
    assert!(parse_tree(&many).is_ok());
    many.push_str("sup last in=root\n");
    assert_eq!(
        error(&many),
        format!(
            "line {}: too many sup lines (the limit is {MAX_SUPS})",
            MAX_SUPS + 1
        )
    );
}

#[test]
fn the_step_text_is_the_step_as_written() {
    let tree =
        parse_tree("sup root\nsup d in=root kind=dynamic\nchild w in=d\nat  5   on d  start w\n")
            .expect("parses");
    assert_eq!(tree.steps[0].text, "@5 on d start w");
}

// ----- explore --trees -----------------------------------------------------------------------

#[test]
fn generated_trees_are_deterministic_and_pass_every_checker() {
    for seed in 0..40 {
        let text = generate::tree_text(seed, 40);
        assert_eq!(
            text,
            generate::tree_text(seed, 40),
            "seed {seed} is not deterministic"
        );
        assert!(is_tree_text(&text));
        if let Err((text, error)) = check_seed(seed, 40) {
            panic!("seed {seed}: {error}\n{text}");
        }
    }
    assert_ne!(generate::tree_text(1, 40), generate::tree_text(2, 40));
}

#[test]
fn a_checker_violation_fails_the_run_with_its_message() {
    struct Refuses;
    impl world::TreeChecker for Refuses {
        fn check(
            &mut self,
            _tree: &Tree,
            new: &[trace::TreeEntry],
            _at_rest: bool,
        ) -> Result<(), String> {
            let down = new
                .iter()
                .any(|e| matches!(e.event, trace::TreeEvent::Down { .. }));
            if down {
                Err("nothing may end".to_owned())
            } else {
                Ok(())
            }
        }
    }
    let tree = parse_tree("sup root\nchild w\nat 10 exit w#1 boom\n").expect("parses");
    assert!(run_checked(&tree, None).is_ok());
    let err = run_checked(&tree, Some(Box::new(Refuses))).expect_err("the checker fires");
    assert_eq!(err, WorldError::Violation("nothing may end".to_owned()));
    assert_eq!(err.to_string(), "invariant violated: nothing may end");
}

#[test]
fn a_tree_failure_shrinks_to_a_few_steps_and_replays() {
    use crate::coverage::Coverage;
    use crate::testing::{check_tree_text_with, shrink_tree_failure_with, TreeDefect};
    let defect = Some(TreeDefect::EscalationForbidden);
    let (seed, text, failure) = (0..500)
        .find_map(|seed| {
            let text = generate::tree_text(seed, 200);
            let failure = check_tree_text_with(&text, defect, &mut Coverage::new()).err()?;
            Some((seed, text, failure))
        })
        .expect("some seed escalates");
    assert_eq!(failure.check, TreeDefect::EscalationForbidden.check());
    let shrunk = shrink_tree_failure_with(&text, &failure, defect);
    let steps = shrunk.lines().filter(|l| l.starts_with("at ")).count();
    assert!(
        (1..=3).contains(&steps),
        "seed {seed} shrunk to {steps} steps:\n{shrunk}"
    );
    assert!(shrunk.lines().count() < text.lines().count(), "{shrunk}");
    // The shrunk file fails the same check, and only with the planted checker.
    let again = check_tree_text_with(&shrunk, defect, &mut Coverage::new()).unwrap_err();
    assert_eq!(again.check, failure.check);
    assert_eq!(
        check_tree_text_with(&shrunk, None, &mut Coverage::new()),
        Ok(())
    );
}
