//! What [`Coverage`](super::Coverage) counts: a fixed list of named situations (the
//! one-supervisor [`Situation`](super::Situation)s, the tree situations of
//! [`crate::tree::coverage`]), each with a stable name and a one-line description.

use std::fmt::Debug;

/// The heading of the situations that await suspend/resume steps (the tree world has none;
/// the one-supervisor simulator runs them, docs/races.md).
pub const AWAITING_INTERLEAVING_HEADING: &str =
    "awaiting suspend/resume steps: races the settle rule hides today (the tree world has none)";

/// A list of situations that runs reach or not, counted by [`Coverage`](super::Coverage).
pub trait Corner: Copy + Eq + Debug + 'static {
    /// Every situation, in table order (each at its [`Corner::position`]).
    const EVERY: &'static [Self];
    /// The situations no run can reach yet: the table lists them last, under
    /// [`Corner::AWAITING_HEADING`], and [`Coverage::missing`](super::Coverage::missing)
    /// leaves them out.
    const AWAITING: &'static [Self] = &[];
    /// The heading of the table's section for [`Corner::AWAITING`].
    const AWAITING_HEADING: &'static str = "";
    /// Its position in [`Corner::EVERY`].
    fn position(self) -> usize;
    /// Its stable name (kebab-case), as the table and the JSON summary print it.
    fn label(self) -> &'static str;
    /// What it is, in one line.
    fn explain(self) -> &'static str;
}

/// Asserts that `S`'s list is well formed: each situation at its position, names unique,
/// every description written (the unit test of every [`Corner`] list).
#[cfg(test)]
pub(crate) fn assert_well_formed<S: Corner>() {
    for (position, situation) in S::EVERY.iter().enumerate() {
        assert_eq!(situation.position(), position, "{situation:?}");
    }
    let mut names: Vec<&str> = S::EVERY.iter().map(|s| s.label()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), S::EVERY.len(), "names are unique");
    assert!(S::EVERY.iter().all(|s| !s.explain().is_empty()));
    assert!(S::AWAITING.iter().all(|s| S::EVERY.contains(s)));
}
