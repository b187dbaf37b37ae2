//! Shrinking: reduce a failing scenario while the same check still fails, by dropping steps,
//! dropping templates, and simplifying values. The greedy loop ([`greedy`]) and the step-level
//! moves ([`chunks`], [`gaps`]) are shared with the tree shrinker (`crate::tree::shrink`). Every
//! candidate keeps the rules of races (docs/races.md): a `suspend` and its `resume` go together,
//! with or without the steps between them; a candidate that would split them is never tried.

use std::ops::Range;

use crate::scenario::{races_well_formed, Op, Scenario, SupervisorLine};

/// The ranges of a list of `len` steps a shrinker tries to drop, largest first: halves, then
/// quarters, ..., down to single steps.
pub(crate) fn chunks(len: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut chunk = len / 2;
    while chunk >= 1 {
        let mut start = 0;
        while start < len {
            out.push(start..(start + chunk).min(len));
            start += chunk;
        }
        chunk /= 2;
    }
    out
}

/// For each step later than the one before it (the first: later than 0), its index and that
/// gap: moving it and every later step earlier by the gap keeps the order and simplifies times.
pub(crate) fn gaps(times: impl IntoIterator<Item = u64>) -> Vec<(usize, u64)> {
    let mut previous = 0;
    let mut out = Vec::new();
    for (index, at) in times.into_iter().enumerate() {
        if at > previous {
            out.push((index, at - previous));
        }
        previous = at;
    }
    out
}

/// Candidate simplifications of `scenario`, smallest first, each a valid scenario.
fn candidates(scenario: &Scenario) -> Vec<Scenario> {
    let mut out = Vec::new();
    let steps = scenario.steps.len();
    // Drop each race window whole (its `suspend`, its steps, its `resume`), or only its pair
    // (its steps then run one at a time, as in format 1).
    let mut open = None;
    for (index, step) in scenario.steps.iter().enumerate() {
        match (&step.op, open) {
            (Op::Suspend, _) => open = Some(index),
            (Op::Resume, Some(first)) => {
                let mut smaller = scenario.clone();
                smaller.steps.drain(first..=index);
                out.push(smaller);
                let mut unpaired = scenario.clone();
                unpaired.steps.remove(index);
                unpaired.steps.remove(first);
                out.push(unpaired);
                open = None;
            }
            _ => {}
        }
    }
    // Drop chunks of steps, halving the chunk size down to single steps.
    for range in chunks(steps) {
        let mut smaller = scenario.clone();
        smaller.steps.drain(range);
        out.push(smaller);
    }
    // Drop a template and every step naming it.
    for template in &scenario.templates {
        let name = &template.name;
        let mut smaller = scenario.clone();
        smaller.templates.retain(|t| &t.name != name);
        smaller
            .steps
            .retain(|s| s.op.template().is_none_or(|t| t != name));
        out.push(smaller);
    }
    // Simplify times: close each gap to the previous step.
    for (index, delta) in gaps(scenario.steps.iter().map(|s| s.at_ms)) {
        let mut simpler = scenario.clone();
        for step in simpler.steps.iter_mut().skip(index) {
            step.at_ms -= delta;
        }
        out.push(simpler);
    }
    // Simplify templates toward the defaults.
    let defaults = crate::scenario::Template::new("");
    for (index, template) in scenario.templates.iter().enumerate() {
        let mut variants = Vec::new();
        if template.init.len() > 1 {
            let mut t = template.clone();
            t.init.pop();
            variants.push(t);
        }
        if template.stop_ms != 0 {
            let mut t = template.clone();
            t.stop_ms = 0;
            variants.push(t);
        }
        if template.trap_exit {
            let mut t = template.clone();
            t.trap_exit = false;
            variants.push(t);
        }
        if template.shutdown != defaults.shutdown {
            let mut t = template.clone();
            t.shutdown = defaults.shutdown;
            variants.push(t);
        }
        if template.restart != defaults.restart {
            let mut t = template.clone();
            t.restart = defaults.restart;
            variants.push(t);
        }
        for variant in variants {
            let mut simpler = scenario.clone();
            if let Some(slot) = simpler.templates.get_mut(index) {
                *slot = variant;
            }
            out.push(simpler);
        }
    }
    // Simplify the supervisor toward the defaults.
    let line = &scenario.supervisor;
    let default_line = SupervisorLine::default();
    for simpler_line in [
        SupervisorLine {
            max_children: default_line.max_children,
            ..*line
        },
        SupervisorLine {
            max_seconds: default_line.max_seconds,
            ..*line
        },
    ] {
        if simpler_line != *line {
            let mut simpler = scenario.clone();
            simpler.supervisor = simpler_line;
            out.push(simpler);
        }
    }
    // Replace slow steps by cheap ones: a `which` or `count` is simpler than `stop`.
    for (index, step) in scenario.steps.iter().enumerate() {
        if matches!(step.op, Op::Which) {
            let mut simpler = scenario.clone();
            if let Some(s) = simpler.steps.get_mut(index) {
                s.op = Op::Count;
            }
            out.push(simpler);
        }
    }
    out.retain(|candidate| races_well_formed(&candidate.steps));
    out
}

