//! The checker a scenario run installs: every invariant, then the coverage observer, after
//! every delivery.

use std::cell::RefCell;
use std::rc::Rc;

use crate::coverage::Observer;
use crate::invariants::Invariants;
use crate::simulation::{Checker, View, Violation};

/// Every invariant of [`Invariants`], then the run's coverage [`Observer`] (shared with the
/// runner, which also shows it each step's answer).
pub(crate) struct RunChecker {
    pub(crate) invariants: Invariants,
    pub(crate) observer: Rc<RefCell<Observer>>,
}

impl<A> Checker<usize, A> for RunChecker {
    fn check(&mut self, view: &View<'_, usize, A>) -> Result<(), Violation> {
        self.invariants.check(view)?;
        if let Ok(mut observer) = self.observer.try_borrow_mut() {
            observer.observe(view);
        }
        Ok(())
    }
}
