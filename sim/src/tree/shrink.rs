//! Shrinking a failing tree file while the same check still fails: the flat shrinker's greedy
//! loop and step moves (`crate::explore::shrink`), applied to a tree file's lines, plus moves
//! of its own: dropping a supervisor or worker with everything below it and every step that
//! names them, and dropping the keys of a `sup` or `child` line. A candidate that no longer
//! parses simply does not fail the same check.

use crate::explore::shrink::{chunks, gaps, greedy};

/// A tree file as the shrinker sees it: its `sup` and `child` lines as written, and its
/// steps' times and the rest of each step line (comments and blank lines dropped).
#[derive(Clone, Debug, PartialEq, Eq)]
struct TreeLines {
    nodes: Vec<String>,
    steps: Vec<(u64, String)>,
}

impl TreeLines {
    fn of(text: &str) -> Self {
        let mut lines = TreeLines {
            nodes: Vec::new(),
            steps: Vec::new(),
        };
        for line in text.lines() {
            let mut words = line.split_ascii_whitespace();
            match (words.next(), words.next()) {
                (None, _) => {}
                (Some(first), _) if first.starts_with('#') => {}
                (Some("at"), Some(at)) if at.parse::<u64>().is_ok() => {
                    let rest = words.collect::<Vec<_>>().join(" ");
                    lines.steps.push((at.parse().unwrap_or(0), rest));
                }
                _ => lines.nodes.push(line.trim().to_owned()),
            }
        }
        lines
    }

    fn text(&self) -> String {
        let mut text = String::new();
        for node in &self.nodes {
            text.push_str(node);
            text.push('\n');
        }
        for (at, rest) in &self.steps {
            text.push_str(&format!("at {at} {rest}\n"));
        }
        text
    }

    /// The names of node line `index` and of every node below it.
    fn subtree(&self, index: usize) -> Vec<&str> {
        let mut names: Vec<&str> = self.nodes.get(index).map(|l| name(l)).into_iter().collect();
        // Parents come before their children: one pass in file order finds every descendant.
        for line in self.nodes.iter().skip(index + 1) {
            if parent(line).is_some_and(|p| names.contains(&p)) {
                names.push(name(line));
            }
        }
        names
    }
}

fn name(line: &str) -> &str {
    line.split_ascii_whitespace().nth(1).unwrap_or("")
}

fn parent(line: &str) -> Option<&str> {
    line.split_ascii_whitespace()
        .find_map(|word| word.strip_prefix("in="))
}

/// Whether a step names one of `names` (as `on NAME`, `NAME` or `NAME#K`).
fn mentions(rest: &str, names: &[&str]) -> bool {
    rest.split_ascii_whitespace().any(|word| {
        let node = word.split_once('#').map_or(word, |(node, _)| node);
        names.contains(&node)
    })
}

/// Candidate simplifications, smallest first.
fn candidates(lines: &TreeLines) -> Vec<TreeLines> {
    let mut out = Vec::new();
    for range in chunks(lines.steps.len()) {
        let mut smaller = lines.clone();
        smaller.steps.drain(range);
        out.push(smaller);
    }
    // Drop a node (never the root) with its subtree and every step that names them.
    for index in 1..lines.nodes.len() {
        let names = lines.subtree(index);
        let mut smaller = lines.clone();
        smaller.nodes.retain(|line| !names.contains(&name(line)));
        smaller.steps.retain(|(_, rest)| !mentions(rest, &names));
        out.push(smaller);
    }
    for (index, delta) in gaps(lines.steps.iter().map(|(at, _)| *at)) {
        let mut simpler = lines.clone();
        for (at, _) in simpler.steps.iter_mut().skip(index) {
            *at -= delta;
        }
        out.push(simpler);
    }
    // Drop one key of a node line (its defaults are simpler), keeping where it sits.
    for (index, line) in lines.nodes.iter().enumerate() {
        let words: Vec<&str> = line.split_ascii_whitespace().collect();
        for (drop, word) in words.iter().enumerate().skip(2) {
            if word.starts_with("in=") {
                continue;
            }
            let mut simpler = lines.clone();
            if let Some(slot) = simpler.nodes.get_mut(index) {
                *slot = words
                    .iter()
                    .enumerate()
                    .filter(|&(i, _)| i != drop)
                    .map(|(_, w)| *w)
                    .collect::<Vec<_>>()
                    .join(" ");
            }
            out.push(simpler);
        }
    }
    // A `count` is simpler than a `which`.
    for (index, (_, rest)) in lines.steps.iter().enumerate() {
        if rest == "which" || rest.ends_with(" which") {
            let mut simpler = lines.clone();
            if let Some((_, rest)) = simpler.steps.get_mut(index) {
                *rest = format!("{}count", rest.trim_end_matches("which"));
            }
            out.push(simpler);
        }
    }
    out
}

/// Shrinks tree file `text` greedily while `still_fails` holds of the candidate's text (at
/// most `attempts_max` candidates); the result is a tree file's text without comments.
pub fn shrink_tree(
    text: &str,
    attempts_max: usize,
    mut still_fails: impl FnMut(&str) -> bool,
) -> String {
    greedy(
        &TreeLines::of(text),
        attempts_max,
        candidates,
        |candidate| still_fails(&candidate.text()),
    )
    .text()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str =
        "# a comment\nsup root\nsup mid in=root strategy=one_for_all max_restarts=0\n\
                        child a in=mid shutdown=100\nchild b in=root\nat 10 exit a#1 boom\n\
                        at 30 on mid which\nat 40 kill b#1\n";

    #[test]
    fn lines_round_trip_without_comments() {
        let lines = TreeLines::of(TEXT);
        assert_eq!(lines.nodes.len(), 4);
        assert_eq!(lines.steps[1], (30, "on mid which".to_owned()));
        assert_eq!(TreeLines::of(&lines.text()), lines);
        assert!(!lines.text().contains('#') || lines.text().contains("a#1"));
    }

    #[test]
    fn dropping_a_node_drops_its_subtree_and_the_steps_naming_them() {
        let lines = TreeLines::of(TEXT);
        assert_eq!(lines.subtree(1), vec!["mid", "a"]);
        let candidates = candidates(&lines);
        let without_mid = candidates
            .iter()
            .find(|c| c.nodes.len() == 2)
            .expect("a candidate drops mid");
        assert_eq!(without_mid.nodes, vec!["sup root", "child b in=root"]);
        assert_eq!(without_mid.steps, vec![(40, "kill b#1".to_owned())]);
    }

    #[test]
    fn shrinking_keeps_only_what_the_failure_needs() {
        // "Fails" while some step kills b: one step and the nodes it needs remain.
        let shrunk = shrink_tree(TEXT, 1_000, |text| text.contains("kill b#1"));
        assert_eq!(shrunk, "sup root\nchild b in=root\nat 0 kill b#1\n");
    }
}