/// Shrinks `scenario` greedily: keeps the first candidate for which `still_fails` holds, and
/// starts over from it, until no candidate fails (or `attempts_max` candidates were tried).
pub fn shrink(
    scenario: &Scenario,
    attempts_max: usize,
    still_fails: impl FnMut(&Scenario) -> bool,
) -> Scenario {
    greedy(scenario, attempts_max, candidates, still_fails)
}

/// The greedy shrinking loop of every shrinker: from `start`, keeps the first of
/// `candidates(best)` for which `still_fails` holds and starts over from it, until none does
/// (or `attempts_max` candidates were tried).
pub(crate) fn greedy<T: Clone>(
    start: &T,
    attempts_max: usize,
    candidates: impl Fn(&T) -> Vec<T>,
    mut still_fails: impl FnMut(&T) -> bool,
) -> T {
    let mut best = start.clone();
    let mut attempts = 0;
    'outer: loop {
        for candidate in candidates(&best) {
            if attempts >= attempts_max {
                break 'outer;
            }
            attempts += 1;
            if still_fails(&candidate) {
                best = candidate;
                continue 'outer;
            }
        }
        break;
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_halve_down_to_single_steps() {
        assert_eq!(chunks(0), Vec::<Range<usize>>::new());
        assert_eq!(chunks(1), Vec::<Range<usize>>::new());
        assert_eq!(chunks(3), vec![0..1, 1..2, 2..3]);
        assert_eq!(chunks(4), vec![0..2, 2..4, 0..1, 1..2, 2..3, 3..4]);
    }

    #[test]
    fn gaps_are_the_steps_later_than_their_predecessor() {
        assert_eq!(gaps([0, 5, 5, 9]), vec![(1, 5), (3, 4)]);
        assert_eq!(gaps([3]), vec![(0, 3)]);
    }

    #[test]
    fn candidates_never_split_a_race_window() {
        let race = crate::scenario::parse(
            "child w init=ok,stop:x\nat 0 start w\nat 5 suspend\nat 5 exit w#1 boom\nat 5 which\nat 5 resume\nat 9 count\n",
        )
        .expect("a race file");
        let all = candidates(&race);
        assert!(all.iter().all(|c| races_well_formed(&c.steps)));
        // The window dropped whole, and its pair dropped alone, are both among them.
        let ops = |s: &Scenario| s.steps.iter().map(|s| s.op.to_string()).collect::<Vec<_>>();
        assert!(all.iter().any(|c| ops(c) == ["start w", "count"]));
        assert!(all
            .iter()
            .any(|c| ops(c) == ["start w", "exit w#1 boom", "which", "count"]));
        // Shrinking a race that fails while it has a `which` keeps the pair around it.
        let shrunk = shrink(&race, 1000, |c| c.steps.iter().any(|s| s.op == Op::Which));
        assert!(races_well_formed(&shrunk.steps));
        assert_eq!(ops(&shrunk), ["which"]);
    }
}
